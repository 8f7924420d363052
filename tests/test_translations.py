"""The pages' catalogs hold every string marked for translation, and the translated pages show no
English (issue 17, the guards).

`TRANSLATED_FILES` is the list of files whose strings are marked and translated. Marking and
translating another page (see accompany/i18n.py and README "Languages"): add its template and the
Python that feeds it here, run `scripts/translations`, translate the new entries, and add the page
to `pages_in` below so that it is rendered in every language too.
"""

from __future__ import annotations

import io
import re
from datetime import time, timedelta
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract
from sqlalchemy import select

from accompany.clock import utcnow
from accompany.committing import shown
from accompany.models import (
    AppointmentKind,
    AppointmentStatus,
    BondPaidHow,
    BondSetBy,
    BondStatus,
    DetentionOutcome,
    FundEntryKind,
    Language,
    LocationKind,
    LoginSession,
    MessageState,
    NeedKind,
    OutboundMessage,
    Outcome,
    PageLanguage,
    Role,
    RotaSpan,
    ShiftRole,
)
from accompany.presentation import label
from accompany.services.casework import bonds as bond_service
from accompany.services.casework import fund as fund_service
from accompany.services.casework import letters as letter_service
from accompany.services.casework import referrals
from accompany.services.detention.cases import acknowledge, close_case, open_case, set_where_held
from accompany.services.detention.checklist import template_steps, tick_step
from accompany.services.detention.on_call import add_turn, org_today
from accompany.services.messaging import inbound
from accompany.services.messaging.message_log import NOT_ARRIVED
from accompany.services.messaging.wording import CATALOGS as TEXT_CATALOGS
from accompany.services.people.accounts import invite_user
from accompany.services.scheduling.claims import NotEligible, ShiftFull, requirement_problems
from accompany.timezones import from_local, us_zone_choices
from tests.conftest import CSRF_INPUT, csrf_token, from_now, log_in
from tests.support.browsing import logged_in
from tests.test_two_factor import code_at, enroll_for_pages, password_step

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "accompany" / "translations"
LOCALES = ("es", "pt_BR", "ht", "fr")
PAGE_LANGUAGES = {"es": "es", "pt_BR": "pt", "ht": "ht", "fr": "fr"}

