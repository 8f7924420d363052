"""What follows a detention (issue 15, point 4): the checklist template the network edits, the
steps (and casework needs) a new case copies from it, owners, ticking, and the case page's links."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select

from accompany.models import (
    CaseStep,
    ChecklistStep,
    LocationKind,
    Need,
    NeedKind,
    NeedStatus,
    PageLanguage,
    RotaSpan,
)
from accompany.services.casework import needs as need_service
from accompany.services.detention import cases, checklist, on_call
from tests.conftest import NOW
from tests.support.browsing import hidden_fields, logged_in

TODAY = date(2026, 11, 21)  # NOW in Boston, the organization's time zone
DEFAULT_TITLES = ["Locate the person (where they are held)", "Tell the family", "Legal referral",
                  "Request a bond hearing", "Bond", "Letters of support", "Detention visit", "Belongings",
                  "Children's care"]


def _world(make, db):
    coordinator = make.coordinator(name="Olga Oncall", phone="617-555-0201", sms_opt_in=True)
    family = make.family(name="Rosa M.", phone="617-555-0142")
    appointment = make.appointment(family=family, starts_at=NOW - timedelta(minutes=30))
    shift = make.shift(appointment, starts_at=NOW - timedelta(hours=1))
    volunteer = make.volunteer(name="Hal Holder", phone="617-555-0162", sms_opt_in=True)
    claim = make.claim(shift, volunteer)
    on_call.add_turn(coordinator, starts_on=on_call.org_today(NOW), span=RotaSpan.WEEK, position=1, now=NOW)
    db.session.commit()
    return coordinator, family, appointment, claim


def _template(db):
    return list(db.session.scalars(select(ChecklistStep).order_by(ChecklistStep.position, ChecklistStep.id)))


def _needs(db, family):
    return list(db.session.scalars(select(Need).where(Need.family_id == family.id).order_by(Need.id)))


# -- the template -----------------------------------------------------------------------------------


def test_an_empty_template_gets_the_default_steps_once_in_order(db):
    assert checklist.ensure_default_steps() is True
    assert checklist.ensure_default_steps() is False
    steps = checklist.template_steps()
    assert [step.title for step in steps] == DEFAULT_TITLES
    assert [step.due_days for step in steps] == [0, 0, 1, 2, 7, 7, 3, 3, 0]
    assert [step.need_kind for step in steps] == [None, None, NeedKind.LEGAL_REFERRAL, None, NeedKind.BOND,
                                                  NeedKind.LETTERS, None, None, None]
    assert [step.plans_visit for step in steps] == [False] * 6 + [True, False, False]
    assert all(step.active for step in steps)


def test_two_requests_writing_the_defaults_at_once_write_them_once(app, db):
    """Both read an empty template before either writes: the unique default key keeps one set."""
    both_read, seen, errors = threading.Barrier(2, timeout=10), threading.local(), []

    def hold_after_reading(conn, cursor, statement, parameters, context, executemany):
        if "FROM checklist_steps" in statement and not getattr(seen, "held", False):
            seen.held = True
            both_read.wait()

    event.listen(db.engine, "after_cursor_execute", hold_after_reading)
    wrote = []

    def first_use():
        with app.app_context():
            try:
                wrote.append(checklist.ensure_default_steps())
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - the test reports it
                errors.append(error)

    try:
        threads = [threading.Thread(target=first_use) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        event.remove(db.engine, "after_cursor_execute", hold_after_reading)
    assert errors == []
    assert sorted(wrote) == [False, True]
    assert db.session.scalar(select(func.count()).select_from(ChecklistStep)) == len(DEFAULT_TITLES)


def test_the_network_adds_edits_and_switches_off_steps(make, db):
    coordinator = make.coordinator()
    added = checklist.add_step(checklist.StepDetails("Housing for the children", 10, NeedKind.HOUSING, due_days=2),
                               by=coordinator, now=NOW)
    assert len(_template(db)) == len(DEFAULT_TITLES) + 1  # the defaults first, then the new one
    assert checklist.update_step(added, checklist.StepDetails("Housing", 2, NeedKind.HOUSING, due_days=1),
                                 by=coordinator, now=NOW) is True
    assert checklist.update_step(added, checklist.StepDetails("Housing", 2, NeedKind.HOUSING, due_days=1),
                                 by=coordinator, now=NOW) is False
    checklist.switch_step(added, False, by=coordinator, now=NOW)
    with pytest.raises(checklist.SwitchedAlready):
        checklist.switch_step(added, False, by=coordinator, now=NOW)
    assert (added.title, added.position, added.due_days, added.active) == ("Housing", 2, 1, False)
    for bad, error in ((checklist.StepDetails("  "), checklist.TitleMissing),
                       (checklist.StepDetails("x" * 121), checklist.TitleTooLong),
                       (checklist.StepDetails("Call", due_days=-1), checklist.DueDaysOutOfRange),
                       (checklist.StepDetails("Call", position=0), checklist.PositionOutOfRange)):
        with pytest.raises(error):
            checklist.add_step(bad, by=coordinator, now=NOW)


# -- a case's steps ---------------------------------------------------------------------------------


def test_opening_a_case_copies_the_active_steps_with_needs_due_dates_and_the_staff_opener_as_owner(make, db):
    coordinator, family, appointment, _ = _world(make, db)
    children = next(step for step in checklist.template_steps() if step.title == "Children's care")
    checklist.switch_step(children, False, by=coordinator, now=NOW)
    case, opened = cases.open_case(family, now=NOW, by=coordinator, appointment=appointment)
    db.session.commit()
    assert opened
    steps = case.steps
    assert [step.title for step in steps] == DEFAULT_TITLES[:-1]
    assert [step.due_on for step in steps] == [TODAY + timedelta(days=days) for days in (0, 0, 1, 2, 7, 7, 3, 3)]
    assert all(step.owner == coordinator and step.done_at is None for step in steps)
    needs = _needs(db, family)
    assert [need.kind for need in needs] == [NeedKind.LEGAL_REFERRAL, NeedKind.BOND, NeedKind.LETTERS]
    assert [step.need for step in steps if step.need is not None] == needs
    assert [need.due_on for need in needs] == [TODAY + timedelta(days=1), TODAY + timedelta(days=7),
                                               TODAY + timedelta(days=7)]
    assert all(need.owner == coordinator and need.status == NeedStatus.OPEN and need.notes is None
               for need in needs)
    # A second report while the case is open joins it: nothing is copied again.
    again, opened_again = cases.open_case(family, now=NOW + timedelta(minutes=5), by=coordinator)
    assert (again, opened_again) == (case, False)
    assert db.session.scalar(select(func.count()).select_from(CaseStep)) == len(steps)
    assert len(_needs(db, family)) == 3


def test_a_case_a_volunteer_reported_is_owned_by_whoever_acknowledges_it(make, db):
    coordinator, family, _, claim = _world(make, db)
    case, _ = cases.report_from_shift(claim, note=None, now=NOW)
    db.session.commit()
    assert {step.owner for step in case.steps} == {None}
    assert {need.owner for need in _needs(db, family)} == {None}
    other = make.coordinator(name="Nate Next")
    need_service.update_need(case.steps[4].need, need_service.NeedDetails(kind=NeedKind.BOND, owner=other,
                                                                          due_on=TODAY), by=other, now=NOW)
    cases.acknowledge_by_text([coordinator], case.code, now=NOW + timedelta(minutes=3))
    db.session.commit()
    assert {step.owner for step in case.steps} == {coordinator}
    assert [need.owner for need in _needs(db, family)] == [coordinator, other, coordinator]


def test_ticking_a_step_is_done_once_and_can_be_taken_back_and_shows_on_the_timeline(make, db):
    coordinator, family, appointment, _ = _world(make, db)
    case, _ = cases.open_case(family, now=NOW, by=coordinator, appointment=appointment)
    step = case.steps[1]
    checklist.tick_step(step, True, by=coordinator, now=NOW + timedelta(hours=1))
    assert step.is_done and step.done_by == coordinator
    with pytest.raises(checklist.StepDoneAlready):
        checklist.tick_step(step, True, by=coordinator, now=NOW + timedelta(hours=2))
    checklist.tick_step(step, False, by=coordinator, now=NOW + timedelta(hours=3))
    assert not step.is_done and step.done_at is None
    with pytest.raises(checklist.StepNotDone):
        checklist.tick_step(step, False, by=coordinator, now=NOW + timedelta(hours=4))
    events = [(event.kind, event.detail) for event in case.events if event.kind.startswith("step_")]
    assert events == [("step_done", "step 2"), ("step_undone", "step 2")]


def test_a_need_step_is_done_when_its_need_is_met_or_closed(make, db):
    coordinator, family, appointment, _ = _world(make, db)
    case, _ = cases.open_case(family, now=NOW, by=coordinator, appointment=appointment)
    legal, bond = case.steps[2], case.steps[4]
    for step, status in ((legal, NeedStatus.MET), (bond, NeedStatus.CLOSED_UNMET)):
        need_service.update_need(step.need, need_service.NeedDetails(kind=step.need.kind, status=status,
                                                                     owner=coordinator, due_on=step.due_on),
                                 by=coordinator, now=NOW)
    assert legal.is_done and bond.is_done and legal.done_at is None
    assert not case.steps[5].is_done  # letters: still open


# -- pages ------------------------------------------------------------------------------------------


def test_the_checklist_page_lists_adds_edits_and_switches_steps(app, make, db):
    coordinator = make.coordinator()
    db.session.commit()
    client = logged_in(app, coordinator)
    page = client.get("/coordinator/detentions/checklist").get_data(as_text=True)
    assert all(title.replace("'", "&#39;") in page for title in DEFAULT_TITLES)
    fields = hidden_fields(client, "/coordinator/detentions/checklist/new")
    answer = client.post("/coordinator/detentions/checklist/new", data={
        **fields, "title": "Call the consulate", "need_kind": "", "due_days": "1", "position": "10"})
    assert answer.status_code == 302
    step = db.session.scalar(select(ChecklistStep).where(ChecklistStep.title == "Call the consulate"))
    assert step is not None and step.due_days == 1 and step.need_kind is None
    fields = hidden_fields(client, f"/coordinator/detentions/checklist/{step.id}/edit")
    bad = client.post(f"/coordinator/detentions/checklist/{step.id}/edit",
                      data={**fields, "title": "", "need_kind": "nope", "due_days": "-2", "position": "1"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "Say what the step is" in text and "Choose one of the options" in text
    assert "from 0 to 365" in text
    answer = client.post(f"/coordinator/detentions/checklist/{step.id}/edit", data={
        **fields, "title": "Housing", "need_kind": "housing", "plans_visit": "y", "due_days": "4", "position": "3"})
    assert answer.status_code == 302
    db.session.refresh(step)
    assert (step.title, step.need_kind, step.plans_visit, step.due_days, step.position) == (
        "Housing", NeedKind.HOUSING, True, 4, 3)
    answer = client.post(f"/coordinator/detentions/checklist/{step.id}/switch", data={**fields, "active": "0"})
    db.session.refresh(step)
    assert answer.status_code == 302 and step.active is False
    assert "The step is off" in client.get("/coordinator/detentions/checklist").get_data(as_text=True)


def test_default_steps_show_in_the_readers_language_until_someone_rewrites_them(app, make, db):
    spanish = make.coordinator(preferred_language=PageLanguage.SPANISH)
    english = make.coordinator(email="en@example.org", preferred_language=PageLanguage.ENGLISH)
    db.session.commit()
    steps = checklist.template_steps()
    checklist.update_step(steps[1], checklist.StepDetails("Call the consulate", 2), by=english, now=NOW)
    family = make.family()
    case, _ = cases.open_case(family, now=NOW, by=spanish)
    db.session.commit()
    for path in ("/coordinator/detentions/checklist", f"/coordinator/detentions/{case.id}"):
        page = logged_in(app, spanish).get(path).get_data(as_text=True)
        assert "Localizar a la persona (dónde está detenida)" in page and "Pedir una audiencia de fianza" in page
        assert "Locate the person" not in page and "Request a bond hearing" not in page
        assert "Call the consulate" in page and "Avisar a la familia" not in page  # rewritten: as written
        in_english = logged_in(app, english).get(path).get_data(as_text=True)
        assert "Locate the person (where they are held)" in in_english and "Call the consulate" in in_english
    # Stored as the network wrote them: English for a default step, whoever reads it.
    assert [step.title for step in case.steps][:3] == [DEFAULT_TITLES[0], "Call the consulate", DEFAULT_TITLES[2]]


def test_the_case_page_shows_the_steps_with_owners_overdue_and_their_casework_links(app, make, db):
    coordinator, family, appointment, _ = _world(make, db)
    jail = make.location(name="Plymouth County Jail", kind=LocationKind.DETENTION_CENTER,
                         arrival_notes="Visits Tue and Thu 1-3 pm; bring photo ID.")
    case, _ = cases.open_case(family, now=NOW - timedelta(days=2), by=coordinator, appointment=appointment)
    cases.set_where_held(case, location=jail, note=None, by=coordinator, now=NOW - timedelta(days=1))
    db.session.commit()
    client = logged_in(app, coordinator)
    page = client.get(f"/coordinator/detentions/{case.id}").get_data(as_text=True)
    steps = case.steps
    locate = page[page.index(f'id="step-{steps[0].id}"'):page.index(f'id="step-{steps[1].id}"')]
    assert "Locate the person" in locate and "overdue" in locate and "Olga Oncall" in locate
    bond = page[page.index(f'id="step-{steps[4].id}"'):page.index(f'id="step-{steps[5].id}"')]
    assert "overdue" not in bond  # due in 7 days from the opening
    assert f"/coordinator/needs/{steps[2].need_id}" in page
    assert f"/coordinator/families/{family.id}/referrals/new" in page
    assert f"/coordinator/bonds/new?family_id={family.id}" in page
    assert f"/coordinator/families/{family.id}#appointments" in page
    visit_link = f"/coordinator/appointments/new?family_id={family.id}&amp;kind=detention_visit&amp;location_id={jail.id}"
    assert visit_link in page and "Visits Tue and Thu 1-3 pm" in page
    # The visit link opens the new-appointment form with the family, kind and place chosen.
    form = client.get(visit_link.replace("&amp;", "&")).get_data(as_text=True)
    assert f'<option selected value="{jail.id}">' in form and '<option selected value="detention_visit">' in form


def test_ticking_a_step_on_the_case_page(app, make, db):
    coordinator, family, appointment, _ = _world(make, db)
    case, _ = cases.open_case(family, now=NOW, by=coordinator, appointment=appointment)
    db.session.commit()
    client = logged_in(app, coordinator)
    fields = hidden_fields(client, f"/coordinator/detentions/{case.id}")
    step = case.steps[1]
    answer = client.post(f"/coordinator/detentions/steps/{step.id}/tick", data={**fields, "done": "1"})
    assert answer.status_code == 302 and f"/coordinator/detentions/{case.id}" in answer.headers["Location"]
    db.session.refresh(step)
    assert step.done_at is not None and step.done_by == coordinator
    again = client.post(f"/coordinator/detentions/steps/{step.id}/tick", data={**fields, "done": "1"},
                        follow_redirects=True).get_data(as_text=True)
    assert "ticked done already" in again and "Checklist step done" in again
    assert client.post(f"/coordinator/detentions/steps/{step.id}/tick",
                       data={**fields, "done": "maybe"}).status_code == 400
