"""audit_seal_head(lock_key): the seal's advisory lock and the chain's head in one round trip (PostgreSQL)

Sealing took two statements on PostgreSQL: `pg_advisory_xact_lock`, then the head read. One plain statement
cannot do both, as its snapshot is taken before the lock is granted and could miss a head another sealer
committed meanwhile. A VOLATILE function takes a fresh snapshot for each statement it runs, so its head read
comes after the lock (services.audit.chain.seal). SQLite seals under its one write lock and needs none.

Revision ID: f28f5fc7d5fe
Revises: b9d4e1a7c3f5
Create Date: 2026-12-06 04:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f28f5fc7d5fe'
down_revision = 'b9d4e1a7c3f5'
branch_labels = None
depends_on = None

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_seal_head(lock_key bigint) RETURNS TABLE (seq bigint, hash varchar)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    RETURN QUERY SELECT a.seq, a.hash::varchar FROM audit_log a WHERE a.seq IS NOT NULL ORDER BY a.seq DESC LIMIT 1;
END
$$
"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_seal_head(bigint)")
