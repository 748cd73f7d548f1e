"""Domain records of the notice: persons, certificates, projects, personnel locks, performance records."""
from app.models.records.certificate import CERTIFICATE_KIND_TITLES, Certificate, CertificateKind
from app.models.records.commitment import CommitmentSignature, EnterpriseEntry, EntryStatus
from app.models.records.integrity import (
    BEHAVIOUR_KIND_TITLES,
    LEDGER_SOURCE_TITLES,
    BehaviourKind,
    BehaviourRecord,
    IntegrityEntry,
    LedgerSource,
)
from app.models.records.lock import LockRole, ProjectLock
from app.models.records.performance import PerformanceRecord, PerformanceRecordChange, RecordSource
from app.models.records.person import Person, PersonStatus
from app.models.records.project import DataLevel, Project
from app.models.records.spot_check import PublicNotice, SpotCheckDraw, SpotCheckItem

__all__ = [
    "PublicNotice", "SpotCheckDraw", "SpotCheckItem",
    "CommitmentSignature", "EnterpriseEntry", "EntryStatus",
    "BEHAVIOUR_KIND_TITLES", "LEDGER_SOURCE_TITLES", "BehaviourKind", "BehaviourRecord", "IntegrityEntry",
    "LedgerSource",
    "CERTIFICATE_KIND_TITLES", "Certificate", "CertificateKind", "DataLevel", "LockRole", "PerformanceRecord",
    "PerformanceRecordChange", "Person", "PersonStatus",
    "Project", "ProjectLock", "RecordSource",
]
