"""A forgotten password: ask for a code by email or number, then type it with a new password
(services/people/password_reset.py). The pages answer the same whether or not the account exists.

Between the two pages the session holds only a token (made from the asking form's random one-time
key) and a deadline; the code's request row keeps the token's hash, and there is no row at all
when no code was sent.
"""

from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from accompany.auth import bp
from accompany.auth.password_reset_forms import ForgotPasswordForm, ResetPasswordForm
from accompany.clock import utcnow
from accompany.committing import committing
from accompany.formfields import new_form_key
from accompany.i18n import gettext
from accompany.services.people import password_reset

RESET_SESSION = "password_reset"


def _reset_token(now: datetime) -> str | None:
    """The token this browser got when it asked for a code, while the reset is still open."""
    pending = session.get(RESET_SESSION)
    if not isinstance(pending, dict) or now.timestamp() >= float(pending.get("until", 0)):
        session.pop(RESET_SESSION, None)
        return None
    return str(pending.get("token", "")) or None


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        now = utcnow()
        # Counted and committed first; the throttles' counts are kept when they say "wait".
        with committing(form, field="account", commit_on_error=True) as counted:
            password_reset.begin_reset_request(form.account.data, now=now, address=request.remote_addr)
        if counted:
            key = form.form_key.data or new_form_key()  # a page opened before the form had a key
            with committing(form, field="account", show_error=False) as asked:
                password_reset.send_reset_code(form.account.data, key, now=now)
            if asked or asked.sent_before:  # the same form sent twice gets the first send's answer
                session[RESET_SESSION] = {"token": password_reset.reset_token(key),
                                          "until": (now + password_reset.RESET_WINDOW).timestamp()}
                flash(gettext("If that email or number belongs to an account with a confirmed mobile number, "
                              "we just texted that number a code. It can take a minute to arrive."), "info")
                return redirect(url_for("auth.reset_password"))
            form.form_errors.append(str(asked.error))
    return render_template("auth/password_reset_request.html", form=form)


@bp.route("/password/reset", methods=["GET", "POST"])
def reset_password():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    now = utcnow()
    token = _reset_token(now)
    if token is None:
        flash(gettext("Ask for a code first: type your email or mobile number, and we text you a code."), "info")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        address = request.remote_addr
        # The try is counted for the address and committed before the code is checked, like a
        # login's; a wrong code is counted for the code too, so it is committed as well.
        with committing(form, field="code", commit_on_error=True) as counted:
            password_reset.begin_reset_try(now=now, address=address)
        if counted:
            with committing(form, field="code", commit_on_error=True) as reset:
                password_reset.finish_reset(token, form.code.data, form.password.data, now=now, address=address)
            # Sent twice (a double tap), the second send gets the first's answer.
            if reset or isinstance(reset.error, password_reset.PasswordAlreadyReset):
                session.pop(RESET_SESSION, None)
                flash(gettext("Your password is changed, and you are logged out everywhere you were logged in. "
                              "Log in with your new password."), "success")
                return redirect(url_for("auth.login"))
    return render_template("auth/password_reset.html", form=form)
