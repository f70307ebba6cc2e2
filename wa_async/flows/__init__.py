"""WhatsApp Flows: the data endpoint that WhatsApp calls while a user goes through a Flow.

WhatsApp posts each screen's data encrypted with the business's public key; `DataEndpoint` decrypts it
with the private key and encrypts the answer, answers the health check, and gives Meta's error answers (421, 427,
432). It needs the ``cryptography`` package (``pip install 'wa-async[flows]'``), imported only when used.
See ``docs/flows.md``.

Example:
    ```python
    import wa_async as wa

    pair = wa.flows.generate_key_pair()            # upload pair.public_pem to the phone number
    endpoint = wa.flows.DataEndpoint(pair.private_pem)
    ```
"""

from ._crypto import KeyPair, generate_key_pair, require_cryptography
from ._endpoint import (
    DataEndpoint,
    DecryptionError,
    EndpointResponse,
    FlowRequest,
    FlowTokenExpired,
    SignatureError,
)
from ._simulate import EncryptedRequest, encrypt_request

__all__ = [
    "DataEndpoint",
    "DecryptionError",
    "EncryptedRequest",
    "EndpointResponse",
    "FlowRequest",
    "FlowTokenExpired",
    "KeyPair",
    "SignatureError",
    "encrypt_request",
    "generate_key_pair",
    "require_cryptography",
]
