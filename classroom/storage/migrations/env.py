"""Alembic environment: runs on the connection that ``classroom.storage.db.upgrade`` passes in."""

from alembic import context

from classroom.storage.schema import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run migrations with classroom.storage.db.upgrade(engine), not the alembic CLI"
    )

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite can only add a foreign key by rebuilding the table.
    render_as_batch=True,
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
