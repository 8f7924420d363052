"""The language picker on every page: a small form that sets the pages' language and goes back.

Signed in, it sets the person's one preferred language (their pages and, for a volunteer, their
texts); not signed in, it is kept in this browser's session (accompany.i18n says the order).
"""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice

from accompany.auth import bp
from accompany.committing import committing
from accompany.formfields import InputForm, safe_next_url
from accompany.i18n import language_choices, remember_language
from accompany.services.people import profile


class LanguageForm(InputForm):
    language = SelectField(_l("Language"), choices=[SelectChoice(*choice) for choice in language_choices()],
                           validate_choice=False)  # a language we do not have: a plain message below
    return_to = HiddenField()  # the page the picker was on (not `next`, which the login form has)


@bp.post("/language")
def set_language():
    """Set the pages' language and return to the page the picker was on. Sent twice, it sets the
    same language twice; a language we do not have gets a plain message and changes nothing."""
    form = LanguageForm()
    back = safe_next_url(form.return_to.data) or url_for("home.index")
    if not form.validate_on_submit():  # a stale or missing CSRF token answers 400 before this
        return redirect(back)
    try:
        language = profile.page_language_of(form.language.data)
    except profile.UnknownPageLanguage:
        language = None
    if language is None:
        flash(gettext("Choose one of the languages listed."), "warning")
        return redirect(back)
    if current_user.is_authenticated:
        with committing() as saved:
            profile.set_preferred_language(current_user._get_current_object(), language.value)
        if not saved:
            return redirect(back)
    remember_language(language.value)
    return redirect(back)
