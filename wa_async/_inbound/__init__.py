"""Inbound webhook data: the typed events and `parse`, below the client, the conversations and the receiver.

`_events` (messages, statuses, `Unknown`), `_account_events`, `_user_events`, `_call_group_events` and `_parts`
hold the public structs; `_wire` the wire structs; `_parse`, `_build`, `_build_fields` and `_context` turn a
body into events. Nothing here needs the client or aiohttp; `wa_async.webhooks` is the public face.
"""
