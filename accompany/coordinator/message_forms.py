"""The message log's tabs and filters, read from the query string (nothing changes: no CSRF token)."""

from __future__ import annotations

from dataclasses import dataclass

from wtforms import HiddenField

from accompany.formfields import InputForm, record_id
from accompany.i18n import _l, gettext, ngettext
from accompany.models import Appointment, Family, MessageKind, MessageState, RecipientKind


@dataclass(frozen=True)
class LogView:
    """One tab of the log: which states it shows, and in which order."""

    title: object  # lazy: shown in the page's language
    states: tuple[MessageState, ...]
    soonest_first: bool


VIEWS = {
    # What is still to go matters soonest first; what went, latest first.
    "planned": LogView(_l("Planned"), (MessageState.PENDING, MessageState.SENDING), soonest_first=True),
    "sent": LogView(_l("Sent"), (MessageState.QUEUED, MessageState.SENT, MessageState.DELIVERED), soonest_first=False),
    "problems": LogView(_l("Problems"), (MessageState.FAILED, MessageState.UNDELIVERED, MessageState.EXPIRED,
                                     MessageState.UNKNOWN), soonest_first=False),
    "all": LogView(_l("All"), (), soonest_first=False),
}
RECIPIENTS = {"": _l("Everyone"), RecipientKind.FAMILY.value: _l("Families"),
              RecipientKind.VOLUNTEER.value: _l("Volunteers"), RecipientKind.COORDINATOR.value: _l("Coordinators")}

# What each kind of text is for, as the log names it (the kinds' values are code).
KIND_NAMES = {
    MessageKind.FAMILY_VOLUNTEER_CONFIRMED: _l("To the family: a volunteer is coming"),
    MessageKind.FAMILY_RESCHEDULED: _l("To the family: the appointment moved"),
    MessageKind.FAMILY_CANCELLED: _l("To the family: the appointment is cancelled"),
    MessageKind.VOLUNTEER_CLAIMED: _l("To the volunteer: shift taken"),
    MessageKind.VOLUNTEER_EVENING_BEFORE: _l("Volunteer reminder, the evening before"),
    MessageKind.VOLUNTEER_SOON: _l("Volunteer reminder, 2 hours before"),
    MessageKind.VOLUNTEER_RESCHEDULED: _l("To the volunteer: the shift moved"),
    MessageKind.VOLUNTEER_CANCELLED: _l("To the volunteer: the shift is cancelled"),
    MessageKind.VOLUNTEER_URGENT_ASK: _l("To volunteers: can you take this shift?"),
    MessageKind.VOLUNTEER_APPROVED: _l("To the volunteer: account approved"),
    MessageKind.VOLUNTEER_LETTER_REMINDER: _l("To a letter writer: reminder"),
    MessageKind.VOLUNTEER_OBLIGOR_HEARING: _l("To the bond obligor: a hearing"),
    MessageKind.COORDINATOR_DETAINED: _l("To coordinators: someone was detained"),
    MessageKind.COORDINATOR_LATE_RELEASE: _l("To coordinators: a shift given back late"),
    MessageKind.COORDINATOR_UNFILLED_DIGEST: _l("To coordinators: shifts still open"),
    MessageKind.COORDINATOR_RIDE_REQUEST: _l("To coordinators: a family asks for a ride"),
    MessageKind.COORDINATOR_URGENT_UNFILLED: _l("To coordinators: an urgent shift still open"),
    MessageKind.COORDINATOR_FAMILY_STOPPED: _l("To coordinators: a family stopped texts"),
    MessageKind.COORDINATOR_UNVERIFIED_HEARING: _l("To coordinators: a hearing date not verified"),
    MessageKind.COORDINATOR_LETTER_CONTACTS: _l("To coordinators: letter writers to contact"),
    MessageKind.COORDINATOR_TASK_DONE: _l("To coordinators: a task is done"),
    MessageKind.COORDINATOR_TASK_GIVEN_BACK: _l("To coordinators: a task given back"),
    MessageKind.DETENTION_ALERT: _l("Detention alert to the person on call"),
    MessageKind.DETENTION_ESCALATED: _l("Detention alert to the next on the rota"),
    MessageKind.DETENTION_ALERT_ALL: _l("Detention alert to every coordinator"),
    MessageKind.DETENTION_VOICE_CALL: _l("Detention alert by phone call"),
    MessageKind.REPLY_DETENTION_ACKNOWLEDGED: _l("Reply: detention acknowledged"),
    MessageKind.REPLY_DETENTION_REPORTED: _l("Reply: detention reported"),
    MessageKind.REPLY_CONFIRMED: _l("Reply: thanks for confirming"),
    MessageKind.REPLY_RIDE: _l("Reply: ride request received"),
    MessageKind.REPLY_URGENT_COVERED: _l("Reply: the shift is yours"),
    MessageKind.REPLY_URGENT_DECLINED: _l("Reply: thanks for answering"),
    MessageKind.REPLY_URGENT_NOT_POSSIBLE: _l("Reply: the shift was already taken"),
    MessageKind.REPLY_HELP: _l("Reply: help"),
    MessageKind.STAFF_REPLY: _l("A coordinator's reply"),
    MessageKind.PHONE_CODE: _l("Code to confirm a phone number"),
    MessageKind.PASSWORD_CODE: _l("Code to reset a password"),
    MessageKind.STOP_CONFIRMATION: _l("Reply: texts stopped"),
    MessageKind.START_CONFIRMATION: _l("Reply: texts started again"),
}


