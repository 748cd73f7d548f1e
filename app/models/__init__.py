"""All models, imported here so Alembic and the app see every table."""
from app.models.attachment import Attachment
from app.models.calendar import CalendarChange, CalendarChangeAction, CalendarDay, CalendarSource, CalendarYear
from app.models.case import CASE_STATUS_TITLES, OPEN_STATUSES, Case, CaseNumberCounter, CaseStatus
from app.models.clock import CaseClock
from app.models.document import CaseDocument
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
from app.models.outbox import OutboxMessage
from app.models.procedure import Procedure, ProcedureChange, ProcedureChangeKind, ProcedureVersion, VersionSource
from app.models.records import (
    CERTIFICATE_KIND_TITLES,
    Certificate,
    CertificateKind,
    DataLevel,
    LockRole,
    PerformanceRecord,
    PerformanceRecordChange,
    Person,
    PersonStatus,
    Project,
    ProjectLock,
    RecordSource,
)
from app.models.registration import (
    AccountChange,
    EnterpriseRegistration,
    RegistrationStatus,
    VerificationMethod,
)
from app.models.sign_in import PasswordHistory, SignInCode, ThrottleCounter
from app.models.subject import CaseSubject
from app.models.task import Task, TaskStatus
from app.models.workflow_state import WorkflowState

__all__ = [
    "CERTIFICATE_KIND_TITLES", "Certificate", "CertificateKind",
    "CASE_STATUS_TITLES", "OPEN_STATUSES", "PROVINCE_CODE", "ROLE_TITLES", "Actor", "ApiToken", "Attachment",
    "CalendarChange", "CalendarChangeAction",
    "CalendarDay", "CalendarSource", "CalendarYear", "Case", "CaseClock", "CaseEvent", "CaseNumberCounter",
    "CaseSubject", "AccountChange", "EnterpriseRegistration", "PasswordHistory", "RegistrationStatus",
    "SignInCode", "ThrottleCounter", "VerificationMethod",
    "CaseDocument", "CaseStatus", "DataLevel", "LockRole", "Notification", "NotificationDelivery", "Organisation",
    "OrganisationKind", "OutboxMessage", "PerformanceRecord", "PerformanceRecordChange", "Person",
    "PersonStatus", "Procedure", "ProcedureChange", "ProcedureChangeKind", "ProcedureVersion", "Project",
    "ProjectLock", "RecordSource", "Region",
    "RegionLevel", "Role", "SignedIn", "Task", "TaskStatus", "User", "UserRole", "VersionSource", "WorkflowState",
]
