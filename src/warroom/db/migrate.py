"""Schema versions: apply Alembic migrations on first use, refuse a schema newer than the code.

The check runs inside one write transaction (BEGIN IMMEDIATE on SQLite, an advisory lock on
PostgreSQL), so many processes opening a fresh store at once migrate it exactly once.

`SCHEMA_HEAD` repeats the newest migration's revision so that the common case — a store already
up to date — costs one SELECT and no Alembic import (about 0.5 s of start-up for every command).
A test keeps it equal to Alembic's head.
"""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from warroom.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

SCHEMA_HEAD = "0001"

# Any constant works: it only has to be the same in every warroom process.
_PG_MIGRATION_LOCK = 0x5741_5252  # "WARR"


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(files("warroom.db") / "migrations"))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:  # a packaging mistake, not a user error
        raise RuntimeError(f"migrations have {len(heads)} heads: {heads}")
    return str(heads[0])


def current_revision(connection: Connection) -> str | None:
    """The store's revision, or None for an empty store (no alembic_version table yet)."""
    savepoint = connection.begin_nested() if connection.in_transaction() else None
    try:
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except DBAPIError:
        if savepoint is not None:
            savepoint.rollback()
        return None
    if savepoint is not None:
        savepoint.commit()
    return str(rows[0][0]) if rows else None


def ensure_schema(engine: Engine, *, upgrade: bool = True) -> str | None:
    """Bring the schema to the code's head revision and return the revision it was at."""
    with engine.connect() as connection:  # fast path: no lock, no Alembic
        if current_revision(connection) == SCHEMA_HEAD:
            return SCHEMA_HEAD
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        before = current_revision(connection)
        if before == SCHEMA_HEAD:  # another process migrated while we waited for the lock
            return before
        _refuse_unknown(before)
        if upgrade:
            from alembic import command

            command.upgrade(alembic_config(connection), "head")
        return before


def _refuse_unknown(revision: str | None) -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    if revision is not None and revision not in {r.revision for r in script.walk_revisions()}:
        raise StoreError(
            f"the store's schema ({revision}) is newer than this warroom knows ({SCHEMA_HEAD})",
            hint="upgrade warroom (pip install -U warroom); the store was not changed",
        )
