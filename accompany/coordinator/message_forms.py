"""The message log's tabs and filters, read from the query string (nothing changes: no CSRF token)."""

from __future__ import annotations

from dataclasses import dataclass

from wtforms import HiddenField

from accompany.formfields import InputForm, record_id
from accompany.models import Appointment, Family, MessageState, RecipientKind


@dataclass(frozen=True)
class LogView:
    """One tab of the log: which states it shows, and in which order."""

    title: str
    states: tuple[MessageState, ...]
    soonest_first: bool


VIEWS = {
    # What is still to go matters soonest first; what went, latest first.
    "planned": LogView("Planned", (MessageState.PENDING, MessageState.SENDING), soonest_first=True),
    "sent": LogView("Sent", (MessageState.QUEUED, MessageState.SENT, MessageState.DELIVERED), soonest_first=False),
    "problems": LogView("Problems", (MessageState.FAILED, MessageState.UNDELIVERED, MessageState.EXPIRED,
                                     MessageState.UNKNOWN), soonest_first=False),
    "all": LogView("All", (), soonest_first=False),
}
RECIPIENTS = {"": "Everyone", RecipientKind.FAMILY.value: "Families", RecipientKind.VOLUNTEER.value: "Volunteers",
              RecipientKind.COORDINATOR.value: "Coordinators"}


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
            self.problems.append("That appointment is not in our records: showing every appointment.")
        if appointment is not None and not self.family.data:
            family = appointment.family
        elif self.family.data and family is None:
            self.problems.append("That family is not in our records: showing every family.")
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
