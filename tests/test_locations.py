"""Locations: the service rules (unique names, known time zones, deactivation) and the pages."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from accompany.models import AuditEvent, Location, LocationKind
from accompany.services.scheduling import locations as service
from accompany.services.scheduling.locations import (
    LocationAddressMissing,
    LocationDetails,
    LocationNameMissing,
    LocationNameTaken,
    UnknownTimeZone,
)
from tests.conftest import NOW, csrf_token, log_in
from tests.support.browsing import assert_loads_nothing_from_outside, assert_sent_to_log_in, logged_in


def _details(**fields) -> LocationDetails:
    data = dict(
        name="Boston Immigration Court", kind=LocationKind.IMMIGRATION_COURT,
        address="15 New Sudbury St, Room 320, Boston, MA 02203", town="Boston",
        timezone="America/New_York", arrival_notes="Airport-style security.\nNo food or drink.",
    )
    data.update(fields)
    return LocationDetails(**data)


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Location))


# -- service ---------------------------------------------------------------------------------------


def test_create_location_is_active_and_audited(make, db):
    coordinator = make.coordinator()
    location = service.create_location(_details(name="  Boston Immigration Court "), by=coordinator, now=NOW)
    assert location.id and location.active
    assert (location.name, location.kind, location.timezone) == (
        "Boston Immigration Court", LocationKind.IMMIGRATION_COURT, "America/New_York"
    )
    assert location.map_url == (
        "https://www.openstreetmap.org/search?query=15+New+Sudbury+St%2C+Room+320%2C+Boston%2C+MA+02203"
    )
    event = db.session.scalar(select(AuditEvent))
    assert (event.action, event.actor_id, event.subject_id) == ("location.created", coordinator.id, location.id)


@pytest.mark.parametrize("name", ["Boston Immigration Court", "boston immigration court", " BOSTON IMMIGRATION COURT "])
def test_a_second_place_with_the_same_name_is_refused(make, db, name):
    coordinator = make.coordinator()
    service.create_location(_details(), by=coordinator, now=NOW)
    with pytest.raises(LocationNameTaken):
        service.create_location(_details(name=name, address="elsewhere"), by=coordinator, now=NOW)
    assert _count(db) == 1


def test_renaming_to_a_taken_name_is_refused_but_keeping_ones_own_name_is_fine(make, db):
    coordinator = make.coordinator()
    boston = service.create_location(_details(), by=coordinator, now=NOW)
    chelmsford = service.create_location(_details(name="Chelmsford Immigration Court"), by=coordinator, now=NOW)
    with pytest.raises(LocationNameTaken):
        service.update_location(chelmsford, _details(name="Boston immigration court"), by=coordinator, now=NOW)
    assert chelmsford.name == "Chelmsford Immigration Court"
    changed = service.update_location(boston, _details(town="Boston, MA"), by=coordinator, now=NOW)
    assert changed == ["town"]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "location.updated")).all()
    assert [event.details["fields"] for event in events] == [["town"]]


def test_a_name_taken_by_a_concurrent_save_is_refused_and_the_session_stays_usable(make, db, monkeypatch):
    coordinator = make.coordinator()
    boston = service.create_location(_details(), by=coordinator, now=NOW)
    other = service.create_location(_details(name="Chelmsford Immigration Court"), by=coordinator, now=NOW)
    db.session.commit()
    monkeypatch.setattr(service, "_name_taken", lambda name, other_than: False)  # the other save won the race
    with pytest.raises(LocationNameTaken):
        service.create_location(_details(), by=coordinator, now=NOW)
    with pytest.raises(LocationNameTaken):
        service.update_location(other, _details(), by=coordinator, now=NOW)
    assert other.name == "Chelmsford Immigration Court"
    db.session.commit()  # nothing refused is left waiting to be flushed
    assert sorted(db.session.scalars(select(Location.name))) == [boston.name, other.name]


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "EST5EDT/../../etc", "america/new york"])
def test_an_unknown_time_zone_is_refused(make, db, zone):
    with pytest.raises(UnknownTimeZone):
        service.create_location(_details(timezone=zone), by=make.coordinator(), now=NOW)
    assert _count(db) == 0


@pytest.mark.parametrize("fields, error", [(dict(name=" "), LocationNameMissing), (dict(address=""), LocationAddressMissing)])
def test_name_and_address_are_required(make, db, fields, error):
    with pytest.raises(error):
        service.create_location(_details(**fields), by=make.coordinator(), now=NOW)
    assert _count(db) == 0


def test_deactivated_places_are_not_offered_but_still_listed(make, db):
    coordinator = make.coordinator()
    court = service.create_location(_details(), by=coordinator, now=NOW)
    office = service.create_location(_details(name="ICE ERO Burlington", kind=LocationKind.ICE_OFFICE), by=coordinator, now=NOW)
    assert service.set_location_active(court, False, by=coordinator, now=NOW) is True
    assert service.set_location_active(court, False, by=coordinator, now=NOW) is False  # already off
    assert service.active_locations() == [office]
    assert service.list_locations() == [office, court]
    assert service.set_location_active(court, True, by=coordinator, now=NOW) is True
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["location.deactivated", "location.reactivated"]


# -- pages -----------------------------------------------------------------------------------------


@pytest.fixture
def staff(app, make, db):
    return logged_in(app, make.coordinator())


def _form(client, token_from: str = "/coordinator/locations/new", **fields) -> dict:
    data = {
        "name": "Boston Immigration Court", "kind": "immigration_court",
        "address": "15 New Sudbury St, Boston, MA 02203", "town": "Boston",
        "timezone": "America/New_York", "arrival_notes": "Security line: arrive 45 minutes early.\nNo food.",
        "csrf_token": csrf_token(client, token_from),
    }
    data.update(fields)
    return data


def test_coordinator_adds_a_place_and_its_page_has_a_map_link(staff, db):
    form_page = staff.get("/coordinator/locations/new").get_data(as_text=True)
    assert '<option selected value="America/New_York">' in form_page  # the org's zone by default
    response = staff.post("/coordinator/locations/new", data=_form(staff))
    assert response.status_code == 302
    location = db.session.scalar(select(Location))
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "Boston Immigration Court" in page and "Security line: arrive 45 minutes early.<br>No food." in page
    assert 'href="https://www.openstreetmap.org/search?query=15+New+Sudbury+St%2C+Boston%2C+MA+02203"' in page
    listing = staff.get("/coordinator/locations").get_data(as_text=True)
    assert f'href="/coordinator/locations/{location.id}"' in listing


@pytest.mark.parametrize(
    "fields, message",
    [
        (dict(name=""), "Enter the place's name"),
        (dict(name="x" * 61), "Keep the name under 60"),
        (dict(address=""), "Enter the street address"),
        (dict(kind="prison"), "Choose one of the options listed"),
        (dict(timezone="Mars/Olympus_Mons"), "Choose one of the options listed"),
        (dict(town="t" * 41), "Keep the town under 40"),
        (dict(discreet_label="l" * 31), "Keep the discreet name under 30"),
        (dict(arrive_minutes_early="240"), "from 0 to 180"),
        (dict(arrive_minutes_early="soon"), "Enter a whole number"),
        (dict(bring="passport"), "Choose only from the options listed"),
    ],
)
def test_bad_place_input_gets_the_form_back_with_a_message_and_saves_nothing(staff, db, fields, message):
    response = staff.post("/coordinator/locations/new", data=_form(staff, **fields))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _count(db) == 0


def test_coordinator_sets_what_the_familys_reminder_says_about_the_place(staff, db):
    """The discreet name, how early to be there, what to bring: kept, shown, offered again to edit."""
    response = staff.post("/coordinator/locations/new", data=_form(
        staff, discreet_label="  2 Center Plaza ", arrive_minutes_early="45", bring=["photo_id", "papers"]))
    assert response.status_code == 302
    location = db.session.scalar(select(Location))
    assert (location.discreet_label, location.arrive_minutes_early, location.bring) == (
        "2 Center Plaza", 45, "photo_id,papers")
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 Center Plaza" in page and "45 minutes early" in page and "Photo ID, Their papers" in page
    form = staff.get(f"/coordinator/locations/{location.id}/edit").get_data(as_text=True)
    assert 'value="2 Center Plaza"' in form and 'value="45"' in form
    assert 'checked id="bring-0"' in form or 'id="bring-0" name="bring" type="checkbox" value="photo_id" checked' in form


def test_a_place_saved_without_the_reminder_fields_names_nothing_and_asks_for_30_minutes(staff, db):
    staff.post("/coordinator/locations/new", data=_form(staff))
    location = db.session.scalar(select(Location))
    assert (location.discreet_label, location.arrive_minutes_early, location.bring_items) == ("", 30, [])


def test_a_duplicate_name_is_explained(staff, make, db):
    make.location(name="Boston Immigration Court")
    db.session.commit()
    response = staff.post("/coordinator/locations/new", data=_form(staff, name="boston immigration court"))
    assert response.status_code == 200
    assert "already a place with this name" in response.get_data(as_text=True)
    assert _count(db) == 1


def test_editing_a_place(staff, make, db):
    location = make.location(name="Chelmsford Court", timezone="America/Chicago")
    make.location(name="Boston Immigration Court")
    db.session.commit()
    path = f"/coordinator/locations/{location.id}/edit"
    assert 'value="Chelmsford Court"' in staff.get(path).get_data(as_text=True)

    taken = staff.post(path, data=_form(staff, name="Boston Immigration Court"))
    assert "already a place with this name" in taken.get_data(as_text=True)
    response = staff.post(path, data=_form(staff, name="Chelmsford Immigration Court", timezone="America/New_York"))
    assert response.status_code == 302
    db.session.expire_all()
    location = db.session.get(Location, location.id)
    assert (location.name, location.timezone) == ("Chelmsford Immigration Court", "America/New_York")


def test_a_place_in_a_zone_outside_the_usual_list_keeps_it(staff, make, db):
    location = make.location(name="Tijuana crossing", timezone="America/Tijuana")
    db.session.commit()
    path = f"/coordinator/locations/{location.id}/edit"
    assert '<option selected value="America/Tijuana">' in staff.get(path).get_data(as_text=True)


def test_deactivate_and_reactivate_buttons(staff, make, db):
    location = make.location()
    db.session.commit()
    page_path = f"/coordinator/locations/{location.id}"
    page = staff.get(page_path).get_data(as_text=True)
    assert 'name="active" type="hidden" value="0"' in page
    token = csrf_token(staff, page_path)
    response = staff.post(f"{page_path}/toggle", data={"csrf_token": token, "active": "0"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Location, location.id).active is False
    # The same button pressed twice leaves it deactivated (the wanted state is sent, not "flip").
    staff.post(f"{page_path}/toggle", data={"csrf_token": token, "active": "0"})
    db.session.expire_all()
    assert db.session.get(Location, location.id).active is False
    assert "deactivated" in staff.get("/coordinator/locations").get_data(as_text=True)

    staff.post(f"{page_path}/toggle", data={"csrf_token": token, "active": "1"})
    db.session.expire_all()
    assert db.session.get(Location, location.id).active is True
    assert staff.post(f"{page_path}/toggle", data={"csrf_token": token, "active": "maybe"}).status_code == 400


def test_missing_place_is_404(staff):
    assert staff.get("/coordinator/locations/999").status_code == 404
    assert staff.get("/coordinator/locations/999/edit").status_code == 404
    token = csrf_token(staff, "/coordinator/locations/new")
    assert staff.post("/coordinator/locations/999/toggle", data={"csrf_token": token, "active": "0"}).status_code == 404


def _location_urls(location_id: int) -> list[tuple[str, str]]:
    base = f"/coordinator/locations/{location_id}"
    return [
        ("GET", "/coordinator/locations"), ("GET", "/coordinator/locations/new"),
        ("POST", "/coordinator/locations/new"), ("GET", base), ("GET", f"{base}/edit"),
        ("POST", f"{base}/edit"), ("POST", f"{base}/toggle"),
    ]


@pytest.mark.parametrize("kind", ["volunteer", "pending_volunteer"])
def test_volunteers_get_404_on_every_location_page(client, make, db, kind):
    location = make.location(name="Boston Immigration Court")
    person = getattr(make, kind)()
    db.session.commit()
    log_in(client, person)
    for method, url in _location_urls(location.id):
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={**_form(client, "/password", name="Taken Over"), "active": "0"})
        assert response.status_code == 404, (method, url)
    db.session.expire_all()
    assert _count(db) == 1
    location = db.session.get(Location, location.id)
    assert (location.name, location.active) == ("Boston Immigration Court", True)


def test_anonymous_visitors_are_sent_to_log_in(client, make, db):
    location = make.location()
    db.session.commit()
    assert_sent_to_log_in(client, _location_urls(location.id))


def test_location_pages_load_nothing_from_outside_static(staff, make, db):
    location = make.location()
    db.session.commit()
    assert_loads_nothing_from_outside(staff, [
        "/coordinator/locations", "/coordinator/locations/new", f"/coordinator/locations/{location.id}",
        f"/coordinator/locations/{location.id}/edit",
    ])
