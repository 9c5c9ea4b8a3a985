"""Alembic environment: warroom always passes in the connection to migrate."""

from __future__ import annotations

from alembic import context

from warroom.db.base import Base
from warroom.incidents import models  # noqa: F401 - registers the tables on Base.metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through warroom (warroom db upgrade), not bare alembic")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    transactional_ddl=True,
)
context.run_migrations()
