"""node's bottom floor: settings, clock, errors, identity, accounts, logs, the database
with its migrations, and the transactional outbox.  It imports no other part of node."""
