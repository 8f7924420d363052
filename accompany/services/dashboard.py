"""The coordinators' dashboard (`GET /`): what needs action, and the next two weeks by day.

Eight statements whatever the size of the network, and columns rather than entities where there
are many rows (some 200 appointments with their 400 shifts in a big network's two weeks):

1. every number on the page at once, each area's count as a scalar subquery (scheduling,
   volunteers, families, texts, the scheduler's heartbeat, the bond fund);
2. the appointments of the window (the hearing dates to verify now are among them), and
3. their shifts;
4. detained outcomes without a detention case;
5. families who stopped texts with an appointment ahead;
6. needs due this week or overdue;
7. legal referrals to follow up;
8. open detention cases.

Family names come through the keyring's cache of decrypted names (crypto.recurring): the same
two hundred names are shown on every request. The statements are built once per process, with
bound parameters for the moment (`@cache`): building and hashing the statement of fourteen
counts cost more than running it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import NamedTuple

from sqlalchemy import Date, bindparam, exists, func, select

from accompany.crypto import recurring
from accompany.database import UTCDateTime, column_rows
from accompany.models import (
    HEARING_KINDS,
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    DetentionCase,
    Family,
    InboundMessage,
    LegalReferral,
    Location,
    OptOut,
    Outcome,
    Role,
    Shift,
    ShiftRole,
    User,
    UserStatus,
)
from accompany.services.casework import bonds, fund, referrals
from accompany.services.casework.needs import NeedDue, due_soon
from accompany.services.detention import cases
from accompany.services.messaging.health import STALE_AFTER, last_heartbeat, scheduler_status
from accompany.services.messaging.outbox import BACKLOG, backlog_counts
from accompany.services.scheduling.overview import (
    due_for_verification,
    unfilled_slots_query,
    verification_horizon,
)
from accompany.timezones import to_local


class RoleCoverage(NamedTuple):
    """One shift of an appointment as the dashboard shows it: its role and how full it is."""

    role: ShiftRole
    filled: int
    slots: int

    @property
    def slots_left(self) -> int:
        return self.slots - self.filled

    @property
    def has_free_slot(self) -> bool:
        return self.filled < self.slots


@dataclass(slots=True)
class AppointmentLine:
    """An appointment as the dashboard's lists show it: its columns, no entity."""

    id: int
    starts_at: datetime
    kind: AppointmentKind
    family_name: str
    place: str
    timezone: str  # the place's


@dataclass(slots=True)
class Coverage(AppointmentLine):
    """An appointment of the next two weeks with its roles, the unfilled ones first."""

    date_unverified: bool = False  # a hearing whose date nobody has checked with the court
    family_confirmed_at: datetime | None = None
    ride_requested_at: datetime | None = None
    roles: list[RoleCoverage] = field(default_factory=list)
    open_slots: int = 0


@dataclass(frozen=True, slots=True)
class StoppedTexts:
    """A family whose number said STOP while an appointment lies ahead: no reminder reaches them."""

    family_id: int
    family_name: str
    next_appointment_at: datetime


@dataclass(frozen=True)
class Counts:
    """The numbers on the dashboard's tiles."""

    unfilled_soon: int
    unverified_dates: int
    families_without_consent: int
    pending_volunteers: int
    drafts: int
    waiting_texts: int
    bonds_raising: int
    refunds_overdue: int


@dataclass
class Dashboard:
    counts: Counts
    scheduler: dict  # health.scheduler_status: stale, last_heartbeat, age_seconds
    outbox: dict[str, int]  # outbox.BACKLOG: overdue, paused, failed, expired, unknown
    days: list[tuple[date, list[Coverage]]]
    hearings_to_verify: list[Coverage]
    detained: list[AppointmentLine]
    stopped_texts: list[StoppedTexts]
    needs_due: list[NeedDue]
    referral_follow_ups: list[LegalReferral]
    open_detentions: list[DetentionCase]
    today: date  # the organization's: which needs are overdue

    @property
    def texts_to_look_at(self) -> int:
        return sum(self.outbox[name] for name in ("failed", "expired", "unknown", "overdue"))


