"""Domain records of the notice: persons, projects, personnel locks, performance records."""
from app.models.records.lock import LockRole, ProjectLock
from app.models.records.performance import PerformanceRecord, PerformanceRecordChange, RecordSource
from app.models.records.person import Person, PersonStatus
from app.models.records.project import DataLevel, Project

__all__ = [
    "DataLevel", "LockRole", "PerformanceRecord", "PerformanceRecordChange", "Person", "PersonStatus",
    "Project", "ProjectLock", "RecordSource",
]
