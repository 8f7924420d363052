"""CSV files: reading an uploaded spreadsheet and its cells, and writing one a spreadsheet opens safely.

The reader accepts what Excel and Google Sheets actually save (a BOM, `;` or tab delimiters,
Excel's `sep=` hint, blank lines) and says in plain words when a file cannot be read. The cell
parsers turn what people type ("ICE check-in", "12/8/2026", "2 pm") into values, or raise
ValueError with a message meant for the person who typed it (a `Phrase`, so the page shows it in
its own language; the file's own words stay English, as `Code`). Every cell written is defused so
a spreadsheet never runs it as a formula.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import re
from dataclasses import dataclass
from datetime import date, time

from accompany.marks import N_
from accompany.models import AppointmentKind, AttendanceMode, Language, ShiftRole
from accompany.phrases import Code, Phrase
from accompany.services.errors import DomainError
from accompany.words import fold

MAX_ROWS = 2000

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

    message = N_("This file cannot be read as a spreadsheet.")


# Each message that says how to save a CSV file says it whole (a page translates whole sentences).
class UnreadableFile(SpreadsheetError):
    message = N_("This file does not look like a CSV spreadsheet. In Excel choose File → Save As → “CSV UTF-8 "
                 "(Comma delimited)”; in Google Sheets choose File → Download → “Comma-separated values (.csv)”.")


class NotUTF8(SpreadsheetError):
    message = N_("This file is not saved as UTF-8 text, so accents would come out wrong. In Excel choose File → "
                 "Save As → “CSV UTF-8 (Comma delimited)”; in Google Sheets choose File → Download → "
                 "“Comma-separated values (.csv)”.")


class EmptySpreadsheet(SpreadsheetError):
    message = N_("The file is empty: there are no appointments in it.")


class TooManyRows(SpreadsheetError):
    def __init__(self, count: int):
        super().__init__(N_("The file has %(count)s appointment rows; at most %(most)s can be imported at once. "
                            "Split it into smaller files."), count=count, most=MAX_ROWS)
        self.count = count


class BadHeading(SpreadsheetError):
    """The first row does not name the columns an import needs."""


class CellTooLong(SpreadsheetError):
    """A cell longer than the CSV reader takes (csv.field_size_limit()): no spreadsheet of
    appointments has one, but a quote mark never closed makes the rest of the file one cell."""

    def __init__(self):
        super().__init__(
            N_("A cell in this file is longer than %(most)s characters, so it cannot be read. Check the file for "
               "a quote mark (\") that is never closed, or a very long heading. In Excel choose File → Save As → "
               "“CSV UTF-8 (Comma delimited)”; in Google Sheets choose File → Download → “Comma-separated values "
               "(.csv)”."), most=f"{csv.field_size_limit():,}")



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
        try:
            cells = next(csv.reader([first_line], delimiter=delimiter), [])
        except csv.Error:  # a cell too long read this way: reading the whole file says so
            continue
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
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise CellTooLong() from None
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
        raise EmptySpreadsheet(N_("The file has a heading row but no appointments under it."))
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
            raise BadHeading(N_("The heading row names the “%(column)s” column twice. Keep one of them."), column=column)
        columns[column] = index
    if not columns:
        raise UnreadableFile(
            N_("The first row must name the columns: %(required)s (and, if you like, %(optional)s). Download the "
               "template to see how."), required=", ".join(REQUIRED_COLUMNS), optional=", ".join(COLUMNS[5:]))
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if missing:
        names = ", ".join(f"“{column}”" for column in missing)
        raise BadHeading(
            N_("The file has no %(names)s column. The first row must name the columns: %(required)s "
               "(%(optional)s are optional).") if len(missing) == 1 else
            N_("The file has no %(names)s columns. The first row must name the columns: %(required)s "
               "(%(optional)s are optional)."),
            names=names, required=", ".join(REQUIRED_COLUMNS), optional=", ".join(COLUMNS[5:]))
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
    "supervision check-in": AppointmentKind.SUPERVISION_CHECK_IN, "ISAP": AppointmentKind.SUPERVISION_CHECK_IN,
    "ISAP check-in": AppointmentKind.SUPERVISION_CHECK_IN,
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


def suggestion(wanted: str, choices: dict[str, str], *, cutoff: float = 0.6) -> str | None:
    """The closest of `choices` (folded key -> display) to what was written, if one is close."""
    key = " ".join(fold(wanted).split())
    containing = {name for folded, name in choices.items() if key and key in folded}
    if len(containing) == 1:
        return containing.pop()
    close = difflib.get_close_matches(key, list(choices), n=1, cutoff=cutoff)
    return choices[close[0]] if close else None


def parse_kind(text: str) -> AppointmentKind:
    """An appointment kind from its value, its label or a common word for it."""
    words = _words(text)
    if not words:
        raise ValueError(Phrase(N_("no kind of appointment given (for example: %(first)s or %(second)s)"),
                                first=Code("master calendar"), second=Code("ICE check-in")))
    if words in KIND_WORDS:
        return KIND_WORDS[words]
    if words in ("bond", "bond appointment"):
        raise ValueError(Phrase(N_("“%(text)s” could be a bond hearing or a bond payment: write which"), text=text))
    # Only a near-miss spelling earns a guess here: the message lists every kind anyway.
    near = suggestion(words, {key: key for key in KIND_WORDS}, cutoff=0.8)
    if near:
        raise ValueError(Phrase(N_("“%(text)s” is not a kind of appointment — did you mean “%(suggested)s”? "
                                   "(use one of: %(kinds)s)"), text=text, suggested=Code(near), kinds=Code(KIND_HINT)))
    raise ValueError(Phrase(N_("“%(text)s” is not a kind of appointment (use one of: %(kinds)s)"),
                            text=text, kinds=Code(KIND_HINT)))


def parse_roles(text: str) -> list[ShiftRole]:
    """The help needed, in the order the form lists roles; empty means none."""
    found: set[ShiftRole] = set()
    for part in re.split(r"[;,&+\n]|\s+and\s+", text or ""):
        words = _words(part)
        if not words:
            continue
        roles = ROLE_WORDS.get(words)
        if roles is None:
            raise ValueError(Phrase(N_("“%(text)s” is not a kind of help (use: %(roles)s)"),
                                    text=part.strip(), roles=Code(ROLE_HINT)))
        found.update(roles if isinstance(roles, tuple) else (roles,))
    return [role for role in ShiftRole if role in found]


def parse_date(text: str) -> date:
    """A date written 2026-12-08 or 12/8/2026 (month first, as US spreadsheets write it)."""
    text = (text or "").strip()
    if not text:
        raise ValueError(Phrase(N_("no date given")))
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
    raise ValueError(Phrase(N_("%(text)s is not a date. Write dates like %(iso)s or %(us)s (month first)"),
                            text=text, iso=Code("2026-12-08"), us=Code("12/8/2026")))


def parse_time(text: str) -> time:
    """A time written 08:30 or 14:00 (24-hour) or 8:30 AM / 2 pm."""
    text = (text or "").strip()
    if not text:
        raise ValueError(Phrase(N_("no time given")))
    bad = ValueError(Phrase(N_("%(text)s is not a time. Write times like %(first)s, %(second)s or %(third)s"),
                            text=text, first=Code("08:30"), second=Code("14:00"), third=Code("2:00 PM")))
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
        raise ValueError(Phrase(
            N_("%(text)s would mean %(time)s in the middle of the night. Write %(pm)s or %(afternoon)s (or %(am)s "
               "if that is really meant)"), text=text, time=f"{hour}:{minute:02d}", pm=Code(f"{hour}:{minute:02d} PM"),
            afternoon=Code(f"{hour + 12}:{minute:02d}"), am=Code(f"{hour}:{minute:02d} AM")))
    return time(hour, minute)


def parse_mode(text: str) -> AttendanceMode:
    words = _words(text)
    if not words:
        return AttendanceMode.IN_PERSON
    if words in MODE_WORDS:
        return MODE_WORDS[words]
    raise ValueError(Phrase(N_("“%(text)s” is not a way to attend: write “%(in_person)s” or “%(video)s”"),
                            text=text, in_person=Code("in person"), video=Code("video")))


def parse_language(text: str) -> Language | None:
    """An interpreter language by name or code; empty (or “none”) means no interpreter."""
    words = _words(text)
    if words in NO_LANGUAGE:
        return None
    if words in LANGUAGE_WORDS:
        return LANGUAGE_WORDS[words]
    names = ", ".join(language.label for language in Language)
    raise ValueError(Phrase(N_("“%(text)s” is not a language on the list (%(names)s)"), text=text, names=Code(names)))


_PHONE_CHARACTERS = re.compile(r"\+?[\d\s().\-]+")


def looks_like_phone(text: str) -> bool:
    return bool(_PHONE_CHARACTERS.fullmatch(text)) and sum(ch.isdigit() for ch in text) >= 7


# -- writing a file ------------------------------------------------------------------------------

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
