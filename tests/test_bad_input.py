"""Input no person means to send: control characters (a NUL, which PostgreSQL's text columns refuse)
in any form field or query string, and ids in a URL that no record can have. Each gets a page that
works or a 404, never a 500, on SQLite and on PostgreSQL."""

from __future__ import annotations

import re

import pytest
from flask import request
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import FieldList, FormField

from accompany.database import MAX_RECORD_ID
from accompany.formfields import InputForm
from accompany.models import Family, Location, User
from accompany.services.inputs import CONTROL_CHARACTERS
from accompany.services.people.phone_codes import pending_phone_check
from tests.conftest import csrf_token
from tests.support.browsing import logged_in
from tests.support.routes import RULES

TYPED = "Ro\x00sa\x1b \x7fM.\x9b"  # what the form gets: a name with control characters in it
CLEAN = "Rosa M."

# -- ids in paths ----------------------------------------------------------------------------------

ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def test_every_id_in_a_path_takes_the_bounded_id_converter():
    arguments = [(rule, *found) for _, rule, _ in RULES for found in ARGUMENT.findall(rule)]
    assert len([name for _, _, name in arguments if name.endswith("_id")]) > 30
    wrong = sorted({rule for rule, converter, name in arguments
                    if converter in ("int", "float") or (name.endswith("_id") and converter != "id")})
    assert wrong == [], "use <id:…> for a record id (accompany/routing.py)"


ID_RULES = sorted({(endpoint, rule, method) for endpoint, rule, method in RULES if "<id:" in rule})


@pytest.mark.parametrize("bad_id", ["0", str(MAX_RECORD_ID + 1), "9223372036854775808", "9" * 5000])
def test_an_id_no_record_can_have_is_a_404_on_every_route(app, make, bad_id):
    """2147483648 is past PostgreSQL's integer, 2**63 past SQLite's: both databases refused the
    query with an error (a 500) before the id reached them."""
    clients = [logged_in(app, make.admin()), logged_in(app, make.volunteer())]
    tokens = [csrf_token(client, "/password") for client in clients]
    assert len(ID_RULES) > 30
    for endpoint, rule, method in ID_RULES:
        url = ARGUMENT.sub(lambda found: bad_id if found.group(1) == "id" else "x", rule)
        for client, token in zip(clients, tokens, strict=True):
            response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token})
            assert response.status_code == 404, (endpoint, url[:80], response.status_code)


def test_the_largest_id_is_still_an_id(app, make):
    admin = logged_in(app, make.admin())
    assert admin.get(f"/coordinator/families/{MAX_RECORD_ID}").status_code == 404  # looked up, not there
    assert admin.get(f"/coordinator/appointments/new?family_id={MAX_RECORD_ID + 1}").status_code == 200


# -- control characters ----------------------------------------------------------------------------


def every_form_class() -> list[type[FlaskForm]]:
    """Every form the app has (they are imported with it)."""
    found, pending = [], list(FlaskForm.__subclasses__())
    while pending:
        form = pending.pop()
        pending.extend(form.__subclasses__())
        if form.__module__.startswith("accompany."):
            found.append(form)
    return sorted(found, key=lambda form: form.__qualname__)


def field_names(fields) -> list[str]:
    """The names every field of `fields` (a form or a nested form) is posted under, one entry of
    each list included."""
    names = []
    for field in fields:
        if isinstance(field, FieldList):
            field.append_entry()
            names += field_names(field.entries)
        elif isinstance(field, FormField):
            names += field_names(field.form)
        else:
            names.append(field.name)
    return names


def text_values(fields) -> list[tuple[str, str]]:
    """(name, value) of every field of `fields` whose value is text, nested ones too."""
    values = []
    for field in fields:
        if isinstance(field, FieldList):
            values += text_values(field.entries)
        elif isinstance(field, FormField):
            values += text_values(field.form)
        elif isinstance(field.data, str):
            values.append((field.name, field.data))
    return values


