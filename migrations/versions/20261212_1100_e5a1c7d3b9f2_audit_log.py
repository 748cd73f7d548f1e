"""audit log (issue 21): append-only audit_log sealed into a hash chain, audit_checkpoints of verified heads

A trigger refuses to change a sealed row (one whose hash is set) and to delete a row younger than the
retention period (183 days, at least the six months 等保2.0 asks for). The chain itself is checked by
`flask audit verify`: the triggers stop accidents and the application's own account, the chain shows what
someone with the database owner's rights did anyway. A database seeded in demo mode gets the demo user
`auditor` (role auditor, the platform's organisation), as `flask demo seed` now creates it.

Revision ID: e5a1c7d3b9f2
Revises: e5a1c7d9b3f2
Create Date: 2026-12-11 09:00:00

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa
from werkzeug.security import generate_password_hash


# revision identifiers, used by Alembic.
revision = 'e5a1c7d3b9f2'
down_revision = 'e5a1c7d9b3f2'
branch_labels = None
depends_on = None

RETENTION_DAYS = 183

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.at > now() - interval '{RETENTION_DAYS} days' THEN
            RAISE EXCEPTION 'audit_log: rows are kept at least {RETENTION_DAYS} days';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.hash IS NOT NULL THEN
        RAISE EXCEPTION 'audit_log is append-only: a sealed row cannot change';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""
PG_TRIGGER = ("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
              "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()")
SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log WHEN OLD.hash IS NOT NULL "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: a sealed row cannot change'); END",
    f"CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    f"WHEN OLD.at > datetime('now', '-{RETENTION_DAYS} days') "
    f"BEGIN SELECT RAISE(ABORT, 'audit_log: rows are kept at least {RETENTION_DAYS} days'); END",
)


def upgrade():
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=64), nullable=False),
    sa.Column('source_ip', sa.String(length=45), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=True),
    sa.Column('hash', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    sa.UniqueConstraint('seq', name=op.f('uq_audit_log_seq'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_action_at', ['action', 'at'], unique=False)
        batch_op.create_index('ix_audit_log_actor_id_at', ['actor_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_log_object', ['object_type', 'object_id'], unique=False)

    op.create_table('audit_checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('rows', sa.BigInteger(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoints'))
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGER)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
    _demo_auditor()


DEMO_PASSWORD = "Demo-Passw0rd!"  # the published demo password (README)


def _demo_auditor():
    bind = op.get_bind()
    if not bind.execute(sa.text("SELECT count(*) FROM users WHERE demo = :yes"), {"yes": True}).scalar():
        return
    if bind.execute(sa.text("SELECT count(*) FROM users WHERE username = 'auditor'")).scalar():
        return
    platform = bind.execute(sa.text("SELECT id FROM organisations WHERE kind = 'platform' ORDER BY id")).scalar()
    if platform is None:
        return
    bind.execute(sa.text(
        "INSERT INTO users (username, display_name, password_hash, organisation_id, region_code, phone, active, "
        "created_at, demo, main_operator, password_must_change, session_version) VALUES ('auditor', '安全审计员', "
        ":hash, :org, '450000', '13907710111', :yes, :now, :yes, :no, :no, 1)"),
        {"hash": generate_password_hash(DEMO_PASSWORD), "org": platform, "yes": True, "no": False,
         "now": datetime.now(timezone.utc)})
    user_id = bind.execute(sa.text("SELECT id FROM users WHERE username = 'auditor'")).scalar()
    bind.execute(sa.text("INSERT INTO user_roles (user_id, role) VALUES (:id, 'auditor')"), {"id": user_id})


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    op.drop_table('audit_checkpoints')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_object')
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
        batch_op.drop_index('ix_audit_log_actor_id_at')
        batch_op.drop_index('ix_audit_log_action_at')
    op.drop_table('audit_log')