def _count(entity, *where):
    return select(func.count()).select_from(entity).where(*where).scalar_subquery()


def _moment(name: str):
    return bindparam(name, type_=UTCDateTime())


@cache
def _numbers_statement():
    now = _moment("now")
    return select(
        unfilled_slots_query(now, _moment("soon_until")).scalar_subquery().label("unfilled_soon"),
        _count(Appointment, Appointment.status == AppointmentStatus.SCHEDULED, Appointment.starts_at >= now,
               Appointment.kind.in_(HEARING_KINDS), Appointment.verified_on.is_(None)).label("unverified_dates"),
        _count(Family, Family.closed_at.is_(None), Family.sms_consent.is_(False)).label("families_without_consent"),
        _count(User, User.role == Role.VOLUNTEER, User.status == UserStatus.PENDING).label("pending_volunteers"),
        _count(Appointment, Appointment.status == AppointmentStatus.DRAFT).label("drafts"),
        _count(InboundMessage, InboundMessage.handled_at.is_(None)).label("waiting_texts"),
        *bonds.glance_counts(refunds_cancelled_before=bindparam("refunds_cancelled_before", type_=Date())),
        *backlog_counts(late_before=_moment("late_before")),
        last_heartbeat().label("last_heartbeat"),
    )


def _numbers(*, now: datetime, today: date, soon_hours: int) -> tuple[Counts, dict, dict]:
    """Every number on the page in one statement: (counts, scheduler status, outbox backlog)."""
    [row] = column_rows(_numbers_statement(), {
        "now": now, "soon_until": now + timedelta(hours=soon_hours), "late_before": now - STALE_AFTER,
        "refunds_cancelled_before": fund.refund_overdue_before(today),
    })
    number = row._mapping
    counts = Counts(**{name: number[name] or 0 for name in Counts.__dataclass_fields__})
    return counts, scheduler_status(number["last_heartbeat"], now=now), {name: number[name] or 0 for name in BACKLOG}


@cache
def _window_statements():
    """The window's appointments, soonest first, and their shifts, each appointment's unfilled ones
    first: two statements of few columns (one of shifts joined to appointments repeats every
    appointment's columns on each of its shifts' rows)."""
    in_window = (Appointment.status == AppointmentStatus.SCHEDULED, Appointment.starts_at >= _moment("now"),
                 Appointment.starts_at < _moment("until"))
    appointments = (
        select(Appointment.id, Appointment.starts_at, Appointment.kind, recurring(Family.name), Location.name,
               Location.timezone, Appointment.verified_on.is_(None), Appointment.family_confirmed_at,
               Appointment.ride_requested_at)
        .join(Family, Family.id == Appointment.family_id)
        .join(Location, Location.id == Appointment.location_id)
        .where(*in_window)
        .order_by(Appointment.starts_at, Appointment.id)
    )
    shifts = (
        select(Shift.appointment_id, Shift.role, Shift.filled, Shift.slots)
        .join(Appointment, Appointment.id == Shift.appointment_id)
        .where(*in_window)
        .order_by(Shift.filled >= Shift.slots, Shift.starts_at, Shift.id)
    )
    return appointments, shifts


def _window(*, now: datetime, until: datetime) -> list[Coverage]:
    """Scheduled appointments starting in [now, until), soonest first, each with its roles
    (unfilled first)."""
    appointments, shifts = _window_statements()
    params = {"now": now, "until": until}
    lines = {
        appointment_id: Coverage(appointment_id, starts_at, kind, family_name, place, timezone,
                                 date_unverified=unverified and kind in HEARING_KINDS,
                                 family_confirmed_at=confirmed_at, ride_requested_at=ride_at)
        for appointment_id, starts_at, kind, family_name, place, timezone, unverified, confirmed_at, ride_at
        in column_rows(appointments, params)
    }
    for appointment_id, role, filled, slots in column_rows(shifts, params):
        line = lines[appointment_id]
        line.roles.append(RoleCoverage(role, filled, slots))
        line.open_slots += slots - filled
    return list(lines.values())


