"""One settings object, read from ``MQA_*`` environment variables.

The defaults are the embedded set-up: a SQLite file in the working directory
and Celery tasks executed in-process, so a fresh machine needs no services.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MQA_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///mqa.sqlite3",
        description="SQLAlchemy URL; PostgreSQL in production (postgresql+psycopg://…).",
    )
    broker_url: str = Field(
        default="",
        description="Celery broker URL (redis://…). Empty runs every task in-process.",
    )
    result_backend: str = Field(
        default="",
        description="Celery result backend; empty uses the broker URL (or none in-process).",
    )
    actor: str = Field(
        default="",
        description="Who the command line acts as (a user's e-mail) when --as is not given.",
    )
    standards_dir: Path | None = Field(
        default=None,
        description="Folder of the six standard files; default: the reviewed files shipped.",
    )

    @property
    def tasks_in_process(self) -> bool:
        return not self.broker_url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
