"""The pages' catalogs hold every string marked for translation, and the translated pages show no
English (issue 17, the guards).

`TRANSLATED_FILES` is the list of files whose strings are marked and translated. Marking and
translating another page (see accompany/i18n.py and README "Languages"): add its template and the
Python that feeds it here, run `scripts/translations`, translate the new entries, and add the page
to `pages_in` below so that it is rendered in every language too.
"""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract
from sqlalchemy import select

from accompany.clock import utcnow
from accompany.models import LoginSession, Role
from accompany.services.people.accounts import invite_user
from tests.conftest import CSRF_INPUT, csrf_token
from tests.test_two_factor import code_at, enroll_for_pages, password_step

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "accompany" / "translations"
LOCALES = ("es", "pt_BR", "ht", "fr")
PAGE_LANGUAGES = {"es": "es", "pt_BR": "pt", "ht": "ht", "fr": "fr"}

# Every file whose words are marked and translated. Later pages add theirs (with the Python that
# gives them words: forms, flash messages).
TRANSLATED_FILES = (
    "templates/base.html",
    "templates/narrow.html",
    "templates/_forms.html",
    "templates/_pagination.html",
    "templates/errors/error.html",
    *sorted(str(path.relative_to(ROOT)) for path in (ROOT / "templates" / "auth").glob("*.html")),
    "templates/home/welcome.html",
    "templates/home/pending.html",
    "accompany/presentation.py",
    *sorted(str(path.relative_to(ROOT)) for path in (ROOT / "accompany" / "auth").glob("*.py")),
    "accompany/errors.py",
    "accompany/__init__.py",  # Flask-Login's "Please log in to see that page."
    "accompany/formfields.py",  # the shared fields' labels and messages (email, passwords, codes)
    "accompany/i18n.py",  # the names of the languages volunteers speak
)
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "N_": None}


@cache
def marked_strings(paths: tuple[str, ...]) -> dict[str | tuple[str, ...], str]:
    """{msgid (a tuple for a plural): the file it is in} for every string marked in `paths`."""
    found = {}
    for path in paths:
        method = babel_extract if path.endswith(".html") else "python"
        for _line, message, _comments, _context in extract_from_file(method, ROOT / path, keywords=KEYWORDS):
            key = tuple(part for part in message if part) if isinstance(message, tuple) else message
            if isinstance(key, tuple) and len(key) == 1:
                key = key[0]
            found[key] = path
    return found


@cache
def catalog(locale: str):
    with open(CATALOGS / locale / "LC_MESSAGES" / "messages.po", "rb") as file:
        return read_po(file, locale=locale)


def test_the_translated_files_are_there_and_mark_something():
    strings = marked_strings(TRANSLATED_FILES)
    assert {path for path in TRANSLATED_FILES if path not in strings.values()} <= {
        "templates/narrow.html", "accompany/auth/__init__.py"}  # no words of their own
    assert len(strings) > 150


@pytest.mark.parametrize("locale", LOCALES)
def test_every_catalog_translates_every_marked_string(locale):
    """Fails while a marked string is missing from the catalog, left empty or marked fuzzy (run
    scripts/translations and translate the new entries), or a translation drops a placeholder."""
    messages = catalog(locale)
    problems = []
    for key, path in marked_strings(TRANSLATED_FILES).items():
        message = messages.get(key[0] if isinstance(key, tuple) else key)
        if message is None:
            problems.append(f"missing ({path}): {key!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy ({path}): {key!r}")
        elif not all(message.string if isinstance(message.string, tuple) else [message.string]):
            problems.append(f"not translated ({path}): {key!r}")
    for message, errors in messages.check():
        problems += [f"{error} in {message.id!r}" for error in errors]
    assert problems == []


# -- no English on a translated page -----------------------------------------------------------------

# Words that stay as they are in every language: product and app names, acronyms, language names the
# picker shows in themselves.
ALLOWED = {"accompany", "ice", "qr", "mb", "google", "microsoft", "authenticator", "freeotp", "aegis", "english",
           "k'iche", "mam"}
# Common English words, beyond those of the marked strings, that a forgotten string would show.
COMMON_ENGLISH = {
    "the", "and", "you", "your", "to", "of", "for", "with", "is", "are", "this", "that", "here", "please", "log",
    "sign", "in", "out", "up", "page", "not", "yes", "back", "next", "previous", "home", "help", "save", "send",
    "cancel", "delete", "edit", "name", "email", "phone", "password", "code", "shift", "shifts", "volunteer",
    "coordinator", "family", "families", "appointment", "profile", "language", "languages", "text", "texts",
    "found", "allowed", "something", "wrong", "change", "new", "my", "open", "we", "us", "our", "will", "can", "be",
    "have", "has", "it", "at", "on", "by", "or", "if", "what", "when", "where", "who", "how", "from", "thank",
    "thanks", "welcome", "account", "required", "field", "enter", "choose"
}
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
EMAIL = re.compile(r"\S+@\S+")


class VisibleText(HTMLParser):
    """The words a page shows (its title, text, and the labels of controls), not its code."""

    HIDDEN = {"script", "style", "code", "svg"}

    def __init__(self):
        super().__init__()
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        self.parts += [value for name, value in attrs if name in ("aria-label", "placeholder", "alt") and value]

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def words_of(text: str) -> set[str]:
    return {word.lower() for word in WORD.findall(EMAIL.sub(" ", text))}


