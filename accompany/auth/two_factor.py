"""Two-step login pages for coordinators and admins: set it up, see it, turn it off."""

from __future__ import annotations

import segno
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from accompany.auth import bp
from accompany.auth.forms import EnrollTwoFactorForm, PasswordCheckForm
from accompany.auth.sessions import current_login_session
from accompany.clock import utcnow
from accompany.committing import committing
from accompany.i18n import gettext
from accompany.models import LoginSession
from accompany.services.people import two_factor

QR_TARGET_PIXELS = 240  # fits a 360 px phone screen with margins


def qr_svg(text: str) -> Markup:
    """`text` as a QR code in inline SVG (made here by segno: no outside service, no script, no
    style attribute, so it passes the Content-Security-Policy)."""
    code = segno.make(text, error="m", micro=False)
    modules = code.symbol_size(scale=1)[0]
    scale = max(2, min(6, QR_TARGET_PIXELS // modules))
    svg = code.svg_inline(
        scale=scale, dark="#000", light="#fff", svgclass="qr-code", lineclass=None,
        title=gettext("QR code to scan with your authenticator app"),
    )
    # segno escapes the title; the rest is numbers and paths made here, never a person's input.
    return Markup(svg)  # nosec B704


def _grouped(secret: str) -> str:
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _this_browser() -> LoginSession:
    browser = current_login_session()
    if browser is None:  # ended since this request was let in: as if logged out
        abort(404)
    return browser


def _setup_page(form: EnrollTwoFactorForm):
    with committing():  # the same secret (and QR) in this browser until it is confirmed or replaced
        setup = two_factor.begin_enrollment(current_user, _this_browser(), now=utcnow())
    uri = two_factor.provisioning_uri(current_user, setup.secret, issuer=current_app.config["ORG_NAME"])
    return render_template(
        "auth/two_factor_setup.html", form=form, qr=qr_svg(uri), secret=_grouped(setup.secret),
        started_elsewhere_at=setup.started_elsewhere_at,
    )


@bp.route("/account/two-factor", methods=["GET", "POST"], endpoint="two_factor")
@login_required
def two_factor_page():
    if not two_factor.may_enroll(current_user):
        abort(404)
    if current_user.two_factor_enabled:
        return render_template(
            "auth/two_factor_status.html",
            left=two_factor.recovery_codes_left(current_user),
            disable_form=PasswordCheckForm(),
        )
    form = EnrollTwoFactorForm()
    if form.validate_on_submit():
        with committing(form, field="code") as enrolled:
            done = two_factor.confirm_enrollment(current_user, _this_browser(), form.code.data, now=utcnow())
        if enrolled:
            # Shown in this answer only (never stored in clear, never put in the session).
            return render_template("auth/recovery_codes.html", enrolled=done)
        if current_user.two_factor_enabled:  # the same code sent twice at once: the other send switched it on
            flash(gettext("Two-step login is on. Its recovery codes were shown once, to the other time the form "
                          "was sent; if you do not have them, turn two-step login off and set it up again."),
                  "warning")
            return redirect(url_for("auth.two_factor"))
    return _setup_page(form)


@bp.post("/account/two-factor/disable")
@login_required
def disable_two_factor():
    if not two_factor.may_enroll(current_user):
        abort(404)
    if not current_user.two_factor_enabled:
        return redirect(url_for("auth.two_factor"))  # nothing to turn off
    form = PasswordCheckForm()
    if form.validate_on_submit():
        with committing(form, field="password") as disabled:
            two_factor.disable(current_user, form.password.data, now=utcnow())
        if disabled:
            if current_app.config["TWO_FACTOR_REQUIRED"]:
                flash(gettext("Two-step login is off. Set it up again now, for example with your new phone."), "info")
            else:
                flash(gettext("Two-step login is off. Logging in now takes only your password."), "info")
            return redirect(url_for("auth.two_factor"))
    return render_template(
        "auth/two_factor_status.html", left=two_factor.recovery_codes_left(current_user), disable_form=form
    ), 200