# Every file whose words are marked and translated. Later pages add theirs (with the Python that
# gives them words: forms, flash messages).
TRANSLATED_FILES = (
    "templates/base.html",
    "templates/_site_header.html",  # the header and footer every page draws (accompany/fragments.py)
    "templates/_site_footer.html",
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
    "accompany/guards.py",  # a volunteer waiting for approval, sent home
    "accompany/__init__.py",  # Flask-Login's "Please log in to see that page."
    "accompany/formfields.py",  # the shared fields' labels and messages (email, passwords, codes)
    "accompany/i18n.py",  # the names of the languages volunteers speak
    # The coordinator's core pages: families, appointments, the inbox, places, volunteers.
    *sorted(str(path.relative_to(ROOT)) for folder in ("appointments", "families", "inbox", "locations")
            for path in (ROOT / "templates" / "coordinator" / folder).glob("*.html")),
    "templates/coordinator/volunteers.html",
    "templates/coordinator/volunteers/_macros.html",
    "templates/coordinator/volunteers/profile.html",
    *(f"accompany/coordinator/{name}.py" for name in (
        "appointments", "appointment_forms", "families", "family_forms", "inbox", "inbox_forms", "locations",
        "location_forms", "volunteers", "volunteer_forms")),
    # the domain errors those pages show, and the words of the enums they show (models/enums.py)
    "accompany/services/people/families.py",
    "accompany/services/people/volunteers.py",
    "accompany/services/scheduling/appointments.py",
    "accompany/services/scheduling/locations.py",
    "accompany/services/scheduling/shifts.py",
    "accompany/models/enums.py",
    # The volunteer's pages (issue 17, wt-17b), the Python that words them and the labels they show.
    *sorted(str(path.relative_to(ROOT)) for path in (ROOT / "templates" / "volunteer").glob("*.html")),
    "templates/home/volunteer.html",
    *sorted(str(path.relative_to(ROOT)) for path in (ROOT / "accompany" / "volunteer").glob("*.py")),
    "accompany/services/errors.py",
    "accompany/services/scheduling/claims.py",  # the domain errors and the reasons a volunteer can't take a shift
    "accompany/services/scheduling/board.py",
    "accompany/services/scheduling/my_shifts.py",
    "accompany/services/scheduling/calendar.py",
    "accompany/services/casework/tasks.py",
    "accompany/services/people/profile.py",
    "accompany/services/people/phone_codes.py",
    # The casework pages (issue 17, wt-17f): needs and tasks, bonds, the fund, letters of support and
    # legal referrals, the Python that words them, and the domain errors and labels they show.
    *sorted(str(path.relative_to(ROOT)) for folder in ("needs", "bonds", "fund", "letters", "legal")
            for path in (ROOT / "templates" / "coordinator" / folder).glob("*.html")),
    *(f"accompany/coordinator/{name}.py" for name in (
        "needs", "needs_forms", "bonds", "bond_forms", "fund", "fund_forms", "letters", "letter_forms", "legal",
        "legal_forms")),
    *(f"accompany/services/casework/{name}.py" for name in ("needs", "bonds", "fund", "money", "letters", "referrals")),
    "accompany/models/legal.py",
    # The dashboard, detention response and admin pages (issue 17, wt-17g), their Python and the
    # domain errors and words they show (phone numbers' problems are shown on every form).
    "templates/home/coordinator.html",
    "templates/home/_agenda_line.html",
    *sorted(str(path.relative_to(ROOT)) for path in (ROOT / "templates" / "coordinator" / "detentions").glob("*.html")),
    "templates/coordinator/on_call.html",
    *sorted(str(path.relative_to(ROOT)) for path in (ROOT / "templates" / "admin").glob("*.html")),
    *(f"accompany/coordinator/{name}.py" for name in ("detentions", "detention_forms", "checklist", "on_call")),
    *sorted(str(path.relative_to(ROOT)) for path in (ROOT / "accompany" / "admin").glob("*.py")),
    "accompany/home/views.py",
    *(f"accompany/services/detention/{name}.py" for name in ("alert_chain", "cases", "checklist", "on_call",
                                                             "timeline")),
    "accompany/services/people/accounts.py",
    "accompany/phones.py",
    "templates/coordinator/volunteers/assign.html",  # assigning a volunteer to a shift, texting for one
    "accompany/coordinator/shifts.py",
    "accompany/services/messaging/urgent_calls.py",
    # The export page, the import's upload page and its preview: the file's problems and each row's.
    *(f"templates/coordinator/spreadsheets/{name}.html" for name in ("_upload", "export", "import", "preview")),
    "accompany/coordinator/spreadsheet_forms.py",
    "accompany/coordinator/spreadsheets.py",
    "accompany/services/scheduling/coverage_export.py",
    "accompany/services/scheduling/csv_files.py",
    "accompany/services/scheduling/appointment_import.py",
    # The message log: its tabs, each text's kind, state and problem, and why a waiting one will not go.
    "templates/coordinator/messages.html",
    *(f"accompany/coordinator/{name}.py" for name in ("messages", "message_forms")),
    *(f"accompany/services/messaging/{name}.py" for name in ("message_log", "facts", "rendering")),
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
            found.setdefault(key, path)  # the first file that marks it
    return found


@cache
def catalog(locale: str):
    with open(CATALOGS / locale / "LC_MESSAGES" / "messages.po", "rb") as file:
        return read_po(file, locale=locale)


def test_the_translated_files_are_there_and_mark_something():
    strings = marked_strings(TRANSLATED_FILES)
    assert {path for path in TRANSLATED_FILES if path not in strings.values()} <= {
        "templates/narrow.html", "accompany/auth/__init__.py", "accompany/volunteer/__init__.py",
        "templates/volunteer/_board_filters.html", "accompany/admin/__init__.py",
        "accompany/home/views.py"}  # no words of their own
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


# Reviewed languages (docs/glossary/<language>.md): the pages name each thing with the word the texts use.
REVIEWED = {"es": "es", "fr": "fr"}


@pytest.mark.parametrize("locale", REVIEWED)
def test_the_pages_and_the_texts_use_one_word_for_each_thing(locale):
    """A volunteer reads "Mission terminée" in a text and "Missions" on the page, the meeting point
    under one name in both, and a shift's role never under the word for a task."""
    said = {message.id if isinstance(message.id, str) else message.id[0]: message.string
            for message in catalog(locale) if message.id}
    texts = TEXT_CATALOGS[REVIEWED[locale]]
    for role in ShiftRole:
        assert said[role.label].startswith(texts.ROLES[role.value]), role
    assert said["Meeting point"] in texts.WORDS["meeting"]
    task = said["Task"]
    assert task in texts.TEXTS["coordinator_task_done"]
    assert said["Role"] != task
    assert all(task.lower() in said[words].lower() for words in ("Tasks", "My tasks", "Open tasks", "Take this task"))


# The detention chain's and the bond's words in Portuguese and Kreyòl (docs/glossary/<language>.md): each is
# the word the texts use, so a coordinator texted "reply OK to take the case on" finds it on the case's page.
DETENTION_WORDS = {
    "pt_BR": ("pt", {"on call": "plantão", "rota": "escala", "acknowledg": "assum"}),
    "ht": ("ht", {"on call": "gad", "rota": "gad", "acknowledg": "an chaj"}),
}
# Words the glossaries rule out: a calque, a wrong term, a misspelling.
NEVER_SAID = {"pt_BR": ("prestador",), "ht": ("sou apèl", "garan", "pa p ", "founisè")}
ACKNOWLEDGING = ("I'm on it: acknowledge", "Acknowledged", "Acknowledged by %(name)s", "This case was already acknowledged.",
                 "This case was already acknowledged by %(name)s.", "Reply: detention acknowledged")


@pytest.mark.parametrize("locale", DETENTION_WORDS)
def test_the_detention_and_bond_pages_use_the_words_of_the_texts(locale):
    """The on-call rota and taking a detention case on are named on every page as the texts name them
    (never the calque "sou apèl", a phone call, nor "Confirmado", which reads as confirming the
    arrest), and no page uses a word the glossary rules out."""
    language, words = DETENTION_WORDS[locale]
    texts = TEXT_CATALOGS[language].TEXTS
    assert words["rota"] in texts["detention_alert_all"] and words["acknowledg"] in texts["detention_alert"]
    problems = []
    for message in catalog(locale):
        english = message.id if isinstance(message.id, str) else message.id[-1]
        said = " ".join(message.string) if isinstance(message.string, tuple) else message.string
        for term, word in words.items():
            named = term in english.lower() and (term != "acknowledg" or english in ACKNOWLEDGING)
            if named and word not in said.lower():
                problems.append(f"{english!r} => {said!r}: not {word!r}")
        problems += [f"{english!r} => {said!r}: {never!r}" for never in NEVER_SAID[locale] if never in said.lower()]
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
# A word is letters standing alone: a code that mixes letters and digits (a case's "3MY") is
# no word, or a random one could spell English.
WORD = re.compile(r"(?<!\w)[^\W\d_]+(?:'[^\W\d_]+)?(?!\w)")
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


def pages_missing(pages: dict[str, str], marks: dict[str, str]) -> set[str]:
    """The pages that lack their mark: each page is the one it is named for and says what it is
    meant to (an error page would otherwise pass the no-English check)."""
    return {name for name, mark in marks.items() if mark not in pages[name]}


def english_on(pages: dict[str, str], locale: str, names: list[str]) -> dict[str, list[str]]:
    """The English words left on each of `pages` that has any (`english_left`), by page."""
    return {name: words for name, html in pages.items() if (words := english_left(html, locale, names))}


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
    assert pages_missing(pages, {"recovery codes": 'class="recovery-codes"', "two-step status": "/account/two-factor/disable",
                       "second step": 'action="/login/code"', "pending home": 'class="profile"',
                       "invitation": "nora@example.org", "logged out": 'class="flash', "/password/reset":
                       'action="/password/reset"', "log in to see that page": 'class="flash',
                       "coordinator /password": "/account/two-factor"}) == set()
    return pages


NAMES = ["Test Accompaniment Network", "Dana Rivera", "Dana", "Chelsea", "Carmen Ortiz", "Tess Lima", "Ada Silva"]


# -- the coordinator's core pages -------------------------------------------------------------------

CORE_NAMES = ["Test Accompaniment Network", "Carmen Ortiz", "Rosa M.", "Boston Immigration Court",
              "15 New Sudbury St, Boston, MA 02203", "Boston", "Chelsea", "Hal Helper", "Somerville", "Lucia Nueva",
              "Hola, nos vemos el martes?"]
# The time zones a place's form offers are named as the tz database names them.
ZONE_NAMES = sorted((zone.replace("_", " ") for zone in us_zone_choices()), key=len, reverse=True)


def coordinator_pages(app, make, db, language: str) -> dict[str, str]:
    """A family's page, an appointment's, the appointments, the volunteers, a volunteer's page, the
    places, a place's page and the inbox with a conversation, as a coordinator in `language` sees them."""
    coordinator = make.coordinator(name="Carmen Ortiz", email="carmen@example.org",
                                   preferred_language=PageLanguage(language))
    place = make.location(name="Boston Immigration Court", town="Boston", address="15 New Sudbury St, Boston, MA 02203")
    family = make.family(name="Rosa M.", phone="617-555-0142", town="Chelsea", sms_consent=False)
    appointment = make.appointment(family=family, location=place)
    # Every requirement and skill, so each of their words shows.
    volunteer = make.volunteer(name="Hal Helper", email="hal@example.org", home_area="Somerville", has_car=True,
                               court_training_on=utcnow().date(), obligor_eligible=True, obligor_attested_at=utcnow())
    make.claim(make.shift(appointment=appointment, requires_car=True, requires_training=True, requires_obligor=True,
                          language=Language.SPANISH), volunteer)
    make.shift(appointment=appointment, role=ShiftRole.RIDE_THERE)
    make.pending_volunteer(name="Lucia Nueva", email="lucia@example.org")
    db.session.commit()
    inbound.receive_text("617-555-0142", "Hola, nos vemos el martes?", provider_sid="SMcorepages01", now=utcnow())
    db.session.commit()
    staff = logged_in(app, coordinator)
    paths = ["/coordinator/families", f"/coordinator/families/{family.id}", f"/coordinator/families/{family.id}/edit",
             "/coordinator/appointments", f"/coordinator/appointments/{appointment.id}",
             f"/coordinator/appointments/{appointment.id}/edit", "/coordinator/volunteers",
             f"/coordinator/volunteers/{volunteer.id}", "/coordinator/locations", f"/coordinator/locations/{place.id}",
             f"/coordinator/locations/{place.id}/edit", "/coordinator/inbox"]
    responses = {path: staff.get(path) for path in paths}
    conversation = re.search(r'href="(/coordinator/inbox/[0-9a-f]{64})"', responses["/coordinator/inbox"].text)[1]
    responses["a conversation"] = staff.get(conversation)
    assert {name: response.status_code for name, response in responses.items() if response.status_code != 200} == {}
    pages = {name: response.get_data(as_text=True) for name, response in responses.items()}
    assert pages_missing(pages, {f"/coordinator/families/{family.id}": "Rosa M.", "/coordinator/inbox": "badge-waiting",
                       f"/coordinator/appointments/{appointment.id}": "Hal Helper",
                       "/coordinator/volunteers": "Lucia Nueva", "a conversation": "nos vemos"}) == set()
    return pages


# -- the volunteer's pages ---------------------------------------------------------------------------

# What the volunteer pages show that nobody translates: what coordinators typed (places, titles,
# notes), people's names, and the volunteer's own words.
VOLUNTEER_DATA = ["Dana Rivera", "Dana", "Rosa", "Chelsea", "Boston", "15 New Sudbury St, Boston, MA 02203",
                  "Lynn", "Immigration Court", "JFK Federal Building", "Call shelters in Chelsea",
                  "Side door on Congress St", "Ask for the clerk", "Bring the folder", "Luis", "Test Accompaniment Network",
                  "Rent receipts"]
VOLUNTEER_DATA.sort(key=len, reverse=True)  # "Call shelters in Chelsea" before "Chelsea"


def volunteer_pages_in(app, make, db, language: str) -> dict[str, str]:
    """Every page of a volunteer's, with the browser asking for `language`: the board (with a card
    they can't take, a ride from a town, requirements and a task), my shifts (coming up, cancelled,
    past with and without a report), a held shift, the report form (and its problems), my tasks, a
    held task and its done form, the calendar page, the profile (with a number waiting for its
    code), and the flash messages of taking, giving back and reporting."""
    volunteer = make.volunteer(name="Dana Rivera", email="dana@example.org", languages=["es"], has_car=False,
                               phone="617-555-0123", home_area="Chelsea")
    teammate = make.volunteer(name="Luis Gomez", languages=["es"])
    court = make.location(name="JFK Federal Building Immigration Court", arrival_notes="Side door on Congress St")
    family = make.family(name="Rosa M.", town="Lynn")
    soon = make.appointment(family, court, starts_at=from_now(days=2))
    held = make.shift(soon, role=ShiftRole.INTERPRETER, slots=2, language=Language.SPANISH,
                      meeting_point="Ask for the clerk", notes="Bring the folder")
    make.claim(held, volunteer)
    make.claim(held, teammate)
    cannot = make.shift(soon, role=ShiftRole.RIDE_THERE, requires_car=True, slots=2)  # one they can't take
    make.shift(make.appointment(make.family(name="Ana P."), court, starts_at=from_now(days=4)),
               role=ShiftRole.COMPANION, requires_training=True)
    open_ride = make.shift(make.appointment(make.family(name="Eva R.", town="Lynn"), court,
                                            starts_at=from_now(days=5)), role=ShiftRole.RIDE_THERE, slots=3)
    cancelled = make.appointment(make.family(name="Ida K."), court, starts_at=from_now(days=6),
                                 status=AppointmentStatus.CANCELLED)
    make.claim(make.shift(cancelled, role=ShiftRole.RIDE_HOME, meeting_point="Ask for the clerk"), volunteer)
    past = make.appointment(family, court, starts_at=from_now(days=-3))
    unreported = make.shift(past, role=ShiftRole.COMPANION)
    make.claim(unreported, volunteer)
    reported = make.claim(make.shift(make.appointment(make.family(name="Zoe T."), court, starts_at=from_now(days=-6)),
                                     role=ShiftRole.BOND_HELP), volunteer)
    reported.reported_at, reported.report_outcome, reported.report_hours = from_now(days=-6), Outcome.HELD, 3
    today = make.shift(make.appointment(make.family(name="Ivy D."), court, starts_at=from_now(hours=3)),
                       role=ShiftRole.COMPANION)  # held today: the page offers to report a detention
    make.claim(today, volunteer)
    need = make.need(family, kind=NeedKind.HOUSING)
    task = make.task(need, language=Language.SPANISH, details="Rent receipts")
    make.task_taker(task, volunteer)
    make.task(make.need(make.family(name="Ema L."), kind=NeedKind.PAPERWORK), title="Call shelters in Chelsea",
              requires_car=True, wanted=2)
    db.session.commit()

    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    log_in(client, volunteer)
    pages = {}
    for name, path in {"home": "/", "board": "/shifts", "board, everything": "/shifts?all=y",
                       "board, nothing matches": "/shifts?role=visit", "board, a bad date": "/shifts?first_day=soon",
                       "my shifts": "/my/shifts", "held shift": f"/my/shifts/{held.id}",
                       "held shift, today": f"/my/shifts/{today.id}",
                       "report form": f"/my/shifts/{unreported.id}/report", "my tasks": "/my/tasks",
                       "held task": f"/my/tasks/{task.id}", "task done form": f"/my/tasks/{task.id}/done",
                       "calendar": "/my/calendar", "profile": "/my/profile"}.items():
        pages[name] = client.get(path).get_data(as_text=True)
    token = csrf_token(client, "/shifts")
    pages["report, hours out of range"] = client.post(f"/my/shifts/{unreported.id}/report", data={
        "csrf_token": token, "outcome": "held", "hours": "30", "next_date": "soon"}).get_data(as_text=True)
    pages["a shift they can't take"] = client.post(f"/shifts/{cannot.id}/claim", data={
        "csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    pages["took a shift"] = client.post(f"/shifts/{open_ride.id}/claim", data={"csrf_token": token},
                                        follow_redirects=True).get_data(as_text=True)
    pages["released it"] = client.post(f"/my/shifts/{open_ride.id}/release", data={"csrf_token": token},
                                       follow_redirects=True).get_data(as_text=True)
    pages["reported"] = client.post(f"/my/shifts/{unreported.id}/report", data={
        "csrf_token": token, "outcome": "rescheduled", "hours": "2.5", "next_date": from_now(days=30).date().isoformat()},
        follow_redirects=True).get_data(as_text=True)
    pages["profile, a new number"] = client.post("/my/profile", data={
        "csrf_token": token, "name": "Dana Rivera", "phone": "617-555-0199", "sms_opt_in": "y",
        "languages": ["es"], "home_area": "Chelsea", "preferred_language": ""}, follow_redirects=True).get_data(
        as_text=True)
    pages["profile, no name"] = client.post("/my/profile", data={"csrf_token": token, "name": ""}).get_data(
        as_text=True)
    pages["task done"] = client.post(f"/my/tasks/{task.id}/done", data={"csrf_token": token, "report": "Done"},
                                     follow_redirects=True).get_data(as_text=True)
    # Each is the page it is named for, and says what it is meant to (an error would hide a page).
    assert pages_missing(pages, {"board, everything": "not-eligible", "board": 'id="tasks"', "my shifts": "<mark>",
                       "held shift": "tel:", "held shift, today": 'id="detention-note"', "report form": 'name="outcome"', "held task": 'id="task-need"',
                       "calendar": 'id="feed-url"', "profile": 'id="delete-account"',
                       "a shift they can't take": 'flash-warning', "took a shift": "flash-success",
                       "released it": "flash-info", "reported": "flash-success",
                       "profile, a new number": 'id="phone-check"', "profile, no name": "field-error",
                       "report, hours out of range": "field-error", "board, a bad date": "field-error",
                       "task done": "flash-success", "board, nothing matches": "<h2"}) == set()
    return pages


def test_a_refusal_reads_in_the_page_language_and_stays_english_in_logs_csv_files_and_texts(app, make, db):
    """Enum labels and domain errors are translated where a page shows them (the `label` filter,
    committing.shown); `.label` and `str(error)` stay English for CSV files, the calendar feed,
    texts and log lines."""
    volunteer = make.volunteer(has_car=False, languages=["en"])
    shift = make.shift(role=ShiftRole.RIDE_THERE, requires_car=True, language=Language.HAITIAN_CREOLE)
    with app.test_request_context("/", headers={"Accept-Language": "es"}):
        error = NotEligible(requirement_problems(shift, volunteer))
        assert str(error) == "Not possible: this shift needs a car; this shift needs someone who speaks Haitian Creole."
        assert shown(error) == ("No es posible: este turno requiere carro; este turno requiere a alguien que hable "
                                "Criollo haitiano.")
        assert ShiftRole.RIDE_THERE.label == "Ride there" and label(ShiftRole.RIDE_THERE) == "Transporte de ida"
        assert str(ShiftFull()) == "Someone just took the last slot of this shift."
        assert shown(ShiftFull()) == "Alguien acaba de tomar el último lugar de este turno."


# -- the casework pages: needs, bonds, the fund, letters of support, legal referrals -------------------

# What the casework pages show that nobody translates: names, places, titles typed by coordinators,
# and the currency's sign beside an amount in another locale ("7.500,00 US$", "7 500,00 $US").
CASEWORK_DATA = ["Test Accompaniment Network", "Carmen Ortiz", "Rosa M.", "Hal Helper", "Olga Obligor", "Luis M.",
                 "Pastor Ruth", "Greater Boston Legal Services", "Open Clinic", "Plymouth County Jail",
                 "Plymouth County Correctional Facility",
                 "Boston Immigration Court", "Call shelters in Chelsea", "Collect letters", "Rent receipts",
                 "Dora Donor", "glbs.example.org", "US$", "$US"]
CASEWORK_DATA.sort(key=len, reverse=True)
CHART_WORDS = re.compile(r"<(title|desc) id=\"chart-(?:title|desc)\">(.*?)</\1>", re.DOTALL)


def casework_pages(app, make, db, language: str) -> dict[str, str]:
    """Every casework page as a coordinator in `language` sees it: lists, a record's page, its forms,
    a form sent back with its problems (validators and domain errors), and a flash after a change."""
    now = utcnow()
    today = now.date()
    coordinator = make.coordinator(name="Carmen Ortiz", email="carmen@example.org",
                                   preferred_language=PageLanguage(language))
    volunteer = make.obligor(name="Hal Helper", email="hal@example.org")
    court = make.location(name="Boston Immigration Court")
    jail = make.location(name="Plymouth County Jail", kind=LocationKind.DETENTION_CENTER)
    family = make.family(name="Rosa M.", sms_consent=False)
    hearing = make.appointment(family=family, location=court, kind=AppointmentKind.BOND_HEARING,
                               starts_at=from_now(days=20))
    need = make.need(family, kind=NeedKind.LETTERS, owner=coordinator, appointment=hearing, days_before=3,
                     due_on=hearing.starts_at.date() - timedelta(days=3), notes="Rent receipts")
    make.need(family, kind=NeedKind.HOUSING, due_on=today - timedelta(days=2))  # overdue, no owner
    taken = make.task(need, title="Collect letters", wanted=2)
    make.task_taker(taken, volunteer, done_at=now, report="Rent receipts")
    free = make.task(need, language=Language.SPANISH, requires_car=True, requires_training=True)

    bond = bond_service.create_bond(bond_service.BondDetails(
        family=family, amount_cents=750_000, set_by=BondSetBy.IMMIGRATION_JUDGE, set_on=today, person="Luis M.",
        facility=jail, obligor=volunteer), today=today, by=coordinator, now=now)
    bond_service.move_bond(bond, BondStatus.RAISING, day=today, today=today, by=coordinator, now=now)
    gift = fund_service.record_entry(FundEntryKind.GIFT, 900_000, day=today - timedelta(days=3), today=today,
                                     donor="Dora Donor", by=coordinator, now=now)
    fund_service.record_entry(FundEntryKind.PLEDGE, 50_000, day=today, today=today, by=coordinator, now=now)
    bond_service.pay_bond(bond, day=today, today=today, paid_how=BondPaidHow.ONLINE, by=coordinator, now=now)
    raising = make.bond(family, status=BondStatus.RAISING, amount_cents=2_500_000)  # more than the fund holds
    refund_due = make.bond(family, status=BondStatus.REFUND_REQUESTED)
    make.bond(family, status=BondStatus.CANCELLED, cancelled_on=today - timedelta(days=120))  # refund overdue

    drive = letter_service.start_drive(hearing, letter_service.DriveDetails(
        target=4, deadline=hearing.starts_at.date() - timedelta(days=7), owner_id=coordinator.id), by=coordinator,
        now=now)
    letter_service.ask_for_letter(drive, volunteer_id=volunteer.id, name="", relationship="", by=coordinator, now=now)
    asked = letter_service.ask_for_letter(drive, volunteer_id=None, name="Pastor Ruth", relationship="Pastor Ruth",
                                          by=coordinator, now=now)
    letter_service.record_letter(drive, ask_id=asked.id, writer_name="", relationship="", received_on=today,
                                 by=coordinator, now=now)

    provider = referrals.create_provider(referrals.ProviderDetails(
        name="Greater Boston Legal Services", languages=("es", "ht"), services=("asylum", "bond_hearings"),
        phone="617-555-0100", email="intake@glbs.example.org", website="glbs.example.org"), by=coordinator, now=now)
    referrals.create_provider(referrals.ProviderDetails(name="Open Clinic", taking_cases=False),
                                     by=coordinator, now=now)
    referral = referrals.refer_family(family, referrals.ReferralDetails(
        provider_id=provider.id, sent_on=today, follow_up_on=today + timedelta(days=7)), by=coordinator, now=now)
    later = make.appointment(family=family, location=court, kind=AppointmentKind.INDIVIDUAL_HEARING,
                             starts_at=from_now(days=40))  # a hearing with no drive yet
    db.session.commit()

    staff = logged_in(app, coordinator)
    paths = {
        "needs": "/coordinator/needs", "needs, all": "/coordinator/needs?status=all",
        "a need": f"/coordinator/needs/{need.id}", "new need": f"/coordinator/families/{family.id}/needs/new",
        "edit need": f"/coordinator/needs/{need.id}/edit", "new task": f"/coordinator/needs/{need.id}/tasks/new",
        "edit task": f"/coordinator/tasks/{free.id}/edit",
        "bonds": "/coordinator/bonds", "new bond": "/coordinator/bonds/new", "a paid bond": f"/coordinator/bonds/{bond.id}",
        "a bond raising money": f"/coordinator/bonds/{raising.id}",
        "a bond awaiting its refund": f"/coordinator/bonds/{refund_due.id}", "edit bond": f"/coordinator/bonds/{bond.id}/edit",
        "fund": "/coordinator/fund",
        "new letter drive": f"/coordinator/appointments/{later.id}/letter-drive",
        "a letter drive": f"/coordinator/letter-drives/{drive.id}",
        "edit letter drive": f"/coordinator/letter-drives/{drive.id}/edit",
        "legal providers": "/coordinator/legal-providers", "new provider": "/coordinator/legal-providers/new",
        "edit provider": f"/coordinator/legal-providers/{provider.id}/edit",
        "new referral": f"/coordinator/families/{family.id}/referrals/new",
        "edit referral": f"/coordinator/referrals/{referral.id}/edit",
    }
    responses = {name: staff.get(path) for name, path in paths.items()}

    def sent(page_name: str, page: str, path: str, follow: bool = False, **data):
        responses[page_name] = staff.post(path, data={"csrf_token": csrf_token(staff, page), **data},
                                     follow_redirects=follow)

    sent("need, counted back from nothing", paths["new need"], paths["new need"], kind="housing", status="open",
         days_before="99")
    sent("task, sent empty", paths["new task"], paths["new task"], title="", wanted="0")
    sent("task, removed", paths["a need"], f"/coordinator/tasks/{free.id}/remove", follow=True)
    sent("bond, a bad amount", paths["new bond"], paths["new bond"], family_id=str(family.id), amount="lots",
         set_by="ice", set_on=today.isoformat(), facility_id=str(jail.id))
    sent("bond, set tomorrow", paths["new bond"], paths["new bond"], family_id=str(family.id), amount="$1,500.00",
         set_by="ice", set_on=(today + timedelta(days=1)).isoformat(), facility_id=str(jail.id))
    sent("bond, the fund is short", paths["a bond raising money"], f"/coordinator/bonds/{raising.id}/pay",
         day=today.isoformat(), paid_how="online")
    sent("bond, moved", paths["a paid bond"], f"/coordinator/bonds/{bond.id}/move", follow=True, to="released",
         day=today.isoformat())
    sent("fund, sent empty", paths["fund"], "/coordinator/fund/entries", kind="gift", amount="", day="")
    sent("fund, a line reversed", paths["fund"], f"/coordinator/fund/entries/{gift.id}/reverse", follow=True)
    sent("letter drive, both a volunteer and a name", paths["a letter drive"],
         f"/coordinator/letter-drives/{drive.id}/asks", volunteer_id=str(volunteer.id), name="Pastor Ruth")
    sent("letter drive, a letter without a day", paths["a letter drive"],
         f"/coordinator/letter-drives/{drive.id}/letters", writer_name="", received_on="")
    sent("provider, sent empty", paths["new provider"], paths["new provider"], name="", email="not an email")
    sent("referral, no provider", paths["new referral"], paths["new referral"], provider_id="",
         sent_on=today.isoformat())
    sent("referral, saved", paths["edit referral"], paths["edit referral"], follow=True, status="accepted",
         follow_up_on="", notes="")
    assert {name: response.status_code for name, response in responses.items()
            if response.status_code not in (200, 422)} == {}
    pages = {name: response.get_data(as_text=True) for name, response in responses.items()}
    # Each is the page it is named for, and says what it is meant to (an error would hide a page).
    assert pages_missing(pages, {"a need": 'id="tasks"', "needs": "has-unfilled", "a paid bond": 'id="history"',
                       "a bond raising money": 'id="pay"', "a bond awaiting its refund": 'id="refund"',
                       "fund": 'id="refunds-overdue"', "a letter drive": 'id="ask-', "legal providers": "badge-stop",
                       "need, counted back from nothing": "field-error", "task, sent empty": "field-error",
                       "task, removed": "flash-success", "bond, a bad amount": "field-error",
                       "bond, set tomorrow": "field-error", "bond, the fund is short": "field-error",
                       "bond, moved": "flash-success", "fund, sent empty": "field-error",
                       "fund, a line reversed": "flash-success",
                       "letter drive, both a volunteer and a name": "field-error",
                       "letter drive, a letter without a day": "field-error", "provider, sent empty": "field-error",
                       "referral, no provider": "field-error", "referral, saved": "flash-success"}) == set()
    # The chart's words are inside its <svg> (which the check skips): shown as a page of their own.
    chart = CHART_WORDS.findall(pages["fund"])
    assert len(chart) == 2
    pages["the fund's chart"] = "<p>" + " ".join(words for _tag, words in chart) + "</p>"
    return pages


def test_money_on_a_casework_page_follows_its_locale_and_stays_dollars_in_logs_and_the_csv(app, make, db):
    """The fund short of a bond's amount says so in the page's language and number format; the
    error's English (a log line) and the treasurer's CSV keep "$7,500.00"."""
    coordinator = make.coordinator()
    bond = make.bond(status=BondStatus.RAISING, amount_cents=750_000)
    with pytest.raises(bond_service.FundShort) as refused:
        bond_service.pay_bond(bond, day=utcnow().date(), today=utcnow().date(), paid_how=BondPaidHow.ONLINE,
                              by=coordinator, now=utcnow())
    assert str(refused.value) == "The fund holds $0.00; this bond needs $7,500.00. Record the gifts first."
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "pt"}):
        assert shown(refused.value) == ("O fundo tem US$\xa00,00; esta fiança precisa de US$\xa07.500,00. "
                                        "Registre as doações primeiro.")
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert "7\u202f500,00\xa0$US" in shown(refused.value)
    fund_service.record_entry(FundEntryKind.GIFT, 750_000, day=utcnow().date(), today=utcnow().date(),
                              donor="Dora Donor", by=coordinator, now=utcnow())
    assert ",$7,500.00," in fund_service.ledger_csv().replace('"', "")


