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

    # Serving under load: connections, requests in flight, background work.
    db_pool_size: int = Field(
        default=10, ge=1, description="Database connections each serving process keeps open.",
    )
    db_max_overflow: int = Field(
        default=5, ge=0, description="Extra connections opened beyond the pool at peaks.",
    )
    db_pool_timeout: float = Field(
        default=5.0, gt=0, description="Seconds to wait for a free connection before failing.",
    )
    db_pool_recycle: int = Field(
        default=1800, ge=1, description="Seconds after which a pooled connection is replaced.",
    )
    web_max_in_flight: int = Field(
        default=10, ge=1,
        description="Requests one serving process works on at once; beyond it answers 503 "
                    "with Retry-After at once. Keep it at most the pool size.",
    )
    web_retry_after: int = Field(
        default=1, ge=1, description="Seconds a refused (503) client is told to wait.",
    )
    outbox_poll_seconds: float = Field(
        default=2.0, gt=0,
        description="How often the web server's outbox drainer looks for due work it was "
                    "not woken for (backed-off tasks, work of other processes).",
    )

    # Sign-in throttling (see mqa_workflow/web/throttle.py).
    sign_in_account_failures: int = Field(
        default=5, ge=1, description="Failed sign-ins to one account before it is locked.",
    )
    sign_in_address_failures: int = Field(
        default=20, ge=1, description="Failed sign-ins from one address before it is locked.",
    )
    sign_in_lock_seconds: float = Field(
        default=30.0, gt=0,
        description="The first lock; each further failure doubles it (at most one hour).",
    )

    audit_key_file: Path | None = Field(
        default=None,
        description="HMAC-SHA256 key authenticating the audit records; keep it outside the "
                    "database and its backups. Default: beside the data (created on first "
                    "use, owner-only): DB_FILE.audit/key for SQLite, "
                    "~/.local/state/mqa/audit/HOST-PORT-DB/key otherwise.",
    )
    audit_checkpoint_dir: Path | None = Field(
        default=None,
        description="Folder of signed audit checkpoints (the chain heads anchored outside the "
                    "database). Default: the key's folder's checkpoints/.",
    )
    metrics_basic_auth: str = Field(
        default="",
        description="user:password guarding `mqa metrics serve`; required to serve on any "
                    "address but the loopback (no default password).",
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