def kind_name(kind: MessageKind) -> str:
    """What a text is for, in the page's language (a reminder at other days says how many)."""
    if kind.is_family_reminder:  # family_reminder_7d
        days = int(kind.value.rsplit("_", 1)[1].removesuffix("d"))
        return ngettext("Family reminder, %(num)d day before", "Family reminder, %(num)d days before", days)
    if kind in KIND_NAMES:
        return str(KIND_NAMES[kind])
    return kind.value.replace("_", " ").capitalize()


def whole_number(text: str | None) -> int | None:
    try:
        return record_id(text or "")
    except ValueError:
        return None


class MessageFilterForm(InputForm):
    """Which texts: a tab (planned, sent...), to whom, and one family or one appointment.

    All four come from links (a tab, a family's or an appointment's page, a text's card): the log
    names no family, so a family is shown by its masked number; then its appointments are links
    by day and kind.
    """

    class Meta:
        csrf = False

    view = HiddenField(default="planned")
    to = HiddenField(default="")
    family = HiddenField()
    appointment = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.chosen_family: Family | None = None
        self.chosen_appointment: Appointment | None = None
        self.problems: list[str] = []

    def choose(self, family: Family | None, appointment: Appointment | None) -> None:
        """Settle on the family and appointment the query string names. One it names that is not
        there is left out, and said so; an appointment brings its family along; an appointment
        of another family than the one chosen is dropped (the family was changed after it)."""
        if self.appointment.data and appointment is None:
            self.problems.append(gettext("That appointment is not in our records: showing every appointment."))
        if appointment is not None and not self.family.data:
            family = appointment.family
        elif self.family.data and family is None:
            self.problems.append(gettext("That family is not in our records: showing every family."))
        if appointment is not None and family is not None and appointment.family_id != family.id:
            appointment = None
        self.chosen_family, self.chosen_appointment = family, appointment
        self.family.data = str(family.id) if family is not None else ""
        self.appointment.data = str(appointment.id) if appointment is not None else ""

    def chosen_view(self) -> str:
        return self.view.data if self.view.data in VIEWS else "planned"

    def chosen_recipients(self) -> str:
        return self.to.data if self.to.data in RECIPIENTS else ""

    def tab_args(self, **changes: str) -> dict[str, str]:
        """The query string of this view of the log with `changes` (a tab's link); the first page."""
        args = {"view": self.chosen_view(), "to": self.chosen_recipients(),
                "family": self.family.data or "", "appointment": self.appointment.data or ""}
        args.update(changes)
        return {name: value for name, value in args.items() if value and not (name == "view" and value == "planned")}
