"""The bond and fund pages through the test client: a bond from set to refunded, bad input, the
treasurer's CSV, the chart, and who may see them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from accompany.models import AppointmentKind, Bond, BondStatus, FundEntry, LocationKind
from tests.conftest import NOW
from tests.support.browsing import hidden_fields, logged_in

TODAY = NOW.date().isoformat()


def _post(client, page: str, path: str, **data):
    return client.post(path, data={**hidden_fields(client, page), **data})


def _balance(client) -> str:
    page = client.get("/coordinator/fund").get_data(as_text=True)
    start = page.index('id="balance"')
    return page[page.index("<strong>", start) + 8:page.index("</strong>", start)]


def test_a_coordinator_takes_a_bond_from_set_to_refunded_in_the_pages(app, make, db):
    family = make.family(name="Rosa M.")
    jail = make.location(name="Plymouth County Jail", kind=LocationKind.DETENTION_CENTER)
    obligor = make.obligor(name="Olga Obligor")
    hearing = make.appointment(family=family, kind=AppointmentKind.BOND_HEARING, starts_at=NOW + timedelta(days=9))
    client = logged_in(app, make.coordinator())

    answer = _post(client, "/coordinator/bonds/new", "/coordinator/bonds/new", family_id=str(family.id),
                   person="Luis M.", amount="$7,500.00", set_by="immigration_judge", set_on=TODAY,
                   facility_id=str(jail.id), facility_other="", obligor_id=str(obligor.id), obligor_name="")
    assert answer.status_code == 302, answer.get_data(as_text=True)[-3000:]
    bond = db.session.scalar(select(Bond))
    page = f"/coordinator/bonds/{bond.id}"
    shown = client.get(page).get_data(as_text=True)
    assert "$7,500.00" in shown and "Plymouth County Jail" in shown and "Olga Obligor" in shown
    assert f"/coordinator/appointments/{hearing.id}" in shown  # the family's hearing, ahead

    assert _post(client, page, f"{page}/move", to="raising", day=TODAY, cancellation_ref="").status_code == 302
    for amount in ("5000", "$2,500.00"):
        assert _post(client, "/coordinator/fund", "/coordinator/fund/entries", kind="gift", amount=amount, day=TODAY,
                     donor="Dora Donor").status_code == 302
    assert _balance(client) == "$7,500.00"
    assert _post(client, page, f"{page}/pay", day=TODAY, paid_how="online", receipt_ref="CEB-1").status_code == 302
    assert _balance(client) == "$0.00"
    for to in ("released", "cancelled", "refund_requested"):
        assert _post(client, page, f"{page}/move", to=to, day=TODAY, cancellation_ref="I-391").status_code == 302
        assert _balance(client) == "$0.00"
    assert _post(client, page, f"{page}/refund", day=TODAY, amount="").status_code == 302
    assert _balance(client) == "$7,500.00"
    db.session.expire_all()
    assert bond.status == BondStatus.REFUNDED and bond.cancellation_ref == "I-391" and bond.receipt_ref == "CEB-1"
    shown = client.get(page).get_data(as_text=True)
    assert shown.count("Refund requested") >= 1 and "Bond refund received" in shown


def test_a_bad_amount_or_day_is_told_in_plain_words_and_saves_nothing(app, make, db):
    family = make.family()
    client = logged_in(app, make.coordinator())
    for amount, words in (("seven thousand", "Enter an amount in dollars"), ("0", "more than $0.00"),
                          ("1,23", "commas only between thousands"), ("99999999999", "too large")):
        answer = _post(client, "/coordinator/fund", "/coordinator/fund/entries", kind="gift", amount=amount, day=TODAY,
                       donor="")
        assert answer.status_code == 422 and words in answer.get_data(as_text=True), amount
    answer = _post(client, "/coordinator/fund", "/coordinator/fund/entries", kind="gift", amount="5", day="tomorrow",
                   donor="")
    assert answer.status_code == 422 and "Enter a date like" in answer.get_data(as_text=True)
    answer = _post(client, "/coordinator/fund", "/coordinator/fund/entries", kind="bond_paid", amount="5", day=TODAY)
    assert answer.status_code == 422 and "Choose one of the options" in answer.get_data(as_text=True)
    answer = _post(client, "/coordinator/bonds/new", "/coordinator/bonds/new", family_id=str(family.id), amount="$7.500",
                   set_by="ice", set_on=TODAY, facility_id="None", facility_other="", obligor_id="None")
    assert answer.status_code == 422 and "Enter an amount in dollars" in answer.get_data(as_text=True)
    answer = _post(client, "/coordinator/bonds/new", "/coordinator/bonds/new", family_id=str(family.id), amount="7500",
                   set_by="ice", set_on=TODAY, facility_id="None", facility_other="", obligor_id="None")
    assert answer.status_code == 422 and "detention center" in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(FundEntry)) == 0
    assert db.session.scalar(select(func.count()).select_from(Bond)) == 0


def test_paying_without_the_money_or_moving_the_wrong_way_is_refused_on_the_page(app, make, db):
    bond = make.bond(status=BondStatus.RAISING)
    client = logged_in(app, make.coordinator())
    page = f"/coordinator/bonds/{bond.id}"
    answer = _post(client, page, f"{page}/pay", day=TODAY, paid_how="online", receipt_ref="")
    assert answer.status_code == 422 and "The fund holds $0.00; this bond needs $7,500.00" in answer.get_data(as_text=True)
    answer = _post(client, page, f"{page}/move", to="refunded", day=TODAY)
    assert answer.status_code == 302 and "is not moved by hand" in client.get(page).get_data(as_text=True)
    released = make.bond(status=BondStatus.RELEASED)
    db.session.commit()
    other = f"/coordinator/bonds/{released.id}"
    answer = _post(client, other, f"{other}/move", to="refunded", day=TODAY)
    assert answer.status_code == 422 and "Choose one of the options" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert bond.status == BondStatus.RAISING


def test_the_fund_page_shows_the_chart_as_svg_with_a_table_and_the_csv_downloads(app, make, db):
    client = logged_in(app, make.coordinator())
    _post(client, "/coordinator/fund", "/coordinator/fund/entries", kind="gift", amount="100", day=TODAY, donor="")
    page = client.get("/coordinator/fund").get_data(as_text=True)
    assert "<svg" in page and "<title id=\"chart-title\">" in page and "<desc" in page and "<table" in page
    assert "<script" not in page and "style=" not in page
    csv = client.get("/coordinator/fund.csv")
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    assert "anonymous" in csv.get_data(as_text=True) and "$100.00" in csv.get_data(as_text=True)


def test_a_line_is_reversed_once_from_the_page(app, make, db):
    client = logged_in(app, make.coordinator())
    _post(client, "/coordinator/fund", "/coordinator/fund/entries", kind="gift", amount="100", day=TODAY, donor="")
    entry = db.session.scalar(select(FundEntry))
    assert _post(client, "/coordinator/fund", f"/coordinator/fund/entries/{entry.id}/reverse").status_code == 302
    assert _balance(client) == "$0.00"
    answer = _post(client, "/coordinator/fund", f"/coordinator/fund/entries/{entry.id}/reverse")
    assert answer.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(FundEntry)) == 2
    assert "already been reversed" in client.get("/coordinator/fund").get_data(as_text=True)


def test_the_dashboard_shows_bonds_raising_and_refunds_overdue(app, make, db):
    make.bond(status=BondStatus.RAISING)
    make.bond(status=BondStatus.CANCELLED, cancelled_on=NOW.date() - timedelta(days=120))
    page = logged_in(app, make.coordinator()).get("/").get_data(as_text=True)
    assert 'id="bonds-raising"' in page and 'id="refunds-overdue"' in page
    assert "bond to raise money for" in page and "bond refund overdue" in page


def test_volunteers_see_no_bond_or_fund_page(app, make, db):
    bond = make.bond()
    client = logged_in(app, make.obligor())
    for path in ("/coordinator/fund", "/coordinator/bonds", f"/coordinator/bonds/{bond.id}", "/coordinator/fund.csv"):
        assert client.get(path).status_code == 404, path


def test_the_bonds_names_and_references_are_edited_and_the_family_page_lists_its_bonds(app, make, db):
    family = make.family(name="Rosa M.")
    bond = make.bond(family=family, status=BondStatus.PAID)
    obligor = make.obligor(name="Olga Obligor")
    client = logged_in(app, make.coordinator())
    page = f"/coordinator/bonds/{bond.id}/edit"
    answer = _post(client, page, page, person="Luis M.", obligor_id=str(obligor.id), obligor_name="",
                   receipt_ref="CEB-9", cancellation_ref="")
    assert answer.status_code == 302
    shown = client.get(f"/coordinator/bonds/{bond.id}").get_data(as_text=True)
    assert "Olga Obligor" in shown and "CEB-9" in shown and "Luis M." in shown
    answer = _post(client, page, page, person="", obligor_id=str(obligor.id), obligor_name="Tío Pedro")
    assert answer.status_code == 422 and "not both" in answer.get_data(as_text=True)
    family_page = client.get(f"/coordinator/families/{family.id}").get_data(as_text=True)
    assert f'href="/coordinator/bonds/{bond.id}"' in family_page and "Paid since" in family_page
