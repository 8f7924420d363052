"""The fixed vocabularies of the domain, with the words people see for each value."""

from __future__ import annotations

import re
from enum import StrEnum

from accompany.marks import N_


class LabelledEnum(StrEnum):
    """A StrEnum whose members carry a human label: `Role.ADMIN.label`, in English (marked `N_` for
    the catalogs where pages show it: the `label` template filter and `enum_choices` translate it)."""

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls]


class Role(LabelledEnum):
    ADMIN = "admin", N_("Admin")
    COORDINATOR = "coordinator", N_("Coordinator")
    VOLUNTEER = "volunteer", N_("Volunteer")


class UserStatus(LabelledEnum):
    PENDING = "pending", N_("Waiting for approval")
    ACTIVE = "active", N_("Active")
    DISABLED = "disabled", N_("Deactivated")


class Language(LabelledEnum):
    ENGLISH = "en", N_("English")
    SPANISH = "es", N_("Spanish")
    PORTUGUESE = "pt", N_("Portuguese")
    HAITIAN_CREOLE = "ht", N_("Haitian Creole")
    FRENCH = "fr", N_("French")
    KICHE = "quc", N_("K'iche'")
    MAM = "mam", N_("Mam")
    ARABIC = "ar", N_("Arabic")
    OTHER = "other", N_("Other")


class PageLanguage(LabelledEnum):
    """The languages the pages are translated into (and the texts written in), each labelled in
    itself, as the language picker shows it. Babel's locale for each is `accompany.i18n.LOCALES`."""

    ENGLISH = "en", "English"
    SPANISH = "es", "Español"
    PORTUGUESE = "pt", "Português"
    HAITIAN_CREOLE = "ht", "Kreyòl"
    FRENCH = "fr", "Français"


class Wording(LabelledEnum):
    DISCREET = "discreet", N_("Discreet (no words like court or ICE)")
    PLAIN = "plain", N_("Plain (names the court or ICE)")


class LocationKind(LabelledEnum):
    IMMIGRATION_COURT = "immigration_court", N_("Immigration court")
    ICE_OFFICE = "ice_office", N_("ICE office")
    DETENTION_CENTER = "detention_center", N_("Detention center")
    USCIS_OFFICE = "uscis_office", N_("USCIS office")
    OTHER = "other", N_("Other")


class BringItem(LabelledEnum):
    """What a family's reminder asks them to bring (each catalog words these)."""

    PHOTO_ID = "photo_id", N_("Photo ID")
    PAPERS = "papers", N_("Their papers")
    NOTICE = "notice", N_("The letter with the appointment date")


class AppointmentKind(LabelledEnum):
    MASTER_CALENDAR = "master_calendar", N_("Court hearing: master calendar")
    INDIVIDUAL_HEARING = "individual_hearing", N_("Court hearing: individual (merits)")
    BOND_HEARING = "bond_hearing", N_("Court hearing: bond")
    ICE_CHECK_IN = "ice_check_in", N_("ICE check-in")
    SUPERVISION_CHECK_IN = "supervision", N_("Supervision check-in (ISAP)")
    BOND_PAYMENT = "bond_payment", N_("Bond payment")
    DETENTION_VISIT = "detention_visit", N_("Detention visit")
    USCIS_APPOINTMENT = "uscis_appointment", N_("USCIS appointment")
    OTHER = "other", N_("Other")

    @property
    def is_hearing(self) -> bool:
        """A court hearing: its date can move without notice, so it is verified before (HEARING_VERIFY_DAYS)."""
        return self in HEARING_KINDS


HEARING_KINDS = frozenset(
    {AppointmentKind.MASTER_CALENDAR, AppointmentKind.INDIVIDUAL_HEARING, AppointmentKind.BOND_HEARING}
)
# Kinds a family must not miss: a family reminder says what missing one means (never for a visit
# or a bond payment, where it would only frighten).
MUST_ATTEND_KINDS = HEARING_KINDS | {AppointmentKind.ICE_CHECK_IN, AppointmentKind.SUPERVISION_CHECK_IN}


class VerifyMethod(LabelledEnum):
    """How a coordinator checked a hearing's date with the court."""

    EOIR_LINE = "eoir_line", N_("EOIR 1-800 line (automated)")
    EOIR_PORTAL = "eoir_portal", N_("EOIR portal")
    OTHER = "other", N_("Other (say how in the note)")


class AttendanceMode(LabelledEnum):
    IN_PERSON = "in_person", N_("In person")
    VIDEO = "video", N_("By video")


