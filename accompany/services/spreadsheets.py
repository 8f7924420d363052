"""Spreadsheets: appointments in from a CSV file, appointments and coverage out to one.

An import is read twice. The preview reads the file, lists every row's problems in plain words
and saves nothing; the confirmation reads the same text again from scratch and creates every
row in the caller's transaction, or raises before writing anything if any row has a problem.
Family names are sealed at rest, so they are matched after decrypting the open families once
per file; phone numbers are matched by their blind index. Audit events carry counts only.

An export writes one line per shift (one per appointment without shifts), and every cell that
a spreadsheet would take for a formula is defused.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from accompany.crypto import phone_index
from accompany.database import db
from accompany.models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    AttendanceMode,
    Claim,
    Family,
    Language,
    Location,
    Shift,
    ShiftRole,
    User,
)
from accompany.phones import InvalidPhone, format_national, normalize_phone
from accompany.services.appointments import AppointmentDetails, create_appointment
from accompany.services.audit import record_event
from accompany.services.errors import DomainError
from accompany.services.families import fold
from accompany.services.shifts import ShiftPlan, propose_shifts
from accompany.timezones import from_local, to_local

MAX_ROWS = 2000
JUDGE_MAX, NOTES_MAX = 120, 4000
MAX_EXPORT_DAYS = 366

COLUMNS = ("family", "location", "kind", "date", "time", "needs", "judge", "interpreter", "mode", "notes")
REQUIRED_COLUMNS = COLUMNS[:5]
# Other headings people use for the same columns (compared without case, spaces or punctuation).
HEADING_ALIASES = {
    "familyname": "family", "familyorphone": "family", "familyphone": "family",
    "place": "location", "appointmentkind": "kind", "appointmenttype": "kind", "type": "kind",
    "starttime": "time", "helpneeded": "needs", "interpreterlanguage": "interpreter",
    "attendance": "mode", "note": "notes",
}


# -- errors --------------------------------------------------------------------------------------


class SpreadsheetError(DomainError):
    """The file as a whole cannot be read as a spreadsheet of appointments."""

    message = "This file cannot be read as a spreadsheet."


SAVE_AS_CSV = (
    "In Excel choose File → Save As → “CSV UTF-8 (Comma delimited)”; "
    "in Google Sheets choose File → Download → “Comma-separated values (.csv)”."
)


class UnreadableFile(SpreadsheetError):
    message = "This file does not look like a CSV spreadsheet. " + SAVE_AS_CSV


class NotUTF8(SpreadsheetError):
    message = "This file is not saved as UTF-8 text, so accents would come out wrong. " + SAVE_AS_CSV


class EmptySpreadsheet(SpreadsheetError):
    message = "The file is empty: there are no appointments in it."


class TooManyRows(SpreadsheetError):
    def __init__(self, count: int):
        super().__init__(
            f"The file has {count} appointment rows; at most {MAX_ROWS} can be imported at once. "
            "Split it into smaller files."
        )
        self.count = count


class BadHeading(SpreadsheetError):
    """The first row does not name the columns an import needs."""


class ImportNotClean(DomainError):
    """At least one row has a problem, so nothing is imported. `preview` says which."""

    def __init__(self, preview: ImportPreview, message: str | None = None):
        count = len(preview.problems)
        super().__init__(
            message
            or f"Nothing was imported: the file has {count} problem{'s' if count != 1 else ''} to fix first."
        )
        self.preview = preview


class ExportRangeInvalid(DomainError):
    message = "Choose a start date and an end date on or after it."


# -- reading the file ----------------------------------------------------------------------------


def decode_upload(raw: bytes) -> str:
    """The text of an uploaded CSV file (UTF-8, with or without the BOM Excel adds)."""
    if not raw.strip():
        raise EmptySpreadsheet()
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in raw:
        raise UnreadableFile()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotUTF8() from None


def _heading_key(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", fold(text))


def _column_for(heading: str) -> str | None:
    key = _heading_key(heading)
    if key in COLUMNS:
        return key
    return HEADING_ALIASES.get(key)


def _guess_delimiter(first_line: str, sample: str) -> str:
    """The delimiter that makes the most sense of the heading row (Excel in Europe uses `;`)."""
    best, best_score = ",", 0
    for delimiter in (",", ";", "\t"):
        cells = next(csv.reader([first_line], delimiter=delimiter), [])
        score = sum(1 for cell in cells if _column_for(cell))
        if score > best_score:
            best, best_score = delimiter, score
    if best_score:
        return best
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


@dataclass
class Sheet:
    """A CSV file's rows, as a spreadsheet shows them (the heading row is row 1)."""

    columns: dict[str, int]
    ignored: list[str]
    width: int  # cells in the heading row
    rows: list[tuple[int, list[str]]]  # (row number, cells)


