"""Every exception wa_async raises (also exported at the top level: ``wa.ApiError`` is ``wa.errors.ApiError``).

```
WhatsAppError
├── ValidationError            bad input, caught locally; nothing was sent
├── QueueFull, ClientClosed
├── WindowClosed               free-form message outside the 24-hour customer-service window
├── WebhookError               a body that is not a webhook
├── TransportError             no HTTP response; the request provably never left: safe to retry
│   └── DeliveryUnknown        no usable response after the request was sent: it may have been delivered
└── ApiError                   Meta (or the gateway) answered with an error
    ├── AuthError, RateLimited, TemplateError, RecipientError, MediaError, NotFound, ServerError
```
"""

from ._errors import *  # noqa: F403  (the whole public face of the errors)
from ._errors import __all__ as __all__
