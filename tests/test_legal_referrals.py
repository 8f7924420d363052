"""Legal referrals (issue 14, point 5): the directory of providers, a family's referrals, the
follow-ups on the dashboard, and the pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from accompany.models import LegalProvider, LegalReferral, ReferralStatus
from accompany.services.casework import referrals
from accompany.services.casework.referrals import ProviderDetails, ReferralDetails
from accompany.services.privacy.retention import purge_family
from tests.conftest import NOW
from tests.support.browsing import hidden_fields, logged_in

TODAY = date(2026, 11, 21)  # NOW in Boston
NOTE = "Zelmira prefers a call after 5 pm; the lawyer wants the hearing notice"  # sealed


def _provider(coordinator, name: str = "PAIR Project", **changes) -> LegalProvider:
    details = ProviderDetails(name=name, languages=("es", "pt"), services=("asylum", "detained_docket"),
                              phone="617-555-0100", email="intake@pair.example.org", website="pair.example.org")
    for key, value in changes.items():
        setattr(details, key, value)
    return referrals.create_provider(details, by=coordinator, now=NOW)


def _refer(family, provider, coordinator, **changes) -> LegalReferral:
    details = ReferralDetails(provider_id=provider.id, sent_on=TODAY - timedelta(days=7),
                              follow_up_on=TODAY, notes=NOTE)
    for key, value in changes.items():
        setattr(details, key, value)
    return referrals.refer_family(family, details, by=coordinator, now=NOW)


# -- providers -------------------------------------------------------------------------------------


def test_a_provider_keeps_what_it_takes_and_its_languages_and_names_are_unique(make):
    coordinator = make.coordinator()
    provider = _provider(coordinator, name="  PAIR Project ")
    assert provider.name == "PAIR Project" and provider.taking_cases
    assert [s.value for s in provider.service_list] == ["asylum", "detained_docket"]
    assert [lang.value for lang in provider.language_list] == ["es", "pt"]
    with pytest.raises(referrals.ProviderNameTaken):
        _provider(coordinator, name="pair project")
    with pytest.raises(referrals.ProviderNameMissing):
        _provider(coordinator, name=" ")


def test_a_provider_not_taking_cases_is_refused_and_not_offered(make):
    coordinator = make.coordinator()
    family = make.family()
    full = _provider(coordinator, name="Full Clinic", taking_cases=False)
    open_one = _provider(coordinator, name="Open Clinic")
    assert referrals.providers_taking_cases() == [open_one]
    with pytest.raises(referrals.ProviderNotTakingCases):
        _refer(family, full, coordinator)
    assert _refer(family, open_one, coordinator).provider == open_one


def test_a_referral_to_a_provider_that_stopped_taking_cases_can_still_be_answered(make):
    coordinator = make.coordinator()
    provider = _provider(coordinator)
    referral = _refer(make.family(), provider, coordinator)
    provider.taking_cases = False
    changed = referrals.update_referral(referral, ReferralDetails(
        provider_id=provider.id, sent_on=referral.sent_on, status=ReferralStatus.ACCEPTED, follow_up_on=None,
        notes=NOTE), by=coordinator, now=NOW)
    assert changed == ["status", "follow_up_on"] and referral.status == ReferralStatus.ACCEPTED


@pytest.mark.parametrize("changes, error", [
    ({"sent_on": TODAY + timedelta(days=1)}, referrals.SentDateInvalid),
    ({"sent_on": None}, referrals.SentDateInvalid),
    ({"follow_up_on": TODAY - timedelta(days=30)}, referrals.FollowUpInvalid),
    ({"provider_id": None}, referrals.ProviderInvalid),
])
def test_a_referral_with_bad_dates_or_no_provider_is_refused(make, changes, error):
    coordinator = make.coordinator()
    with pytest.raises(error):
        _refer(make.family(), _provider(coordinator), coordinator, **changes)


def test_follow_ups_due_are_those_still_waiting_whose_day_has_come(make):
    coordinator = make.coordinator()
    provider = _provider(coordinator)
    due_today = _refer(make.family(), provider, coordinator)
    overdue = _refer(make.family(), provider, coordinator, follow_up_on=TODAY - timedelta(days=2),
                     status=ReferralStatus.NO_ANSWER)
    _refer(make.family(), provider, coordinator, follow_up_on=TODAY + timedelta(days=1))  # not yet
    _refer(make.family(), provider, coordinator, status=ReferralStatus.ACCEPTED)  # answered
    _refer(make.family(), provider, coordinator, status=ReferralStatus.DECLINED)
    _refer(make.family(), provider, coordinator, follow_up_on=None)
    assert referrals.follow_ups_due(now=NOW) == [overdue, due_today]


def test_the_purge_clears_the_notes_and_keeps_the_provider_status_and_dates(make, db):
    coordinator = make.coordinator()
    family = make.family()
    referral = _refer(family, _provider(coordinator), coordinator)
    purge_family(family, now=NOW + timedelta(days=400))
    db.session.commit()
    db.session.expire_all()
    kept = db.session.get(LegalReferral, referral.id)
    assert kept.notes is None
    assert (kept.status, kept.sent_on, kept.follow_up_on, kept.provider.name) == (
        ReferralStatus.SENT, TODAY - timedelta(days=7), TODAY, "PAIR Project")
    assert referrals.follow_ups_due(now=NOW) == []  # a purged family is nobody to follow up


# -- pages -----------------------------------------------------------------------------------------


def test_a_coordinator_adds_and_edits_a_provider(app, make, db):
    coordinator = make.coordinator()
    browser = logged_in(app, coordinator)
    path = "/coordinator/legal-providers/new"
    answer = browser.post(path, data={**hidden_fields(browser, path), "name": "Greater Boston Legal Services",
                                      "services": ["removal_defense", "bond_hearings"], "languages": ["es", "ht"],
                                      "taking_cases": "y", "phone": "617-555-0190", "email": "intake@gbls.example.org"})
    assert answer.status_code == 302
    provider = db.session.scalar(select(LegalProvider))
    page = browser.get("/coordinator/legal-providers").get_data(as_text=True)
    assert "Greater Boston Legal Services" in page and "Bond hearings" in page and "Haitian Creole" in page
    assert "taking cases" in page
    edit = f"/coordinator/legal-providers/{provider.id}/edit"
    assert browser.post(edit, data={**hidden_fields(browser, edit), "name": "Greater Boston Legal Services",
                                    "services": "removal_defense"}).status_code == 302
    db.session.expire_all()
    assert not provider.taking_cases and provider.services == "removal_defense"
    assert "not taking cases" in browser.get("/coordinator/legal-providers").get_data(as_text=True)


@pytest.mark.parametrize("data, message", [
    ({"name": ""}, "Enter the provider&#39;s name."),
    ({"name": "Clinic", "email": "not an email"}, "That does not look like an email address."),
    ({"name": "Clinic", "services": "wills"}, "Choose only from the options listed."),
])
def test_bad_provider_input_is_told_and_saves_nothing(app, make, db, data, message):
    browser = logged_in(app, make.coordinator())
    path = "/coordinator/legal-providers/new"
    answer = browser.post(path, data={**hidden_fields(browser, path), **data})
    assert answer.status_code == 200 and message in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(LegalProvider)) == 0


def test_a_referral_from_the_family_page_offers_only_providers_taking_cases(app, make, db):
    coordinator = make.coordinator()
    family = make.family(name="Zelmira Q.")
    full = _provider(coordinator, name="Full Clinic", taking_cases=False)
    open_one = _provider(coordinator, name="Open Clinic")
    browser = logged_in(app, coordinator)
    assert "New referral" in browser.get(f"/coordinator/families/{family.id}").get_data(as_text=True)
    path = f"/coordinator/families/{family.id}/referrals/new"
    form = browser.get(path).get_data(as_text=True)
    assert "Open Clinic" in form and "Full Clinic" not in form
    stale = browser.post(path, data={**hidden_fields(browser, path), "provider_id": str(full.id),
                                     "sent_on": "2026-11-20"})
    assert stale.status_code == 200 and "Choose one of the options listed." in stale.get_data(as_text=True)
    future = browser.post(path, data={**hidden_fields(browser, path), "provider_id": str(open_one.id),
                                      "sent_on": "2026-11-22"})
    assert "today or earlier" in future.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(LegalReferral)) == 0
    answer = browser.post(path, data={**hidden_fields(browser, path), "provider_id": str(open_one.id),
                                      "sent_on": "2026-11-14", "follow_up_on": "2026-11-21", "notes": NOTE})
    assert answer.status_code == 302
    page = browser.get(f"/coordinator/families/{family.id}").get_data(as_text=True)
    assert "Open Clinic" in page and "follow up Nov 21, 2026" in page
    home = browser.get("/").get_data(as_text=True)
    assert "Legal referrals to follow up" in home and "Zelmira Q." in home and "Open Clinic" in home

    referral = db.session.scalar(select(LegalReferral))
    edit = f"/coordinator/referrals/{referral.id}/edit"
    assert browser.post(edit, data={**hidden_fields(browser, edit), "status": "accepted",
                                    "notes": "Taken on"}).status_code == 302
    assert "Legal referrals to follow up" not in browser.get("/").get_data(as_text=True)


def test_volunteers_see_no_provider_or_referral(app, make, db):
    coordinator = make.coordinator()
    referral = _refer(make.family(), _provider(coordinator), coordinator)
    browser = logged_in(app, make.volunteer())
    for path in ("/coordinator/legal-providers", f"/coordinator/referrals/{referral.id}/edit",
                 f"/coordinator/families/{referral.family_id}/referrals/new"):
        assert browser.get(path).status_code == 404, path
