"""identity (issue 21): SMS sign-in codes, atomic throttle counters, password history, enterprise
registrations, the record of account changes, token scopes / revocation / last use, demo and operator flags

sign_in_codes hold the keyed hash of each one-time SMS code; throttle_counters count sign-in attempts per
user name and codes per phone with one upsert each (concurrent attempts get their own number);
password_history keeps the last hashes (no reuse of the last five). users.demo marks the seeded demo
users: on a database seeded before this revision, the demo user names whose password is still the
published demo password are marked, so that they stop signing in outside demo mode.

Revision ID: ddb1df99af73
Revises: d7f3a9c15e20
Create Date: 2026-12-04 19:10:00

"""
from alembic import op
import sqlalchemy as sa
from werkzeug.security import check_password_hash

DEMO_USERNAMES = ("ent-nanning", "ent-liuzhou", "city-nanning", "city-liuzhou", "province", "analyst", "admin",
                  "supervisor", "supervisor-nanning", "person")
DEMO_PASSWORD = "Demo-Passw0rd!"  # published in the README: an account that still has it is a demo account
users = sa.table("users", sa.column("id", sa.Integer), sa.column("username", sa.String),
                 sa.column("password_hash", sa.String), sa.column("demo", sa.Boolean))


# revision identifiers, used by Alembic.
revision = 'ddb1df99af73'
down_revision = 'd7f3a9c15e20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('throttle_counters',
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('window_started_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_throttle_counters'))
    )
    op.create_table('account_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('target_user_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('source_ip', sa.String(length=45), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_account_changes_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_account_changes_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['target_user_id'], ['users.id'], name=op.f('fk_account_changes_target_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_changes'))
    )
    with op.batch_alter_table('account_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_changes_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_changes_target_user_id'), ['target_user_id'], unique=False)

    op.create_table('enterprise_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('flow_sha256', sa.String(length=64), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('enterprise_type', sa.String(length=30), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('legal_representative', sa.String(length=50), nullable=False),
    sa.Column('legal_representative_id_masked', sa.String(length=18), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('verifier_reference', sa.String(length=64), nullable=True),
    sa.Column('wrong_amounts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('operator_name', sa.String(length=50), nullable=True),
    sa.Column('operator_phone', sa.String(length=20), nullable=True),
    sa.Column('invitation_sha256', sa.String(length=64), nullable=True),
    sa.Column('invitation_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('source_ip', sa.String(length=45), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_enterprise_registrations_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_enterprise_registrations_region_code_regions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_enterprise_registrations_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise_registrations')),
    sa.UniqueConstraint('flow_sha256', name=op.f('uq_enterprise_registrations_flow_sha256')),
    sa.UniqueConstraint('invitation_sha256', name=op.f('uq_enterprise_registrations_invitation_sha256'))
    )
    with op.batch_alter_table('enterprise_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprise_registrations_credit_code'), ['credit_code'], unique=False)

    op.create_table('password_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_history_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_history'))
    )
    with op.batch_alter_table('password_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_history_user_id'), ['user_id'], unique=False)

    op.create_table('sign_in_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failed_checks', sa.Integer(), server_default='0', nullable=False),
    sa.Column('source_ip', sa.String(length=45), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sign_in_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_codes'))
    )
    with op.batch_alter_table('sign_in_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_codes_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('scopes', sa.String(length=50), server_default='read write', nullable=False))
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('revoked_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_used_ip', sa.String(length=45), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_api_tokens_revoked_by_id_users'), 'users', ['revoked_by_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('demo', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('main_operator', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('allowed_procedures', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('password_must_change', sa.Boolean(), server_default='0', nullable=False))

    conn = op.get_bind()
    for user_id, password_hash in conn.execute(
            sa.select(users.c.id, users.c.password_hash).where(users.c.username.in_(DEMO_USERNAMES))).all():
        if check_password_hash(password_hash, DEMO_PASSWORD):
            conn.execute(users.update().where(users.c.id == user_id).values(demo=True))


def downgrade():
    # Plain ALTER TABLE (SQLite >= 3.35 has DROP COLUMN): a batch copy of users would have to drop the table,
    # which the rows referring to it forbid.
    for column in ('password_must_change', 'allowed_procedures', 'removed_at', 'main_operator', 'demo'):
        op.drop_column('users', column)

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_api_tokens_revoked_by_id_users'), type_='foreignkey')
        batch_op.drop_column('last_used_ip')
        batch_op.drop_column('last_used_at')
        batch_op.drop_column('revoked_by_id')
        batch_op.drop_column('revoked_at')
        batch_op.drop_column('scopes')
        batch_op.drop_column('name')

    with op.batch_alter_table('sign_in_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_codes_user_id'))

    op.drop_table('sign_in_codes')
    with op.batch_alter_table('password_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_history_user_id'))

    op.drop_table('password_history')
    with op.batch_alter_table('enterprise_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprise_registrations_credit_code'))

    op.drop_table('enterprise_registrations')
    with op.batch_alter_table('account_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_changes_target_user_id'))
        batch_op.drop_index(batch_op.f('ix_account_changes_actor_id'))

    op.drop_table('account_changes')
    op.drop_table('throttle_counters')
