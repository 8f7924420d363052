"""Spreadsheets: importing appointments from CSV (preview, then all or nothing) and exporting coverage."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import func, select

from accompany.clock import utcnow
from accompany.coordinator.spreadsheet_forms import pack_text
from accompany.models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    AttendanceMode,
    AuditEvent,
    Language,
    OutboundMessage,
    Outcome,
    PageLanguage,
    Shift,
    ShiftRole,
)
from accompany.services.scheduling import appointment_import, coverage_export, csv_files
from accompany.timezones import from_local
from tests.conftest import NOW, csrf_token
from tests.support.browsing import logged_in
from tests.support.queries import count_queries

HEADING = "family,location,kind,date,time,needs"
COURT = "Boston Immigration Court"


@pytest.fixture
def court(make):
    return make.location(name=COURT)


def sheet(*rows: str, heading: str = HEADING) -> str:
    return "\r\n".join([heading, *rows]) + "\r\n"


def counts(db) -> tuple[int, int, int]:
    """(appointments, shifts, outbox rows)."""
    return tuple(
        db.session.scalar(select(func.count()).select_from(model)) for model in (Appointment, Shift, OutboundMessage)
    )


def only_row(preview: appointment_import.ImportPreview) -> appointment_import.RowPlan:
    assert len(preview.rows) == 1
    return preview.rows[0]


# -- reading cells -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2026-12-08", "12/8/2026", "12/08/2026", "12/8/26"])
def test_dates_are_read_in_iso_or_us_order(text):
    assert csv_files.parse_date(text) == date(2026, 12, 8)


@pytest.mark.parametrize(
    "text, message",
    [
        ("31/02/2026", "31/02/2026 is not a date"),
        ("2026-02-30", "2026-02-30 is not a date"),
        ("next tuesday", "next tuesday is not a date"),
        ("", "no date given"),
    ],
)
def test_a_wrong_date_says_what_a_right_one_looks_like(text, message):
    with pytest.raises(ValueError, match=message) as error:
        csv_files.parse_date(text)
    if text:
        assert "like 2026-12-08 or 12/8/2026 (month first)" in str(error.value)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("08:30", time(8, 30)), ("8:30", time(8, 30)), ("14:00", time(14)), ("08:30:00", time(8, 30)),
        ("8:30 AM", time(8, 30)), ("2:00 PM", time(14)), ("2 pm", time(14)), ("9am", time(9)),
        ("12:00 PM", time(12)), ("12:15 a.m.", time(0, 15)), ("1:30 p.m.", time(13, 30)),
    ],
)
def test_times_are_read_in_24_hour_or_am_pm_form(text, expected):
    assert csv_files.parse_time(text) == expected


@pytest.mark.parametrize("text", ["25:00", "8:75", "13:00 PM", "half past eight"])
def test_a_wrong_time_says_what_a_right_one_looks_like(text):
    with pytest.raises(ValueError, match=f"{re.escape(text)} is not a time. Write times like 08:30"):
        csv_files.parse_time(text)


def test_a_small_hour_without_am_or_pm_is_queried_not_taken_as_the_night():
    with pytest.raises(ValueError, match="would mean 2:00 in the middle of the night. Write 2:00 PM or 14:00"):
        csv_files.parse_time("2:00")
    assert csv_files.parse_time("2:00 AM") == time(2)


@pytest.mark.parametrize(
    "text, kind",
    [
        ("master_calendar", AppointmentKind.MASTER_CALENDAR),
        ("Court hearing: master calendar", AppointmentKind.MASTER_CALENDAR),
        ("Master", AppointmentKind.MASTER_CALENDAR),
        ("individual", AppointmentKind.INDIVIDUAL_HEARING),
        ("Merits", AppointmentKind.INDIVIDUAL_HEARING),
        ("bond hearing", AppointmentKind.BOND_HEARING),
        ("check-in", AppointmentKind.ICE_CHECK_IN),
        ("ICE Check-In", AppointmentKind.ICE_CHECK_IN),
        ("bond payment", AppointmentKind.BOND_PAYMENT),
        ("visit", AppointmentKind.DETENTION_VISIT),
        ("USCIS", AppointmentKind.USCIS_APPOINTMENT),
        ("other", AppointmentKind.OTHER),
    ],
)
def test_kinds_are_read_from_values_labels_and_common_words(text, kind):
    assert csv_files.parse_kind(text) == kind


def test_an_unknown_or_ambiguous_kind_is_explained():
    with pytest.raises(ValueError, match="could be a bond hearing or a bond payment"):
        csv_files.parse_kind("Bond")
    with pytest.raises(ValueError, match="“master calender” is not a kind of appointment — did you mean “master calendar”"):
        csv_files.parse_kind("master calender")
    with pytest.raises(ValueError, match="no kind of appointment given"):
        csv_files.parse_kind(" ")


@pytest.mark.parametrize(
    "text, roles",
    [
        ("ride there; companion", [ShiftRole.RIDE_THERE, ShiftRole.COMPANION]),
        ("Companion, Ride home", [ShiftRole.RIDE_HOME, ShiftRole.COMPANION]),
        ("ride", [ShiftRole.RIDE_THERE]),
        ("rides", [ShiftRole.RIDE_THERE, ShiftRole.RIDE_HOME]),
        ("interpreter and bond", [ShiftRole.INTERPRETER, ShiftRole.BOND_HELP]),
        ("Court / check-in companion", [ShiftRole.COMPANION]),
        ("ride_home;visit;visit", [ShiftRole.RIDE_HOME, ShiftRole.VISIT]),
        ("", []),
    ],
)
def test_needs_are_read_from_values_labels_and_common_words(text, roles):
    assert csv_files.parse_roles(text) == roles


def test_an_unknown_need_is_explained():
    with pytest.raises(ValueError, match="“lawyer” is not a kind of help"):
        csv_files.parse_roles("ride there; lawyer")


def test_mode_and_interpreter_language_are_read_from_words():
    assert csv_files.parse_mode("") == AttendanceMode.IN_PERSON
    assert csv_files.parse_mode("In-person") == AttendanceMode.IN_PERSON
    assert csv_files.parse_mode("by video") == AttendanceMode.VIDEO
    assert csv_files.parse_language("Español") == Language.SPANISH
    assert csv_files.parse_language("ht") == Language.HAITIAN_CREOLE
    assert csv_files.parse_language("K'iche'") == Language.KICHE
    assert csv_files.parse_language("none") is None
    with pytest.raises(ValueError, match="“by carrier pigeon” is not a way to attend"):
        csv_files.parse_mode("by carrier pigeon")
    with pytest.raises(ValueError, match="“Klingon” is not a language on the list"):
        csv_files.parse_language("Klingon")


# -- reading the file ----------------------------------------------------------------------------


def test_excel_and_sheets_files_are_read_whatever_their_delimiter_bom_and_heading_case():
    comma = csv_files.read_sheet("\ufeff Family ,LOCATION,Kind,Date,Time\r\nMaria G.,Court,master,12/8/2026,8:30 AM\r\n")
    semicolon = csv_files.read_sheet("family;location;kind;date;time\nMaria G.;Court;master;12/8/2026;8:30 AM\n")
    hinted = csv_files.read_sheet("sep=;\nfamily;location;kind;date;time\nMaria G.;Court;master;12/8/2026;8:30 AM\n")
    for read in (comma, semicolon, hinted):
        assert read.rows == [(2, ["Maria G.", "Court", "master", "12/8/2026", "8:30 AM"])]
        assert list(read.columns) == ["family", "location", "kind", "date", "time"]


def test_decimal_commas_in_a_semicolon_file_do_not_confuse_the_delimiter():
    read = csv_files.read_sheet('family;location;kind;date;time;notes\nA;B;master;12/8/2026;8:30;"bond 1,500; cash"\n')
    assert read.rows[0][1][5] == "bond 1,500; cash"


def test_row_numbers_are_the_ones_the_spreadsheet_shows():
    text = f'{HEADING}\n\nA,B,master,12/8/2026,8:30,\n"C","note with\nnewline",master,12/8/2026,9:00,\n,,,,,\nD,B,master,12/8/2026,9:00,\n'
    assert [number for number, _ in csv_files.read_sheet(text).rows] == [3, 4, 6]


def test_unknown_columns_are_ignored_and_named():
    read = csv_files.read_sheet("family,location,kind,date,time,case worker\nA,B,master,12/8/2026,8:30,Sam\n")
    assert read.ignored == ["case worker"]


@pytest.mark.parametrize(
    "text, error, message",
    [
        ("", csv_files.EmptySpreadsheet, "The file is empty"),
        ("\ufeff\r\n \r\n", csv_files.EmptySpreadsheet, "The file is empty"),
        (HEADING + "\r\n", csv_files.EmptySpreadsheet, "heading row but no appointments"),
        ("family,location,date,time\nA,B,12/8/2026,8:30\n", csv_files.BadHeading, "The file has no “kind” column"),
        ("family,location,kind,kind,date,time\n", csv_files.BadHeading, "names the “kind” column twice"),
        ("hello world\nthis is a letter\n", csv_files.UnreadableFile, "The first row must name the columns"),
    ],
)
def test_a_file_that_is_not_an_appointments_sheet_gets_a_clear_message(text, error, message):
    with pytest.raises(error, match=message):
        csv_files.read_sheet(text)


@pytest.mark.parametrize("text", [
    "family,location,kind,date,time," + "x" * 131_073 + "\r\nA,B,master,12/8/2026,8:30,\r\n",  # a heading cell
    "x" * 140_000 + "\r\nA,B,master,12/8/2026,8:30\r\n",  # a heading that is one long word
    sheet('"A,B,master,12/8/2026,8:30,' + "x" * 140_000),  # a quote mark never closed
])
def test_a_cell_longer_than_the_csv_reader_takes_gets_a_clear_message(text):
    with pytest.raises(csv_files.CellTooLong, match="longer than 131,072 characters"):
        csv_files.read_sheet(text)


def test_more_than_2000_rows_are_refused_with_a_clear_message():
    text = sheet(*["A,B,master,12/8/2026,8:30,"] * 2001)
    with pytest.raises(csv_files.TooManyRows, match="2001 appointment rows; at most 2000"):
        csv_files.read_sheet(text)
    assert len(csv_files.read_sheet(sheet(*["A,B,master,12/8/2026,8:30,"] * 2000)).rows) == 2000


def test_uploads_must_be_utf8_text():
    assert csv_files.decode_upload("\ufefffamily,Lucía".encode()) == "family,Lucía"
    with pytest.raises(csv_files.NotUTF8, match="not saved as UTF-8"):
        csv_files.decode_upload("family,Lucía".encode("cp1252"))
    with pytest.raises(csv_files.UnreadableFile, match="does not look like a CSV"):
        csv_files.decode_upload(b"PK\x03\x04\x14\x00\x06\x00")  # an .xlsx renamed
    with pytest.raises(csv_files.UnreadableFile):
        csv_files.decode_upload("family,location".encode("utf-16"))
    with pytest.raises(csv_files.EmptySpreadsheet):
        csv_files.decode_upload(b"  \r\n")


# -- the preview ---------------------------------------------------------------------------------


def test_a_clean_row_says_what_it_will_create_in_the_locations_time_zone(make, db):
    family = make.family(name="Lucía G.", phone="617-555-0142", language=Language.PORTUGUESE)
    chicago = make.location(name="Chicago Immigration Court", timezone="America/Chicago")
    text = sheet(
        "LUCIA G.,chicago immigration court,Merits,12/8/2026,1:30 PM,ride there; interpreter,Judge Ruiz,,video,Bring the letter",
        heading=HEADING + ",judge,interpreter,mode,notes",
    )
    row = only_row(appointment_import.preview_import(text, now=NOW))
    assert row.ok, row.problems
    assert (row.family, row.location, row.kind) == (family, chicago, AppointmentKind.INDIVIDUAL_HEARING)
    assert row.starts_at == datetime(2026, 12, 8, 19, 30, tzinfo=UTC)  # 1:30 PM in Chicago
    assert row.roles == [ShiftRole.RIDE_THERE, ShiftRole.INTERPRETER]
    assert (row.mode, row.judge, row.notes) == (AttendanceMode.VIDEO, "Judge Ruiz", "Bring the letter")
    interpreter = next(plan for plan in row.shift_plans() if plan.role == ShiftRole.INTERPRETER)
    assert interpreter.language == Language.PORTUGUESE  # from the family, no interpreter column


@pytest.mark.parametrize("written", ["(617) 555-0142", "+1 617 555 0142", "617.555.0142", "6175550142"])
def test_a_family_is_found_by_its_phone_through_the_blind_index(make, db, court, written):
    family = make.family(name="Maria G.", phone="617-555-0142")
    make.family(name="Maria G.", phone="617-555-0199")  # a namesake does not matter
    row = only_row(appointment_import.preview_import(sheet(f'"{written}",{COURT},master,12/8/2026,08:30,'), now=NOW))
    assert row.ok, row.problems
    assert row.family == family


def test_two_families_with_one_name_must_be_told_apart_by_phone(make, db, court):
    make.family(name="Maria G.", phone="617-555-0142")
    make.family(name="maría g.", phone="617-555-0199")
    make.family(name="Ana P.", phone="617-555-0111", closed_at=NOW)  # closed: not a candidate
    make.family(name="Ana P.", phone="617-555-0112")
    preview = appointment_import.preview_import(
        sheet(f"Maria G.,{COURT},master,12/8/2026,08:30,", f"Ana P.,{COURT},master,12/8/2026,09:30,"), now=NOW
    )
    assert preview.problems == ["row 2: two families are named “Maria G.”: use the phone number instead"]


def test_unknown_families_and_phones_are_explained(make, db, court):
    make.family(name="Maria G.", phone="617-555-0142")
    make.family(name="Closed C.", phone="617-555-0177", closed_at=NOW)
    preview = appointment_import.preview_import(
        sheet(
            f"Maria,{COURT},master,12/8/2026,08:30,",
            f"617-555-0100,{COURT},master,12/8/2026,08:30,",
            f"617-555-01,{COURT},master,12/8/2026,08:30,",
            f"617-555-0177,{COURT},master,12/8/2026,08:30,",
            f",{COURT},master,12/8/2026,08:30,",
        ),
        now=NOW,
    )
    assert preview.problems == [
        "row 2: no open family is named “Maria” — did you mean “Maria G.”?",
        "row 3: no family has the phone number (617) 555-0100",
        "row 4: “617-555-01” is not a valid phone number (10 digits for a US number, or + and the country code)",
        "row 5: the family with the phone number (617) 555-0177 is closed: reopen it first",
        "row 6: no family given (write the family's name or phone number)",
    ]


def test_every_problem_of_every_row_is_listed_in_plain_words(make, db, court):
    make.family(name="Maria G.", phone="617-555-0142")
    make.location(name="Old Office", active=False)
    preview = appointment_import.preview_import(
        sheet(
            f"Maria G.,{COURT},master,12/8/2026,08:30,ride there",
            "Maria G.,Boston Court,master,12/9/2026,08:30,",
            "Maria G.,Old Office,master,12/9/2026,08:30,",
            f"Maria G.,{COURT},hearing,12/10/2026,08:30,",
            f"Maria G.,{COURT},master,31/02/2026,25:00,",
            f"Maria G.,{COURT},master,11/20/2026,08:30,",
            f"Maria G.,{COURT},master,12/11/2026,08:30,lawyer",
            f"Maria G.,{COURT},ICE check-in,12/8/2026,8:30 AM,",
            f"Maria G.,{COURT},master,12/12/2026,08:30,,extra",
        ),
        now=NOW,
    )
    assert preview.problems == [
        "row 3: no location named “Boston Court” — did you mean “Boston Immigration Court”?",
        "row 4: the location “Old Office” is no longer in use",
        "row 5: “hearing” is not a kind of appointment (use one of: master calendar, individual, bond hearing, "
        "ICE check-in, bond payment, detention visit, USCIS or other)",
        "row 6: 31/02/2026 is not a date. Write dates like 2026-12-08 or 12/8/2026 (month first)",
        "row 6: 25:00 is not a time. Write times like 08:30, 14:00 or 2:00 PM",
        "row 7: that time has already passed — check the date (and AM/PM)",
        "row 8: “lawyer” is not a kind of help (use: ride there, ride home, companion, interpreter, bond help or visit)",
        "row 9: repeats row 2: the same family at the same date and time",
        "row 10: this row has more cells than the heading has columns (a comma inside a cell needs the cell in quotes)",
    ]
    assert not preview.clean
    assert preview.rows[0].ok


def test_a_row_for_an_appointment_the_family_already_has_is_a_problem(make, db, court):
    family = make.family(name="Maria G.", phone="617-555-0142")
    starts = from_local(date(2026, 12, 8), time(8, 30), "America/New_York")
    make.appointment(family=family, location=court, starts_at=starts)
    make.appointment(
        family=family, location=court, starts_at=starts + timedelta(days=1), status=AppointmentStatus.CANCELLED
    )
    preview = appointment_import.preview_import(
        sheet(f"Maria G.,{COURT},master,12/8/2026,08:30,", f"Maria G.,{COURT},master,12/9/2026,08:30,"), now=NOW
    )
    assert preview.problems == ["row 2: this family already has an appointment at that date and time"]


def test_long_judge_and_notes_are_refused(make, db, court):
    make.family(name="Maria G.")
    text = sheet(f"Maria G.,{COURT},master,12/8/2026,08:30,,{'J' * 121},{'n' * 4001}", heading=HEADING + ",judge,notes")
    assert appointment_import.preview_import(text, now=NOW).problems == [
        "row 2: the judge's name is longer than 120 characters",
        "row 2: the notes are longer than 4000 characters",
    ]


# -- importing -----------------------------------------------------------------------------------


def test_one_bad_row_among_good_ones_saves_nothing(make, db, court):
    make.family(name="Maria G.", phone="617-555-0142")
    make.family(name="Ana P.", phone="617-555-0143")
    coordinator = make.coordinator()
    before = counts(db)
    events_before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    text = sheet(
        f"Maria G.,{COURT},master,12/8/2026,08:30,ride there; companion",
        f"Ana P.,{COURT},master,12/8/2026,31:00,companion",
        f"Ana P.,{COURT},master,12/9/2026,09:00,companion",
    )
    with pytest.raises(appointment_import.ImportNotClean, match="Nothing was imported: the file has 1 problem") as error:
        appointment_import.import_appointments(text, by=coordinator, now=NOW)
    assert error.value.preview.problems == ["row 3: 31:00 is not a time. Write times like 08:30, 14:00 or 2:00 PM"]
    db.session.rollback()
    assert counts(db) == before == (0, 0, 0)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events_before


def test_a_clean_file_creates_appointments_with_shifts_and_family_reminders(make, db, court):
    maria = make.family(name="Maria G.", phone="617-555-0142")
    ana = make.family(name="Ana P.", phone="617-555-0143")
    coordinator = make.coordinator()
    text = sheet(
        f"Maria G.,{COURT},master,12/8/2026,08:30,ride there; companion",
        f"(617) 555-0143,{COURT},ICE check-in,2026-12-09,2:00 PM,",
    )
    result = appointment_import.import_appointments(text, by=coordinator, now=NOW, expected_rows=2)
    db.session.commit()

    assert (len(result.appointments), result.shifts, result.families) == (2, 2, 2)
    first, second = db.session.scalars(select(Appointment).order_by(Appointment.starts_at)).all()
    assert (first.family, first.kind, first.created_by) == (maria, AppointmentKind.MASTER_CALENDAR, coordinator)
    assert first.starts_at == from_local(date(2026, 12, 8), time(8, 30), "America/New_York")
    assert {shift.role for shift in first.shifts} == {ShiftRole.RIDE_THERE, ShiftRole.COMPANION}
    assert all(shift.ends_at <= first.starts_at + timedelta(hours=4) for shift in first.shifts)
    assert (second.family, second.kind, second.shifts) == (ana, AppointmentKind.ICE_CHECK_IN, [])
    reminders = db.session.scalars(select(OutboundMessage).where(OutboundMessage.appointment_id == first.id)).all()
    assert sorted(row.kind for row in reminders) == ["family_reminder_1d", "family_reminder_3d", "family_reminder_7d"]

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "appointments.imported"))
    assert event.actor == coordinator
    assert event.details == {"rows": 2, "appointments": 2, "shifts": 2, "families": 2}


def test_an_import_that_changed_since_its_preview_is_not_imported(make, db, court):
    make.family(name="Maria G.")
    coordinator = make.coordinator()
    with pytest.raises(appointment_import.ImportNotClean, match="changed since its preview: it now has 1 row. "):
        appointment_import.import_appointments(sheet(f"Maria G.,{COURT},master,12/8/2026,08:30,"), by=coordinator, now=NOW,
                                expected_rows=3)
    assert counts(db) == (0, 0, 0)


def test_the_template_is_a_file_that_imports(make, db, court):
    make.family(name="Maria G.")
    text = appointment_import.import_template(now=NOW, tz_name="America/New_York")
    assert text.startswith("\ufefffamily,location,kind,date,time,needs,judge,interpreter,mode,notes\r\n")
    row = only_row(appointment_import.preview_import(text, now=NOW))
    assert row.ok, row.problems
    assert row.location == court and row.roles == [ShiftRole.RIDE_THERE, ShiftRole.COMPANION]


# -- exporting -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, safe",
    [
        ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
        ("+1 555", "'+1 555"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Maria G.", "Maria G."),
        ("a=b", "a=b"),
        (None, ""),
        (3, "3"),
    ],
)
def test_cells_that_a_spreadsheet_would_run_as_formulas_are_defused(value, safe):
    assert csv_files.safe_cell(value) == safe


def read_export(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def test_export_lists_each_shift_of_each_appointment_in_the_range_and_nothing_else(make, db, court):
    coordinator = make.coordinator()
    family = make.family(name="=cmd|' /C calc'!A0", phone="617-555-0142")
    starts = from_local(date(2026, 12, 8), time(8, 30), "America/New_York")
    appointment = make.appointment(
        family=family, location=court, starts_at=starts, verified_on=date(2026, 11, 20), verified_by="EOIR line"
    )
    ride = make.shift(appointment, role=ShiftRole.RIDE_THERE, starts_at=starts - timedelta(hours=2),
                      ends_at=starts - timedelta(minutes=30), slots=2)
    make.claim(ride, make.volunteer(name="Pat Driver"))
    make.claim(ride, make.volunteer(name="Lee Driver"))
    make.shift(appointment, role=ShiftRole.COMPANION, starts_at=starts - timedelta(minutes=45),
               ends_at=starts + timedelta(hours=3))
    la = make.location(name="LA Court", timezone="America/Los_Angeles")
    late = from_local(date(2026, 12, 10), time(22, 0), "America/Los_Angeles")  # Dec 11 in Boston
    make.appointment(location=la, starts_at=late, kind=AppointmentKind.ICE_CHECK_IN,
                     family=make.family(name="Ana P.", phone="617-555-0143"),
                     status=AppointmentStatus.CLOSED, outcome=Outcome.HELD)
    make.appointment(starts_at=from_local(date(2026, 12, 7), time(23, 0), "America/New_York"),
                     family=make.family(name="Before B.", phone="617-555-0144"))
    make.appointment(starts_at=from_local(date(2026, 12, 11), time(0, 30), "America/New_York"),
                     family=make.family(name="After A.", phone="617-555-0145"))

    export = coverage_export.export_coverage(date(2026, 12, 8), date(2026, 12, 10), tz_name="America/New_York",
                                 by=coordinator, now=NOW)
    lines = read_export(export.text)
    assert (export.rows, export.appointments) == (3, 2)
    assert export.filename == "appointments-2026-12-08-to-2026-12-10.csv"
    assert list(lines[0]) == coverage_export.EXPORT_HEADING
    ride_line, companion_line, check_in = lines
    assert ride_line == {
        "Date": "2026-12-08", "Time": "08:30", "Kind": "Court hearing: master calendar", "Location": COURT,
        "Family": "'=cmd|' /C calc'!A0", "Family phone": "(617) 555-0142", "Mode": "In person",
        "Verified on": "2026-11-20", "Verified by": "EOIR line", "Status": "Scheduled", "Outcome": "",
        "Role": "Ride there", "Shift starts": "06:30", "Shift ends": "08:00", "Slots": "2", "Filled": "2",
        "Volunteers": "Pat Driver; Lee Driver",
    }
    assert (companion_line["Role"], companion_line["Filled"], companion_line["Volunteers"]) == (
        "Court / check-in companion", "0", "")
    assert (check_in["Date"], check_in["Time"], check_in["Family"]) == ("2026-12-10", "22:00", "Ana P.")
    assert (check_in["Status"], check_in["Outcome"], check_in["Role"]) == ("Closed", "Held", "")
    assert "Before B." not in export.text and "After A." not in export.text

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "appointments.exported"))
    assert event.actor == coordinator and event.at == NOW
    assert event.details == {"start": "2026-12-08", "end": "2026-12-10", "rows": 3, "appointments": 2}


def test_export_refuses_a_backwards_or_huge_range(make, db):
    coordinator = make.coordinator()
    with pytest.raises(coverage_export.ExportRangeInvalid, match="end date is before the start date"):
        coverage_export.export_coverage(date(2026, 12, 8), date(2026, 12, 7), tz_name="America/New_York", by=coordinator, now=NOW)
    with pytest.raises(coverage_export.ExportRangeInvalid, match="at most 366 days"):
        coverage_export.export_coverage(date(2026, 1, 1), date(2027, 1, 2), tz_name="America/New_York", by=coordinator, now=NOW)
    whole_year = coverage_export.export_coverage(date(2026, 1, 1), date(2027, 1, 1), tz_name="America/New_York",
                                     by=coordinator, now=NOW)
    assert whole_year.rows == 0


def test_export_takes_the_same_number_of_queries_however_many_rows(make, db, court):
    coordinator = make.coordinator()

    def add_appointments(count: int):
        for n in range(count):
            family = make.family(name=f"Family {n}", phone=f"617-555-{make._n() % 9000 + 1000:04d}")
            appointment = make.appointment(family=family, location=make.location(),
                                           starts_at=NOW + timedelta(days=2, hours=n))
            shift = make.shift(appointment, slots=2)
            make.claim(shift, make.volunteer(languages=["es"]))
            make.shift(appointment, role=ShiftRole.RIDE_HOME)
        db.session.commit()

    def queries_for_export() -> int:
        with count_queries(db.engine) as counted:
            export = coverage_export.export_coverage(date(2026, 11, 21), date(2026, 12, 21), tz_name="America/New_York",
                                         by=coordinator, now=NOW)
        db.session.rollback()
        assert export.appointments > 0
        return len(counted)

    add_appointments(2)
    small = queries_for_export()
    add_appointments(8)
    assert queries_for_export() == small


# -- pages ---------------------------------------------------------------------------------------

def future() -> date:
    """A day a month ahead of the app's clock, which the upload and export pages read."""
    return (utcnow() + timedelta(days=30)).date()


