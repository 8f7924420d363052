"""Exporting appointments and their coverage to a CSV file.

An export writes one line per shift (one per appointment without shifts), and every cell that
a spreadsheet would take for a formula is defused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from accompany.database import db
from accompany.marks import N_
from accompany.models import Appointment, Claim, Shift, User
from accompany.phones import format_national
from accompany.services.errors import DomainError
from accompany.services.privacy.audit import record_event
from accompany.services.scheduling.csv_files import write_csv
from accompany.timezones import from_local, to_local

MAX_EXPORT_DAYS = 366

EXPORT_HEADING = [
    "Date", "Time", "Kind", "Location", "Family", "Family phone", "Mode", "Verified on", "Verified by",
    "Status", "Outcome", "Role", "Shift starts", "Shift ends", "Slots", "Filled", "Volunteers",
]


class ExportRangeInvalid(DomainError):
    message = N_("Choose a start date and an end date on or after it.")


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
        raise ExportRangeInvalid(N_("The end date is before the start date."))
    if (end - start).days >= MAX_EXPORT_DAYS:
        raise ExportRangeInvalid(N_("Choose at most %(most)s days at a time."), most=MAX_EXPORT_DAYS)
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
