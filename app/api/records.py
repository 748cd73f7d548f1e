"""Domain records, read only: what each role may see (an enterprise its own, an authority its region).

A record outside the caller's view answers 404. There are no edit endpoints: records change only
through the procedures' handlers (after a review) or the data exchange.
"""
from typing import Any

from flask.views import MethodView

from app.api.parsing import Blueprint
from app.api.schemas.common import page_answer
from app.api.schemas.records import (
    EnterprisePageSchema,
    EnterpriseSchema,
    LockListArgsSchema,
    LockPageSchema,
    PerformanceRecordDetailSchema,
    PerformanceRecordListArgsSchema,
    PerformanceRecordPageSchema,
    PersonDetailSchema,
    PersonPageSchema,
    ProjectDetailSchema,
    ProjectListArgsSchema,
    ProjectPageSchema,
    RecordSearchArgsSchema,
)
from app.auth import bearer_actor
from app.models import PerformanceRecord, Person, Project
from app.routing import ID
from app.services.records import lookup as record_service

blp = Blueprint("api_records", __name__, url_prefix="/api/v1/records", description="基础数据（只读）")


class _View:
    """A record with extra attributes for its schema."""

    def __init__(self, row: Any, **extra: Any) -> None:
        self._row = row
        self.__dict__.update(extra)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._row, name)


def _filter(args: dict[str, Any]) -> record_service.RecordFilter:
    return record_service.RecordFilter(**{k: v for k, v in args.items() if k != "project_id"})


@blp.route("/enterprises")
class Enterprises(MethodView):
    @blp.arguments(RecordSearchArgsSchema, location="query")
    @blp.response(200, EnterprisePageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Enterprises: an enterprise sees itself, an authority its region's, the province all."""
        items, total = record_service.list_enterprises(bearer_actor(), _filter(args))
        return page_answer(items, total, args)


@blp.route(f"/enterprises/<{ID}:enterprise_id>")
class EnterpriseResource(MethodView):
    @blp.response(200, EnterpriseSchema)
    def get(self, enterprise_id: int) -> Any:
        return record_service.get_enterprise(bearer_actor(), enterprise_id)


def _person_view(person: Person) -> _View:
    return _View(person, certificates=record_service.certificates_of([person.id])[person.id])


@blp.route("/persons")
class Persons(MethodView):
    @blp.arguments(RecordSearchArgsSchema, location="query")
    @blp.response(200, PersonPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Persons (ID numbers and phones masked)."""
        items, total = record_service.list_persons(bearer_actor(), _filter(args))
        return page_answer(items, total, args)


@blp.route(f"/persons/<{ID}:person_id>")
class PersonResource(MethodView):
    @blp.response(200, PersonDetailSchema)
    def get(self, person_id: int) -> Any:
        """One person with certificates (ID number and phone masked)."""
        return _person_view(record_service.get_person(bearer_actor(), person_id))


@blp.route("/projects")
class Projects(MethodView):
    @blp.arguments(ProjectListArgsSchema, location="query")
    @blp.response(200, ProjectPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Projects with their national-platform data level."""
        items, total = record_service.list_projects(bearer_actor(), _filter(args))
        return page_answer(items, total, args)


@blp.route(f"/projects/<{ID}:project_id>")
class ProjectResource(MethodView):
    @blp.response(200, ProjectDetailSchema)
    def get(self, project_id: int) -> Any:
        """One project with the personnel locks the caller may see."""
        actor = bearer_actor()
        project: Project = record_service.get_project(actor, project_id)
        locks, _total = record_service.list_locks(actor, record_service.RecordFilter(per_page=100), project.id)
        return _View(project, locks=locks)


@blp.route("/locks")
class Locks(MethodView):
    @blp.arguments(LockListArgsSchema, location="query")
    @blp.response(200, LockPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Project personnel locks (PM, safety officer, chief supervisor); `active=true` for current ones."""
        items, total = record_service.list_locks(bearer_actor(), _filter(args), args.get("project_id"))
        return page_answer(items, total, args)


def _record_views(rows: list[PerformanceRecord]) -> list[_View]:
    names = record_service.organisation_names({r.enterprise_id for r in rows})
    return [_View(r, enterprise_name=names.get(r.enterprise_id)) for r in rows]


@blp.route("/performance-records")
class PerformanceRecords(MethodView):
    @blp.arguments(PerformanceRecordListArgsSchema, location="query")
    @blp.response(200, PerformanceRecordPageSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Performance records: in-region or imported, frozen once used in a bid."""
        items, total = record_service.list_performance_records(bearer_actor(), _filter(args))
        return page_answer(_record_views(items), total, args)


@blp.route(f"/performance-records/<{ID}:record_id>")
class PerformanceRecordResource(MethodView):
    @blp.response(200, PerformanceRecordDetailSchema)
    def get(self, record_id: int) -> Any:
        """One performance record with its full change history (old and new values, by which case)."""
        record = record_service.get_performance_record(bearer_actor(), record_id)
        return _View(_record_views([record])[0], changes=record_service.changes_of(record))
