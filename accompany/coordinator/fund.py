"""The bond fund's page (`/coordinator/fund`): the figures, a chart of the balance and the money out
in bonds over time, the ledger with its record and reverse forms, and the treasurer's CSV."""

from __future__ import annotations

from datetime import date

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from accompany import timezones
from accompany.clock import utcnow
from accompany.committing import committing, committing_button
from accompany.coordinator import bp
from accompany.coordinator.fund_forms import FundEntryForm
from accompany.coordinator.spreadsheets import csv_response
from accompany.database import db
from accompany.formfields import ActionForm, safe_next_url
from accompany.guards import staff_required
from accompany.i18n import gettext
from accompany.models import FundEntry, FundEntryKind
from accompany.pagination import paginate
from accompany.services.casework import bonds as bond_service
from accompany.services.casework import fund as fund_service
from accompany.services.casework.money import parse_cents

PER_PAGE = 25
CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 320, 160, 4


def org_today() -> date:
    """Today in the organization's time zone: the day money moves are dated by default."""
    return timezones.to_local(utcnow(), current_app.config["ORG_TIMEZONE"]).date()


@bp.get("/fund")
@staff_required
def fund():
    return _fund_page(FundEntryForm(formdata=None, day=org_today()))


def _fund_page(form: FundEntryForm, status: int = 200):
    today = org_today()
    page = paginate(fund_service.ledger_query(), request.args.get("page", type=int), per_page=PER_PAGE)
    points = fund_service.history()
    return render_template(
        "coordinator/fund/page.html", form=form, figures=fund_service.fund_figures(today=today), page=page,
        reversed_ids=fund_service.reversed_ids(page.items), points=points, chart=chart(points),
        overdue_days=fund_service.refund_overdue_days(), action_form=ActionForm(),
    ), status


@bp.post("/fund/entries")
@staff_required
def record_fund_entry():
    form = FundEntryForm()
    if form.validate_on_submit():
        with committing(form, field="amount") as saved:
            fund_service.record_entry(
                FundEntryKind(form.kind.data), parse_cents(form.amount.data), day=form.day.data, today=org_today(),
                donor=form.donor.data, by=current_user, now=utcnow(),
            )
        if saved:
            flash(gettext("The line is recorded."), "success")
            return redirect(url_for(".fund"))
        if saved.sent_before:
            return redirect(url_for(".fund"))
    return _fund_page(form, 422)


@bp.post("/fund/entries/<id:entry_id>/reverse")
@staff_required
def reverse_fund_entry(entry_id: int):
    entry = db.get_or_404(FundEntry, entry_id)
    with committing_button(gettext("The line is reversed: a reversing line is recorded under it.")):
        bond_service.reverse_line(entry, day=org_today(), today=org_today(), by=current_user, now=utcnow())
    return redirect(safe_next_url(request.args.get("back")) or url_for(".fund"))


@bp.get("/fund.csv")
@staff_required
def fund_csv():
    return csv_response(fund_service.ledger_csv(), f"bond-fund-{org_today().isoformat()}.csv")


# -- the chart: inline SVG drawn here, no script ---------------------------------------------------------


def chart(points: list[fund_service.FundDay]) -> dict | None:
    """Two step lines (balance, money out in bonds) scaled into the SVG's box, or None without data."""
    if not points:
        return None
    first, last = points[0].day, points[-1].day
    span = max((last - first).days, 1)
    top = max(1, *(max(point.balance, point.out_in_bonds) for point in points))
    bottom = min(0, *(point.balance for point in points))
    width, height = CHART_WIDTH - 2 * CHART_PAD, CHART_HEIGHT - 2 * CHART_PAD

    def x(day: date) -> float:
        return round(CHART_PAD + width * (day - first).days / span, 1)

    def y(cents: int) -> float:
        return round(CHART_PAD + height * (top - cents) / (top - bottom), 1)

    def steps(values) -> str:
        coords, previous = [], None
        for point, value in zip(points, values, strict=True):
            if previous is not None:
                coords.append(f"{x(point.day)},{y(previous)}")
            coords.append(f"{x(point.day)},{y(value)}")
            previous = value
        if len(points) == 1:
            coords.append(f"{CHART_WIDTH - CHART_PAD},{y(previous)}")
        return " ".join(coords)

    return {
        "width": CHART_WIDTH, "height": CHART_HEIGHT, "zero": y(0),
        "balance": steps(point.balance for point in points),
        "bonds": steps(point.out_in_bonds for point in points),
        "first": first, "last": last, "top": top,
    }

