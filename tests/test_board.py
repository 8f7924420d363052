"""The open-shift board and claiming from it: eligible shifts, filters, no family data, atomic claims."""

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from accompany.database import db as _db
from accompany.models import AppointmentStatus, Claim, Language, Shift, ShiftRole, User
from accompany.services.scheduling.board import BoardFilters, open_shifts
from accompany.services.scheduling.claims import ShiftFull, claim_slot
from tests.conftest import NOW, csrf_token, from_now, log_in
from tests.support.browsing import logged_in
from tests.support.queries import count_queries

TZ = "America/New_York"


def board(volunteer, **filters):
    return open_shifts(volunteer, BoardFilters(**filters), now=NOW, tz_name=TZ)


def ids(cards):
    return [card.shift_id for card in cards]


def test_the_board_lists_open_upcoming_shifts_soonest_first(make, db):
    volunteer = make.volunteer()
    later = make.shift(starts_at=NOW + timedelta(days=5))
    sooner = make.shift(starts_at=NOW + timedelta(days=1))
    full = make.shift(starts_at=NOW + timedelta(days=2), slots=1)
    make.claim(full, make.volunteer())
    make.shift(starts_at=NOW - timedelta(hours=1))  # started
    make.shift(appointment=make.appointment(status=AppointmentStatus.CANCELLED))
    mine = make.shift(starts_at=NOW + timedelta(days=3), slots=2)
    make.claim(mine, volunteer)
    assert ids(board(volunteer)) == [sooner.id, later.id]


@pytest.mark.parametrize(
    "requirement, qualifies",
    [
        ({"requires_car": True}, {"has_car": True}),
        ({"language": Language.PORTUGUESE}, {"languages": ["pt"]}),
        ({"requires_training": True}, {"court_training_on": date(2025, 1, 1)}),
        ({"requires_obligor": True}, {"obligor_eligible": True}),
    ],
)
def test_by_default_only_shifts_the_volunteer_can_take(make, db, requirement, qualifies):
    shift = make.shift(**requirement)
    plain = make.shift()
    unqualified, qualified = make.volunteer(), make.volunteer(**qualifies)
    assert ids(board(unqualified)) == [plain.id]
    assert set(ids(board(qualified))) == {shift.id, plain.id}
    everything = board(unqualified, show_all=True)
    assert {c.shift_id: c.eligible for c in everything} == {shift.id: False, plain.id: True}
    assert next(c for c in everything if c.shift_id == shift.id).problems


def test_a_shift_that_overlaps_one_already_held_is_not_offered(make, db):
    volunteer = make.volunteer()
    held = make.shift(starts_at=NOW + timedelta(days=2), ends_at=NOW + timedelta(days=2, hours=3))
    make.claim(held, volunteer)
    clash = make.shift(starts_at=NOW + timedelta(days=2, hours=1), ends_at=NOW + timedelta(days=2, hours=4))
    free = make.shift(starts_at=NOW + timedelta(days=2, hours=3), ends_at=NOW + timedelta(days=2, hours=5))
    assert ids(board(volunteer)) == [free.id]
    assert "overlaps" in next(c for c in board(volunteer, show_all=True) if c.shift_id == clash.id).problems[0]


def test_filters_by_role_dates_place_and_language(make, db):
    volunteer = make.volunteer(has_car=True, languages=["es"])
    court, office = make.location(name="Court"), make.location(name="Office")
    ride = make.shift(make.appointment(location=court, starts_at=NOW + timedelta(days=2)), role=ShiftRole.RIDE_THERE)
    spanish = make.shift(make.appointment(location=office, starts_at=NOW + timedelta(days=6)), role=ShiftRole.INTERPRETER, language=Language.SPANISH)
    assert ids(board(volunteer, roles=[ShiftRole.RIDE_THERE])) == [ride.id]
    assert ids(board(volunteer, location_id=office.id)) == [spanish.id]
    assert ids(board(volunteer, my_languages_only=True)) == [spanish.id]
    monday = (NOW + timedelta(days=2)).date()
    assert ids(board(volunteer, first_day=monday, last_day=monday)) == [ride.id]
    assert ids(board(volunteer, first_day=monday + timedelta(days=1))) == [spanish.id]


def test_cards_carry_no_family_data_but_the_town(make, db):
    family = make.family(name="Rosalinda Q.", phone="617-555-0177", town="Lynn")
    shift = make.shift(make.appointment(family=family), role=ShiftRole.RIDE_THERE)
    card = board(make.volunteer(has_car=True))[0]
    assert card.shift_id == shift.id
    assert card.place.startswith("From Lynn to ")
    text = repr(vars(card))
    assert "Rosalinda" not in text and "0177" not in text


def test_the_board_runs_the_same_number_of_queries_at_any_size(make, db):
    volunteer = make.volunteer(has_car=True, languages=["es"])
    make.claim(make.shift(starts_at=NOW + timedelta(days=1)), volunteer)
    for n in range(3):
        make.shift(starts_at=NOW + timedelta(days=2, hours=n))
    db.session.commit()
    volunteer = db.session.get(User, volunteer.id)
    with count_queries(db.engine) as small:
        assert len(board(volunteer)) == 3
    for n in range(60):
        make.shift(starts_at=NOW + timedelta(days=3, hours=n))
        make.shift(starts_at=NOW - timedelta(days=n + 1))
    db.session.commit()
    volunteer = db.session.get(User, volunteer.id)
    with count_queries(db.engine) as large:
        assert len(board(volunteer)) == 40
    assert len(small) == len(large)


