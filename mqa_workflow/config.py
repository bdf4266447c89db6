"""One settings object, read from ``MQA_*`` environment variables.

The defaults are the embedded set-up: a SQLite file in the working directory
and Celery tasks executed in-process, so a fresh machine needs no services.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

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
    public_url: str = Field(
        default="",
        description="Where the web application is reached (https://…); links in notices.",
    )
    standards_dir: Path | None = Field(
        default=None,
        description="Folder of the six standard files; default: the reviewed files shipped.",
    )

    smtp_host: str = Field(
        default="", description="SMTP server for e-mail notices; empty sends none (inbox only).",
    )
    smtp_port: int = Field(default=25, description="SMTP port (587 with STARTTLS, 465 with SSL).")
    smtp_security: Literal["none", "starttls", "ssl"] = Field(
        default="none", description="none, starttls or ssl (implicit TLS).",
    )
    smtp_user: str = Field(default="", description="SMTP login; empty sends without AUTH.")
    smtp_password: str = Field(default="", description="SMTP password.")
    smtp_sender: str = Field(
        default="mqa@localhost", description="From address of every e-mail notice.",
    )
    smtp_timeout: float = Field(default=15.0, description="Seconds to wait for the SMTP server.")
    email_max_attempts: int = Field(
        default=8, ge=1, description="Attempts before an e-mail is marked failed for operators.",
    )
    visibility_timeout: int = Field(
        default=3600, ge=1,
        description="Seconds before Redis hands a task whose worker died (unacknowledged) to "
                    "another worker. Keep it above the task time limit (600 s): a task still "
                    "running past it is delivered twice (harmless, but wasted work).",
    )
    scan_interval_seconds: float = Field(
        default=300.0, gt=0, description="How often Celery beat runs the deadline scan.",
    )

    queue_age_alert_seconds: float = Field(
        default=300.0, gt=0,
        description="Operators' page turns red when queued work (a broker message or an "
                    "outbox row) has waited longer than this.",
    )
    flower_url: str = Field(default="", description="Flower's address, linked from /ops.")
    metrics_token: str = Field(
        default="", description="Bearer token a Prometheus scraper shows to read /metrics "
                                "(operators and administrators read it signed in).",
    )

    @property
    def tasks_in_process(self) -> bool:
        return not self.broker_url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
