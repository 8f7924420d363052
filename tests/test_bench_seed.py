"""The benchmark's network has the shapes a real one has (bench/seed.py)."""

from __future__ import annotations

from bench.seed import build_network
from tests.conftest import NOW

WHERE_EACH_KIND_HAPPENS = {
    "master_calendar": "immigration_court", "individual_hearing": "immigration_court",
    "bond_hearing": "immigration_court", "ice_check_in": "ice_office", "bond_payment": "ice_office",
    "detention_visit": "detention_center", "uscis_appointment": "uscis_office", "other": "other",
}


def test_every_appointment_is_at_a_place_of_its_kind():
    network = build_network(0.05, now=NOW, seed=1, password_hash="x", phone_index=lambda phone: phone)
    place_kind = {row["id"]: row["kind"] for row in network.tables["locations"]}
    seen = {(row["kind"], place_kind[row["location_id"]]) for row in network.tables["appointments"]}
    assert seen == set(WHERE_EACH_KIND_HAPPENS.items())


def test_no_family_has_two_appointments_at_the_same_time():
    network = build_network(1.0, now=NOW, seed=2203, password_hash="x", phone_index=lambda phone: phone)
    keys = [(row["family_id"], row["starts_at"]) for row in network.tables["appointments"]]
    assert len(keys) == len(set(keys)) == 10_000