def read_sheet(text: str) -> Sheet:
    """Split the CSV text into its heading and rows, or raise SpreadsheetError."""
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        raise UnreadableFile()
    if not text.strip():
        raise EmptySpreadsheet()
    delimiter = None
    first_line = text.split("\n", 1)[0].strip()
    hint = re.fullmatch(r'"?sep=(.)"?,*', first_line)  # Excel's delimiter hint; Excel hides that line
    if hint:
        delimiter = hint.group(1)
        text = text.split("\n", 1)[1] if "\n" in text else ""
    lines = (line.strip() for line in text.splitlines())
    heading_line = next((line for line in lines if line), "")
    delimiter = delimiter or _guess_delimiter(heading_line, text[:4096])
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False))
    except csv.Error:
        raise UnreadableFile() from None
    numbered = [
        (number, [cell.strip() for cell in record])
        for number, record in enumerate(records, start=1)
        if any(cell.strip() for cell in record)
    ]
    if not numbered:
        raise EmptySpreadsheet()
    (_, heading), rows = numbered[0], numbered[1:]
    columns, ignored = _read_heading(heading)
    if not rows:
        raise EmptySpreadsheet("The file has a heading row but no appointments under it.")
    if len(rows) > MAX_ROWS:
        raise TooManyRows(len(rows))
    return Sheet(columns=columns, ignored=ignored, width=len(heading), rows=rows)


def _read_heading(heading: list[str]) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    ignored = []
    for index, cell in enumerate(heading):
        column = _column_for(cell)
        if column is None:
            if cell:
                ignored.append(cell)
            continue
        if column in columns:
            raise BadHeading(f"The heading row names the “{column}” column twice. Keep one of them.")
        columns[column] = index
    if not columns:
        raise UnreadableFile(
            "The first row must name the columns: " + ", ".join(REQUIRED_COLUMNS)
            + " (and, if you like, " + ", ".join(COLUMNS[5:]) + "). "
            "Download the template to see how."
        )
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if missing:
        names = ", ".join(f"“{column}”" for column in missing)
        raise BadHeading(
            f"The file has no {names} column{'s' if len(missing) > 1 else ''}. The first row must name "
            "the columns: " + ", ".join(REQUIRED_COLUMNS) + " (needs, judge, interpreter, mode and notes "
            "are optional)."
        )
    return columns, ignored


# -- reading one cell ----------------------------------------------------------------------------