def upload(client, content: bytes, filename: str = "appointments.csv"):
    return client.post(
        "/coordinator/import",
        data={"file": (io.BytesIO(content), filename), "csrf_token": csrf_token(client, "/coordinator/import")},
        content_type="multipart/form-data",
    )


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def confirm_fields(page: str) -> dict[str, str]:
    form = page[page.index('action="/coordinator/import/confirm"'):]
    return dict(re.findall(r'name="(csrf_token|content|rows)" type="hidden" value="([^"]*)"', form)[:3])


@pytest.fixture
def staff(app, make, db, court):
    make.family(name="Maria G.", phone="617-555-0142")
    make.family(name="Ana P.", phone="617-555-0143")
    return logged_in(app, make.coordinator())


def good_file(day: date | None = None) -> bytes:
    day = day or future()
    return sheet(
        f"Maria G.,{COURT},master,{day.isoformat()},08:30,ride there; companion",
        f"617-555-0143,{COURT},check-in,{day:%m/%d/%Y},2:00 PM,",
    ).encode("utf-8-sig")


def test_a_file_with_problems_is_previewed_and_nothing_is_saved(staff, db):
    content = sheet(
        f"Maria G.,{COURT},master,{future()},08:30,ride there",
        f"Ana P.,Boston Court,master,{future()},09:00,",
    ).encode()
    response = upload(staff, content)
    page = page_text(response)
    assert response.status_code == 200
    assert "Nothing has been saved" in page
    assert "row 3: no location named “Boston Court” — did you mean “Boston Immigration Court”?" in page
    assert "Maria G." in page and "Ride there" in page  # the good row says what it would create
    assert "/coordinator/import/confirm" not in page
    assert counts(db) == (0, 0, 0)