class AppointmentStatus(LabelledEnum):
    DRAFT = "draft", N_("Draft (needs review)")
    SCHEDULED = "scheduled", N_("Scheduled")
    CANCELLED = "cancelled", N_("Cancelled")
    CLOSED = "closed", N_("Closed")


class Outcome(LabelledEnum):
    HELD = "held", N_("Held")
    RESCHEDULED = "rescheduled", N_("Rescheduled")
    DETAINED = "detained", N_("Detained")
    MISSED = "missed", N_("Missed")
    OTHER = "other", N_("Other")


class ShiftRole(LabelledEnum):
    RIDE_THERE = "ride_there", N_("Ride there")
    RIDE_HOME = "ride_home", N_("Ride home")
    COMPANION = "companion", N_("Court / check-in companion")
    INTERPRETER = "interpreter", N_("Interpreter")
    BOND_HELP = "bond_help", N_("Bond help")
    VISIT = "visit", N_("Detention visit")


class RecipientKind(LabelledEnum):
    FAMILY = "family", N_("Family")
    VOLUNTEER = "volunteer", N_("Volunteer")
    COORDINATOR = "coordinator", N_("Coordinator")


class MessageState(LabelledEnum):
    PENDING = "pending", N_("Planned")
    SENDING = "sending", N_("Sending")
    QUEUED = "queued", N_("Queued at carrier")
    SENT = "sent", N_("Sent")
    DELIVERED = "delivered", N_("Delivered")
    UNDELIVERED = "undelivered", N_("Not delivered")
    FAILED = "failed", N_("Failed")
    EXPIRED = "expired", N_("Expired (too late to send)")
    CANCELLED = "cancelled", N_("Cancelled (not sent)")  # not "Cancelled": a message and an appointment differ in gender
    UNKNOWN = "unknown", N_("Unknown (needs a check)")


# A family reminder's kind names its days, and the days are configurable (FAMILY_REMINDER_DAYS).
FAMILY_REMINDER_KIND = re.compile(r"family_reminder_[0-9]+d")


