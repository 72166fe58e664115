"""Settings: one object, read from ``ASYLON_*`` environment variables, with working laptop defaults.

Reach them through :func:`get_settings` so tests can override them (:func:`override_settings`).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from asylon.errors import ConfigurationError

DEFAULT_DATA_DIR = Path("var")


class Settings(BaseSettings):
    """Every setting asylon reads. Each field's description is its documentation (see ``docs/settings.md``)."""

    model_config = SettingsConfigDict(env_prefix="ASYLON_", extra="ignore")

    environment: Literal["development", "test", "production"] = Field(
        "development", description="Where the platform runs; production refuses generated secrets."
    )
    data_dir: Path = Field(DEFAULT_DATA_DIR, description="Folder for the embedded database and keys.")
    database_url: str = Field(
        "", description="SQLAlchemy URL; empty means a SQLite file `asylon.db` in the data folder."
    )
    secret_key: str = Field(
        "", description="Secret for session cookies and CSRF tokens; generated per process if empty (not in production)."
    )
    host: str = Field("127.0.0.1", description="Address `asylon serve` listens on.")
    port: int = Field(8000, description="Port `asylon serve` listens on.")
    max_upload_bytes: int = Field(50 * 1024 * 1024, description="Largest accepted upload (imports), in bytes.")
    page_size_max: int = Field(500, description="Largest page a list endpoint returns.")
    token_ttl_days: int = Field(365, description="Default validity of a new API token, in days.")
    db_pool_size: int = Field(
        20, ge=1, description="PostgreSQL connections each server process keeps open (requests served at once).")
    db_max_overflow: int = Field(
        10, ge=0, description="Extra PostgreSQL connections a server process may open at peaks; closed after use.")
    db_pool_prefill: bool = Field(
        True, description="Open the PostgreSQL pool when a server process starts rather than under load (on a busy "
                          "machine opening a connection took up to 2 s, and every request waited behind it).")

    @model_validator(mode="after")
    def _defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / 'asylon.db').as_posix()}"
        if not self.secret_key:
            if self.environment == "production":
                raise ConfigurationError(
                    "ASYLON_SECRET_KEY is empty; production needs a fixed secret (e.g. `python -c "
                    "'import secrets; print(secrets.token_urlsafe(32))'`)"
                )
            self.secret_key = secrets.token_urlsafe(32)
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


@contextmanager
def override_settings(**values: object) -> Iterator[Settings]:
    """Use settings with ``values`` changed for the duration of the block (tests, CLI options)."""
    get_settings.cache_clear()
    import os

    saved = dict(os.environ)
    try:
        for key, value in values.items():
            os.environ[f"ASYLON_{key.upper()}"] = str(value)
        yield get_settings()
    finally:
        os.environ.clear()
        os.environ.update(saved)
        get_settings.cache_clear()
