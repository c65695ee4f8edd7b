"""The encrypted database: keys, engine, ORM models, migrations and units of work."""