def test_a_bond_refusal_names_the_stage_in_the_page_language_and_in_english_in_logs(app, make, db):
    """A domain error that names an enum value reads its label: in English in `str` (a log line),
    in the page's language where a page shows it."""
    bond = make.bond(status=BondStatus.REQUESTED)
    with pytest.raises(bond_service.MoveNotAllowed) as refused:
        bond_service.pay_bond(bond, day=utcnow().date(), today=utcnow().date(), paid_how=BondPaidHow.ONLINE,
                              by=make.coordinator(), now=utcnow())
    assert str(refused.value) == "A bond that is “Requested” cannot be paid: only one the fund is raising money for."
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "es"}):
        assert shown(refused.value) == ("Una fianza en “Solicitada” no se puede pagar: solo una para la que el fondo "
                                        "está reuniendo dinero.")


# -- the dashboard, detention response and admin pages ---------------------------------------------

# What those pages show that nobody translates: people's and places' names and a referral
# provider's. (The checklist's default step titles are translated until someone rewrites them.)
STAFF_DATA = sorted(["Test Accompaniment Network", "Carmen Ortiz", "Olga Oncall", "Ada Silva", "Maria G.", "Rosa M.",
                     "Chelsea", "Boston", "Legal Aid Center", "Suffolk House of Correction", "Immigration Court",
                     "Olga", "Carmen", "Ada", "At the window", "Front steps", "Hal Helper", "Eli Able",
                     "Nia Nocar", "Ivo Driver", "Eli", "Hal"],
                    key=len, reverse=True)