class MessageKind(StrEnum):
    """What a text is for: each outbox row has one, worded by the catalogs (messaging/wording/),
    and an inbound text records the one it was answered with.

    A reminder at days other than 7, 3 and 1 (`family_reminder(14)`) is a kind no member lists:
    it is made on demand, and the catalogs word it as FAMILY_REMINDER.
    """

    # To families, about an appointment.
    FAMILY_REMINDER = "family_reminder"  # the general wording; no row has this kind itself
    FAMILY_REMINDER_7D = "family_reminder_7d"
    FAMILY_REMINDER_3D = "family_reminder_3d"
    FAMILY_REMINDER_1D = "family_reminder_1d"
    FAMILY_VOLUNTEER_CONFIRMED = "family_volunteer_confirmed"
    FAMILY_RESCHEDULED = "family_rescheduled"
    FAMILY_CANCELLED = "family_cancelled"
    # To volunteers, about a shift.
    VOLUNTEER_CLAIMED = "volunteer_claimed"
    VOLUNTEER_EVENING_BEFORE = "volunteer_evening_before"
    VOLUNTEER_SOON = "volunteer_soon"
    VOLUNTEER_RESCHEDULED = "volunteer_rescheduled"
    VOLUNTEER_CANCELLED = "volunteer_cancelled"
    VOLUNTEER_URGENT_ASK = "volunteer_urgent_ask"
    VOLUNTEER_APPROVED = "volunteer_approved"
    # To coordinators and admins.
    COORDINATOR_DETAINED = "coordinator_detained"
    COORDINATOR_LATE_RELEASE = "coordinator_late_release"
    COORDINATOR_UNFILLED_DIGEST = "coordinator_unfilled_digest"
    COORDINATOR_RIDE_REQUEST = "coordinator_ride_request"
    COORDINATOR_URGENT_UNFILLED = "coordinator_urgent_unfilled"
    COORDINATOR_FAMILY_STOPPED = "coordinator_family_stopped"  # a family with an appointment ahead said STOP
    COORDINATOR_UNVERIFIED_HEARING = "coordinator_unverified_hearing"  # a hearing tomorrow whose date nobody checked
    # Letters of support (services/casework/letters.py): an asked volunteer whose letter is not in
    # yet; the drive's owner, about community contacts still to remind in person.
    VOLUNTEER_LETTER_REMINDER = "volunteer_letter_reminder"
    COORDINATOR_LETTER_CONTACTS = "coordinator_letter_contacts"
    # Detention response (services/detention/): the alert chain, step by step, and its answers.
    DETENTION_ALERT = "detention_alert"  # to the person on call, at once
    DETENTION_ESCALATED = "detention_escalated"  # to the next on the rota, nobody acknowledged
    DETENTION_ALERT_ALL = "detention_alert_all"  # to every coordinator, still nobody
    DETENTION_VOICE_CALL = "detention_voice_call"  # a phone call to the first on the rota (spoken)
    REPLY_DETENTION_ACKNOWLEDGED = "reply_detention_ack"  # "OK K7Q": thanks, or who did first
    REPLY_DETENTION_REPORTED = "reply_detention_reported"  # a volunteer's DETAINED text: it is open
    # Casework: to a need's owner about a task volunteers take (services/casework/tasks.py).
    COORDINATOR_TASK_DONE = "coordinator_task_done"
    COORDINATOR_TASK_GIVEN_BACK = "coordinator_task_given_back"  # given back late: after or close to its due date
    # To a volunteer who signed a bond as its obligor: the bonded person's hearing is coming (casework).
    VOLUNTEER_OBLIGOR_HEARING = "volunteer_obligor_hearing"
    # Answers to a text someone sent (messaging/inbound.py, urgent_calls.py, conversations.py).
    REPLY_CONFIRMED = "reply_confirmed"
    REPLY_RIDE = "reply_ride"
    REPLY_URGENT_COVERED = "reply_urgent_covered"
    REPLY_URGENT_DECLINED = "reply_urgent_declined"
    REPLY_URGENT_NOT_POSSIBLE = "reply_urgent_not_possible"
    STAFF_REPLY = "staff_reply"  # a coordinator's own words, sealed in the row's body when planned
    # One-time codes a person asked for (services/people/phone_codes.py): made when the text is
    # sent, and sent to the number they were asked for, which may not be the recipient's own yet.
    PHONE_CODE = "phone_code"
    PASSWORD_CODE = "password_code"  # nosec B105
    # Answers about the number itself, given in the webhook's reply (never planned as rows).
    REPLY_HELP = "reply_help"
    STOP_CONFIRMATION = "stop_confirmation"
    START_CONFIRMATION = "start_confirmation"

    @classmethod
    def family_reminder(cls, days: int) -> MessageKind:
        """The family's reminder `days` days before the appointment."""
        return cls(f"{cls.FAMILY_REMINDER}_{days}d")

    @property
    def is_one_time_code(self) -> bool:
        """A code someone asked for: it goes to the number it was asked for, and nobody reads it back."""
        return self in (MessageKind.PHONE_CODE, MessageKind.PASSWORD_CODE)

    @property
    def ignores_quiet_hours(self) -> bool:
        """A text that goes at any hour, because waiting for the morning does harm:

        - one-time codes: the person asked a moment ago and waits with the page open;
        - an urgent ask and the answers to a volunteer's reply to one: the shift is hours away, and
          the coordinator chose to ask now;
        - coordinator alerts about a detention, a shift left open close to its time, a volunteer
          dropping out late, and a family asking for a ride: someone has to act before the morning.

        Every other text keeps to the recipient's hours when planned, sent and retried."""
        return self in _ANY_HOUR_KINDS

    @property
    def is_voice_call(self) -> bool:
        """Placed as a phone call that speaks the text, not sent as an SMS."""
        return self == MessageKind.DETENTION_VOICE_CALL

    @property
    def is_family_reminder(self) -> bool:
        """A reminder some days before (not FAMILY_REMINDER, which is only a wording)."""
        return FAMILY_REMINDER_KIND.fullmatch(self) is not None

    @classmethod
    def _missing_(cls, value):
        """A reminder at configured days no member lists, made once and kept like a member."""
        if not isinstance(value, str) or not FAMILY_REMINDER_KIND.fullmatch(value):
            return None
        kind = str.__new__(cls, value)
        kind._name_, kind._value_ = value.upper(), value
        return cls._value2member_map_.setdefault(value, kind)


_ANY_HOUR_KINDS = frozenset({
    MessageKind.PHONE_CODE, MessageKind.PASSWORD_CODE,
    MessageKind.VOLUNTEER_URGENT_ASK, MessageKind.REPLY_URGENT_COVERED, MessageKind.REPLY_URGENT_DECLINED,
    MessageKind.REPLY_URGENT_NOT_POSSIBLE,
    MessageKind.COORDINATOR_DETAINED, MessageKind.COORDINATOR_URGENT_UNFILLED, MessageKind.COORDINATOR_LATE_RELEASE,
    MessageKind.COORDINATOR_RIDE_REQUEST,
    # A detention: every minute counts, and the chain's own timing is the point.
    MessageKind.DETENTION_ALERT, MessageKind.DETENTION_ESCALATED, MessageKind.DETENTION_ALERT_ALL,
    MessageKind.DETENTION_VOICE_CALL, MessageKind.REPLY_DETENTION_ACKNOWLEDGED, MessageKind.REPLY_DETENTION_REPORTED,
})