def test_a_clean_file_is_previewed_then_imported_on_confirm(staff, db):
    response = upload(staff, good_file())
    page = page_text(response)
    assert "Import 2 appointments" in page
    assert counts(db) == (0, 0, 0)  # the preview saved nothing

    done = staff.post("/coordinator/import/confirm", data=confirm_fields(page))
    assert done.status_code == 302
    db.session.expire_all()
    assert counts(db)[:2] == (2, 2)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "appointments.imported")) == 1
    assert "2 appointments imported, with 2 shifts" in page_text(staff.get("/"))


def test_an_upload_with_a_heading_too_long_to_read_says_so_and_saves_nothing(staff, db):
    response = upload(staff, ("family,location,kind,date,time," + "x" * 140_000 + "\r\nA,B,c,d,e\r\n").encode())
    assert response.status_code == 200
    assert "longer than 131,072 characters" in page_text(response)
    assert counts(db) == (0, 0, 0)


def test_semicolon_files_from_european_excel_import_too(staff, db):
    content = f"family;location;kind;date;time;needs\r\nMaria G.;{COURT};master;{future()};08:30;companion\r\n"
    page = page_text(upload(staff, content.encode("utf-8-sig"), "APPOINTMENTS.CSV"))
    assert "Import 1 appointment" in page


