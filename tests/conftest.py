"""Shared fixtures: stores on SQLite and on a real PostgreSQL, the severity framework, the CLI."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from warroom.db.session import Store

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REQUIRE_POSTGRES = os.environ.get("WARROOM_REQUIRE_POSTGRES") == "1"


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """Admin URL of a real PostgreSQL server (see tests/postgres.py)."""
    from tests.postgres import throwaway_cluster, wait_until_ready

    url = os.environ.get("WARROOM_TEST_POSTGRES_URL")
    if url:
        wait_until_ready(url)
        yield url
        return
    try:
        with throwaway_cluster() as started:
            wait_until_ready(started)
            yield started
    except (FileNotFoundError, RuntimeError) as exc:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required here (WARROOM_REQUIRE_POSTGRES=1): {exc}")
        pytest.skip(f"no PostgreSQL server for the tests: {exc}")


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh, empty database on the real server, dropped after the test."""
    import psycopg

    name = f"warroom_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = postgres_admin_url.rpartition("/")
    yield f"{base}/{name}"
    with psycopg.connect(postgres_admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The store URL, once per backend: every store test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'warroom.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = Store.open(db_url)
    yield opened
    opened.dispose()


@pytest.fixture(scope="session")
def framework():  # type: ignore[no-untyped-def]
    """The default three-level preset, loaded from the package like users get it."""
    from warroom.severity.framework import load_framework

    return load_framework("default")