def staff_pages_in(app, make, db, language: str) -> dict[str, str]:
    """The coordinators' dashboard with something in every list and every tile (and a scheduler
    that is not running), the detention cases, an open case (with its alert chain and checklist)
    and a closed one, the checklist and its forms, the on-call rota, and the admin's pages, each
    form also after a failed submit, as a coordinator (or admin) in `language` sees them."""
    coordinator = make.coordinator(name="Carmen Ortiz", email="carmen@example.org",
                                   preferred_language=PageLanguage(language))
    admin = make.admin(name="Ada Silva", email="ada@example.org", preferred_language=PageLanguage(language))
    olga = make.coordinator(name="Olga Oncall", phone="617-555-0201", sms_opt_in=True)
    add_turn(olga, starts_on=org_today(utcnow()), span=RotaSpan.WEEK, position=1, now=utcnow())
    jail = make.location(name="Suffolk House of Correction", kind=LocationKind.DETENTION_CENTER)
    # The tiles and lists: hearings to verify (with an unfilled shift and a full one), a detained
    # outcome without a case, a family that said STOP, a need due, a referral due a call, a bond
    # to raise, a draft, a text waiting, a pending volunteer, a family without consent.
    hearing = make.appointment(starts_at=from_now(days=2))
    make.shift(hearing, slots=2)
    make.claim(make.shift(hearing, role=ShiftRole.RIDE_THERE), make.volunteer(name="Ivo Driver"))
    make.appointment(make.family(name="Rosa M.", phone="617-555-0143"), starts_at=from_now(days=3))  # no help asked
    make.appointment(starts_at=from_now(days=-1), status=AppointmentStatus.CLOSED, outcome=Outcome.DETAINED)
    make.appointment(starts_at=from_now(days=6), status=AppointmentStatus.DRAFT)
    stopped = make.family(phone="617-555-0150")
    make.appointment(family=stopped, starts_at=from_now(days=5))
    make.family(phone="617-555-0152", sms_consent=False)
    make.pending_volunteer()
    db.session.commit()
    inbound.receive_text("+16175550150", "STOP", provider_sid=None, now=utcnow())
    inbound.receive_text("+16175550143", "Hola", provider_sid="SMstaffpages01", now=utcnow())
    family = make.family(phone="617-555-0151")
    make.need(family, owner_id=coordinator.id, due_on=from_now(days=-1).date())
    provider = referrals.create_provider(referrals.ProviderDetails(name="Legal Aid Center"), by=coordinator,
                                         now=utcnow())
    referrals.refer_family(family, referrals.ReferralDetails(provider_id=provider.id, sent_on=utcnow().date(),
                                                             follow_up_on=utcnow().date()), by=coordinator, now=utcnow())
    make.bond(family, status=BondStatus.RAISING)
    case, _ = open_case(family, now=from_now(minutes=-75), by=coordinator, note="At the window")
    closed_family = make.family(phone="617-555-0153")
    closed, _ = open_case(closed_family, now=from_now(days=-3), by=coordinator)
    acknowledge(closed, by=coordinator, now=from_now(days=-3))
    set_where_held(closed, location=jail, note=None, by=coordinator, now=from_now(days=-3))
    close_case(closed, DetentionOutcome.RELEASED_ON_BOND, note=None, by=coordinator, now=from_now(days=-2))
    db.session.commit()

    # A shift to assign: one holder, someone who can take it (and is texted), someone who cannot.
    needy = make.shift(make.appointment(starts_at=from_now(days=4)), slots=3, requires_car=True,
                       language=Language.SPANISH, meeting_point="Front steps")
    make.claim(needy, make.volunteer(name="Hal Helper", has_car=True, languages=["es"]))
    make.volunteer(name="Eli Able", has_car=True, languages=["es"], phone="617-555-0181", sms_opt_in=True)
    make.volunteer(name="Nia Nocar", has_car=False, languages=["en"])
    tick_step(case.steps[0], True, by=coordinator, now=utcnow())
    template_step = template_steps()[0]
    # The message log: a text sent, one failed, one nobody knows about, one that will not go.
    rows = db.session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)).all()
    sent, failed, unknown, gone = rows[:4]
    sent.state, sent.sent_at, sent.body, sent.language, sent.segments = (
        MessageState.SENT, utcnow(), "Recordatorio: su cita es el lunes.", Language.SPANISH, 1)
    failed.state, failed.attempts, failed.error_code, failed.error_message = (
        MessageState.FAILED, 2, 30008, NOT_ARRIVED)
    unknown.state = MessageState.UNKNOWN
    gone.send_before = from_now(minutes=-1)
    db.session.commit()
    staff = logged_in(app, coordinator)
    pages = {name: staff.get(path) for name, path in {
        "dashboard": "/", "detentions": "/coordinator/detentions", "a case": f"/coordinator/detentions/{case.id}",
        "a closed case": f"/coordinator/detentions/{closed.id}", "checklist": "/coordinator/detentions/checklist",
        "new step": "/coordinator/detentions/checklist/new",
        "edit step": f"/coordinator/detentions/checklist/{template_step.id}/edit",
        "on call": "/coordinator/on-call", "assign": f"/coordinator/shifts/{needy.id}/assign",
        "export": "/coordinator/export", "import": "/coordinator/import", "messages": "/coordinator/messages",
        "messages, sent": "/coordinator/messages?view=sent", "messages, problems": "/coordinator/messages?view=problems",
        "messages, all": "/coordinator/messages?view=all", "messages, to families": "/coordinator/messages?to=family",
        "messages, one family": f"/coordinator/messages?family={family.id}",
        "messages, no such family": "/coordinator/messages?family=99999&appointment=99999"}.items()}
    assert {name: page.status_code for name, page in pages.items() if page.status_code != 200} == {}
    token = csrf_token(staff, "/coordinator/on-call")
    for name, (path, data) in {
        "a case, a bad number": (f"/coordinator/detentions/{case.id}/number", {"phone": "12"}),
        "a case, closed without an outcome": (f"/coordinator/detentions/{case.id}/close", {"outcome": "gone"}),
        "new step, sent empty": ("/coordinator/detentions/checklist/new", {"due_days": "x", "position": "400"}),
        "on call, sent empty": ("/coordinator/on-call", {"position": "12"}),
    }.items():
        pages[name] = staff.post(path, data={"csrf_token": token, **data})
    pages["a case, acknowledged"] = staff.post(f"/coordinator/detentions/{case.id}/acknowledge",
                                               data={"csrf_token": token}, follow_redirects=True)
    pages["a case, acknowledged twice"] = staff.post(f"/coordinator/detentions/{case.id}/acknowledge",
                                                     data={"csrf_token": token}, follow_redirects=True)
    pages["texted for a shift"] = staff.post(f"/coordinator/shifts/{needy.id}/urgent",
                                             data={"csrf_token": token, "rounds": "0"}, follow_redirects=True)
    pages["export, dates the wrong way round"] = staff.get(
        "/coordinator/export?start=2026-12-10&end=2026-12-01")
    pages["import, no file"] = staff.post("/coordinator/import", data={"csrf_token": token})
    # (A file whose heading lacks columns is told their names, which stay the file's English words.)
    pages["import, not UTF-8"] = staff.post("/coordinator/import", data={
        "csrf_token": token, "file": (io.BytesIO("family,location\nJosé,Lynn\n".encode("latin-1")), "list.csv")})
    pages["checklist, a step off"] = staff.post(f"/coordinator/detentions/checklist/{template_step.id}/switch",
                                                data={"csrf_token": token, "active": "0"}, follow_redirects=True)

    boss = logged_in(app, admin)
    for name, path in {"admin dashboard": "/", "staff accounts": "/admin/accounts",
                       "invitations": "/admin/invitations"}.items():
        pages[name] = boss.get(path)
    token = csrf_token(boss, "/admin/invitations")
    pages["invitations, sent empty"] = boss.post("/admin/invitations", data={"csrf_token": token})
    pages["invitation made"] = boss.post("/admin/invitations", data={
        "csrf_token": token, "email": "nora@example.org", "role": "coordinator"})
    html = {name: page.get_data(as_text=True) for name, page in pages.items()}
    # Each is the page it is named for, and says what it is meant to (an error would hide a page).
    assert pages_missing(html, {"dashboard": 'id="hearings-to-verify"',
                       "a case": 'id="timeline"', "a closed case": 'id="family-texts"',
                       "a case, a bad number": "field-error", "a case, closed without an outcome": "field-error",
                       "new step, sent empty": "field-error", "on call, sent empty": "field-error",
                       "a case, acknowledged": "flash-success", "a case, acknowledged twice": "flash-warning",
                       "checklist, a step off": "flash-success", "admin dashboard": "<details",
                       "staff accounts": "carmen@example.org", "invitations, sent empty": "field-error",
                       "invitation made": 'class="card invitation-link"', "texted for a shift": 'id="urgent-call"',
                       "assign": 'id="ineligible"', "export, dates the wrong way round": "field-error",
                       "import, no file": "field-error", "import, not UTF-8": "UTF-8",
                       "messages, all": 'class="sms"', "messages, problems": "/arrived",
                       "messages, one family": 'aria-label', "messages, no such family": "flash-warning"}) == set()
    for tile in ("needs-due", "referral-follow-ups", "stopped-texts", "detained", "open-detentions", "waiting-texts",
                 "bonds-raising"):
        assert f'id="{tile}"' in html["dashboard"], tile
    # A text's own words are in its recipient's language, whatever the page's.
    return {name: SMS.sub("", page) for name, page in html.items()}


