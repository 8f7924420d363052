from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from accompany.auth import bp
from accompany.auth.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    LoginForm,
    SignUpForm,
)
from accompany.database import db, utcnow
from accompany.formfields import ActionForm, safe_next_url
from accompany.services import accounts
from accompany.services.errors import (
    DomainError,
    EmailTaken,
    InvitationInvalid,
    LoginFailed,
)


def _start_session(user) -> None:
    session.clear()  # a fresh session on every login (no fixation)
    login_user(user)
    session.permanent = True


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data, now=utcnow())
        except LoginFailed as error:
            db.session.commit()  # keep the audit record of the failure
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            _start_session(user)
            return redirect(safe_next_url(form.next.data) or url_for("home.index"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    logout_user()
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignUpForm()
    if form.validate_on_submit():
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
        try:
            user = accounts.sign_up_volunteer(data, now=utcnow())
        except EmailTaken as error:
            form.email.errors.append(str(error))
        except DomainError as error:
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            _start_session(user)
            flash("Thank you for signing up! A coordinator will review your account soon.", "success")
            return redirect(url_for("home.index"))
    return render_template("auth/signup.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current.data, form.password.data, now=utcnow())
        except DomainError as error:
            form.current.errors.append(str(error))
        else:
            db.session.commit()
            _start_session(current_user._get_current_object())
            flash("Your password is changed. Other devices have been logged out.", "success")
            return redirect(url_for("home.index"))
    return render_template("auth/password.html", form=form)


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    if len(token) > 100:
        abort(404)
    try:
        invitation = accounts.find_invitation(token, now=utcnow())
    except InvitationInvalid as error:
        return render_template("auth/invitation_invalid.html", message=str(error)), 404
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = accounts.accept_invitation(token, form.name.data, form.password.data, now=utcnow())
        except DomainError as error:
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            _start_session(user)
            flash(f"Welcome! Your {user.role.label.lower()} account is ready.", "success")
            return redirect(url_for("home.index"))
    return render_template("auth/invitation.html", form=form, invitation=invitation)
