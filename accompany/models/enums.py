"""The fixed vocabularies of the domain, with the words people see for each value."""

from __future__ import annotations

from enum import StrEnum


class LabelledEnum(StrEnum):
    """A StrEnum whose members carry a human label: `Role.ADMIN.label`."""

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls]


class Role(LabelledEnum):
    ADMIN = "admin", "Admin"
    COORDINATOR = "coordinator", "Coordinator"
    VOLUNTEER = "volunteer", "Volunteer"


class UserStatus(LabelledEnum):
    PENDING = "pending", "Waiting for approval"
    ACTIVE = "active", "Active"
    DISABLED = "disabled", "Deactivated"


class Language(LabelledEnum):
    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish"
    PORTUGUESE = "pt", "Portuguese"
    HAITIAN_CREOLE = "ht", "Haitian Creole"
    FRENCH = "fr", "French"
    KICHE = "quc", "K'iche'"
    MAM = "mam", "Mam"
    ARABIC = "ar", "Arabic"
    OTHER = "other", "Other"


class Wording(LabelledEnum):
    DISCREET = "discreet", "Discreet (no words like court or ICE)"
    PLAIN = "plain", "Plain (names the court or ICE)"


class LocationKind(LabelledEnum):
    IMMIGRATION_COURT = "immigration_court", "Immigration court"
    ICE_OFFICE = "ice_office", "ICE office"
    DETENTION_CENTER = "detention_center", "Detention center"
    USCIS_OFFICE = "uscis_office", "USCIS office"
    OTHER = "other", "Other"


class AppointmentKind(LabelledEnum):
    MASTER_CALENDAR = "master_calendar", "Court hearing: master calendar"
    INDIVIDUAL_HEARING = "individual_hearing", "Court hearing: individual (merits)"
    BOND_HEARING = "bond_hearing", "Court hearing: bond"
    ICE_CHECK_IN = "ice_check_in", "ICE check-in"
    BOND_PAYMENT = "bond_payment", "Bond payment"
    DETENTION_VISIT = "detention_visit", "Detention visit"
    USCIS_APPOINTMENT = "uscis_appointment", "USCIS appointment"
    OTHER = "other", "Other"


class AttendanceMode(LabelledEnum):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "By video"


class AppointmentStatus(LabelledEnum):
    DRAFT = "draft", "Draft (needs review)"
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"
    CLOSED = "closed", "Closed"


class Outcome(LabelledEnum):
    HELD = "held", "Held"
    RESCHEDULED = "rescheduled", "Rescheduled"
    DETAINED = "detained", "Detained"
    MISSED = "missed", "Missed"
    OTHER = "other", "Other"


class ShiftRole(LabelledEnum):
    RIDE_THERE = "ride_there", "Ride there"
    RIDE_HOME = "ride_home", "Ride home"
    COMPANION = "companion", "Court / check-in companion"
    INTERPRETER = "interpreter", "Interpreter"
    BOND_HELP = "bond_help", "Bond help"
    VISIT = "visit", "Detention visit"


class RecipientKind(LabelledEnum):
    FAMILY = "family", "Family"
    VOLUNTEER = "volunteer", "Volunteer"
    COORDINATOR = "coordinator", "Coordinator"


class MessageState(LabelledEnum):
    PENDING = "pending", "Planned"
    SENDING = "sending", "Sending"
    QUEUED = "queued", "Queued at carrier"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    UNDELIVERED = "undelivered", "Not delivered"
    FAILED = "failed", "Failed"
    EXPIRED = "expired", "Expired (too late to send)"
    CANCELLED = "cancelled", "Cancelled"
    UNKNOWN = "unknown", "Unknown (needs a check)"