SMS = re.compile(r'<blockquote class="sms".*?</blockquote>', re.DOTALL)


# -- the import's preview ------------------------------------------------------------------------------

IMPORT_DATA = sorted(["Test Accompaniment Network", "Carmen Ortiz", "Carmen", "Maria G.", "Ana P.", "Rosa M.", "Twin T.",
                      "Trio T.", "Boston Immigration Court", "Old Court", "Boston Court", "Chelsea", "Boston",
                      "Judge Lee", "Marie", "master calender", "teleport", "hologram", "Klingon", "bond"],
                     key=len, reverse=True)


def import_pages_in(app, make, db, language: str) -> dict[str, str]:
    """The import's preview with a problem of every kind in its rows (and a column it does not use),
    a clean file's preview, the page after importing it, and a confirmation of a file that changed,
    as a coordinator in `language` sees them."""
    coordinator = make.coordinator(name="Carmen Ortiz", email="carmen@example.org",
                                   preferred_language=PageLanguage(language))
    court = make.location(name="Boston Immigration Court")
    make.location(name="Old Court", active=False)
    make.family(name="Maria G.", phone="617-555-0142")
    make.family(name="Ana P.", phone="617-555-0143")
    rosa = make.family(name="Rosa M.", phone="617-555-0144")
    make.family(name="Closed C.", phone="617-555-0155", closed_at=utcnow())
    for number in range(2):
        make.family(name="Twin T.", phone=f"617-555-016{number}")
    for number in range(3):
        make.family(name="Trio T.", phone=f"617-555-017{number}")
    day = from_now(days=10).date().isoformat()
    make.appointment(rosa, court, starts_at=from_local(from_now(days=10).date(), time(14), court.timezone))
    db.session.commit()
    court_name, heading = court.name, "family,location,kind,date,time,needs,judge,interpreter,mode,notes,colour"
    rows = [
        f"Maria G.,{court_name},master,{day},08:30,ride there; companion,Judge Lee,Spanish,video,,blue",
        f"Marie,Boston Court,master calender,{day},08:30,,,,,,",
        f"Ana P.,{court_name},bond,13/45/2026,25:00,teleport,,Klingon,hologram,,",
        f"617-555-01,{court_name},,{day},2:00,,,,,,",
        ",,,,,,,,,a note,",
        f"617-555-0199,Old Court,master,{day},08:30,,,,,,",
        f"617-555-0155,{court_name},master,{day},08:30,,,,,,",
        f"Twin T.,{court_name},master,{day},08:30,,,,,,",
        f"Trio T.,{court_name},master,{day},08:30,,,,,,",
        f"Maria G.,{court_name},master,{day},08:30,,,,,,",
        f"Ana P.,{court_name},master,2020-01-01,08:30,,,,,,",
        f"Ana P.,{court_name},master,{day},10:00,,{'J' * 121},,,{'n' * 4001},,extra",
        f"Rosa M.,{court_name},master,{day},14:00,,,,,,",
    ]
    problems = "\r\n".join([heading, *rows]) + "\r\n"
    clean = (f"family,location,kind,date,time,needs,judge,interpreter\r\n"
             f"Maria G.,{court_name},master,{day},08:30,ride there; companion,Judge Lee,Spanish\r\n"
             f"Ana P.,{court_name},check-in,{day},11:00,,,\r\n")
    staff = logged_in(app, coordinator)
    token = csrf_token(staff, "/coordinator/import")

    def upload(text: str):
        return staff.post("/coordinator/import", data={
            "csrf_token": token, "file": (io.BytesIO(text.encode()), "appointments.csv")})

    pages = {"preview, problems": upload(problems), "preview, clean": upload(clean)}
    html = {name: page.get_data(as_text=True) for name, page in pages.items()}
    confirm = html["preview, clean"][html["preview, clean"].index('action="/coordinator/import/confirm"'):]
    fields = dict(re.findall(r'name="(csrf_token|content|rows)" type="hidden" value="([^"]*)"', confirm)[:3])
    changed = staff.post("/coordinator/import/confirm", data={**fields, "rows": "5"})
    imported = staff.post("/coordinator/import/confirm", data=fields, follow_redirects=True)
    html["preview, changed"], html["imported"] = changed.get_data(as_text=True), imported.get_data(as_text=True)
    assert {name: page.status_code for name, page in {**pages, "changed": changed, "imported": imported}.items()
            if page.status_code != 200} == {}
    # Each of the 28 problems in the list above the rows, and again in its row.
    assert html["preview, problems"].count('<li class="field-error">') == 2 * 28
    assert pages_missing(html, {"preview, problems": 'id="problems"', "preview, clean": "/coordinator/import/confirm",
                       "preview, changed": "flash-warning", "imported": "flash-success"}) == set()
    return html


