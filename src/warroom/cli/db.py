"""`warroom db`: look after the store's schema."""

from __future__ import annotations

import typer

from warroom.cli.context import app_context
from warroom.cli.output import JSON_OPTION, emit

db_app = typer.Typer(help="Create or upgrade the incident store's schema.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Apply pending migrations now (warroom also does this on first use)."""
    from warroom.db.migrate import ensure_schema, head_revision
    from warroom.db.session import make_engine

    settings = app_context(ctx).settings
    engine = make_engine(settings.resolved_database_url())
    try:
        before = ensure_schema(engine, upgrade=True)
    finally:
        engine.dispose()
    head = head_revision()
    result = {"from": before, "to": head}
    was = "already up to date" if before == head else f"was {before or 'empty'}"
    emit(result, as_json=as_json, human=lambda c: c.print(f"Store is at schema {head} ({was})."))


@db_app.command("status")
def status(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Show where the store is and which schema revision it has."""
    from warroom.db.migrate import current_revision, head_revision
    from warroom.db.session import Store, make_engine

    settings = app_context(ctx).settings
    url = settings.resolved_database_url()
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            current = current_revision(connection)
    finally:
        engine.dispose()
    result = {"url": Store.safe_url(url), "revision": current, "head": head_revision()}
    emit(
        result,
        as_json=as_json,
        human=lambda c: c.print(
            f"store:    {result['url']}\nschema:   {current or 'empty (created on first use)'}\n"
            f"warroom:  {result['head']}"
        ),
    )


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