@pytest.mark.parametrize("form_class", every_form_class(), ids=lambda form: form.__qualname__)
def test_every_field_of_every_form_gets_what_was_typed_without_control_characters(app, form_class):
    assert issubclass(form_class, InputForm), "forms derive from accompany.formfields.InputForm"
    with app.test_request_context(method="POST"):
        names = field_names(form_class(formdata=None))
        form = form_class(formdata=MultiDict({name: TYPED for name in names}))
        values = text_values(form)
    dirty = [name for name, value in values if CONTROL_CHARACTERS.search(value)]
    assert dirty == []


def test_query_string_values_reach_views_without_control_characters(app):
    with app.test_request_context("/coordinator/messages?to=fami%00ly&view=%1bsent"):
        assert request.args.to_dict() == {"to": "family", "view": "sent"}
    with app.test_request_context("/?next=%2Fshifts%0D%0A"):
        assert request.args["next"] == "/shifts\r\n"  # line breaks are text; safe_next_url refuses them


def test_a_query_string_param_with_a_nul_is_read_as_typed_without_it(app, make):
    admin = logged_in(app, make.admin())
    page = admin.get("/coordinator/messages?view=sent&to=fami%00ly").get_data(as_text=True)
    assert 'href="/coordinator/messages?view=sent&amp;to=family" aria-current="page"' in page


def test_sign_up_with_control_characters_in_the_name_saves_the_name_without_them(app, db):
    client = app.test_client()
    response = client.post("/signup", data={
        "csrf_token": csrf_token(client, "/signup"), "name": TYPED, "email": "ro\x00sa@example.org",
        "phone": "617-555-01\x0066", "password": "a long enough password", "confirm": "a long enough password",
        "home_area": "Chel\x00sea",
    })
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "rosa@example.org"))
    # The number waits for the code we texted it (phone_codes.py) before it becomes theirs.
    assert (user.name, user.home_area, user.phone) == (CLEAN, "Chelsea", None)
    assert pending_phone_check(user).phone == "+16175550166"


def test_profile_family_and_place_forms_save_text_without_control_characters(app, make, db):
    volunteer = logged_in(app, make.volunteer())
    response = volunteer.post("/my/profile", data={
        "csrf_token": csrf_token(volunteer, "/my/profile"), "name": TYPED, "home_area": "Somer\x00ville",
    })
    assert response.status_code == 302
    db.session.expire_all()
    assert (volunteer.user.name, volunteer.user.home_area) == (CLEAN, "Somerville")

    coordinator = logged_in(app, make.coordinator())
    token = csrf_token(coordinator, "/coordinator/families/new")
    response = coordinator.post("/coordinator/families/new", data={
        "csrf_token": token, "name": TYPED, "phone": "617-555-01\x0042", "language": "es", "wording": "discreet",
        "town": "Chel\x00sea", "notes": "Line one\x00\r\nLine two", "consent_given_by": "Ro\x00sa",
        "consent_method": "in per\x00son",
    })
    assert response.status_code == 302
    family = db.session.scalar(select(Family))
    assert (family.name, family.town, family.phone) == (CLEAN, "Chelsea", "+16175550142")
    assert family.notes == "Line one\r\nLine two"

    response = coordinator.post("/coordinator/locations/new", data={
        "csrf_token": token, "name": "Court\x00house", "kind": "immigration_court", "address": "1 Main\x00 St",
        "town": "Bos\x00ton", "timezone": "America/New_York", "arrival_notes": "Door\x00 B",
    })
    assert response.status_code == 302
    place = db.session.scalar(select(Location))
    assert (place.name, place.address, place.town, place.arrival_notes) == ("Courthouse", "1 Main St", "Boston", "Door B")


def test_searches_with_control_characters_find_what_was_meant(app, make):
    make.family(name="Rosa M.")
    make.volunteer(name="Val Volunteer")
    coordinator = logged_in(app, make.coordinator())
    families = coordinator.get("/coordinator/families?q=Ro%00sa")
    volunteers = coordinator.get("/coordinator/volunteers?q=V%00al")
    board = logged_in(app, make.volunteer()).get("/shifts?place=%00&first_day=2026-11-2%001")
    assert (families.status_code, volunteers.status_code, board.status_code) == (200, 200, 200)
    assert "Rosa M." in families.get_data(as_text=True)
    assert "Val Volunteer" in volunteers.get_data(as_text=True)
