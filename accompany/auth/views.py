from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from accompany.auth import bp
from accompany.auth.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    LoginForm,
    SecondStepForm,
    SignUpForm,
)
from accompany.auth.sessions import await_second_step, begin_session, end_session, pending_user
from accompany.clock import utcnow
from accompany.committing import committing, require_valid
from accompany.formfields import ActionForm, safe_next_url
from accompany.i18n import N_
from accompany.models import Role
from accompany.services.errors import InvitationInvalid
from accompany.services.people import accounts, two_factor

# After accepting an invitation, by the role it gave.
WELCOME = {
    Role.ADMIN: N_("Welcome! Your admin account is ready."),
    Role.COORDINATOR: N_("Welcome! Your coordinator account is ready."),
    Role.VOLUNTEER: N_("Welcome! Your volunteer account is ready."),
}


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        now = utcnow()
        next_url = safe_next_url(form.next.data)
        email, address = form.email.data, request.remote_addr
        # The try is counted and committed before the password is hashed: tries racing in see it,
        # and no lock is held meanwhile. LoginThrottled and LoginFailed keep their audit records.
        with committing(form, field="password", commit_on_error=True) as counted:
            accounts.begin_login(email, now=now, address=address)
        if counted:
            with committing(form, field="password", commit_on_error=True) as passed:
                user = accounts.check_password(email, form.password.data, now=now, address=address)
                needs_code = user.two_factor_enabled
                if needs_code:
                    await_second_step(user, next_url, now=now)
                else:
                    begin_session(user, now=now)
            if passed:
                return redirect(url_for("auth.second_step") if needs_code else next_url or url_for("home.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/login/code", methods=["GET", "POST"])
def second_step():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    now = utcnow()
    user, next_url = pending_user(now=now)
    if user is None:
        flash(gettext("Please log in again: the page for the code is only open for a few minutes."), "info")
        return redirect(url_for("auth.login"))
    form = SecondStepForm()
    if form.validate_on_submit():
        # CodeNotAccepted or LoginThrottled: the failure's count and audit record are kept.
        with committing(form, field="code", commit_on_error=True) as passed:
            kind = two_factor.check_second_step(user, form.code.data, now=now)
            accounts.finish_login(user, now=now)
            begin_session(user, now=now)
        if passed:
            if kind == "recovery":
                left = two_factor.recovery_codes_left(user)
                flash(gettext("You used a recovery code; %(num)s left. Each one works only once.", num=left), "warning")
            return redirect(safe_next_url(next_url) or url_for("home.index"))
    return render_template("auth/second_step.html", form=form)


@bp.post("/logout")
def logout():
    require_valid(ActionForm())
    with committing():
        end_session()
    flash(gettext("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/account/log-out-everywhere")
@login_required
def log_out_everywhere():
    require_valid(ActionForm())
    with committing():
        accounts.log_out_everywhere(current_user, now=utcnow())
        end_session()
    flash(gettext("You are logged out on every phone and computer, this one too."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignUpForm()
    if form.validate_on_submit():
        now = utcnow()
        data = accounts.VolunteerSignUp(
            email=form.email.data,
            name=form.name.data,
            password=form.password.data,
            phone=form.phone.data,
            languages=form.languages.data or [],
            has_car=form.has_car.data,
            home_area=form.home_area.data or "",
            sms_opt_in=form.sms_opt_in.data,
        )
        # Counted and committed first, like a login try; LoginThrottled keeps its audit record.
        with committing(form, commit_on_error=True) as counted:
            accounts.begin_sign_up(now=now, address=request.remote_addr)
        if counted:
            with committing(form, field="password") as signed_up:
                accounts.sign_up_volunteer(data, now=now)
            if signed_up:
                # The same answer whether or not the email already had an account (nothing is
                # made then): nobody is logged in, and the page says what to do either way.
                return redirect(url_for("auth.signed_up"))
    return render_template("auth/signup.html", form=form)


@bp.get("/signup/thanks")
def signed_up():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    return render_template("auth/signed_up.html")


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with committing(form, field="current") as changed:
            accounts.change_password(current_user, form.current.data, form.password.data, now=utcnow())
            begin_session(current_user._get_current_object(), now=utcnow())
        if changed:
            flash(gettext("Your password is changed. Other devices have been logged out."), "success")
            return redirect(url_for("home.index"))
    return render_template("auth/password.html", form=form, action_form=ActionForm())


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    if len(token) > 100:
        abort(404)
    try:
        invitation = accounts.find_invitation(token, now=utcnow())
    except InvitationInvalid:
        return render_template("auth/invitation_invalid.html"), 404
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        with committing(form, field="password") as accepted:
            user = accounts.accept_invitation(token, form.name.data, form.password.data, now=utcnow())
            begin_session(user, now=utcnow())
        if accepted:
            flash(gettext(WELCOME[user.role]), "success")
            return redirect(url_for("home.index"))
    return render_template("auth/invitation.html", form=form, invitation=invitation)
