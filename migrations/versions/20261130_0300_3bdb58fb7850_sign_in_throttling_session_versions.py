"""sign-in throttling and audit, session versions, attachment names ending as their type

login_events records every sign-in attempt and sign-out (the audit trail, and the failures per user
name that lock further attempts for a while, shared by all worker processes); users.session_version
is held in the page session and bumped on sign-out and on a new password, which ends older sessions.
Attachments stored under a name that ends otherwise than their detected type (a PDF named poly.html)
are renamed to end as it does (poly.pdf), the name they are downloaded under.

Revision ID: 3bdb58fb7850
Revises: 5b7e2c1d9a40
Create Date: 2026-11-30 03:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '3bdb58fb7850'
down_revision = '5b7e2c1d9a40'
branch_labels = None
depends_on = None

ENDINGS = {"application/pdf": (".pdf", (".pdf",)), "image/jpeg": (".jpg", (".jpg", ".jpeg")),
           "image/png": (".png", (".png",))}
attachments = sa.table("attachments", sa.column("id", sa.String), sa.column("filename", sa.String),
                       sa.column("content_type", sa.String))


def _renamed(filename, content_type):
    if content_type not in ENDINGS:
        return filename
    own, kept = ENDINGS[content_type]
    stem, dot, ending = filename.rpartition(".")
    if dot and stem and (dot + ending).lower() in kept:
        return filename
    return ((stem if dot and stem else filename) or "附件")[:200] + own


def upgrade():
    op.create_table(
        'login_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('source_ip', sa.String(length=45), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_events_user_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_events')),
    )
    with op.batch_alter_table('login_events', schema=None) as batch_op:
        batch_op.create_index('ix_login_events_username_created_at', ['username', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_events_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))

    conn = op.get_bind()
    for attachment_id, filename, content_type in conn.execute(
            sa.select(attachments.c.id, attachments.c.filename, attachments.c.content_type)).all():
        renamed = _renamed(filename, content_type)
        if renamed != filename:
            conn.execute(attachments.update().where(attachments.c.id == attachment_id).values(filename=renamed))


def downgrade():
    # Renamed attachments keep their new names: the old ones were the problem.
    # A plain ALTER TABLE (SQLite >= 3.35 has DROP COLUMN): a batch copy of users would have to drop the
    # table, which the rows referring to it forbid.
    op.drop_column('users', 'session_version')
    with op.batch_alter_table('login_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_events_user_id'))
        batch_op.drop_index('ix_login_events_username_created_at')
    op.drop_table('login_events')