def english_left(html: str, locale: str, names: list[str]) -> list[str]:
    """The English words on a page in `locale`: words of the marked strings (or common English) that
    are no word of that language's translations, the allowed ones and the people's names aside."""
    parser = VisibleText()
    parser.feed(html)
    text = " ".join(parser.parts)
    for name in names:
        text = text.replace(name, " ")
    messages = catalog(locale)
    english = COMMON_ENGLISH | {word for key in marked_strings(TRANSLATED_FILES)
                                for part in (key if isinstance(key, tuple) else [key]) for word in words_of(part)}
    theirs = {word for message in messages if message.id
              for part in (message.string if isinstance(message.string, tuple) else [message.string])
              for word in words_of(part)}
    return sorted(words_of(text) & english - theirs - ALLOWED)


def pages_in(app, make, db, language: str) -> dict[str, str]:
    """Every translated page as the person it is for sees it, with the browser asking for `language`."""
    def browser():
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        return client

    pages = {}
    anon = browser()
    for path in ("/", "/login", "/signup", "/signup/thanks", "/password/forgot", "/invite/no-such-token",
                 "/no-such-page"):
        pages[path] = anon.get(path).get_data(as_text=True)
    pages["405 (GET /logout)"] = anon.get("/logout").get_data(as_text=True)
    pages["400 (no CSRF token)"] = anon.post("/login", data={}).get_data(as_text=True)
    pages["login, sent empty"] = anon.post("/login", data={"csrf_token": csrf_token(anon)}).get_data(as_text=True)
    pages["signup, sent empty"] = anon.post("/signup", data={"csrf_token": csrf_token(anon, "/signup")}).get_data(
        as_text=True)
    pages["signup, passwords differ"] = anon.post("/signup", data={
        "csrf_token": csrf_token(anon, "/signup"), "name": "Dana Rivera", "email": "not an email", "password": "short",
        "confirm": "other", "phone": "617-555-0123"}).get_data(as_text=True)
    pages["log in to see that page"] = anon.get("/password", follow_redirects=True).get_data(as_text=True)
    anon.post("/password/forgot", data={"account": "nobody@example.org", "csrf_token": csrf_token(anon,
                                                                                                 "/password/forgot")})
    pages["/password/reset"] = anon.get("/password/reset").get_data(as_text=True)

    pending = make.pending_volunteer(name="Dana Rivera", email="dana@example.org", languages=["es", "ht"],
                                     has_car=True, home_area="Chelsea")
    coordinator = make.coordinator(name="Carmen Ortiz", email="carmen@example.org")
    enrolled = make.coordinator(name="Tess Lima", email="tess@example.org")
    admin = make.admin(name="Ada Silva", email="ada@example.org")
    _, token = invite_user("nora@example.org", Role.COORDINATOR, by=admin, now=utcnow())
    db.session.commit()
    secret, _codes = enroll_for_pages(db, enrolled)

    pages["invitation"] = anon.get(f"/invite/{token}").get_data(as_text=True)
    volunteer = browser()
    password_step(volunteer, pending, make.PASSWORD)
    pages["pending home"] = volunteer.get("/").get_data(as_text=True)
    pages["volunteer /password"] = volunteer.get("/password").get_data(as_text=True)
    volunteer.post("/logout", data={"csrf_token": csrf_token(volunteer, "/password")})
    pages["logged out"] = volunteer.get("/login").get_data(as_text=True)

    staff = browser()
    password_step(staff, coordinator, make.PASSWORD)
    pages["coordinator /password"] = staff.get("/password").get_data(as_text=True)
    pages["two-step setup"] = staff.get("/account/two-factor").get_data(as_text=True)
    setup_secret = db.session.scalar(select(LoginSession.two_factor_setup_secret).where(
        LoginSession.user_id == coordinator.id, LoginSession.two_factor_setup_secret.is_not(None)))
    pages["recovery codes"] = staff.post("/account/two-factor", data={
        "code": code_at(setup_secret, utcnow()), "csrf_token": csrf_token(staff, "/account/two-factor")}).get_data(
        as_text=True)
    pages["two-step status"] = staff.get("/account/two-factor").get_data(as_text=True)

    halfway = browser()
    password_step(halfway, enrolled, make.PASSWORD)
    pages["second step"] = halfway.get("/login/code").get_data(as_text=True)
    pages["second step, wrong code"] = halfway.post("/login/code", data={
        "code": "", "csrf_token": CSRF_INPUT.search(pages["second step"])[1]}).get_data(as_text=True)
    # Each is the page it is named for (a redirect or an error would hide a page from the check).
    for name, mark in {"recovery codes": 'class="recovery-codes"', "two-step status": "/account/two-factor/disable",
                       "second step": 'action="/login/code"', "pending home": 'class="profile"',
                       "invitation": "nora@example.org", "logged out": 'class="flash', "/password/reset":
                       'action="/password/reset"', "log in to see that page": 'class="flash',
                       "coordinator /password": "/account/two-factor"}.items():
        assert mark in pages[name], name
    return pages


NAMES = ["Test Accompaniment Network", "Dana Rivera", "Dana", "Chelsea", "Carmen Ortiz", "Tess Lima", "Ada Silva"]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_translated_page_shows_no_english(app, make, db, locale):
    pages = pages_in(app, make, db, PAGE_LANGUAGES[locale])
    left = {name: english_left(html, locale, NAMES) for name, html in pages.items()}
    assert {name: words for name, words in left.items() if words} == {}
    assert all(f'<html lang="{"pt-BR" if locale == "pt_BR" else locale}">' in html for html in pages.values())


def test_the_check_finds_english_on_a_page_left_untranslated(app, make, db):
    """The guard itself: the same pages in English are full of the words it looks for."""
    pages = pages_in(app, make, db, "en")
    assert all(english_left(html, "es", NAMES) for html in pages.values())