def test_fifty_volunteers_tapping_the_last_slot_at_once_give_exactly_one_claim(app, make, db):
    shift = make.shift(slots=1)
    volunteer_ids = [make.volunteer().id for _ in range(50)]
    db.session.commit()
    shift_id = shift.id
    barrier = threading.Barrier(len(volunteer_ids))
    outcomes: list[str] = []

    def tap(volunteer_id: int) -> None:
        barrier.wait()
        with app.app_context():
            try:
                claim_slot(_db.session.get(Shift, shift_id), _db.session.get(User, volunteer_id), now=NOW)
                _db.session.commit()
                outcomes.append("claimed")
            except ShiftFull:
                _db.session.rollback()
                outcomes.append("full")

    threads = [threading.Thread(target=tap, args=(vid,)) for vid in volunteer_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["claimed"] + ["full"] * 49
    db.session.expire_all()
    claims = db.session.scalar(select(func.count()).select_from(Claim).where(Claim.shift_id == shift_id))
    assert db.session.get(Shift, shift_id).filled == claims == 1


# -- pages -----------------------------------------------------------------------------------------


def test_claiming_from_the_board_page(client, make, db):
    volunteer = make.volunteer()
    shift = make.shift(starts_at=from_now(days=2), meeting_point="Cambridge St entrance")
    db.session.commit()
    log_in(client, volunteer)
    page = client.get("/shifts").get_data(as_text=True)
    assert f'action="/shifts/{shift.id}/claim"' in page
    response = client.post(f"/shifts/{shift.id}/claim", data={"csrf_token": csrf_token(client, "/shifts")})
    assert response.headers["Location"] == f"/my/shifts/{shift.id}"
    again = client.post(f"/shifts/{shift.id}/claim", data={"csrf_token": csrf_token(client, "/shifts")})
    assert again.status_code == 302  # a double tap is harmless
    db.session.expire_all()
    assert db.session.get(Shift, shift.id).filled == 1


def test_the_board_page_never_shows_family_names_or_phones(client, make, db):
    family = make.family(name="Rosalinda Q.", phone="617-555-0177")
    make.shift(make.appointment(family=family, starts_at=from_now(days=2)))
    volunteer = make.volunteer()
    db.session.commit()
    log_in(client, volunteer)
    for query in ("", "?all=y"):
        page = client.get("/shifts" + query).get_data(as_text=True)
        assert "Rosalinda" not in page and "555-0177" not in page and "0177" not in page
        assert "Take this shift" in page


def test_a_full_shift_gets_a_kind_message(client, make, db):
    shift = make.shift(starts_at=from_now(days=2), slots=1)
    make.claim(shift, make.volunteer())
    volunteer = make.volunteer()
    db.session.commit()
    log_in(client, volunteer)
    page = client.post(f"/shifts/{shift.id}/claim", data={"csrf_token": csrf_token(client, "/shifts")}, follow_redirects=True)
    assert "Someone just took the last slot" in page.get_data(as_text=True)


def test_bad_filters_do_not_break_the_board(client, make, db):
    volunteer = make.volunteer()
    db.session.commit()
    log_in(client, volunteer)
    for query in ("?first_day=tomorrow", "?place=abc", "?role=pilot", "?last_day=2026-13-45"):
        response = client.get("/shifts" + query)
        assert response.status_code == 200, query


def test_coordinators_get_404_on_the_board(app, make, db):
    shift = make.shift(starts_at=from_now(days=2))
    db.session.commit()
    client = logged_in(app, make.coordinator())
    assert client.get("/shifts").status_code == 404
    token = csrf_token(client, "/password")
    assert client.post(f"/shifts/{shift.id}/claim", data={"csrf_token": token}).status_code == 404


def test_a_volunteer_waiting_for_approval_is_told_so_on_the_board_and_claims_nothing(app, make, db):
    shift = make.shift(starts_at=from_now(days=2))
    db.session.commit()
    client = logged_in(app, make.pending_volunteer())
    for response in (client.get("/shifts", follow_redirects=True),
                     client.post(f"/shifts/{shift.id}/claim", data={"csrf_token": csrf_token(client, "/password")},
                                 follow_redirects=True)):
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and "Page not found" not in page
        assert "still waiting for a coordinator&#39;s approval" in page
    db.session.expire_all()
    assert db.session.get(Shift, shift.id).filled == 0


def test_cached_cards_follow_the_shift_the_language_and_the_browser(app, make, db):
    """The board's cards come from a per-worker cache (accompany/fragments.py): a card whose shift
    changed is drawn again, each language has its own, and the cache holds no CSRF token, so each
    browser's forms carry its own."""
    shift = make.shift(starts_at=NOW + timedelta(days=4), slots=3)
    first, second = make.volunteer(), make.volunteer()
    one, two = logged_in(app, first), logged_in(app, second)

    def card(client):
        page = client.get("/shifts").get_data(as_text=True)
        start = page.index(f'id="shift-{shift.id}"')
        return page[start:page.index("</article>", start)]

    assert "3 slots left" in card(one)
    make.claim(shift, make.volunteer())
    db.session.commit()
    assert "2 slots left" in card(one)  # not the card drawn before
    token_one, token_two = csrf_token(one, "/shifts"), csrf_token(two, "/shifts")
    assert token_one != token_two
    assert f'value="{token_one}"' in card(one) and f'value="{token_two}"' in card(two)
    assert app.extensions["accompany.fragments"].cache_info().hits  # the equal cards came from the cache
    two.post("/language", data={"csrf_token": token_two, "language": "es", "return_to": "/shifts"})
    spanish = card(two)
    assert "slots left" not in spanish and "Take this shift" not in spanish and " 2 " in spanish
    assert "2 slots left" in card(one)