# -- the check, for every set of pages above -----------------------------------------------------------

# Each set of pages, and what they show that nobody translates.
PAGE_SETS = {
    "sign-in and account pages": (pages_in, NAMES),
    "the coordinator's core pages": (coordinator_pages, [*CORE_NAMES, *ZONE_NAMES]),
    "the volunteer's pages": (volunteer_pages_in, VOLUNTEER_DATA),
    "casework pages": (casework_pages, CASEWORK_DATA),
    "dashboard, detention and admin pages": (staff_pages_in, STAFF_DATA),
    "the import preview and its row problems": (import_pages_in, IMPORT_DATA),
}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("page_set", list(PAGE_SETS))
def test_no_english_is_left_on_the_pages(app, make, db, page_set, locale):
    build, names = PAGE_SETS[page_set]
    pages = build(app, make, db, PAGE_LANGUAGES[locale])
    assert english_on(pages, locale, names) == {}
    assert all(f'<html lang="{"pt-BR" if locale == "pt_BR" else locale}">' in html
               for html in pages.values() if "<html" in html)  # (the fund's chart is an SVG)


@pytest.mark.parametrize("page_set", list(PAGE_SETS))
def test_the_check_finds_english_on_the_same_pages_in_english(app, make, db, page_set):
    """The guard itself: the same pages in English are full of the words it looks for."""
    build, names = PAGE_SETS[page_set]
    pages = build(app, make, db, "en")
    assert {name for name, html in pages.items() if not english_left(html, "es", names)} == set()


@pytest.mark.parametrize("language, appointment, message", [
    ("es", "Cancelada", "Cancelado (no se envió)"), ("pt", "Cancelado", "Cancelada (não enviada)"),
    ("fr", "Annulé", "Annulé (non envoyé)"), ("ht", "Anile", "Anile (pa voye)"), ("en", "Cancelled", "Cancelled (not sent)")])
def test_a_cancelled_appointment_and_a_cancelled_message_agree_with_their_own_nouns(app, language, appointment, message):
    """An appointment and a message are nouns of different genders in Spanish and Portuguese (la
    cita, el mensaje; o compromisso, a mensagem): each state has its own words, not one shared "Cancelled"."""
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": language}):
        assert label(AppointmentStatus.CANCELLED) == appointment
        assert label(MessageState.CANCELLED) == message
