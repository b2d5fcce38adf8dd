"""Alembic migrations of the Casebook database, applied by ``classroom.db.upgrade``."""