def test_tampered_content_on_confirm_is_checked_again_and_saves_nothing(staff, db):
    fields = confirm_fields(page_text(upload(staff, good_file())))
    past = sheet(
        f"Maria G.,{COURT},master,{future()},08:30,companion",
        f"Ana P.,{COURT},master,2020-01-01,08:30,companion",
    )
    response = staff.post("/coordinator/import/confirm", data={**fields, "content": pack_text(past)})
    page = page_text(response)
    assert response.status_code == 200
    assert "row 3: that time has already passed" in page
    assert counts(db) == (0, 0, 0)

    garbage = staff.post("/coordinator/import/confirm", data={**fields, "content": "not-a-file"})
    assert "could not be read. Upload the file again" in page_text(garbage)
    swapped = staff.post("/coordinator/import/confirm", data={**fields, "rows": "5"})
    assert "changed since its preview" in page_text(swapped)
    missing = staff.post("/coordinator/import/confirm", data={**fields, "content": ""})
    assert missing.status_code == 400 and "Upload it again" in page_text(missing)
    db.session.expire_all()
    assert counts(db) == (0, 0, 0)


def test_a_rule_broken_while_importing_rolls_back_every_row(staff, db, monkeypatch):
    real_create = appointment_import.create_appointment
    created = []

    def create_then_fail(*args, **kwargs):
        if created:
            raise appointment_import.DomainError("This family's file is closed.")
        created.append(real_create(*args, **kwargs))
        return created[-1]

    fields = confirm_fields(page_text(upload(staff, good_file())))
    monkeypatch.setattr(appointment_import, "create_appointment", create_then_fail)
    response = staff.post("/coordinator/import/confirm", data=fields)
    assert response.status_code == 200
    assert "Nothing was imported. This family's file is closed." in page_text(response)
    assert len(created) == 1  # the first row was written, then undone
    db.session.expire_all()
    assert counts(db) == (0, 0, 0)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action.like("appointment%"))) == 0


