"""The rules about a shift's time and slots, written once on Shift: every screen, text and call
that asks "does it overlap?" or "can it still be taken?" gets the same answer."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from accompany.models import AppointmentStatus, Shift
from accompany.services.messaging import urgent_calls
from accompany.services.scheduling.board import BoardFilters, open_shifts
from accompany.services.scheduling.claims import OVERLAPS, eligibility_for, eligibility_problems
from accompany.services.scheduling.overview import unfilled_slots_soon, volunteer_overview
from tests.conftest import NOW

DAY = NOW + timedelta(days=2)


def _in_sql(condition) -> set[int]:
    from accompany.database import db

    return set(db.session.scalars(select(Shift.id).where(condition)))


def test_shifts_overlap_when_they_share_a_moment_and_not_when_they_only_touch(make, db):
    shift = make.shift(starts_at=DAY, ends_at=DAY + timedelta(hours=3))
    windows = {
        "inside": (DAY + timedelta(hours=1), DAY + timedelta(hours=2), True),
        "around": (DAY - timedelta(hours=1), DAY + timedelta(hours=4), True),
        "across the start": (DAY - timedelta(hours=1), DAY + timedelta(minutes=1), True),
        "touching the end": (DAY + timedelta(hours=3), DAY + timedelta(hours=5), False),
        "touching the start": (DAY - timedelta(hours=2), DAY, False),
        "another day": (DAY + timedelta(days=1), DAY + timedelta(days=1, hours=3), False),
    }
    for name, (start, end, overlapping) in windows.items():
        assert shift.overlaps(start, end) is overlapping, name
        assert (_in_sql(Shift.overlaps(start, end)) == {shift.id}) is overlapping, name


def test_the_board_a_claim_and_an_urgent_call_agree_on_overlaps(make, db):
    volunteer = make.volunteer(phone="617-555-0111", sms_opt_in=True)
    make.claim(make.shift(starts_at=DAY, ends_at=DAY + timedelta(hours=3)), volunteer)
    clash = make.shift(starts_at=DAY + timedelta(hours=2), ends_at=DAY + timedelta(hours=4))
    after = make.shift(starts_at=DAY + timedelta(hours=3), ends_at=DAY + timedelta(hours=5))

    cards = {card.shift_id: card.problems for card in
             open_shifts(volunteer, BoardFilters(show_all=True), now=NOW, tz_name="America/New_York")}
    assert cards == {clash.id: [OVERLAPS], after.id: []}
    for shift, problems in ((clash, [OVERLAPS]), (after, [])):
        assert eligibility_problems(shift, volunteer, now=NOW) == problems
        assert eligibility_for(shift, [volunteer], now=NOW) == {volunteer.id: problems}
        assert (volunteer in urgent_calls.candidates(shift, now=NOW)) is not problems


def test_a_shift_is_claimable_while_scheduled_not_begun_and_not_full(make, db):
    full = make.shift(starts_at=NOW + timedelta(hours=1))
    make.claim(full, make.volunteer())
    shifts = {
        "waiting": (make.shift(starts_at=NOW + timedelta(hours=1)), True, True),
        "full": (full, True, False),
        "beginning now": (make.shift(starts_at=NOW), False, False),
        "begun": (make.shift(starts_at=NOW - timedelta(hours=1)), False, False),
        "cancelled": (make.shift(make.appointment(status=AppointmentStatus.CANCELLED)), False, False),
        "draft": (make.shift(make.appointment(status=AppointmentStatus.DRAFT)), False, False),
    }
    for name, (shift, is_open, claimable) in shifts.items():
        assert (shift.is_open(NOW), shift.is_claimable(NOW)) == (is_open, claimable), name
        assert (shift.id in _in_sql(Shift.is_open(NOW)), shift.id in _in_sql(Shift.is_claimable(NOW))) == (
            is_open, claimable), name
    assert full.slots_left == 0 and not full.has_free_slot


def test_a_shift_beginning_this_moment_is_not_counted_as_open(make, db):
    """The board had already dropped it and a claim refused it, but the home pages counted it."""
    volunteer = make.volunteer()
    make.shift(starts_at=NOW, slots=2)
    assert open_shifts(volunteer, BoardFilters(show_all=True), now=NOW, tz_name="America/New_York") == []
    assert volunteer_overview(volunteer, now=NOW).open_shift_count == 0
    assert unfilled_slots_soon(now=NOW) == 0
