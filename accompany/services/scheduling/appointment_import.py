"""Importing appointments from a CSV file.

An import is read twice. The preview reads the file, lists every row's problems in plain words
and saves nothing; the confirmation reads the same text again from scratch and creates every
row in the caller's transaction, or raises before writing anything if any row has a problem.
Family names are sealed at rest, so they are matched after decrypting the open families once
per file; phone numbers are matched by their blind index. Audit events carry counts only.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from accompany.crypto import phone_index
from accompany.database import db
from accompany.marks import N_
from accompany.models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    AttendanceMode,
    Family,
    Language,
    Location,
    ShiftRole,
    User,
)
from accompany.phones import InvalidPhone, format_national, normalize_phone
from accompany.phrases import Phrase
from accompany.services.errors import DomainError
from accompany.services.privacy.audit import record_event
from accompany.services.scheduling.appointments import AppointmentDetails, create_appointment
from accompany.services.scheduling.csv_files import (
    COLUMNS,
    Sheet,
    looks_like_phone,
    parse_date,
    parse_kind,
    parse_language,
    parse_mode,
    parse_roles,
    parse_time,
    read_sheet,
    suggestion,
    write_csv,
)
from accompany.services.scheduling.shifts import ShiftPlan, propose_shifts
from accompany.timezones import from_local, to_local
from accompany.words import fold

JUDGE_MAX, NOTES_MAX = 120, 4000


class ImportNotClean(DomainError):
    """At least one row has a problem, so nothing is imported. `preview` says which; `changed`:
    the file no longer has the rows the coordinator confirmed. (The page words it, with its counts.)"""

    def __init__(self, preview: ImportPreview, *, changed: bool = False):
        count = len(preview.rows) if changed else len(preview.problems)
        super().__init__(
            f"The file changed since its preview: it now has {count} row{'s' if count != 1 else ''}. "
            "Check them below and import again." if changed
            else f"Nothing was imported: the file has {count} problem{'s' if count != 1 else ''} to fix first."
        )
        self.preview, self.changed = preview, changed


def _name_key(text: str) -> str:
    return " ".join(fold(text).split())


# -- the preview ---------------------------------------------------------------------------------


@dataclass
class RowPlan:
    """One row of the file: what it will create, or what is wrong with it."""

    number: int
    cells: dict[str, str] = field(default_factory=dict)  # as written in the file
    family: Family | None = None
    location: Location | None = None
    kind: AppointmentKind | None = None
    starts_at: datetime | None = None
    roles: list[ShiftRole] = field(default_factory=list)
    mode: AttendanceMode = AttendanceMode.IN_PERSON
    judge: str = ""
    interpreter_language: Language | None = None
    notes: str = ""
    problems: list[Phrase] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def details(self) -> AppointmentDetails:
        return AppointmentDetails(
            family=self.family, location=self.location, kind=self.kind, starts_at=self.starts_at,
            mode=self.mode, judge=self.judge, interpreter_language=self.interpreter_language,
            notes=self.notes,
        )

    def shift_plans(self) -> list[ShiftPlan]:
        """The shifts the row's needs propose (what a coordinator would get from the form)."""
        return propose_shifts(
            self.details(), self.roles, family_language=self.family.language, town=self.family.town
        )


@dataclass
class ImportPreview:
    rows: list[RowPlan]
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[Phrase]:
        """Every problem, in file order, as “row N: …”."""
        return [Phrase(N_("row %(number)s: %(problem)s"), number=row.number, problem=problem)
                for row in self.rows for problem in row.problems]

    @property
    def clean(self) -> bool:
        return bool(self.rows) and all(row.ok for row in self.rows)

    @property
    def shift_count(self) -> int:
        return sum(len(row.roles) for row in self.rows)