class CodePurpose(LabelledEnum):
    """What a one-time code texted to a phone is for (models.security.PhoneCode)."""

    PHONE = "phone", "Confirm a mobile number"
    PASSWORD = "password", "Set a new password"


class UrgentAnswer(LabelledEnum):
    """How an urgent ask ended, from the volunteer's reply (labelled as the shift's page says it)."""

    TOOK_IT = "took_it", N_("took it")
    DECLINED = "declined", N_("said no")
    TOO_LATE = "too_late", N_("too late: already covered")  # said yes after the shift was covered or closed
    NOT_POSSIBLE = "not_possible", N_("could not take it")  # said yes but may not hold it now (an overlapping shift, say)


class DetentionOutcome(LabelledEnum):
    """How a detention case closed; the family's reminders follow from it (services/detention/cases.py)."""

    RELEASED_ON_BOND = "released_on_bond", N_("Released on bond")
    RELEASED_OTHER = "released_other", N_("Released otherwise")
    TRANSFERRED = "transferred", N_("Transferred")
    REMOVED = "removed", N_("Removed (deported)")
    OTHER = "other", N_("Other")


class RotaSpan(LabelledEnum):
    """How long one turn on the on-call rota lasts."""

    DAY = "day", N_("One day")
    WEEK = "week", N_("One week")
# -- casework: needs and tasks (issue 14) -------------------------------------------------------------


class NeedKind(LabelledEnum):
    """What a family needs beyond a date."""

    BOND = "bond", N_("Bond")
    LETTERS = "letters", N_("Letters of support")
    LEGAL_REFERRAL = "legal_referral", N_("Legal referral")
    PAPERWORK = "paperwork", N_("Paperwork")
    HOUSING = "housing", N_("Housing")
    TRANSPORT = "transport", N_("Transport")
    ESSENTIALS = "essentials", N_("Food and essentials")
    PHONE_OR_ID = "phone_or_id", N_("Phone or ID")
    SCHOOL_OR_MEDICAL = "school_or_medical", N_("School or medical")
    OTHER = "other", N_("Other")


class NeedStatus(LabelledEnum):
    OPEN = "open", N_("Open")
    IN_PROGRESS = "in_progress", N_("In progress")
    MET = "met", N_("Met")
    CLOSED_UNMET = "closed_unmet", N_("Closed, not met")

    @property
    def is_live(self) -> bool:
        """Still being worked on: its due date counts, and its tasks can be taken."""
        return self in LIVE_NEED_STATUSES


LIVE_NEED_STATUSES = frozenset({NeedStatus.OPEN, NeedStatus.IN_PROGRESS})
# -- casework: the bond fund (issue 14, point 3) ----------------------------------------------------


class BondSetBy(LabelledEnum):
    IMMIGRATION_JUDGE = "immigration_judge", N_("Immigration judge")
    ICE = "ice", N_("ICE")


class BondStatus(LabelledEnum):
    REQUESTED = "requested", N_("Requested")
    RAISING = "raising", N_("Raising money")
    PAID = "paid", N_("Paid")
    RELEASED = "released", N_("Person released")
    ONGOING = "ongoing", N_("Case ongoing")
    CANCELLED = "cancelled", N_("Bond cancelled")
    REFUND_REQUESTED = "refund_requested", N_("Refund requested")
    REFUNDED = "refunded", N_("Refunded")
    BREACHED = "breached", N_("Breached")


class BondPaidHow(LabelledEnum):
    ONLINE = "online", N_("Online (CeBONDS)")
    ICE_OFFICE = "ice_office", N_("At an ICE office")


class FundEntryKind(LabelledEnum):
    GIFT = "gift", N_("Gift")
    PLEDGE = "pledge", N_("Pledge (promised)")
    PLEDGE_RECEIVED = "pledge_received", N_("Pledge received")
    BOND_PAID = "bond_paid", N_("Bond paid")
    REFUND_RECEIVED = "refund_received", N_("Bond refund received")
    FEE = "fee", N_("Fee")
    REVERSAL = "reversal", N_("Reversal (correction)")