def test_a_file_that_became_a_duplicate_before_confirm_is_not_imported(staff, db):
    page = page_text(upload(staff, good_file()))
    fields = confirm_fields(page)
    assert staff.post("/coordinator/import/confirm", data=fields).status_code == 302
    again = staff.post("/coordinator/import/confirm", data=fields)
    assert "already has an appointment at that date and time" in page_text(again)
    db.session.expire_all()
    assert counts(db)[0] == 2


@pytest.mark.parametrize(
    "content, filename, message",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.csv", "does not look like a CSV spreadsheet"),
        ("family,Lucía".encode("cp1252"), "latin.csv", "not saved as UTF-8"),
        (b"", "empty.csv", "The file is empty"),
        (b"\r\n\r\n", "blank.csv", "The file is empty"),
        (b"Dear coordinator,\nhere are the dates\n", "letter.csv", "The first row must name the columns"),
        (b"PK\x03\x04", "book.xlsx", "Upload a .csv file"),
        (sheet(*["A,B,master,12/8/2026,8:30,"] * 2001).encode(), "big.csv", "at most 2000 can be imported"),
    ],
)
def test_a_file_that_cannot_be_imported_gets_a_clear_message(staff, db, content, filename, message):
    response = upload(staff, content, filename)
    assert response.status_code == 200
    assert message in page_text(response)
    assert counts(db) == (0, 0, 0)


