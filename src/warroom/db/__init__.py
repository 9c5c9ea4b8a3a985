"""Persistence: SQLAlchemy models' base, engines and sessions, Alembic migrations."""
