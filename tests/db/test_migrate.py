from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

import warroom.incidents.models  # noqa: F401 - registers the tables
from warroom.db.base import Base
from warroom.db.migrate import current_revision, ensure_schema, head_revision
from warroom.db.session import Store, make_engine
from warroom.errors import InputError, StoreError


def test_migrate_first_use_creates_schema_matching_models(db_url: str) -> None:
    store = Store.open(db_url)
    with store.engine.connect() as connection:
        assert current_revision(connection) == head_revision()
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    store.dispose()


def test_migrate_second_open_changes_nothing(db_url: str) -> None:
    Store.open(db_url).dispose()
    engine = make_engine(db_url)
    assert ensure_schema(engine) == head_revision()
    engine.dispose()


def test_migrate_refuses_schema_newer_than_code(db_url: str) -> None:
    Store.open(db_url).dispose()
    engine = make_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(StoreError, match="newer than this warroom knows"):
        Store.open(db_url)
    with engine.connect() as connection:  # refused, not downgraded
        assert current_revision(connection) == "9999_future"
    engine.dispose()


def test_migrate_without_upgrade_leaves_empty_store_empty(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'w.db'}"
    engine = make_engine(url)
    assert ensure_schema(engine, upgrade=False) is None
    with engine.connect() as connection:
        assert current_revision(connection) is None
    engine.dispose()


def test_make_engine_rejects_unknown_backend() -> None:
    with pytest.raises(InputError, match="unsupported database 'mysql'"):
        make_engine("mysql://root@127.0.0.1/warroom")


def test_make_engine_accepts_postgres_scheme_alias() -> None:
    engine = make_engine("postgres://u@127.0.0.1:1/db")
    assert engine.dialect.driver == "psycopg"
    engine.dispose()


def test_store_sqlite_uses_wal(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = Store.open(f"sqlite:///{tmp_path / 'w.db'}")
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    store.dispose()


def test_migrate_schema_head_constant_matches_alembic_head() -> None:
    from warroom.db.migrate import SCHEMA_HEAD

    assert head_revision() == SCHEMA_HEAD
