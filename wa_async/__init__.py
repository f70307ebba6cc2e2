"""wa_async: an asyncio client for the WhatsApp Business Cloud API."""
