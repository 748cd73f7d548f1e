"""case_subjects: one open application per subject, enforced by a primary key

The duplicate-application checks loaded every open case of a procedure and filtered their JSON data in
Python, and two concurrent submissions could both pass. An open case now claims its subjects (the locks of
an unlock, the person of a deregistration, the record of a performance edit, the project of either
data-level upgrade) in case_subjects, whose primary key (scope, subject) refuses a second open case; rows
are removed when the case closes. Existing open cases claim what their data names (a temporary unlock
already approved and waiting for its end date claims nothing: it no longer applies).

Revision ID: a7d3e5f1c2b9
Revises: f4e2313c8c1c
Create Date: 2026-12-04 18:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a7d3e5f1c2b9'
down_revision = 'f4e2313c8c1c'
branch_labels = None
depends_on = None

OPEN = ("running", "waiting_for_applicant", "error")
cases = sa.table("cases", sa.column("id", sa.Integer), sa.column("status", sa.String),
                 sa.column("procedure_key", sa.String), sa.column("data", sa.JSON))


def _claims(procedure: str, data: dict) -> tuple[str, list[str]] | None:
    if procedure == "personnel_unlock":
        if data.get("unlock_state") == "temporarily_unlocked":
            return None
        return procedure, [f"lock:{i}" for i in data.get("lock_ids") or []]
    if procedure == "personnel_deregistration" and data.get("person_id"):
        return procedure, [f"person:{data['person_id']}"]
    if procedure == "performance_record_edit" and data.get("record_id"):
        return procedure, [f"record:{data['record_id']}"]
    if procedure in ("data_upgrade_b_to_a", "data_upgrade_c_to_a") and data.get("project_id"):
        return "data_upgrade", [f"project:{data['project_id']}"]
    return None


def upgrade():
    subjects = op.create_table(
        "case_subjects",
        sa.Column("scope", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_subjects_case_id_cases"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("scope", "subject", name=op.f("pk_case_subjects")),
    )
    op.create_index(op.f("ix_case_subjects_case_id"), "case_subjects", ["case_id"], unique=False)
    rows, seen = [], set()
    for case_id, procedure, data in op.get_bind().execute(
            sa.select(cases.c.id, cases.c.procedure_key, cases.c.data)
            .where(cases.c.status.in_(OPEN)).order_by(cases.c.id)):
        claims = _claims(procedure, data or {})
        for subject in (claims[1] if claims else []):
            if (claims[0], subject) not in seen:  # the oldest open case keeps a subject claimed twice
                seen.add((claims[0], subject))
                rows.append({"scope": claims[0], "subject": subject, "case_id": case_id})
    if rows:
        op.bulk_insert(subjects, rows)


def downgrade():
    op.drop_index(op.f("ix_case_subjects_case_id"), table_name="case_subjects")
    op.drop_table("case_subjects")
