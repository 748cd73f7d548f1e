"""All models, imported here so Alembic and the app see every table."""
from app.models.attachment import Attachment
from app.models.audit import AuditCheckpoint, AuditEntry
from app.models.calendar import CalendarChange, CalendarChangeAction, CalendarDay, CalendarSource, CalendarYear
from app.models.case import CASE_STATUS_TITLES, OPEN_STATUSES, Case, CaseNumberCounter, CaseStatus
from app.models.clock import CaseClock
from app.models.document import CaseDocument
from app.models.earlier_application import EarlierApplication
from app.models.history import CaseEvent
from app.models.identity import (
    PROVINCE_CODE,
    ROLE_TITLES,
    Actor,
    ApiToken,
    Organisation,
    OrganisationKind,
    Region,
    RegionLevel,
    Role,
    SignedIn,
    User,
    UserRole,
)
from app.models.notification import Notification, NotificationDelivery
from app.models.outbox import InboundMessage, InboundStatus, OutboxMessage, OutboxStatus
from app.models.procedure import Procedure, ProcedureChange, ProcedureChangeKind, ProcedureVersion, VersionSource
from app.models.procedure_draft import ProcedureDraft
from app.models.records import (
    BEHAVIOUR_KIND_TITLES,
    CERTIFICATE_KIND_TITLES,
    LEDGER_SOURCE_TITLES,
    BehaviourKind,
    BehaviourRecord,
    Certificate,
    CertificateKind,
    CommitmentSignature,
    DataLevel,
    EnterpriseEntry,
    EntryStatus,
    IntegrityEntry,
    LedgerSource,
    LockRole,
    PerformanceRecord,
    PerformanceRecordChange,
    Person,
    PersonStatus,
    Project,
    ProjectLock,
    ProjectParticipant,
    ProjectRegistration,
    PublicNotice,
    RecordSource,
    SpotCheckDraw,
    SpotCheckItem,
)
from app.models.registration import (
    AccountChange,
    EnterpriseRegistration,
    RegistrationStatus,
    VerificationMethod,
)
from app.models.sandbox import SandboxRun
from app.models.sign_in import PasswordHistory, SignInCode, ThrottleCounter
from app.models.subject import CaseSubject
from app.models.task import Task, TaskStatus
from app.models.task_draft import TaskDraft
from app.models.workflow_state import WorkflowState

__all__ = [
    "ProjectParticipant", "ProjectRegistration",
    "PublicNotice", "SpotCheckDraw", "SpotCheckItem",
    "CommitmentSignature", "EnterpriseEntry", "EntryStatus",
    "BEHAVIOUR_KIND_TITLES", "LEDGER_SOURCE_TITLES", "BehaviourKind", "BehaviourRecord", "IntegrityEntry",
    "LedgerSource",
    "CERTIFICATE_KIND_TITLES", "Certificate", "CertificateKind",
    "CASE_STATUS_TITLES", "OPEN_STATUSES", "PROVINCE_CODE", "ROLE_TITLES", "Actor", "ApiToken", "Attachment",
    "CalendarChange", "CalendarChangeAction",
    "CalendarDay", "CalendarSource", "CalendarYear", "Case", "CaseClock", "CaseEvent", "CaseNumberCounter",
    "CaseSubject", "AccountChange", "EnterpriseRegistration", "PasswordHistory", "RegistrationStatus",
    "SignInCode", "ThrottleCounter", "VerificationMethod",
    "AuditCheckpoint", "AuditEntry", "CaseDocument", "CaseStatus", "DataLevel", "LockRole", "Notification",
    "EarlierApplication",
    "NotificationDelivery", "Organisation", "OrganisationKind", "OutboxMessage", "OutboxStatus", "InboundMessage",
    "InboundStatus", "PerformanceRecord", "PerformanceRecordChange", "Person", "PersonStatus", "Procedure",
    "ProcedureChange", "ProcedureChangeKind", "ProcedureDraft", "ProcedureVersion", "Project",
    "ProjectLock", "RecordSource", "Region",
    "RegionLevel", "Role", "SandboxRun", "SignedIn", "Task", "TaskDraft", "TaskStatus", "User", "UserRole",
    "VersionSource",
    "WorkflowState",
]
