"""The pages' language: which one this request is in, and the words, dates and numbers in it.

Five languages, the same five the texts are written in (`PageLanguage`): en, es, pt (Brazilian
Portuguese, babel's `pt_BR`), ht and fr. This request's is, in order:

1. the signed-in person's `preferred_language` (the picker and the volunteer profile set it; a
   volunteer's texts use it too);
2. the one this browser picked before logging in (kept in the session, across log in and out);
3. the best match in the browser's `Accept-Language` header;
4. the organization's default, `ORG_LANGUAGE` (config.py).

Flask-Babel asks once per request (`page_language`), and loads each catalog once per process.
Its own gettext finds the request's catalog again on every call (about 30 µs, several lookups of
`g`); `gettext`, `ngettext` and `lazy_gettext` here, which templates use too, find it once per
request and then cost a dictionary lookup.

Translating a page (how later pages follow):

- Templates: `{{ _("Log in") }}`, with values `{{ _("Since %(day)s.", day=...) }}`; a plural
  `{{ ngettext("%(num)d code", "%(num)d codes", n) }}`. Never build a sentence from pieces.
- Python that runs per request (views, flash messages): `gettext` from this module. Words defined
  at import time (form labels and validator messages, tables of messages): `lazy_gettext` from
  this module (imported as `_l`), so they are looked up when shown, in that request's language.
  A word repeated in a loop (a list's cards): look it up once before the loop.
- Words written below the pages (a domain error's message, an enum's label, a service's reasons):
  `N_` (accompany.marks), and a `Phrase` (accompany.phrases) when they carry values; the page
  translates them where it shows them (`committing.shown`, the `label` and `in_words` filters), so
  logs, CSV files and texts keep the English. Words a CSV file takes as they are (its column names,
  the kinds it accepts) go into a Phrase as a `Code`: they stay English, shown as code.
- Then `scripts/translations` (extract, update each catalog, compile), translate every new entry in
  accompany/translations/<locale>/LC_MESSAGES/messages.po (no "fuzzy" left), and add the file to
  `TRANSLATED_FILES` in tests/test_translations.py, which fails while an entry of those files is
  missing, empty or fuzzy in a catalog, and checks the page shows no English in another language.
- Dates, numbers and money: the template filters (`local_datetime`, `number`, `money`, ... in
  accompany.presentation) already follow `page_locale()`.
"""

from __future__ import annotations

import re
from functools import cache

from babel import Locale
from babel.dates import match_skeleton
from flask import current_app, g, has_request_context, request, session
from flask_babel import Babel, get_translations, refresh
from flask_babel.speaklater import LazyString
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from accompany.marks import N_  # noqa: F401 (marks strings here and for the modules that import it)
from accompany.models import Language, PageLanguage
from config import ConfigError

# babel's locale for each page language: Brazilian Portuguese, and English as in the US.
LOCALES = {"en": "en_US", "es": "es", "pt": "pt_BR", "ht": "ht", "fr": "fr"}
CODES = tuple(language.value for language in PageLanguage)
# Where a browser's choice waits while nobody is logged in (a name, not a secret).
SESSION_KEY = "page_language"

babel = Babel()


def translations():
    """This request's catalog, found once per request (outside one: no translation)."""
    if not has_request_context():
        return get_translations()
    try:
        return g.page_translations
    except AttributeError:
        g.page_translations = found = get_translations()
        return found


def gettext(string: str, **variables) -> str:
    """`string` in the page's language, with `variables` put in its %(name)s places."""
    translated = translations().ugettext(string)
    return translated % variables if variables else translated


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """The singular or plural of a message, as the page's language counts `num` (also %(num)s)."""
    translated = translations().ungettext(singular, plural, num)
    return translated % {"num": num, **variables}


def lazy_gettext(string: str, **variables) -> LazyString:
    """`gettext`, when the string is shown: for words defined at import time (form labels)."""
    return LazyString(gettext, string, **variables)


_l = lazy_gettext

# The languages a volunteer may speak (models.enums.Language), named in the page's language.
LANGUAGE_NAMES = {
    Language.ENGLISH: _l("English"),
    Language.SPANISH: _l("Spanish"),
    Language.PORTUGUESE: _l("Portuguese"),
    Language.HAITIAN_CREOLE: _l("Haitian Creole"),
    Language.FRENCH: _l("French"),
    Language.KICHE: _l("K'iche'"),
    Language.MAM: _l("Mam"),
    Language.ARABIC: _l("Arabic"),
    Language.OTHER: _l("Other"),
}


def language_name(language: Language | None) -> str:
    """A spoken language's name in the page's language."""
    return "" if language is None else str(LANGUAGE_NAMES.get(language, language.label))


