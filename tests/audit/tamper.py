"""What an attacker with write access to the database does first, for the audit tests."""

from __future__ import annotations

from sqlalchemy import text

from mqa_workflow.db import Database


def unprotect(database: Database) -> None:
    """Switch off the triggers that keep the audit trail append-only, as its owner can."""
    with database.engine.begin() as connection:
        if database.is_postgresql:
            connection.execute(text("ALTER TABLE audit_records DISABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER audit_records_no_update"))
            connection.execute(text("DROP TRIGGER audit_records_no_delete"))
