"""Handlers for activities partners send us, one module per activity type.

Each handler converts, checks the sender's authority (only the origin may
change its item; only partners may offer), stores, and queues side effects.
A refusal is logged with its reason and stores nothing.
"""
