"""account_changes.details: phones and ID numbers masked in rows stored in clear

A change of an account's phone stored its before/after values in clear (only top-level strings were masked,
the nested before/after dicts were not), and the account page showed them. From this revision every string in
the details is masked when recorded (services/identity/changes.masked_details); this masks the rows stored
earlier, as the audit log's copy of them already was. One way: the clear values are not kept (downgrade keeps
the masked rows).

Revision ID: e3b7c5a9d2f1
Revises: d8a2f6c4e1b9
Create Date: 2026-12-20 09:00:00

"""
import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e3b7c5a9d2f1'
down_revision = 'd8a2f6c4e1b9'
branch_labels = None
depends_on = None

BATCH = 1000


def _masked(value):
    from app.log_masking import mask_text

    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return value


def upgrade():
    bind = op.get_bind()
    table = sa.table("account_changes", sa.column("id", sa.Integer), sa.column("details", sa.JSON))
    last = 0
    while True:
        rows = bind.execute(sa.select(table.c.id, table.c.details).where(table.c.id > last)
                            .order_by(table.c.id).limit(BATCH)).all()
        if not rows:
            break
        for row_id, details in rows:
            if isinstance(details, str):  # a driver that hands JSON back as text
                details = json.loads(details)
            masked = _masked(details)
            if masked != details:
                bind.execute(table.update().where(table.c.id == row_id).values(details=masked))
        last = rows[-1][0]


def downgrade():
    pass  # the clear values are gone; the masked ones are what later releases store too
