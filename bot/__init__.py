"""Delivery: use cases, the shared renderer, the Telegram runtimes, scheduler, outbox, exports and CLI."""
