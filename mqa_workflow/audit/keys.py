"""Where the audit trail's secret and its checkpoints live: outside the database.

The records are authenticated with an HMAC-SHA256 key the database never holds, so
whoever can write to the database still cannot forge a record or recompute the chain.
The key is a file (``MQA_AUDIT_KEY_FILE``); the embedded default keeps it beside the
data and creates it, readable by its owner only, the first time the chain is written.
A key is never created for a chain that already has records: that would hide the loss
(or theft) of the real key behind a fresh one.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from mqa_workflow.config import Settings, get_settings
from mqa_workflow.errors import DomainError

log = logging.getLogger("mqa.audit")

KEY_BYTES = 32


class AuditKeyError(DomainError):
    """The audit key is missing or unreadable."""


@dataclass(frozen=True)
class AuditPlaces:
    key_file: Path
    checkpoint_dir: Path


def default_home(database_url: str) -> Path:
    """The folder beside the data: ``FILE.audit`` for SQLite, a per-database folder of
    the user's state directory for a server database."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).resolve().with_name(Path(url.database).name + ".audit")
    state = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    name = f"{url.get_backend_name()}-{url.host or 'local'}-{url.port or 'default'}-" \
           f"{url.database or 'default'}"
    return state / "mqa" / "audit" / re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def places(database_url: str, settings: Settings | None = None) -> AuditPlaces:
    """The key and checkpoints of ``database_url``. The settings name those of the
    configured database (``MQA_DATABASE_URL``) only: a demo, a test or a benchmark on
    another database never signs with, or anchors into, the real office's files."""
    settings = settings or get_settings()
    return _places(database_url, settings.database_url, settings.audit_key_file,
                   settings.audit_checkpoint_dir, os.getcwd())


@lru_cache(maxsize=64)  # asked at every append: parsing URLs and resolving paths adds up
def _places(database_url: str, configured_url: str, key_file: Path | None,
            checkpoint_dir: Path | None, _cwd: str) -> AuditPlaces:
    # _cwd: a relative SQLite path means another file once the directory changes.
    configured = _same_database(database_url, configured_url)
    key = (configured and key_file) or default_home(database_url) / "key"
    return AuditPlaces(key, (configured and checkpoint_dir) or key.parent / "checkpoints")


def _same_database(one: str, other: str) -> bool:
    try:
        return default_home(one) == default_home(other)
    except ArgumentError:
        return False


def read_key(key_file: Path) -> bytes:
    """The key, or a clear error saying where it was expected."""
    try:
        key = bytes.fromhex(key_file.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        raise AuditKeyError(
            f"the audit key {key_file} is missing; restore it from where it is kept "
            "(MQA_AUDIT_KEY_FILE), the audit trail cannot be written or verified without it"
        ) from None
    except (OSError, ValueError) as error:
        raise AuditKeyError(f"the audit key {key_file} cannot be read: {error}") from None
    if len(key) < 16:
        raise AuditKeyError(f"the audit key {key_file} is too short (at least 16 bytes)")
    return key


def create_key(key_file: Path) -> bytes:
    """Write a new random key, owner-only; never overwrites an existing one. Written
    aside and linked into place, so a concurrent reader never sees half a key."""
    key_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_bytes(KEY_BYTES)
    partial = key_file.with_name(f".{key_file.name}.{secrets.token_hex(6)}")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key.hex() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(partial, key_file)
    except FileExistsError:
        return read_key(key_file)  # another process created it first: use theirs
    finally:
        partial.unlink()
    log.warning("created the audit key %s (keep it and a copy outside the database's "
                "backups; set MQA_AUDIT_KEY_FILE to use another)", key_file)
    return key


_cache: dict[Path, tuple[tuple[int, int, int], bytes]] = {}


def key_for(key_file: Path, *, may_create: bool) -> bytes:
    """The key of ``key_file``, re-read when the file changes; created when allowed."""
    try:
        stat = key_file.stat()
    except FileNotFoundError:
        if not may_create:
            return read_key(key_file)  # raises the clear error
        return create_key(key_file)
    identity = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(key_file)
    if cached and cached[0] == identity:
        return cached[1]
    key = read_key(key_file)
    _cache[key_file] = (identity, key)
    return key
