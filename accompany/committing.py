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
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from flask import abort, flash
from flask_wtf import FlaskForm

from accompany.database import db
from accompany.services.errors import DomainError

F = TypeVar("F", bound=FlaskForm)


class CommitResult:
    """How a `committing` block went: true once its change is committed; `error` is the
    DomainError that stopped it (None if none did)."""

    def __init__(self) -> None:
        self.committed = False
        self.error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.committed and self.error is None


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
    except DomainError as error:
        if commit_on_error:
            db.session.commit()
        else:
            db.session.rollback()
        outcome.error = error
        if show_error:
            _show(error, form, field)
        return
    except BaseException:
        db.session.rollback()
        raise
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    outcome.committed = True


def require_valid(form: F) -> F:
    """`form` as posted, validated; a 400 if it is not. For buttons, whose only field is the CSRF
    token (or a hidden value the page set): a failure is a stale or forged request, not a typo."""
    if not form.validate_on_submit():
        abort(400)
    return form


def _show(error: DomainError, form: FlaskForm | None, field: str | None) -> None:
    message = str(error)
    if form is None:
        flash(message, "warning")
        return
    name = next((name for name in (error.field, field) if name and name in form), None)
    if name is None:
        form.form_errors.append(message)
    else:
        form[name].errors = [*form[name].errors, message]
