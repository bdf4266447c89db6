"""The schema comes only from the migrations, and they match the models."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from mqa_workflow.db import Database
from mqa_workflow.migrations.service import alembic_config, current
from mqa_workflow.models import Base


def test_the_migrated_schema_matches_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_migrations_downgrade_to_empty_and_upgrade_again(sqlite_database: Database) -> None:
    config = alembic_config(sqlite_database.url)
    command.downgrade(config, "base")
    assert current(sqlite_database.url) is None
    command.upgrade(config, "head")
    assert current(sqlite_database.url) is not None