def test_a_file_over_the_size_limit_is_refused_not_a_crash(staff, db):
    response = upload(staff, b"x" * (2 * 1024 * 1024 + 10))
    assert response.status_code == 413
    assert "too large" in page_text(response)


def test_a_post_without_a_file_gets_the_form_again(staff, db):
    response = staff.post("/coordinator/import", data={"csrf_token": csrf_token(staff, "/coordinator/import")})
    assert response.status_code == 200
    assert "Choose the CSV file to upload" in page_text(response)


def test_the_template_downloads_as_csv(staff):
    response = staff.get("/coordinator/import/template.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="appointments-template.csv"'
    assert response.get_data(as_text=True).startswith("\ufefffamily,location,kind,date,time")


def test_export_downloads_a_private_csv_and_records_who_exported_what(staff, make, db, court):
    family = make.family(name="Rosa L.", phone="617-555-0150")
    make.appointment(family=family, location=court,
                     starts_at=from_local(future(), time(9), "America/New_York"))
    db.session.commit()
    form = page_text(staff.get("/coordinator/export"))
    assert 'name="start"' in form and 'name="end"' in form
    response = staff.get(f"/coordinator/export?start={future()}&end={future()}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'attachment; filename="appointments-{future()}-to-{future()}.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    lines = read_export(response.get_data(as_text=True))
    assert [(line["Family"], line["Family phone"]) for line in lines] == [("Rosa L.", "(617) 555-0150")]
    db.session.expire_all()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "appointments.exported"))
    assert event.details == {"start": str(future()), "end": str(future()), "rows": 1, "appointments": 1}
    assert event.actor.role.value == "coordinator"
    assert abs(event.at - utcnow()) < timedelta(minutes=5)