class _Directory:
    """The families and places a file can name, loaded once per file."""

    def __init__(self, sheet: Sheet):
        self.locations = list(db.session.scalars(select(Location)))
        self.active = {_name_key(place.name): place for place in self.locations if place.active}
        self.inactive = {_name_key(place.name): place for place in self.locations if not place.active}
        self.families_named: dict[str, list[Family]] = defaultdict(list)
        open_families = select(Family).where(Family.closed_at.is_(None), Family.purged_at.is_(None))
        for family in db.session.scalars(open_families):
            self.families_named[_name_key(family.name)].append(family)
        self.by_hash = self._families_by_phone(sheet)

    @staticmethod
    def _families_by_phone(sheet: Sheet) -> dict[str, Family]:
        column = sheet.columns["family"]
        hashes = set()
        for _, cells in sheet.rows:
            text = cells[column] if column < len(cells) else ""
            if looks_like_phone(text):
                with contextlib.suppress(InvalidPhone):  # not a number: nothing to look up
                    hashes.add(phone_index(normalize_phone(text)))
        if not hashes:
            return {}
        found = db.session.scalars(
            select(Family).where(Family.phone_hash.in_(hashes), Family.purged_at.is_(None)).order_by(Family.id)
        )
        by_hash: dict[str, Family] = {}
        for family in found:
            by_hash.setdefault(family.phone_hash, family)
        return by_hash

    def family(self, text: str) -> Family:
        if not text:
            raise ValueError(Phrase(N_("no family given (write the family's name or phone number)")))
        if looks_like_phone(text):
            try:
                e164 = normalize_phone(text)
            except InvalidPhone:
                raise ValueError(Phrase(N_("“%(text)s” is not a valid phone number (10 digits for a US number, "
                                           "or + and the country code)"), text=text)) from None
            family = self.by_hash.get(phone_index(e164))
            if family is None:
                raise ValueError(Phrase(N_("no family has the phone number %(phone)s"), phone=format_national(e164)))
            if family.closed_at is not None:
                raise ValueError(Phrase(N_("the family with the phone number %(phone)s is closed: reopen it first"),
                                        phone=format_national(e164)))
            return family
        matches = self.families_named.get(_name_key(text), [])
        if len(matches) == 1:
            return matches[0]
        if len(matches) == 2:
            raise ValueError(Phrase(N_("two families are named “%(name)s”: use the phone number instead"), name=text))
        if matches:  # always more than two here, a plural in every language
            raise ValueError(Phrase(N_("%(count)s families are named “%(name)s”: use the phone number instead"),
                                    count=len(matches), name=text))
        names = {key: families[0].name for key, families in self.families_named.items()}
        near = suggestion(text, names)
        if near:
            raise ValueError(Phrase(N_("no open family is named “%(name)s” — did you mean “%(suggested)s”?"),
                                    name=text, suggested=near))
        raise ValueError(Phrase(N_("no open family is named “%(name)s”"), name=text))

    def location(self, text: str) -> Location:
        if not text:
            raise ValueError(Phrase(N_("no location given")))
        key = _name_key(text)
        if key in self.active:
            return self.active[key]
        if key in self.inactive:
            raise ValueError(Phrase(N_("the location “%(name)s” is no longer in use"), name=self.inactive[key].name))
        names = {folded: place.name for folded, place in self.active.items()}
        near = suggestion(text, names)
        if near:
            raise ValueError(Phrase(N_("no location named “%(name)s” — did you mean “%(suggested)s”?"),
                                    name=text, suggested=near))
        raise ValueError(Phrase(N_("no location named “%(name)s”"), name=text))


def _read_row(number: int, cells: list[str], sheet: Sheet, directory: _Directory, now: datetime) -> RowPlan:
    row = RowPlan(number=number)

    def cell(column: str) -> str:
        index = sheet.columns.get(column)
        return cells[index] if index is not None and index < len(cells) else ""

    def attempt(read, *args):
        try:
            return read(*args)
        except ValueError as error:
            row.problems.append(error.args[0])  # the cell parsers' Phrase
            return None

    row.cells = {column: cell(column) for column in COLUMNS}
    if any(cells[sheet.width:]):
        row.problems.append(Phrase(N_(
            "this row has more cells than the heading has columns (a comma inside a cell needs the cell in quotes)")))
    row.family = attempt(directory.family, cell("family"))
    row.location = attempt(directory.location, cell("location"))
    row.kind = attempt(parse_kind, cell("kind"))
    day = attempt(parse_date, cell("date"))
    at = attempt(parse_time, cell("time"))
    row.roles = attempt(parse_roles, cell("needs")) or []
    row.mode = attempt(parse_mode, cell("mode")) or AttendanceMode.IN_PERSON
    row.interpreter_language = attempt(parse_language, cell("interpreter"))
    row.judge = cell("judge")
    if len(row.judge) > JUDGE_MAX:
        row.problems.append(Phrase(N_("the judge's name is longer than %(most)s characters"), most=JUDGE_MAX))
    row.notes = cell("notes")
    if len(row.notes) > NOTES_MAX:
        row.problems.append(Phrase(N_("the notes are longer than %(most)s characters"), most=NOTES_MAX))
    if day is not None and at is not None and row.location is not None:
        row.starts_at = from_local(day, at, row.location.timezone)
        if row.starts_at <= now:
            row.problems.append(Phrase(N_("that time has already passed — check the date (and AM/PM)")))
    return row


