"""individuals get their own organisation

An individual's account used to sit in his employer's organisation, so the employer saw (and could
download) what he filed against it. Each individual-only user is moved to a personal organisation of
kind "individual"; the cases he started and their applicant tasks follow him.

Revision ID: 5b7e2c1d9a40
Revises: 73c3c9889ffe
Create Date: 2026-11-30 02:00:00

"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5b7e2c1d9a40'
down_revision = '73c3c9889ffe'
branch_labels = None
depends_on = None

organisations = sa.table("organisations", sa.column("id", sa.Integer), sa.column("kind", sa.String),
                         sa.column("name", sa.String), sa.column("region_code", sa.String),
                         sa.column("in_region", sa.Boolean), sa.column("created_at", sa.DateTime(timezone=True)))
users = sa.table("users", sa.column("id", sa.Integer), sa.column("organisation_id", sa.Integer),
                 sa.column("region_code", sa.String), sa.column("display_name", sa.String),
                 sa.column("person_id", sa.Integer))
user_roles = sa.table("user_roles", sa.column("user_id", sa.Integer), sa.column("role", sa.String))
persons = sa.table("persons", sa.column("id", sa.Integer), sa.column("name", sa.String))
cases = sa.table("cases", sa.column("id", sa.Integer), sa.column("started_by_id", sa.Integer),
                 sa.column("applicant_org_id", sa.Integer))
tasks = sa.table("tasks", sa.column("case_id", sa.Integer), sa.column("candidate_org_id", sa.Integer),
                 sa.column("role", sa.String))


def upgrade():
    conn = op.get_bind()
    other_roles = sa.select(user_roles.c.user_id).where(user_roles.c.role != "individual")
    rows = conn.execute(
        sa.select(users.c.id, users.c.organisation_id, users.c.region_code, users.c.display_name, persons.c.name)
        .join(user_roles, user_roles.c.user_id == users.c.id)
        .join(organisations, organisations.c.id == users.c.organisation_id)
        .outerjoin(persons, persons.c.id == users.c.person_id)
        .where(user_roles.c.role == "individual", organisations.c.kind != "individual",
               users.c.id.not_in(other_roles))).all()
    now = datetime.now(timezone.utc)
    for user_id, old_org, region, display_name, person_name in rows:
        new_org = conn.execute(organisations.insert().values(
            kind="individual", name=f"{person_name or display_name}（个人）", region_code=region,
            in_region=True, created_at=now).returning(organisations.c.id)).scalar_one()
        conn.execute(users.update().where(users.c.id == user_id).values(organisation_id=new_org))
        own_cases = sa.select(cases.c.id).where(cases.c.started_by_id == user_id,
                                                cases.c.applicant_org_id == old_org)
        conn.execute(tasks.update().where(tasks.c.case_id.in_(own_cases), tasks.c.candidate_org_id == old_org,
                                          tasks.c.role == "individual").values(candidate_org_id=new_org))
        conn.execute(cases.update().where(cases.c.started_by_id == user_id, cases.c.applicant_org_id == old_org)
                     .values(applicant_org_id=new_org))


def downgrade():
    # Personal organisations are left in place: the previous code reads them as any other organisation,
    # and putting an individual back into his employer's would expose his applications to it again.
    pass
