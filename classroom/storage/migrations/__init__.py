"""Alembic migrations of the Casebook database, applied by ``classroom.storage.db.upgrade``."""
