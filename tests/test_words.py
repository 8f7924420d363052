"""Words people type, read one way everywhere: accents and case folded, a name's first word."""

from __future__ import annotations

import pytest

from accompany.services.messaging.keywords import normalize
from accompany.services.people.family_records import FamilySearch, search_families
from accompany.services.privacy.redaction import indiscreet_words
from accompany.services.scheduling.appointments import open_families
from accompany.words import first_name, fold


@pytest.mark.parametrize("typed, folded", [
    ("Lucía", "lucia"), ("ARRÊTER", "arreter"), ("São João", "sao joao"), ("Ñandú", "nandu"),
    ("ﬁn", "fin"), ("", ""), (None, ""),
])
def test_fold_drops_accents_and_case(typed, folded):
    assert fold(typed) == folded


def test_keywords_discreet_words_and_family_search_fold_alike(make, db):
    make.family(name="Inés Peña", phone="")
    assert normalize("  SÍ! ") == "si"
    assert indiscreet_words("Audiéncia no TRIBUNAL") == ["audiencia", "tribunal"]
    assert [family.name for family in search_families(FamilySearch(text="ines pena"))] == ["Inés Peña"]


@pytest.mark.parametrize("name, first", [
    ("Rosa María Gómez", "Rosa"), ("  Ana  ", "Ana"), ("Ana", "Ana"), ("   ", ""), ("", ""), (None, ""),
])
def test_first_name_is_the_first_word(name, first):
    assert first_name(name) == first


def test_volunteers_and_families_are_addressed_by_the_same_first_name(make, db):
    for name in ("  Rosa María  ", "Ana"):
        assert make.volunteer(name=name).first_name == make.family(name=name, phone="").first_name == first_name(name)


def test_the_appointment_form_lists_families_in_the_family_list_order(make, db):
    """Accents do not send a name to the end of the list (as 'Á' sorts after 'z' unfolded)."""
    for name in ("Beatriz S.", "Ángela R.", "carla T."):
        make.family(name=name, phone="")
    expected = ["Ángela R.", "Beatriz S.", "carla T."]
    assert [family.name for family in search_families(FamilySearch())] == expected
    assert [family.name for family in open_families()] == expected
