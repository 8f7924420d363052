"""All models, importable from one place (and registered with the metadata on import)."""

from accompany.models.appointments import Appointment, AppointmentSeries, Claim, Shift
from accompany.models.audit import AuditEvent

# Detention response (issue 15).
from accompany.models.detention import (  # noqa: E402
    CaseStep,
    ChecklistStep,
    DetentionCase,
    DetentionEvent,
    OnCallTurn,
)
from accompany.models.enums import (  # noqa: E402
    HEARING_KINDS,
    LIVE_NEED_STATUSES,
    MUST_ATTEND_KINDS,
    AppointmentKind,
    AppointmentStatus,
    AttendanceMode,
    BringItem,
    CodePurpose,
    DetentionOutcome,
    Language,
    LocationKind,
    MessageKind,
    MessageState,
    NeedKind,
    NeedStatus,
    Outcome,
    PageLanguage,
    RecipientKind,
    Role,
    RotaSpan,
    ShiftRole,
    UrgentAnswer,
    UserStatus,
    VerifyMethod,
    Wording,
)
from accompany.models.families import Family
from accompany.models.legal import LegalProvider, LegalReferral, LegalService, ReferralStatus
from accompany.models.letters import LetterAsk, LetterDrive, SupportLetter
from accompany.models.locations import Location
from accompany.models.messages import (
    InboundMessage,
    OptOut,
    OutboundMessage,
    SchedulerHeartbeat,
)
from accompany.models.needs import Need, Task, TaskTaker  # casework (issue 14)
from accompany.models.security import LoginSession, LoginThrottle, PhoneCode, RecoveryCode
from accompany.models.submissions import FormSubmission
from accompany.models.urgent import UrgentAsk, UrgentCall
from accompany.models.users import Invitation, User, VolunteerLanguage

# isort: split
# Casework: the bond fund.
from accompany.models.bonds import Bond, BondStatusChange, FundEntry
from accompany.models.enums import BondPaidHow, BondSetBy, BondStatus, FundEntryKind

__all__ = [
    "HEARING_KINDS", "MUST_ATTEND_KINDS", "BringItem", "Appointment", "AppointmentSeries", "AppointmentKind", "AppointmentStatus", "AttendanceMode", "AuditEvent", "Claim", "CodePurpose",
    "Family", "FormSubmission", "InboundMessage", "Invitation", "Language", "Location", "LocationKind", "LoginSession",
    "LoginThrottle", "MessageKind", "MessageState", "OptOut", "Outcome", "OutboundMessage", "PageLanguage", "PhoneCode", "RecipientKind",
    "RecoveryCode", "Role", "SchedulerHeartbeat", "Shift", "ShiftRole", "UrgentAnswer", "UrgentAsk", "UrgentCall",
    "User", "UserStatus", "VerifyMethod", "VolunteerLanguage", "Wording",
    # Casework: letters of support and legal referrals.
    "LegalProvider", "LegalReferral", "LegalService", "LetterAsk", "LetterDrive", "ReferralStatus", "SupportLetter",
    "CaseStep", "ChecklistStep", "DetentionCase", "DetentionEvent", "DetentionOutcome", "OnCallTurn", "RotaSpan",
    # casework: needs and tasks
    "LIVE_NEED_STATUSES", "Need", "NeedKind", "NeedStatus", "Task", "TaskTaker",
    "Bond", "BondPaidHow", "BondSetBy", "BondStatus", "BondStatusChange", "FundEntry", "FundEntryKind",
]
