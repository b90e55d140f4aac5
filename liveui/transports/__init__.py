"""Transports move frames between a client and a `Connection`; they know nothing of views."""
