"""All models, importable from one place (and registered with the metadata on import)."""

from accompany.models.appointments import Appointment, AppointmentSeries, Claim, Shift
from accompany.models.audit import AuditEvent
from accompany.models.enums import (
    HEARING_KINDS,
    MUST_ATTEND_KINDS,
    AppointmentKind,
    AppointmentStatus,
    AttendanceMode,
    BringItem,
    CodePurpose,
    Language,
    LocationKind,
    MessageKind,
    MessageState,
    Outcome,
    RecipientKind,
    Role,
    ShiftRole,
    UrgentAnswer,
    UserStatus,
    VerifyMethod,
    Wording,
)
from accompany.models.families import Family
from accompany.models.locations import Location
from accompany.models.messages import (
    InboundMessage,
    OptOut,
    OutboundMessage,
    SchedulerHeartbeat,
)
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
    "LoginThrottle", "MessageKind", "MessageState", "OptOut", "Outcome", "OutboundMessage", "PhoneCode", "RecipientKind",
    "RecoveryCode", "Role", "SchedulerHeartbeat", "Shift", "ShiftRole", "UrgentAnswer", "UrgentAsk", "UrgentCall",
    "User", "UserStatus", "VerifyMethod", "VolunteerLanguage", "Wording",
    "Bond", "BondPaidHow", "BondSetBy", "BondStatus", "BondStatusChange", "FundEntry", "FundEntryKind",
]
