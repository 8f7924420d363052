"""The one way a view saves a change: commit it once, or roll all of it back and say why.

    if form.validate_on_submit():
        with committing(form) as saved:
            family = family_service.create_family(form.details(...), by=current_user, now=utcnow())
        if saved:
            flash("The family is saved.", "success")
            return redirect(url_for(".family", family_id=family.id))
    return render_template("coordinator/families/form.html", form=form)

The block calls the service (services flush, never commit). Leaving it normally commits.
A DomainError rolls the whole request's transaction back, so nothing the service flushed before
it said no can be saved by a later commit in the same request, and shows the message: next to
its form field (`error.field`, else the view's `field`, else at the top of the form) on a form
page, or as a warning flash after a button. Any other exception rolls back and goes on up.
Views never call `db.session.commit()` or `rollback()` themselves.

A change that lost a race rolls back whole too and says so in plain words, never a server error:
another request changed the same versioned row first (StaleDataError, see
`accompany.database.Versioned`), or took the unique value this one wanted (IntegrityError). That
is how the second of two identical requests sent at once (a double tap) ends. A form that creates
something carries a one-time key (`accompany.formfields.SentOnce`): it is saved with the change,
so the same filled-in form sent again is refused instead of making a second family or shift.
Messages about the request as a whole like these (`error.whole_request`) are flashed.

A button (a form holding only its CSRF token) says so in one line:

    with committing_button("The family is closed. No more texts will go to it."):
        family_service.close_family(family, by=current_user, now=utcnow())
    return redirect(url_for(".family", family_id=family.id))
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from flask import abort, flash
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from accompany.clock import utcnow
from accompany.database import db
from accompany.formfields import ActionForm, SentOnce
from accompany.guards import signed_in
from accompany.i18n import gettext
from accompany.presentation import in_words
from accompany.services import submissions
from accompany.services.errors import ChangedMeanwhile, DomainError

log = logging.getLogger(__name__)
# What a request that lost a race to another one meets: it changes nothing and is told so.
LOST_RACE = (IntegrityError, StaleDataError)

F = TypeVar("F", bound=FlaskForm)


class CommitResult:
    """How a `committing` block went: true once its change is committed; `error` is the
    DomainError that stopped it (None if none did)."""

    def __init__(self) -> None:
        self.committed = False
        self.error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.committed and self.error is None

    @property
    def sent_before(self) -> bool:
        """The same filled-in form was sent before, and that send's change is saved."""
        return isinstance(self.error, submissions.AlreadySent)


@contextmanager
def committing(
    form: FlaskForm | None = None,
    *,
    field: str | None = None,
    show_error: bool = True,
    commit_on_error: bool = False,
) -> Iterator[CommitResult]:
    """Commit what the block changed, or on a DomainError roll it back and show the message.

    `form`: show the message on this form (a page that renders it again); without one it is
    flashed. `field`: where a message that names no field of the form goes. `show_error=False`:
    the view shows `outcome.error` itself (in its own words, or on its own page).
    `commit_on_error`: commit even when the service said no, for services that record a failed
    try (a login's throttle count and audit event) before raising.
    """
    outcome = CommitResult()
    try:
        yield outcome
        if isinstance(form, SentOnce) and form.form_key.data:
            submissions.use_form_key(form.form_key.data, by=signed_in(), now=utcnow())
        db.session.commit()
    except DomainError as error:
        if commit_on_error:
            db.session.commit()
        else:
            db.session.rollback()
        _refused(outcome, error, form, field, show_error)
    except LOST_RACE as error:
        db.session.rollback()
        log.warning("a change lost a race and was rolled back: %s", _race_name(error))
        _refused(outcome, ChangedMeanwhile(), form, field, show_error)
    except BaseException:
        db.session.rollback()
        raise
    else:
        outcome.committed = True


def _refused(outcome: CommitResult, error: DomainError, form: FlaskForm | None, field: str | None,
             show_error: bool) -> None:
    outcome.error = error
    if show_error:
        _show(error, form, field)


def _race_name(error: Exception) -> str:
    """What was raced for, in words fit for the log: a constraint's or table's name, never a value."""
    if isinstance(error, StaleDataError):
        return "a row changed by another request (its version moved on)"
    diagnostics = getattr(error.orig, "diag", None)
    constraint = getattr(diagnostics, "constraint_name", None)
    if constraint:
        return f"constraint {constraint}"
    return str(error.orig).split(":")[0][:80]  # SQLite: "UNIQUE constraint failed", no values


@contextmanager
def committing_button(done: str, category: str = "success") -> Iterator[CommitResult]:
    """A button's change: check its CSRF token (400 if stale), commit what the block changed and
    flash `done`; or, when a service says no, roll back and flash why."""
    require_valid(ActionForm())
    with committing() as outcome:
        yield outcome
    if outcome:
        flash(done, category)


def require_valid(form: F) -> F:
    """`form` as posted, validated; a 400 if it is not. For buttons, whose only field is the CSRF
    token (or a hidden value the page set): a failure is a stale or forged request, not a typo."""
    if not form.validate_on_submit():
        abort(400)
    return form


def shown(error: DomainError) -> str:
    """`error`'s message in the page's language (its English when the catalogs lack it), its values
    in words too (a phrase, a list of reasons, an enum's label)."""
    return gettext(error.message, **{name: in_words(value) for name, value in error.values.items()})


def _show(error: DomainError, form: FlaskForm | None, field: str | None) -> None:
    message = shown(error)
    if form is None or error.whole_request:
        flash(message, "warning")
        return
    name = next((name for name in (error.field, field) if name and name in form), None)
    if name is None:
        form.form_errors.append(message)
    else:
        form[name].errors = [*form[name].errors, message]
