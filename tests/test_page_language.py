"""The pages' language (issue 17): the picker on every page, the one preferred language on the
account, the browser's Accept-Language and the organization's default; dates and numbers in the
chosen locale; a volunteer's texts in their preferred language."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from flask import render_template_string

from accompany import create_app
from accompany.models import PageLanguage, User
from accompany.services.people import profile
from accompany.services.people.accounts import approve_volunteer
from accompany.services.people.profile import UnknownPageLanguage, details_of, update_profile
from config import ConfigError
from tests.conftest import config_for, csrf_token, from_now, log_in
from tests.support.browsing import logged_in
from tests.support.texting import send_texts


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)">', response.get_data(as_text=True))[1]


def pick(client, language: str, return_to: str = "/login", page: str = "/login"):
    """What the picker at the foot of `page` sends (a signed-in browser: page="/password")."""
    token = csrf_token(client, page)
    return client.post("/language", data={"csrf_token": token, "language": language, "return_to": return_to})


@pytest.mark.parametrize(("header", "lang", "words"), [
    ("pt-PT,pt;q=0.9,en;q=0.5", "pt-BR", "Esqueceu sua senha?"),  # Portuguese pages are Brazilian
    ("es-419,es;q=0.9", "es", "¿Olvidó su contraseña?"),
    ("fr-CA", "fr", "Mot de passe oublié ?"),
    ("de-DE,de;q=0.9,ht;q=0.5", "ht", "Ou bliye modpas ou?"),  # the best of the five, not the first
    ("en-US,en;q=0.9,es;q=0.8", "en", "Forgot your password?"),
    ("de-DE,zh;q=0.5", "en", "Forgot your password?"),  # none of the five: the organization's default
])
def test_a_visitor_gets_the_best_of_their_browsers_languages(client, header, lang, words):
    page = client.get("/login", headers={"Accept-Language": header})
    assert html_lang(page) == lang
    assert words in page.get_data(as_text=True)


def test_without_a_language_we_have_the_pages_are_in_the_organizations(database_url, db_kind):
    app = create_app(config_for(database_url, ORG_LANGUAGE="ht"))
    page = app.test_client().get("/login", headers={"Accept-Language": "de"})
    assert html_lang(page) == "ht"
    assert "Ou bliye modpas ou?" in page.get_data(as_text=True)


def test_an_organization_default_we_have_no_pages_in_stops_the_app_starting(database_url, db_kind):
    with pytest.raises(ConfigError, match="ORG_LANGUAGE must be one of en, es, pt, ht, fr"):
        create_app(config_for(database_url, ORG_LANGUAGE="de"))


def test_the_picker_is_on_every_page_before_logging_in_too(client):
    for path in ("/", "/login", "/signup", "/password/forgot", "/no-such-page"):
        page = client.get(path).get_data(as_text=True)
        assert 'action="/language"' in page, path
        assert '<option value="ht">Kreyòl</option>' in page and '<option value="pt">Português</option>' in page


def test_a_visitors_pick_stays_with_their_browser_and_goes_back_to_the_same_page(app, client):
    answer = pick(client, "ht", return_to="/signup?x=1")
    assert answer.status_code == 302 and answer.headers["Location"] == "/signup?x=1"
    page = client.get("/signup", headers={"Accept-Language": "es"})  # the pick beats the browser's header
    assert html_lang(page) == "ht"
    assert "Vin volontè avèk nou" in page.get_data(as_text=True)
    assert 'value="ht" selected' in page.get_data(as_text=True)
    assert html_lang(app.test_client().get("/signup")) == "en"  # another browser is not touched


def test_a_signed_in_pick_is_the_accounts_and_stays_across_logins(app, make, db):
    volunteer = make.volunteer(email="lucia@example.org")
    browser = logged_in(app, volunteer)
    assert pick(browser, "pt", return_to="/password", page="/password").headers["Location"] == "/password"
    db.session.expire_all()
    assert db.session.get(User, volunteer.id).preferred_language == PageLanguage.PORTUGUESE
    assert html_lang(browser.get("/password")) == "pt-BR"

    browser.post("/logout", data={"csrf_token": csrf_token(browser, "/password")})
    assert html_lang(browser.get("/login")) == "pt-BR"  # logging out keeps this browser's language

    elsewhere = app.test_client()  # another phone, whose browser asks for English
    assert html_lang(elsewhere.get("/login", headers={"Accept-Language": "en"})) == "en"
    log_in(elsewhere, volunteer)
    page = elsewhere.get("/password", headers={"Accept-Language": "en"})
    assert html_lang(page) == "pt-BR"
    assert "Mude sua senha" in page.get_data(as_text=True)


def test_a_pick_before_logging_in_lasts_through_the_login(app, make, db):
    volunteer = make.volunteer()
    db.session.commit()
    browser = app.test_client()
    pick(browser, "fr")
    log_in(browser, volunteer)  # the session starts afresh, the language stays
    assert html_lang(browser.get("/password")) == "fr"


@pytest.mark.parametrize("language", ["de", "", "pt_BR", "x" * 5000])
def test_a_language_we_do_not_have_gets_a_plain_message_and_changes_nothing(app, make, db, language):
    volunteer = make.volunteer(preferred_language=PageLanguage.SPANISH)
    browser = logged_in(app, volunteer)
    answer = pick(browser, language, return_to="/password", page="/password")
    assert answer.status_code == 302 and answer.headers["Location"] == "/password"
    page = browser.get("/password").get_data(as_text=True)
    assert "Elija uno de los idiomas de la lista." in page  # in the language the pages are still in
    db.session.expire_all()
    assert db.session.get(User, volunteer.id).preferred_language == PageLanguage.SPANISH


def test_the_picker_goes_back_only_to_a_page_of_this_site(client):
    for elsewhere in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        assert pick(client, "es", return_to=elsewhere).headers["Location"] == "/"


def test_a_pick_without_its_csrf_token_gets_a_plain_400(client):
    answer = client.post("/language", data={"language": "es", "return_to": "/login"})
    assert answer.status_code == 400
    assert "Reload the page and try again." in answer.get_data(as_text=True)


def test_the_same_pick_sent_twice_makes_one_choice(app, make, db):
    volunteer = make.volunteer()
    browser = logged_in(app, volunteer)
    token = csrf_token(browser, "/password")
    sends = [browser.post("/language", data={"csrf_token": token, "language": "ht", "return_to": "/password"})
             for _ in range(2)]
    assert [send.status_code for send in sends] == [302, 302]
    assert [send.headers["Location"] for send in sends] == ["/password", "/password"]
    db.session.expire_all()
    assert db.session.get(User, volunteer.id).preferred_language == PageLanguage.HAITIAN_CREOLE
    assert "flash" not in browser.get("/password").get_data(as_text=True)  # no "changed meanwhile"


def test_the_service_refuses_a_language_we_have_no_pages_in(make, db):
    with pytest.raises(UnknownPageLanguage):
        profile.set_preferred_language(make.volunteer(), "ar")


# -- the volunteer's profile and texts -------------------------------------------------------------


def test_the_profile_sets_the_same_one_language_as_the_picker(app, make, db):
    volunteer = make.volunteer(phone="617-555-0123", languages=["es", "fr"])
    browser = logged_in(app, volunteer)
    pick(browser, "fr", return_to="/my/profile", page="/password")
    page = browser.get("/my/profile").get_data(as_text=True)
    assert re.search(r'<option selected value="fr">Français</option>|<option value="fr" selected>', page), page

    db.session.expire_all()
    details = details_of(db.session.get(User, volunteer.id))
    assert details.preferred_language == "fr"
    details.preferred_language = "ht"
    assert update_profile(volunteer, details, now=from_now()) == ["preferred_language"]
    assert volunteer.preferred_language == PageLanguage.HAITIAN_CREOLE
    details.preferred_language = "ar"  # a language we do not write pages in
    with pytest.raises(UnknownPageLanguage):
        update_profile(volunteer, details, now=from_now())


@pytest.mark.parametrize(("preferred", "words"), [
    (None, "¡Le damos la bienvenida!"),  # none chosen: their alphabetically first language, as before
    (PageLanguage.FRENCH, "Bienvenue ! Votre inscription est acceptée"),
    (PageLanguage.HAITIAN_CREOLE, "Byenvini! Enskripsyon ou apwouve"),  # not one they listed: still theirs
])
def test_a_volunteers_texts_are_in_their_preferred_language(make, db, preferred, words):
    volunteer = make.pending_volunteer(phone="617-555-0123", sms_opt_in=True, languages=["es", "fr"],
                                       preferred_language=preferred)
    approve_volunteer(volunteer, by=make.coordinator(), now=from_now())
    db.session.commit()
    [(_, body)] = send_texts()
    assert words in body


# -- dates and numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "Sat, Nov 21, 9:05 AM · Saturday, November 21 · Sat, Nov 21 · 9:05 AM · 1,234.5"),
    ("es", "sáb, 21 nov, 9:05 · sábado, 21 de noviembre · sáb, 21 nov · 9:05 · 1.234,5"),
    ("pt", "sáb., 21 de nov. 09:05 · sábado, 21 de novembro · sáb., 21 de nov. · 09:05 · 1.234,5"),
    ("fr", "sam. 21 nov., 09:05 · samedi 21 novembre · sam. 21 nov. · 09:05 · 1\u202f234,5"),
    ("ht", "samdi 21 novanm, 09:05 · samdi 21 novanm · samdi 21 novanm · 09:05 · 1\xa0234,5"),
])
def test_dates_times_and_numbers_follow_the_pages_language(app, language, expected):
    moment = datetime.fromisoformat("2026-11-21T14:05:00+00:00")  # 9:05 in Boston
    template = ("{{ moment | local_datetime }} · {{ moment | local_day }} · {{ day | day_date }} · "
                "{{ moment | local_time }} · {{ 1234.5 | number }}")
    with app.test_request_context("/", headers={"Accept-Language": language}):
        assert render_template_string(template, moment=moment, day=date(2026, 11, 21)) == expected
