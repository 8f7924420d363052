from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
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
from accompany.database import db
from accompany.formfields import ActionForm, safe_next_url
from accompany.services.errors import (
    DomainError,
    EmailTaken,
    InvitationInvalid,
)
from accompany.services.people import accounts, two_factor


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        now = utcnow()
        try:
            user = accounts.authenticate(form.email.data, form.password.data, now=now, address=request.remote_addr)
        except DomainError as error:  # LoginFailed or LoginThrottled
            db.session.commit()  # keep the failure's count and audit record
            form.password.errors.append(str(error))
        else:
            next_url = safe_next_url(form.next.data)
            if user.two_factor_enabled:
                await_second_step(user, next_url, now=now)
                db.session.commit()
                return redirect(url_for("auth.second_step"))
            begin_session(user, now=now)
            db.session.commit()
            return redirect(next_url or url_for("home.index"))
    return render_template("auth/login.html", form=form)


@bp.route("/login/code", methods=["GET", "POST"])
def second_step():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    now = utcnow()
    user, next_url = pending_user(now=now)
    if user is None:
        flash("Please log in again: the page for the code is only open for a few minutes.", "info")
        return redirect(url_for("auth.login"))
    form = SecondStepForm()
    if form.validate_on_submit():
        try:
            kind = two_factor.check_second_step(user, form.code.data, now=now)
        except DomainError as error:  # CodeNotAccepted or LoginThrottled
            db.session.commit()  # keep the failure's count and audit record
            form.code.errors.append(str(error))
        else:
            accounts.finish_login(user, now=now)
            begin_session(user, now=now)
            db.session.commit()
            if kind == "recovery":
                left = two_factor.recovery_codes_left(user)
                flash(f"You used a recovery code; {left} left. Each one works only once.", "warning")
            return redirect(safe_next_url(next_url) or url_for("home.index"))
    return render_template("auth/second_step.html", form=form)


@bp.post("/logout")
def logout():
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    end_session()
    db.session.commit()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.post("/account/log-out-everywhere")
@login_required
def log_out_everywhere():
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    accounts.log_out_everywhere(current_user, now=utcnow())
    end_session()
    db.session.commit()
    flash("You are logged out on every phone and computer, this one too.", "info")
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
            begin_session(user, now=utcnow())
            db.session.commit()
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
            begin_session(current_user._get_current_object(), now=utcnow())
            db.session.commit()
            flash("Your password is changed. Other devices have been logged out.", "success")
            return redirect(url_for("home.index"))
    return render_template("auth/password.html", form=form, action_form=ActionForm())


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
            begin_session(user, now=utcnow())
            db.session.commit()
            flash(f"Welcome! Your {user.role.label.lower()} account is ready.", "success")
            return redirect(url_for("home.index"))
    return render_template("auth/invitation.html", form=form, invitation=invitation)
