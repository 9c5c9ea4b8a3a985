"""Command-line interface: thin Typer adapters over the services. No business logic here."""
