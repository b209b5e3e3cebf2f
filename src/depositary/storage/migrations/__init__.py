"""Alembic migrations for every SQL backend; run with ``storage.sql.migrate``."""
