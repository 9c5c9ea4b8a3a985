"""Schema versions: apply Alembic migrations on first use, refuse a schema newer than the code.

The check runs inside one write transaction (BEGIN IMMEDIATE on SQLite, an advisory lock on
PostgreSQL), so many processes opening a fresh store at once migrate it exactly once.
"""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from warroom.errors import StoreError

# Any constant works: it only has to be the same in every warroom process.
_PG_MIGRATION_LOCK = 0x5741_5252  # "WARR"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("warroom.db") / "migrations"))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:  # a packaging mistake, not a user error
        raise RuntimeError(f"migrations have {len(heads)} heads: {heads}")
    return heads[0]


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def ensure_schema(engine: Engine, *, upgrade: bool = True) -> str | None:
    """Bring the schema to the code's head revision and return the revision it was at."""
    script = ScriptDirectory.from_config(alembic_config())
    head = head_revision()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        before = current_revision(connection)
        if before == head:
            return before
        if before is not None and before not in {r.revision for r in script.walk_revisions()}:
            raise StoreError(
                f"the store's schema ({before}) is newer than this warroom knows (head {head})",
                hint="upgrade warroom (pip install -U warroom); the store was not changed",
            )
        if upgrade:
            command.upgrade(alembic_config(connection), "head")
        return before
