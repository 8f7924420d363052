"""Messaging: the outbox of texts (planning, rendering, sending, delivery) and texts people send back."""
