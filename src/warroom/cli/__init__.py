"""Command-line interface: thin Typer adapters over the services. No business logic here.

Command modules import services inside the command functions, not at module level: `warroom
--help` and quick commands should not pay for SQLAlchemy, Alembic or DuckDB imports they never use.
"""