def _by_day(lines: list[Coverage], *, tz_name: str) -> list[tuple[date, list[Coverage]]]:
    """The lines by local day, each day's unfilled appointments first, then by time."""
    days: dict[date, list[Coverage]] = {}
    for line in lines:
        days.setdefault(to_local(line.starts_at, tz_name).date(), []).append(line)
    for entries in days.values():
        entries.sort(key=lambda line: (line.open_slots == 0, line.starts_at))
    return sorted(days.items())


@cache
def _detained_statement():
    return (
        select(Appointment.id, Appointment.starts_at, Appointment.kind, recurring(Family.name), Location.name,
               Location.timezone)
        .join(Family, Family.id == Appointment.family_id)
        .join(Location, Location.id == Appointment.location_id)
        .where(Appointment.outcome == Outcome.DETAINED, Appointment.alert_cleared_at.is_(None),
               ~exists().where(DetentionCase.appointment_id == Appointment.id),
               ~exists().where(DetentionCase.open_family_id == Appointment.family_id))
        .order_by(Appointment.closed_at.desc(), Appointment.id.desc())
    )


def detained_without_a_case() -> list[AppointmentLine]:
    """Appointments closed as "detained" that nobody has dealt with, newest first. A detention
    case (issue 15) shows above everything: such an appointment is not listed here a second time."""
    return [AppointmentLine(*row) for row in column_rows(_detained_statement())]


@cache
def _stopped_texts_statement():
    next_at = func.min(Appointment.starts_at)
    return (
        select(Family.id, recurring(Family.name), next_at)
        .join(OptOut, (OptOut.phone_hash == Family.phone_hash) & OptOut.active.is_(True))
        .join(Appointment, Appointment.family_id == Family.id)
        .where(Family.closed_at.is_(None), Family.purged_at.is_(None), Family.sms_consent.is_(True),
               Appointment.status == AppointmentStatus.SCHEDULED, Appointment.starts_at >= _moment("now"))
        .group_by(Family.id)
        .order_by(next_at, Family.id)
    )


def families_who_stopped_texts(*, now: datetime) -> list[StoppedTexts]:
    """Open families who agreed to texts, whose number has opted out (STOP, or the carrier's
    word for it), with a scheduled appointment ahead: soonest first. One query."""
    return [StoppedTexts(*row) for row in column_rows(_stopped_texts_statement(), {"now": now})]


def coordinator_dashboard(
    *, now: datetime, tz_name: str, days: int = 14, soon_hours: int = 72, verify_days: int = 3
) -> Dashboard:
    """Everything the dashboard shows at `now`: the next `days` by local day (in `tz_name`, the
    organization's zone), and what needs action."""
    today = to_local(now, tz_name).date()
    counts, scheduler, outbox = _numbers(now=now, today=today, soon_hours=soon_hours)
    until = now + timedelta(days=days)
    # One read of the window serves the hearings to verify too (it reaches far enough for them).
    lines = _window(now=now, until=max(until, verification_horizon(now=now, days=verify_days)))
    return Dashboard(
        counts=counts,
        scheduler=scheduler,
        outbox=outbox,
        days=_by_day([line for line in lines if line.starts_at < until], tz_name=tz_name),
        hearings_to_verify=[
            line for line in lines
            if line.date_unverified and line.starts_at > now
            and due_for_verification(line.starts_at, line.timezone, now=now, days=verify_days)
        ],
        detained=detained_without_a_case(),
        stopped_texts=families_who_stopped_texts(now=now),
        needs_due=due_soon(today=today),
        referral_follow_ups=referrals.follow_ups_due(now=now),
        open_detentions=cases.open_cases(),
        today=today,
    )
