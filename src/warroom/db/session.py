"""Engines, transactions and the schema check that runs on first use.

SQLite is the embedded default (a file, WAL mode, one writer at a time taken eagerly with
BEGIN IMMEDIATE so that concurrent writers queue instead of failing mid-transaction);
PostgreSQL is the team database (psycopg 3). Either way every write happens inside
`Store.transaction()`: it commits on success and rolls back on any error, so a failed
command leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from warroom.errors import InputError, StoreError

SQLITE_BUSY_TIMEOUT_S = 60
READ_ONLY_OPTION = "warroom_read_only"


def normalise_url(url: str) -> str:
    """Accept the URLs people paste (postgres://, postgresql://) and pick the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> Engine:
    """An engine configured for warroom's access pattern on SQLite or PostgreSQL."""
    try:
        parsed = make_url(normalise_url(url))
    except ArgumentError as exc:
        raise InputError(
            f"malformed database URL {url!r}",
            hint="use sqlite:///path/to/warroom.db or postgresql://user@host/dbname",
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed.render_as_string(hide_password=False))
    if parsed.get_backend_name() == "postgresql":
        return create_engine(parsed, pool_pre_ping=True)
    raise InputError(
        f"unsupported database {parsed.get_backend_name()!r}",
        hint="warroom stores incidents in SQLite or PostgreSQL",
    )


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the write lock up front: a transaction that reads and then writes
        # could otherwise hit SQLITE_BUSY with no retry, losing the entry it was appending.
        read_only = connection.get_execution_options().get(READ_ONLY_OPTION, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


class Store:
    """The incident store: one engine and a session factory. Build it once at the edge."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(
            engine.execution_options(**{READ_ONLY_OPTION: True}), expire_on_commit=False
        )

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True) -> Store:
        """Connect, check the schema, and apply pending migrations when `upgrade` is set."""
        from warroom.db.migrate import ensure_schema

        store = cls(make_engine(url))
        try:
            ensure_schema(store.engine, upgrade=upgrade)
        except OperationalError as exc:
            store.dispose()
            raise StoreError(
                f"cannot open the store at {safe_url(url)}: {_first_line(exc.orig)}",
                hint="check WARROOM_DATABASE_URL / --db and that the server is running",
            ) from exc
        except BaseException:
            store.dispose()
            raise
        return store

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session inside one transaction: committed on success, rolled back on error."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A session for reading: one consistent snapshot, never takes the write lock."""
        with self._read_sessions() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()

    @staticmethod
    def safe_url(url: str) -> str:
        """The URL with any password hidden, for messages."""
        return safe_url(url)


def _first_line(error: object) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def safe_url(url: str) -> str:
    try:
        return make_url(normalise_url(url)).render_as_string(hide_password=True)
    except ArgumentError:
        return "<malformed URL>"
