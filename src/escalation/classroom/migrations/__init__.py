"""alembic migrations of the class service's database (env.py and versions/)."""
