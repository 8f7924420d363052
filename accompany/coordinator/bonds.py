"""The bond pages (`/coordinator/bonds`): the list, a new bond, and a bond's page with its status
history, its fund lines, every hearing of the family, and the forms that move it along."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from accompany.clock import utcnow
from accompany.committing import committing, require_valid
from accompany.coordinator import bp
from accompany.coordinator.bond_forms import BondEditForm, BondForm, BondMoveForm, BondPayForm, BondRefundForm
from accompany.coordinator.fund import org_today
from accompany.database import db
from accompany.formfields import ActionForm, record_id
from accompany.guards import staff_required
from accompany.i18n import gettext
from accompany.models import Bond, BondPaidHow, BondSetBy, BondStatus, Family, Location, LocationKind
from accompany.presentation import label, money
from accompany.services.casework import bonds as bond_service
from accompany.services.casework import fund as fund_service
from accompany.services.casework.money import parse_cents


@bp.get("/bonds")
@staff_required
def bonds():
    return render_template("coordinator/bonds/list.html", bonds=bond_service.list_bonds(),
                           balance=fund_service.balance())


def _new_bond_form(**data) -> BondForm:
    form = BondForm(**data)
    families = list(db.session.scalars(select(Family).where(Family.closed_at.is_(None), Family.purged_at.is_(None))))
    families.sort(key=lambda family: family.name.lower())
    facilities = list(db.session.scalars(
        select(Location).where(Location.kind == LocationKind.DETENTION_CENTER, Location.active.is_(True))
        .order_by(Location.name)))
    form.set_choices(families, facilities, bond_service.obligor_choices())
    return form


@bp.route("/bonds/new", methods=["GET", "POST"])
@staff_required
def new_bond():
    if request.method == "GET":
        family_id = request.args.get("family_id", type=record_id)
        form = _new_bond_form(formdata=None, family_id=family_id, set_on=org_today())
        return render_template("coordinator/bonds/new.html", form=form)
    form = _new_bond_form()
    if form.validate_on_submit():
        with committing(form, field="amount") as saved:
            bond = bond_service.create_bond(bond_service.BondDetails(
                family=db.session.get(Family, form.family_id.data), amount_cents=parse_cents(form.amount.data),
                set_by=BondSetBy(form.set_by.data), set_on=form.set_on.data, person=form.person.data or "",
                facility=db.session.get(Location, form.facility_id.data) if form.facility_id.data else None,
                facility_other=form.facility_other.data or "",
                obligor=bond_service.obligor_by_id(form.obligor_id.data), obligor_name=form.obligor_name.data or "",
            ), today=org_today(), by=current_user, now=utcnow())
        if saved:
            flash(gettext("The bond is recorded."), "success")
            return redirect(url_for(".bond", bond_id=bond.id))
        if saved.sent_before:
            return redirect(url_for(".bonds"))
    return render_template("coordinator/bonds/new.html", form=form), 422


def _bond_page(bond: Bond, *, move_form=None, pay_form=None, refund_form=None, status: int = 200):
    today = org_today()
    if move_form is None:
        move_form = BondMoveForm(formdata=None, day=today)
    move_form.set_moves(bond_service.allowed_moves(bond))
    entries = fund_service.bond_entries(bond)
    return render_template(
        "coordinator/bonds/page.html", bond=bond, entries=entries,
        reversed_ids=fund_service.reversed_ids(entries), hearings=bond_service.family_hearings(bond), now=utcnow(),
        move_form=move_form, pay_form=pay_form or BondPayForm(formdata=None, day=today),
        refund_form=refund_form or BondRefundForm(formdata=None, day=today), action_form=ActionForm(),
        balance=fund_service.balance(), may_pay=bond.status == BondStatus.RAISING,
        may_refund=bond.status == BondStatus.REFUND_REQUESTED,
    ), status


@bp.get("/bonds/<id:bond_id>")
@staff_required
def bond(bond_id: int):
    return _bond_page(db.get_or_404(Bond, bond_id))


@bp.post("/bonds/<id:bond_id>/move")
@staff_required
def move_bond(bond_id: int):
    bond = db.get_or_404(Bond, bond_id)
    form = BondMoveForm()
    moves = bond_service.allowed_moves(bond)
    if not moves:  # raising (the fund pays it), refund requested (its refund is recorded), or over
        require_valid(ActionForm())
        flash(gettext("A bond that is “%(status)s” is not moved by hand: use the forms on its page.",
                      status=label(bond.status)), "warning")
        return redirect(url_for(".bond", bond_id=bond_id))
    form.set_moves(moves)
    if form.validate_on_submit():
        to = BondStatus(form.to.data)
        with committing(form, field="to") as saved:
            bond_service.move_bond(bond, to, day=form.day.data, today=org_today(), by=current_user, now=utcnow(),
                                   cancellation_ref=form.cancellation_ref.data or "")
        if saved:
            flash(gettext("The bond is now “%(status)s”.", status=label(to)), "success")
            return redirect(url_for(".bond", bond_id=bond_id))
        if saved.error is not None and saved.error.whole_request:
            return redirect(url_for(".bond", bond_id=bond_id))
    db.session.refresh(bond)
    return _bond_page(bond, move_form=form, status=422)


@bp.post("/bonds/<id:bond_id>/pay")
@staff_required
def pay_bond(bond_id: int):
    bond = db.get_or_404(Bond, bond_id)
    form = BondPayForm()
    if form.validate_on_submit():
        with committing(form, field="day") as saved:
            bond_service.pay_bond(bond, day=form.day.data, today=org_today(), paid_how=BondPaidHow(form.paid_how.data),
                                  receipt_ref=form.receipt_ref.data or "", by=current_user, now=utcnow())
        if saved:
            flash(gettext("The bond is paid from the fund: %(amount)s out.", amount=money(bond.amount_cents)),
                  "success")
            return redirect(url_for(".bond", bond_id=bond_id))
        if saved.error is not None and saved.error.whole_request:
            return redirect(url_for(".bond", bond_id=bond_id))
    db.session.refresh(bond)
    return _bond_page(bond, pay_form=form, status=422)


@bp.post("/bonds/<id:bond_id>/refund")
@staff_required
def refund_bond(bond_id: int):
    bond = db.get_or_404(Bond, bond_id)
    form = BondRefundForm()
    if form.validate_on_submit():
        with committing(form, field="amount") as saved:
            amount = parse_cents(form.amount.data) if (form.amount.data or "").strip() else None
            bond_service.record_refund(bond, day=form.day.data, today=org_today(), amount_cents=amount,
                                       by=current_user, now=utcnow())
        if saved:
            flash(gettext("The refund is recorded: the bond is refunded."), "success")
            return redirect(url_for(".bond", bond_id=bond_id))
        if saved.error is not None and saved.error.whole_request:
            return redirect(url_for(".bond", bond_id=bond_id))
    db.session.refresh(bond)
    return _bond_page(bond, refund_form=form, status=422)


@bp.route("/bonds/<id:bond_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_bond(bond_id: int):
    bond = db.get_or_404(Bond, bond_id)
    if request.method == "GET":
        form = BondEditForm(formdata=None, obj=bond)
        form.obligor_id.data = bond.obligor_id
    else:
        form = BondEditForm()
    form.set_obligors(bond_service.obligor_choices(), bond.obligor)
    if form.validate_on_submit():
        with committing(form, field="obligor_id") as saved:
            changed = bond_service.update_bond(bond, bond_service.BondPeople(
                person=form.person.data or "", obligor=bond_service.obligor_by_id(form.obligor_id.data),
                obligor_name=form.obligor_name.data or "", receipt_ref=form.receipt_ref.data or "",
                cancellation_ref=form.cancellation_ref.data or "",
            ), by=current_user, now=utcnow())
        if saved:
            flash(gettext("The bond is saved.") if changed else gettext("Nothing was changed."), "success")
            return redirect(url_for(".bond", bond_id=bond_id))
        if saved.error is not None and saved.error.whole_request:
            return redirect(url_for(".bond", bond_id=bond_id))
    return render_template("coordinator/bonds/edit.html", form=form, bond=bond), 200 if request.method == "GET" else 422
