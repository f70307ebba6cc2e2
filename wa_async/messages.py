"""Outbound messages: msgspec Structs that validate themselves against Meta's limits and encode to the exact
request body (also exported at the top level: ``wa.Text`` is ``wa.messages.Text``).

```python
from wa_async.messages import Text

assert Text("+16505551234", "Hello!").to_json().startswith(b'{"messaging_product":"whatsapp"')
```
"""

from ._messages import *  # noqa: F403  (the whole public face of the message structs)
from ._messages import __all__ as __all__
