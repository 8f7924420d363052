"""Forms for letters of support: a drive's target, deadline and owner; asking someone; a letter received."""

from __future__ import annotations

from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange

from accompany.formfields import InputForm, PlainDateField, PlainSelectField, SentOnce, SmallIntegerField, at_most
from accompany.i18n import _l
from accompany.models import LetterAsk, LetterDrive, User
from accompany.services.casework import letters as letter_service


def _id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


class DriveForm(InputForm):
    target = SmallIntegerField(_l("Letters wanted"), validators=[
        InputRequired(_l("Enter how many letters you want.")),
        NumberRange(1, letter_service.TARGET_MAX,
                    _l("Enter how many letters you want, from 1 to %(most)s.", most=letter_service.TARGET_MAX)),
    ])
    deadline = PlainDateField(_l("Deadline"), validators=[InputRequired(_l("Enter the deadline, like 2026-11-21."))])
    owner_id = PlainSelectField(_l("Owner (the coordinator who collects them)"))

    def set_owners(self, staff: list[User]) -> None:
        self.owner_id.choices = [SelectChoice(str(user.id), user.name) for user in staff]

    @classmethod
    def for_drive(cls, drive: LetterDrive) -> DriveForm:
        return cls(formdata=None, target=drive.target, deadline=drive.deadline, owner_id=str(drive.owner_id or ""))

    def details(self) -> letter_service.DriveDetails:
        return letter_service.DriveDetails(target=self.target.data, deadline=self.deadline.data,
                                           owner_id=_id(self.owner_id.data))


class NewDriveForm(SentOnce, DriveForm):
    """Starting a drive (one per hearing; the form's one-time key makes a double tap start it once)."""


class AskForm(SentOnce, InputForm):
    volunteer_id = PlainSelectField(_l("A volunteer"), default="")
    name = StringField(_l("Or a community contact's name"),
                       validators=[at_most(letter_service.NAME_MAX, _l("the name"))])
    relationship = StringField(_l("How they know the family"),
                               validators=[at_most(letter_service.RELATIONSHIP_MAX, _l("the relationship"))])

    def set_volunteers(self, volunteers: list[User]) -> None:
        self.volunteer_id.choices = [SelectChoice("", _l("Not a volunteer"))] + [
            SelectChoice(str(user.id), user.name) for user in volunteers
        ]


class LetterForm(SentOnce, InputForm):
    ask_id = PlainSelectField(_l("From"), default="")
    writer_name = StringField(_l("Writer's name (if not asked)"),
                              validators=[at_most(letter_service.NAME_MAX, _l("the name"))])
    relationship = StringField(_l("How they know the family (if not asked)"),
                               validators=[at_most(letter_service.RELATIONSHIP_MAX, _l("the relationship"))])
    received_on = PlainDateField(_l("Received on"),
                                 validators=[InputRequired(_l("Enter the day it came, like 2026-11-21."))])

    def set_asks(self, asks: list[LetterAsk]) -> None:
        self.ask_id.choices = [SelectChoice("", _l("Someone not asked"))] + [
            SelectChoice(str(ask.id), ask.who) for ask in asks if ask.letter is None
        ]

    def values(self) -> dict:
        return {"ask_id": _id(self.ask_id.data), "writer_name": self.writer_name.data or "",
                "relationship": self.relationship.data or "", "received_on": self.received_on.data}