def spoken_language_choices() -> list[SelectChoice]:
    """Checkbox options for the languages a volunteer speaks, named in the page's language."""
    return [SelectChoice(language.value, LANGUAGE_NAMES[language]) for language in Language]


def page_language() -> str:
    """This request's language code (the module's docstring says how it is chosen)."""
    if not has_request_context():
        return current_app.config["ORG_LANGUAGE"]
    if "page_language" not in g:
        g.page_language = _choose()
    return g.page_language


def _choose() -> str:
    chosen = getattr(current_user, "preferred_language", None)
    if chosen is not None:
        return chosen.value
    kept = session.get(SESSION_KEY)
    if kept in CODES:
        return kept
    return request.accept_languages.best_match(CODES) or current_app.config["ORG_LANGUAGE"]


def page_locale() -> str:
    """babel's locale for this request: "pt_BR" for pt."""
    return LOCALES[page_language()]


def html_lang() -> str:
    """This request's language as `<html lang>` wants it (BCP 47): "pt-BR" for pt."""
    return page_locale().replace("_", "-") if page_language() == "pt" else page_language()


def remember_language(code: str) -> None:
    """Keep `code` for this browser (before log in, and after log out) and use it from now on."""
    session[SESSION_KEY] = code
    g.page_language = code
    g.pop("page_translations", None)
    refresh()  # Flask-Babel's locale for this request, chosen before


def clear_session() -> None:
    """Empty the session (logging in or out), keeping the language this browser or its person
    chose, so the next page is still in it."""
    chosen = getattr(current_user, "preferred_language", None)
    code = chosen.value if chosen is not None else session.get(SESSION_KEY)
    session.clear()
    if code in CODES:
        session[SESSION_KEY] = code


def language_choices() -> list[tuple[str, str]]:
    """The picker's options: (code, the language's name in itself)."""
    return [(language.value, language.label) for language in PageLanguage]


# English keeps the patterns the pages always had (CLDR's own put a narrow space before AM).
ENGLISH_PATTERNS = {"day": "EEE, MMM d", "long_day": "EEEE, MMMM d", "time": "h:mm a",
                    "moment": "EEE, MMM d, h:mm a", "dated_moment": "EEE, MMM d, y, h:mm a"}


@cache
def date_patterns(locale: str) -> dict[str, str]:
    """CLDR patterns for the pages' dates in `locale`, from the locale's own skeletons, computed
    once per locale: "day" (Sat, Nov 21), "long_day" (Saturday, November 21), "time" (9:00 AM /
    09:00), "moment" (a day and a time), "dated_moment" (a day with its year, and a time)."""
    if locale == LOCALES["en"]:
        return ENGLISH_PATTERNS
    where = Locale.parse(locale)
    skeletons = where.datetime_skeletons
    day = skeletons[match_skeleton("MMMEd", list(skeletons))].pattern
    long_day = skeletons[match_skeleton("MMMMEd", list(skeletons))].pattern
    long_day = re.sub("MMM+", "MMMM", re.sub("E+", "EEEE", long_day))
    time = where.time_formats["short"].pattern
    dated_day = skeletons[match_skeleton("yMMMEd", list(skeletons))].pattern
    moment, dated_moment = (str(where.datetime_formats["medium"]).replace("{1}", which).replace("{0}", time)
                            for which in (day, dated_day))
    return {"day": day, "long_day": long_day, "time": time, "moment": moment, "dated_moment": dated_moment}


def init_i18n(app) -> None:
    """Bind Flask-Babel: catalogs under accompany/translations, the language chosen per request."""
    if app.config["ORG_LANGUAGE"] not in CODES:
        raise ConfigError(f"ORG_LANGUAGE must be one of {', '.join(CODES)}, not {app.config['ORG_LANGUAGE']!r}.")
    babel.init_app(app, locale_selector=page_locale, default_domain="messages",
                   default_translation_directories="translations")  # accompany/translations
    app.jinja_env.install_gettext_callables(  # `_`, gettext and ngettext in templates, the fast way
        gettext=lambda string: translations().ugettext(string),
        ngettext=lambda singular, plural, num: translations().ungettext(singular, plural, num),
        newstyle=True,
    )

    @app.before_request
    def choose_language_first() -> None:
        # Before the view: a view that commits expires the signed-in user, and reading their
        # language afterwards (for its flash message) would load them from the database again.
        if request.endpoint != "static":
            page_language()

    app.jinja_env.globals.update(page_language=page_language, language_choices=language_choices, html_lang=html_lang)

    app.jinja_env.filters["language_name"] = language_name
