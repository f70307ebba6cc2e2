"""Outbound messages: msgspec Structs that validate themselves and encode to the exact request body.

```python
from wa_async._messages import Text

Text("+16505551234", "Hello!").to_json()
# b'{"messaging_product":"whatsapp","recipient_type":"individual","to":"16505551234",
#    "type":"text","text":{"body":"Hello!","preview_url":false}}'
```

Each struct checks Meta's documented limits in ``__post_init__`` and raises ``wa.ValidationError`` naming the
field and the limit. Messages know no network.
"""

from wa_async._messages._address import AddressRequest, SavedAddress
from wa_async._messages._base import Group, MarkRead, Message
from wa_async._messages._basic import Location, Reaction, Text
from wa_async._messages._carousel import Carousel, CarouselCard, ProductCard
from wa_async._messages._commerce import Catalog, Product, ProductList
from wa_async._messages._contacts import Address, Contact, Contacts, Email, Name, Org, Phone, Url
from wa_async._messages._interactive import Buttons, CtaUrl, Flow, ListMessage, ReplyButton, Row, Section
from wa_async._messages._media import Audio, Document, Image, Sticker, Video
from wa_async._messages._orders import OrderAmount, OrderDetails, OrderItem, OrderStatus
from wa_async._messages._params import (
    ActionParam,
    CouponParam,
    Currency,
    DateTime,
    DocumentParam,
    ImageParam,
    PayloadParam,
    ProductParam,
    TextParam,
    TtlParam,
    VideoParam,
)
from wa_async._messages._products import ProductSection
from wa_async._messages._prompts import CallPermissionRequest, ContactInfoRequest, LocationRequest, VoiceCall
from wa_async._messages._template import BodyParams, ButtonParams, CarouselParams, HeaderParams, Template

__all__ = [
    "ActionParam",
    "Address",
    "AddressRequest",
    "Audio",
    "BodyParams",
    "ButtonParams",
    "Buttons",
    "CallPermissionRequest",
    "Carousel",
    "CarouselCard",
    "CarouselParams",
    "Catalog",
    "Contact",
    "ContactInfoRequest",
    "Contacts",
    "CouponParam",
    "CtaUrl",
    "Currency",
    "DateTime",
    "Document",
    "DocumentParam",
    "Email",
    "Flow",
    "Group",
    "HeaderParams",
    "Image",
    "ImageParam",
    "ListMessage",
    "Location",
    "LocationRequest",
    "MarkRead",
    "Message",
    "Name",
    "OrderAmount",
    "OrderDetails",
    "OrderItem",
    "OrderStatus",
    "Org",
    "PayloadParam",
    "Phone",
    "Product",
    "ProductCard",
    "ProductList",
    "ProductParam",
    "ProductSection",
    "Reaction",
    "ReplyButton",
    "Row",
    "SavedAddress",
    "Section",
    "Sticker",
    "Template",
    "Text",
    "TextParam",
    "TtlParam",
    "Url",
    "Video",
    "VideoParam",
    "VoiceCall",
]
