"""audit chains: one HMAC-authenticated chain per application, TRUNCATE refused; the
demo's marker table

The single SHA-256 chain becomes one chain per application (``chain_seq``), each
record authenticated with the audit key held outside the database. Existing records
are checked against the old chain first (a broken trail is refused, not re-sealed),
then re-sealed under the key. On PostgreSQL the reading order comes from a sequence
(appends no longer queue on one global lock) and TRUNCATE is refused by a statement
trigger.

Revision ID: 0034
Revises: 0031
Create Date: 2026-12-01 08:00:00

"""
import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = '0034'
down_revision: str | Sequence[str] | None = '0031'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REFUSAL = "audit_records is append-only"
_OLD_GENESIS = "0" * 64
_SEQUENCE = "audit_records_seq_seq"


def upgrade() -> None:
    op.create_table(
        "demo_marker",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demo_marker")),
    )
    _drop_protection()
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chain_seq", sa.Integer(), nullable=True))
    _reseal_per_application()
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.alter_column("chain_seq", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_audit_records_application_id"), ["application_id", "chain_seq"])
    if _postgresql():
        start = op.get_bind().scalar(sa.text("SELECT coalesce(max(seq), 0) + 1 FROM audit_records"))
        # Owned by the column: dropped with it, restarted by TRUNCATE … RESTART IDENTITY.
        op.execute(f"CREATE SEQUENCE {_SEQUENCE} START WITH {int(start)} "
                   "OWNED BY audit_records.seq")
    _protect(truncate=True)


def downgrade() -> None:
    _drop_protection()
    if _postgresql():
        op.execute(f"DROP SEQUENCE IF EXISTS {_SEQUENCE}")
    _reseal_as_one_sha256_chain()
    with op.batch_alter_table("audit_records", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_records_application_id"), type_="unique")
        batch_op.drop_column("chain_seq")
    _protect(truncate=False)
    op.drop_table("demo_marker")


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _rows() -> list[Any]:
    return op.get_bind().execute(sa.text(
        "SELECT id, seq, chain_seq, application_id, actor, at, trigger, from_state, to_state, "
        "reason, data, prev_hash, hash FROM audit_records ORDER BY seq")).all()


def _canonical(fields: dict[str, Any]) -> str:
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _fields(row: Any, with_chain: bool) -> dict[str, Any]:
    # SQLite hands the text back; both keep naive UTC with microseconds.
    at = datetime.fromisoformat(row.at) if isinstance(row.at, str) else row.at
    data = row.data if not isinstance(row.data, str) else json.loads(row.data)
    fields = {"seq": row.seq, "application_id": row.application_id, "actor": row.actor,
              "at": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "trigger": row.trigger,
              "from_state": row.from_state, "to_state": row.to_state, "reason": row.reason,
              "data": data}
    if with_chain:
        fields["chain_seq"] = row.chain_seq
    return fields


def _old_hash(prev_hash: str, row: Any) -> str:
    return hashlib.sha256(f"{prev_hash}\n{_canonical(_fields(row, False))}".encode()).hexdigest()


def _reseal_per_application() -> None:
    from mqa_workflow.audit import keys
    from mqa_workflow.audit.service import content_hash, genesis_hash

    rows = _rows()
    if not rows:
        return
    expected = _OLD_GENESIS
    for row in rows:
        if row.prev_hash != expected or _old_hash(row.prev_hash, row) != row.hash:
            raise RuntimeError(
                f"audit record #{row.seq} (id {row.id}) does not verify under the old chain; "
                "the trail was altered before this upgrade and is not re-sealed. Investigate "
                "(`mqa audit verify` on the previous version) before upgrading.")
        expected = row.hash
    url = op.get_bind().engine.url.render_as_string(hide_password=False)
    key = keys.key_for(keys.places(url).key_file, may_create=True)
    heads: dict[int, tuple[int, str]] = {}
    for row in rows:
        chain = row.application_id or 0
        place, link = heads.get(chain, (0, genesis_hash(chain)))
        fields = _fields(row, False) | {"chain_seq": place + 1}
        digest = content_hash(key, link, fields)
        op.get_bind().execute(sa.text(
            "UPDATE audit_records SET chain_seq = :chain_seq, prev_hash = :prev, hash = :hash "
            "WHERE id = :id"), {"chain_seq": place + 1, "prev": link, "hash": digest,
                                "id": row.id})
        heads[chain] = (place + 1, digest)


def _reseal_as_one_sha256_chain() -> None:
    expected = _OLD_GENESIS
    for row in _rows():
        digest = _old_hash(expected, row)
        op.get_bind().execute(sa.text(
            "UPDATE audit_records SET prev_hash = :prev, hash = :hash WHERE id = :id"),
            {"prev": expected, "hash": digest, "id": row.id})
        expected = digest


def _drop_protection() -> None:
    if _postgresql():
        op.execute("DROP TRIGGER IF EXISTS audit_records_no_truncate ON audit_records")
        op.execute("DROP TRIGGER IF EXISTS audit_records_append_only ON audit_records")
        op.execute("DROP FUNCTION IF EXISTS audit_records_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_records_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_records_no_delete")


def _protect(*, truncate: bool) -> None:
    if _postgresql():
        op.execute(f"""
            CREATE FUNCTION audit_records_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{_REFUSAL}'; END; $$ LANGUAGE plpgsql
        """)
        op.execute("""
            CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records
            FOR EACH ROW EXECUTE FUNCTION audit_records_append_only()
        """)
        if truncate:
            op.execute("""
                CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
                FOR EACH STATEMENT EXECUTE FUNCTION audit_records_append_only()
            """)
    else:
        # SQLite has no TRUNCATE; its DELETE without WHERE fires the row trigger.
        for action in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER audit_records_no_{action.lower()} BEFORE {action} ON audit_records
                BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END
            """)
