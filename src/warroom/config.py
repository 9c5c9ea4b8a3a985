"""Settings, built once at the edge (CLI, web app) and passed down. Nothing reads them at import.

Environment variables use the prefix `WARROOM_`: `WARROOM_DATABASE_URL`, `WARROOM_DATA_DIR`,
`WARROOM_SEVERITY_FRAMEWORK`, `WARROOM_USER`, `WARROOM_TIMEZONE`.
"""

from __future__ import annotations

import getpass
from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry inside some containers
        return "unknown"


class Settings(BaseSettings):
    """Everything warroom can be configured with."""

    model_config = SettingsConfigDict(env_prefix="WARROOM_", extra="ignore")

    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: a SQLite file in data_dir"
    )
    data_dir: Path = Field(default_factory=lambda: platformdirs.user_data_path("warroom"))
    severity_framework: str = Field(
        default="default", description="a preset name (default, five-level) or a YAML file path"
    )
    user: str = Field(default_factory=_default_user, description="author recorded on entries")
    timezone: str = Field(default="UTC", description="zone for times typed without an offset")

    def resolved_database_url(self) -> str:
        """The URL to connect to: the explicit one, or the SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'warroom.db'}"