@pytest.mark.parametrize(
    "query, message",
    [
        ("start=tomorrow&end=2026-12-01", "Enter a date like 2026-11-21"),
        ("start=2026-12-08&end=2026-12-01", "The end date is before the start date"),
        ("start=2026-12-08", "Enter the last date"),
    ],
)
def test_a_bad_export_range_gets_the_form_again_and_records_nothing(staff, db, query, message):
    response = staff.get(f"/coordinator/export?{query}")
    assert response.status_code == 200
    assert message in page_text(response)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "appointments.exported")) == 0


@pytest.mark.parametrize("kind", ["volunteer", "pending_volunteer"])
def test_volunteers_get_404_on_every_spreadsheet_url(app, make, db, kind):
    person = getattr(make, kind)()
    client = logged_in(app, person)
    token = csrf_token(client, "/password")
    for path in ("/coordinator/import", "/coordinator/import/template.csv", "/coordinator/export",
                 f"/coordinator/export?start={future()}&end={future()}"):
        assert client.get(path).status_code == 404, path
    assert client.post(
        "/coordinator/import",
        data={"file": (io.BytesIO(good_file()), "x.csv"), "csrf_token": token},
        content_type="multipart/form-data",
    ).status_code == 404
    fields = {"csrf_token": token, "content": pack_text(good_file().decode("utf-8-sig")), "rows": "2"}
    assert client.post("/coordinator/import/confirm", data=fields).status_code == 404
    db.session.expire_all()
    assert counts(db) == (0, 0, 0)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action.in_(["appointments.exported", "appointments.imported"]))) == 0


def test_anonymous_visitors_are_sent_to_log_in(client):
    for path in ("/coordinator/import", "/coordinator/export", "/coordinator/import/template.csv"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


def test_the_preview_reads_in_the_coordinators_language_with_the_files_words_left_as_code(app, make, db, court):
    make.family(name="Maria G.", phone="617-555-0142")
    staff = logged_in(app, make.coordinator(preferred_language=PageLanguage.SPANISH))
    day = future()
    content = sheet(
        f"Maria G.,{COURT},master,{day},08:30,ride there",
        f"Maria G.,{COURT},master calender,{day},09:00,",
    ).encode()
    page = page_text(upload(staff, content))
    assert ("fila 3: “master calender” no es un tipo de cita: ¿quiso decir “<code>master calendar</code>”? "
            "(use uno de estos: <code>master calendar, individual, bond hearing") in page
    assert "El archivo tiene 1 problema que corregir." in page
    # The row's day has its year, as Spanish writes it.
    assert f"{day.day} {format_date(day, 'MMM', locale='es')} {day.year}, 8:30" in page