def _words(text: str) -> str:
    """`text` folded for matching words: 'ICE Check-in' -> 'ice check in'."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text)).split())


def _vocabulary(enum_cls, aliases: dict[str, object]) -> dict[str, object]:
    words = {}
    for member in enum_cls:
        words[_words(member.value)] = member
        words[_words(member.label)] = member
    words.update({_words(alias): value for alias, value in aliases.items()})
    return words


KIND_WORDS = _vocabulary(AppointmentKind, {
    "master": AppointmentKind.MASTER_CALENDAR, "master calendar": AppointmentKind.MASTER_CALENDAR,
    "master calendar hearing": AppointmentKind.MASTER_CALENDAR, "master hearing": AppointmentKind.MASTER_CALENDAR,
    "individual": AppointmentKind.INDIVIDUAL_HEARING, "individual hearing": AppointmentKind.INDIVIDUAL_HEARING,
    "merits": AppointmentKind.INDIVIDUAL_HEARING, "merits hearing": AppointmentKind.INDIVIDUAL_HEARING,
    "bond hearing": AppointmentKind.BOND_HEARING,
    "check-in": AppointmentKind.ICE_CHECK_IN, "checkin": AppointmentKind.ICE_CHECK_IN,
    "ICE check-in": AppointmentKind.ICE_CHECK_IN, "ICE checkin": AppointmentKind.ICE_CHECK_IN,
    "bond payment": AppointmentKind.BOND_PAYMENT, "pay bond": AppointmentKind.BOND_PAYMENT,
    "visit": AppointmentKind.DETENTION_VISIT, "detention visit": AppointmentKind.DETENTION_VISIT,
    "USCIS": AppointmentKind.USCIS_APPOINTMENT, "USCIS interview": AppointmentKind.USCIS_APPOINTMENT,
})
KIND_HINT = "master calendar, individual, bond hearing, ICE check-in, bond payment, detention visit, USCIS or other"

_BOTH_RIDES = (ShiftRole.RIDE_THERE, ShiftRole.RIDE_HOME)
ROLE_WORDS = _vocabulary(ShiftRole, {
    "ride": (ShiftRole.RIDE_THERE,), "ride to": (ShiftRole.RIDE_THERE,),
    "ride back": (ShiftRole.RIDE_HOME,), "rides": _BOTH_RIDES, "ride both ways": _BOTH_RIDES,
    "round trip": _BOTH_RIDES, "court companion": (ShiftRole.COMPANION,),
    "check-in companion": (ShiftRole.COMPANION,), "accompaniment": (ShiftRole.COMPANION,),
    "interpretation": (ShiftRole.INTERPRETER,), "translator": (ShiftRole.INTERPRETER,),
    "bond": (ShiftRole.BOND_HELP,), "detention visit": (ShiftRole.VISIT,),
})
ROLE_HINT = "ride there, ride home, companion, interpreter, bond help or visit"

LANGUAGE_WORDS = _vocabulary(Language, {
    "español": Language.SPANISH, "portugues": Language.PORTUGUESE, "creole": Language.HAITIAN_CREOLE,
    "kreyol": Language.HAITIAN_CREOLE, "haitian": Language.HAITIAN_CREOLE, "français": Language.FRENCH,
    "kiche": Language.KICHE, "quiche": Language.KICHE,
})
NO_LANGUAGE = {"", "none", "no", "n a", "na", "not needed"}

MODE_WORDS = _vocabulary(AttendanceMode, {
    "in person": AttendanceMode.IN_PERSON, "in-person": AttendanceMode.IN_PERSON,
    "person": AttendanceMode.IN_PERSON, "video": AttendanceMode.VIDEO, "virtual": AttendanceMode.VIDEO,
    "remote": AttendanceMode.VIDEO, "webex": AttendanceMode.VIDEO, "online": AttendanceMode.VIDEO,
})


def _quoted(text: str) -> str:
    return f"“{text}”"


def _suggestion(wanted: str, choices: dict[str, str], *, cutoff: float = 0.6) -> str:
    """ ' — did you mean “X”?' for the closest of `choices` (folded key -> display), or ''."""
    key = " ".join(fold(wanted).split())
    containing = {name for folded, name in choices.items() if key and key in folded}
    if len(containing) == 1:
        return f" — did you mean {_quoted(containing.pop())}?"
    close = difflib.get_close_matches(key, list(choices), n=1, cutoff=cutoff)
    return f" — did you mean {_quoted(choices[close[0]])}?" if close else ""


def parse_kind(text: str) -> AppointmentKind:
    """An appointment kind from its value, its label or a common word for it."""
    words = _words(text)
    if not words:
        raise ValueError("no kind of appointment given (for example: master calendar or ICE check-in)")
    if words in KIND_WORDS:
        return KIND_WORDS[words]
    if words in ("bond", "bond appointment"):
        raise ValueError(f"{_quoted(text)} could be a bond hearing or a bond payment: write which")
    # Only a near-miss spelling earns a guess here: the message lists every kind anyway.
    hint = _suggestion(words, {key: key for key in KIND_WORDS}, cutoff=0.8)
    raise ValueError(f"{_quoted(text)} is not a kind of appointment{hint} (use one of: {KIND_HINT})")


def parse_roles(text: str) -> list[ShiftRole]:
    """The help needed, in the order the form lists roles; empty means none."""
    found: set[ShiftRole] = set()
    for part in re.split(r"[;,&+\n]|\s+and\s+", text or ""):
        words = _words(part)
        if not words:
            continue
        roles = ROLE_WORDS.get(words)
        if roles is None:
            raise ValueError(f"{_quoted(part.strip())} is not a kind of help (use: {ROLE_HINT})")
        found.update(roles if isinstance(roles, tuple) else (roles,))
    return [role for role in ShiftRole if role in found]


def parse_date(text: str) -> date:
    """A date written 2026-12-08 or 12/8/2026 (month first, as US spreadsheets write it)."""
    text = (text or "").strip()
    if not text:
        raise ValueError("no date given")
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    us = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})", text)
    try:
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        if us:
            year = int(us.group(3))
            return date(year + 2000 if year < 100 else year, int(us.group(1)), int(us.group(2)))
    except ValueError:
        pass
    raise ValueError(f"{text} is not a date. Write dates like 2026-12-08 or 12/8/2026 (month first)")


def parse_time(text: str) -> time:
    """A time written 08:30 or 14:00 (24-hour) or 8:30 AM / 2 pm."""
    text = (text or "").strip()
    if not text:
        raise ValueError("no time given")
    bad = ValueError(f"{text} is not a time. Write times like 08:30, 14:00 or 2:00 PM")
    twelve = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*([ap])\.?\s*m?\.?", text, re.IGNORECASE)
    if twelve:
        hour, minute = int(twelve.group(1)), int(twelve.group(2) or 0)
        if not (1 <= hour <= 12 and minute < 60):
            raise bad
        return time(hour % 12 + (12 if twelve.group(4).lower() == "p" else 0), minute)
    clock = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", text)
    if not clock or int(clock.group(1)) > 23 or int(clock.group(2)) > 59:
        raise bad
    hour, minute = int(clock.group(1)), int(clock.group(2))
    if 0 < hour < 6:
        # Nothing happens at a court at 2 in the morning: "2:00" almost always means 2 PM.
        raise ValueError(
            f"{text} would mean {hour}:{minute:02d} in the middle of the night. Write {hour}:{minute:02d} PM "
            f"or {hour + 12}:{minute:02d} (or {hour}:{minute:02d} AM if that is really meant)"
        )
    return time(hour, minute)


def parse_mode(text: str) -> AttendanceMode:
    words = _words(text)
    if not words:
        return AttendanceMode.IN_PERSON
    if words in MODE_WORDS:
        return MODE_WORDS[words]
    raise ValueError(f"{_quoted(text)} is not a way to attend: write “in person” or “video”")


def parse_language(text: str) -> Language | None:
    """An interpreter language by name or code; empty (or “none”) means no interpreter."""
    words = _words(text)
    if words in NO_LANGUAGE:
        return None
    if words in LANGUAGE_WORDS:
        return LANGUAGE_WORDS[words]
    names = ", ".join(language.label for language in Language)
    raise ValueError(f"{_quoted(text)} is not a language on the list ({names})")


_PHONE_CHARACTERS = re.compile(r"\+?[\d\s().\-]+")


def looks_like_phone(text: str) -> bool:
    return bool(_PHONE_CHARACTERS.fullmatch(text)) and sum(ch.isdigit() for ch in text) >= 7


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
    problems: list[str] = field(default_factory=list)

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
    def problems(self) -> list[str]:
        """Every problem, in file order, as “row N: …”."""
        return [f"row {row.number}: {problem}" for row in self.rows for problem in row.problems]

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
                try:
                    hashes.add(phone_index(normalize_phone(text)))
                except InvalidPhone:
                    pass
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
            raise ValueError("no family given (write the family's name or phone number)")
        if looks_like_phone(text):
            try:
                e164 = normalize_phone(text)
            except InvalidPhone:
                raise ValueError(
                    f"{_quoted(text)} is not a valid phone number (10 digits for a US number, "
                    "or + and the country code)"
                ) from None
            family = self.by_hash.get(phone_index(e164))
            if family is None:
                raise ValueError(f"no family has the phone number {format_national(e164)}")
            if family.closed_at is not None:
                raise ValueError(
                    f"the family with the phone number {format_national(e164)} is closed: reopen it first"
                )
            return family
        matches = self.families_named.get(_name_key(text), [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            count = "two" if len(matches) == 2 else str(len(matches))
            raise ValueError(f"{count} families are named {_quoted(text)}: use the phone number instead")
        names = {key: families[0].name for key, families in self.families_named.items()}
        raise ValueError(f"no open family is named {_quoted(text)}{_suggestion(text, names)}")

    def location(self, text: str) -> Location:
        if not text:
            raise ValueError("no location given")
        key = _name_key(text)
        if key in self.active:
            return self.active[key]
        if key in self.inactive:
            raise ValueError(f"the location {_quoted(self.inactive[key].name)} is no longer in use")
        names = {folded: place.name for folded, place in self.active.items()}
        raise ValueError(f"no location named {_quoted(text)}{_suggestion(text, names)}")


def _read_row(number: int, cells: list[str], sheet: Sheet, directory: _Directory, now: datetime) -> RowPlan:
    row = RowPlan(number=number)

    def cell(column: str) -> str:
        index = sheet.columns.get(column)
        return cells[index] if index is not None and index < len(cells) else ""

    def attempt(read, *args):
        try:
            return read(*args)
        except ValueError as error:
            row.problems.append(str(error))
            return None

    row.cells = {column: cell(column) for column in COLUMNS}
    if any(cells[sheet.width:]):
        row.problems.append(
            "this row has more cells than the heading has columns (a comma inside a cell needs the cell in quotes)"
        )
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
        row.problems.append(f"the judge's name is longer than {JUDGE_MAX} characters")
    row.notes = cell("notes")
    if len(row.notes) > NOTES_MAX:
        row.problems.append(f"the notes are longer than {NOTES_MAX} characters")
    if day is not None and at is not None and row.location is not None:
        row.starts_at = from_local(day, at, row.location.timezone)
        if row.starts_at <= now:
            row.problems.append("that time has already passed — check the date (and AM/PM)")
    return row


def _find_repeats(rows: list[RowPlan]) -> None:
    """Rows for the same family at the same moment, within the file and against what exists."""
    first_at: dict[tuple[int, datetime], int] = {}
    for row in rows:
        if row.family is None or row.starts_at is None:
            continue
        key = (row.family.id, row.starts_at)
        if key in first_at:
            row.problems.append(f"repeats row {first_at[key]}: the same family at the same date and time")
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
            row.problems.append("this family already has an appointment at that date and time")


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
        raise ImportNotClean(
            preview,
            f"The file changed since its preview: it now has {len(preview.rows)} "
            f"row{'s' if len(preview.rows) != 1 else ''}. "
            "Check them below and import again.",
        )
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


# -- the export ----------------------------------------------------------------------------------

EXPORT_HEADING = [
    "Date", "Time", "Kind", "Location", "Family", "Family phone", "Mode", "Verified on", "Verified by",
    "Status", "Outcome", "Role", "Shift starts", "Shift ends", "Slots", "Filled", "Volunteers",
]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """`value` as text a spreadsheet will never run as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def write_csv(heading: list[str], rows: list[list[object]]) -> str:
    """CSV text with a UTF-8 BOM (so Excel reads accents right) and every cell made safe."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in heading])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()


@dataclass
class CoverageExport:
    filename: str
    text: str
    rows: int
    appointments: int


def default_export_range(*, now: datetime, tz_name: str) -> tuple[date, date]:
    """Today and 30 days on, in local dates."""
    today = to_local(now, tz_name).date()
    return today, today + timedelta(days=30)


def _clock(moment: datetime, tz_name: str, day: date) -> str:
    """Local 24-hour time; with the date too when it falls on another day than `day`."""
    local = to_local(moment, tz_name)
    return local.strftime("%H:%M") if local.date() == day else local.strftime("%Y-%m-%d %H:%M")


def _export_lines(appointment: Appointment) -> list[list[object]]:
    tz_name = appointment.location.timezone
    local = to_local(appointment.starts_at, tz_name)
    family = appointment.family
    common = [
        local.date().isoformat(), local.strftime("%H:%M"), appointment.kind.label,
        appointment.location.name, family.name, format_national(family.phone), appointment.mode.label,
        appointment.verified_on.isoformat() if appointment.verified_on else "", appointment.verified_by,
        appointment.status.label, appointment.outcome.label if appointment.outcome else "",
    ]
    if not appointment.shifts:
        return [common + ["", "", "", "", "", ""]]
    return [
        common + [
            shift.role.label, _clock(shift.starts_at, tz_name, local.date()),
            _clock(shift.ends_at, tz_name, local.date()), shift.slots, shift.filled,
            "; ".join(claim.volunteer.name for claim in shift.claims),
        ]
        for shift in appointment.shifts
    ]


def export_coverage(start: date, end: date, *, tz_name: str, by: User, now: datetime) -> CoverageExport:
    """Appointments on local dates `start`..`end` (inclusive) and their coverage, as CSV.

    Dates are each appointment's own local date at its location. The export is audited with
    its range and size only.
    """
    if end < start:
        raise ExportRangeInvalid("The end date is before the start date.")
    if (end - start).days >= MAX_EXPORT_DAYS:
        raise ExportRangeInvalid(f"Choose at most {MAX_EXPORT_DAYS} days at a time.")
    # A day either side in UTC covers every place's time zone; the local date decides.
    lower = from_local(start - timedelta(days=1), time(0), tz_name)
    upper = from_local(end + timedelta(days=2), time(0), tz_name)
    found = db.session.scalars(
        select(Appointment)
        .where(Appointment.starts_at >= lower, Appointment.starts_at < upper)
        .options(
            selectinload(Appointment.location),
            selectinload(Appointment.family),
            selectinload(Appointment.shifts).selectinload(Shift.claims).selectinload(Claim.volunteer),
        )
        .order_by(Appointment.starts_at, Appointment.id)
    )
    appointments = [
        appointment for appointment in found
        if start <= to_local(appointment.starts_at, appointment.location.timezone).date() <= end
    ]
    lines = [line for appointment in appointments for line in _export_lines(appointment)]
    record_event(
        "appointments.exported", now=now, actor=by,
        start=start.isoformat(), end=end.isoformat(), rows=len(lines), appointments=len(appointments),
    )
    db.session.flush()
    return CoverageExport(
        filename=f"appointments-{start.isoformat()}-to-{end.isoformat()}.csv",
        text=write_csv(EXPORT_HEADING, lines),
        rows=len(lines),
        appointments=len(appointments),
    )
