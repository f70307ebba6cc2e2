"""Inbound webhook data: the typed events (`_events`, `_fields`, `_parts`) and `parse` (`_parse`).

It sits below the client, the conversations and the receiver, and needs neither the client nor aiohttp;
`wa_async.webhooks` is its public face.
"""