def _find_repeats(rows: list[RowPlan]) -> None:
    """Rows for the same family at the same moment, within the file and against what exists."""
    first_at: dict[tuple[int, datetime], int] = {}
    for row in rows:
        if row.family is None or row.starts_at is None:
            continue
        key = (row.family.id, row.starts_at)
        if key in first_at:
            row.problems.append(Phrase(N_("repeats row %(row)s: the same family at the same date and time"),
                                       row=first_at[key]))
        else:
            first_at[key] = row.number
    if not first_at:
        return
    existing = set(
        db.session.execute(
            select(Appointment.family_id, Appointment.starts_at).where(
                Appointment.family_id.in_(sorted({family_id for family_id, _ in first_at})),
                Appointment.starts_at.in_(sorted({moment for _, moment in first_at})),
                Appointment.status.in_([AppointmentStatus.SCHEDULED, AppointmentStatus.DRAFT]),
            )
        ).tuples()
    )
    for row in rows:
        if row.family is not None and (row.family.id, row.starts_at) in existing:
            row.problems.append(Phrase(N_("this family already has an appointment at that date and time")))


def preview_import(text: str, *, now: datetime) -> ImportPreview:
    """Read the file and say, row by row, what it would create and what is wrong. Saves nothing."""
    sheet = read_sheet(text)
    directory = _Directory(sheet)
    rows = [_read_row(number, cells, sheet, directory, now) for number, cells in sheet.rows]
    _find_repeats(rows)
    return ImportPreview(rows=rows, ignored_columns=sheet.ignored)


@dataclass
class ImportResult:
    appointments: list[Appointment]
    shifts: int
    families: int


def import_appointments(
    text: str, *, by: User, now: datetime, expected_rows: int | None = None
) -> ImportResult:
    """Create every row of the file, each with its proposed shifts and the family's reminders.

    The text is read and checked again from scratch: if any row has a problem (or the file no
    longer has the `expected_rows` the coordinator confirmed) ImportNotClean is raised before
    anything is written. A rule broken while writing raises too; the caller rolls back.
    """
    preview = preview_import(text, now=now)
    if not preview.clean:
        raise ImportNotClean(preview)
    if expected_rows is not None and expected_rows != len(preview.rows):
        raise ImportNotClean(preview, changed=True)
    created = []
    for row in preview.rows:
        created.append(create_appointment(row.details(), row.shift_plans(), by=by, now=now))
    shifts = sum(len(appointment.shifts) for appointment in created)
    families = len({appointment.family_id for appointment in created})
    record_event(
        "appointments.imported", now=now, actor=by,
        rows=len(preview.rows), appointments=len(created), shifts=shifts, families=families,
    )
    db.session.flush()
    return ImportResult(appointments=created, shifts=shifts, families=families)


def import_template(*, now: datetime, tz_name: str) -> str:
    """A CSV with the heading row and one example row (naming a real place, if there is one)."""
    place = db.session.scalar(
        select(Location.name).where(Location.active.is_(True)).order_by(Location.name).limit(1)
    )
    example_day = to_local(now, tz_name).date() + timedelta(days=14)
    example = [
        "Maria G.", place or "Boston Immigration Court", "master calendar", example_day.isoformat(), "08:30",
        "ride there; companion", "", "Spanish", "in person", "",
    ]
    return write_csv(list(COLUMNS), [example])
