"""Floor 1 of node: settings, clock, errors, identity, accounts, the database and its migrations, the outbox."""
