"""personal data encrypted at rest (issue 21): users.phone, persons.id_number and phone, enterprise
registrations' operator phone become AES-256-GCM ciphertexts (app/crypto.py, the key GJY_DATA_KEY);
persons.id_number_hash (HMAC-SHA256 under a key derived from the data key) finds a person by ID number and
holds the uniqueness the clear number had. Existing rows are encrypted here, with the running app's key.

The columns are widened on PostgreSQL (a ciphertext is about 80 characters); SQLite does not enforce a
VARCHAR length, and rebuilding these much-referenced tables there would trip its foreign keys, so their
declared length stays (the models declare 255 on PostgreSQL only, see app/crypto.Encrypted).

Revision ID: f6b2d8e4a1c3
Revises: 7f7648f31cc9
Create Date: 2026-12-11 09:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f6b2d8e4a1c3'
down_revision = '7f7648f31cc9'
branch_labels = None
depends_on = None

ENCRYPTED = (("users", "phone", 20), ("persons", "id_number", 18), ("persons", "phone", 20),
             ("enterprise_registrations", "operator_phone", 20))


def _ring():
    from app.crypto import key_ring

    return key_ring()


def upgrade():
    bind = op.get_bind()
    postgres = bind.dialect.name == 'postgresql'
    if postgres:
        for table, column, _length in ENCRYPTED:
            op.alter_column(table, column, type_=sa.String(length=255), existing_nullable=True)
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('id_number_hash', sa.String(length=64), nullable=True))
    ring = _ring()
    for table, column, _length in ENCRYPTED:
        rows = bind.execute(sa.text(f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL")).all()
        for row_id, value in rows:
            if value.startswith("v1:"):
                continue
            bind.execute(sa.text(f"UPDATE {table} SET {column} = :value WHERE id = :id"),
                         {"value": ring.encrypt(value), "id": row_id})
            if (table, column) == ("persons", "id_number"):
                bind.execute(sa.text("UPDATE persons SET id_number_hash = :hash WHERE id = :id"),
                             {"hash": ring.lookup_hash(value), "id": row_id})
    op.create_index(op.f('ix_persons_id_number_hash'), 'persons', ['id_number_hash'], unique=True)


def downgrade():
    bind = op.get_bind()
    ring = _ring()
    for table, column, _length in ENCRYPTED:
        rows = bind.execute(sa.text(f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL")).all()
        for row_id, value in rows:
            if value.startswith("v1:"):
                bind.execute(sa.text(f"UPDATE {table} SET {column} = :value WHERE id = :id"),
                             {"value": ring.decrypt(value), "id": row_id})
    op.drop_index(op.f('ix_persons_id_number_hash'), table_name='persons')
    op.execute("ALTER TABLE persons DROP COLUMN id_number_hash")  # no table rebuild (SQLite >= 3.35 too)
    if bind.dialect.name == 'postgresql':
        for table, column, length in ENCRYPTED:
            op.alter_column(table, column, type_=sa.String(length=length), existing_nullable=True)
