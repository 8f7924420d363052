"""The coordinator dashboard: the next 14 days by day, unfilled first, counts that need action."""

from datetime import date, timedelta

from accompany.models import AppointmentKind, AppointmentStatus, Outcome, ShiftRole
from accompany.services.dashboard import coordinator_dashboard
from accompany.services.messaging.inbound import receive_text
from accompany.services.scheduling.overview import hearings_to_verify
from tests.conftest import NOW, from_now, log_in
from tests.support.browsing import logged_in
from tests.support.queries import count_queries

TZ = "America/New_York"


def test_days_in_order_with_unfilled_appointments_and_roles_first(make, db):
    morning = make.appointment(starts_at=NOW + timedelta(days=2))  # Monday 10:00
    make.shift(morning, role=ShiftRole.COMPANION, slots=1, filled=0)
    afternoon = make.appointment(starts_at=NOW + timedelta(days=2, hours=4))
    ride = make.shift(afternoon, role=ShiftRole.RIDE_THERE, slots=1)
    companion = make.shift(afternoon, role=ShiftRole.COMPANION, slots=1)
    make.claim(ride, make.volunteer())
    covered = make.appointment(starts_at=NOW + timedelta(days=2, hours=-1))
    make.claim(make.shift(covered, slots=1), make.volunteer())
    tuesday = make.appointment(starts_at=NOW + timedelta(days=3))
    make.appointment(starts_at=NOW + timedelta(days=15))  # outside the window
    make.appointment(starts_at=NOW + timedelta(days=4), status=AppointmentStatus.CANCELLED)

    dashboard = coordinator_dashboard(now=NOW, tz_name=TZ)

    assert [day for day, _ in dashboard.days] == [date(2026, 11, 23), date(2026, 11, 24)]
    monday = [entry.id for entry in dashboard.days[0][1]]
    assert monday == [morning.id, afternoon.id, covered.id]  # unfilled first, then by time
    afternoon_entry = dashboard.days[0][1][1]
    assert [(r.role, r.filled, r.slots) for r in afternoon_entry.roles] == [
        (companion.role, 0, 1), (ride.role, 1, 1)]  # the unfilled role first
    assert afternoon_entry.open_slots == 1
    assert [entry.id for entry in dashboard.days[1][1]] == [tuesday.id]


def test_counts_that_need_action(make, db):
    soon = make.appointment(starts_at=NOW + timedelta(days=1), verified_on=date(2026, 11, 20), verified_by="Grace")
    make.shift(soon, slots=3)  # 3 open slots within 72 hours
    later = make.appointment(starts_at=NOW + timedelta(days=5))  # a hearing, unverified
    make.appointment(starts_at=NOW + timedelta(days=6), kind=AppointmentKind.ICE_CHECK_IN)  # no court date to verify
    make.shift(later, slots=2)  # open, but not within 72 hours
    make.family(sms_consent=False)
    make.family(sms_consent=False, closed_at=NOW)  # closed: not counted
    make.pending_volunteer()
    detained = make.appointment(starts_at=NOW - timedelta(days=1), status=AppointmentStatus.CLOSED, outcome=Outcome.DETAINED)
    make.appointment(starts_at=NOW - timedelta(days=2), status=AppointmentStatus.CLOSED, outcome=Outcome.DETAINED, alert_cleared_at=NOW)

    dashboard = coordinator_dashboard(now=NOW, tz_name=TZ)

    assert dashboard.counts.unfilled_soon == 3
    assert dashboard.counts.unverified_dates == 1
    assert dashboard.counts.families_without_consent == 1
    assert dashboard.counts.pending_volunteers == 1
    assert [line.id for line in dashboard.detained] == [detained.id]


def _network(make, *, in_window: int, history: int, start):
    location = make.location()
    for n in range(history):
        past = make.appointment(location=location, starts_at=start - timedelta(days=3 + n % 700),
                                status=AppointmentStatus.CLOSED, outcome=Outcome.HELD)
        make.claim(make.shift(past, slots=1), make.volunteer())
    for n in range(in_window):
        upcoming = make.appointment(location=location, starts_at=start + timedelta(days=1 + n % 13, hours=n % 5))
        make.shift(upcoming, role=ShiftRole.RIDE_THERE, slots=2)
        make.claim(make.shift(upcoming, role=ShiftRole.COMPANION, slots=1), make.volunteer())


def test_the_dashboard_runs_the_same_number_of_queries_at_any_size(app, make, db):
    _network(make, in_window=2, history=2, start=NOW)
    db.session.commit()
    db.session.expire_all()
    with count_queries(db.engine) as small:
        coordinator_dashboard(now=NOW, tz_name=TZ)
    _network(make, in_window=40, history=120, start=NOW)
    db.session.commit()
    db.session.expire_all()
    with count_queries(db.engine) as large:
        dashboard = coordinator_dashboard(now=NOW, tz_name=TZ)
    assert sum(len(entries) for _, entries in dashboard.days) == 42
    assert len(small) == len(large)


def test_the_dashboard_page_runs_the_same_number_of_queries_at_any_size(app, make, db):
    coordinator = make.coordinator()
    _network(make, in_window=2, history=2, start=from_now())
    client = logged_in(app, coordinator)
    with count_queries(db.engine) as small:
        assert client.get("/").status_code == 200
    _network(make, in_window=30, history=60, start=from_now())
    db.session.commit()
    with count_queries(db.engine) as large:
        page = client.get("/").get_data(as_text=True)
    assert page.count("has-unfilled") == 32
    assert len(small) == len(large)


def test_the_dashboard_page_marks_unfilled_roles(client, make, db):
    family = make.family(name="Rosalinda Q.")
    appointment = make.appointment(family=family, starts_at=from_now(days=2))
    make.shift(appointment, role=ShiftRole.RIDE_THERE, slots=2)
    make.appointment(starts_at=from_now(days=30))  # beyond two weeks
    coordinator = make.coordinator()
    db.session.commit()
    log_in(client, coordinator)
    page = client.get("/").get_data(as_text=True)
    upcoming = page[page.index('id="upcoming"'):]
    assert upcoming.count("<li") == 1  # one line per appointment of the two weeks
    line = upcoming[upcoming.index("<li"):upcoming.index("</li>")]
    assert 'class="has-unfilled"' in line and "2 open" in line
    assert f'href="/coordinator/appointments/{appointment.id}"' in line
    assert "Rosalinda Q." in line
    assert "Ride there: 0/2" in line and "needs 2" in line


def test_families_who_stopped_texts_with_an_appointment_ahead_are_listed_soonest_first(make, db):
    later = make.family(name="Rosalinda Q.", phone="617-555-0142")
    make.appointment(family=later, starts_at=NOW + timedelta(days=20))
    make.appointment(family=later, starts_at=NOW + timedelta(days=9))
    sooner = make.family(name="Ana P.", phone="617-555-0143")
    make.appointment(family=sooner, starts_at=NOW + timedelta(days=2))
    make.appointment(family=sooner, starts_at=NOW - timedelta(days=2), status=AppointmentStatus.CLOSED)
    # Not listed: nothing ahead; only a cancelled one ahead; closed; texting; texts never agreed.
    make.family(name="Nothing Ahead", phone="617-555-0144")
    cancelled = make.family(name="Cancelled Ahead", phone="617-555-0145")
    make.appointment(family=cancelled, starts_at=NOW + timedelta(days=3), status=AppointmentStatus.CANCELLED)
    closed = make.family(name="Closed Family", phone="617-555-0146", closed_at=NOW)
    make.appointment(family=closed, starts_at=NOW + timedelta(days=3))
    texting = make.family(name="Still Texting", phone="617-555-0147")
    make.appointment(family=texting, starts_at=NOW + timedelta(days=3))
    no_consent = make.family(name="No Consent", phone="617-555-0148", sms_consent=False)
    make.appointment(family=no_consent, starts_at=NOW + timedelta(days=3))
    for phone in ("+16175550142", "+16175550143", "+16175550144", "+16175550145", "+16175550146", "+16175550148"):
        receive_text(phone, "STOP", provider_sid=None, now=NOW - timedelta(hours=1))
    receive_text("+16175550147", "STOP", provider_sid=None, now=NOW - timedelta(hours=1))
    receive_text("+16175550147", "START", provider_sid=None, now=NOW - timedelta(minutes=30))

    stopped = coordinator_dashboard(now=NOW, tz_name=TZ).stopped_texts

    assert [(entry.family_id, entry.family_name, entry.next_appointment_at) for entry in stopped] == [
        (sooner.id, "Ana P.", NOW + timedelta(days=2)), (later.id, "Rosalinda Q.", NOW + timedelta(days=9))]


def test_the_dashboard_shows_who_stopped_texts_and_links_to_the_family(app, make, db):
    family = make.family(name="Rosalinda Q.", phone="617-555-0142")
    make.appointment(family=family, starts_at=from_now(days=2))
    other = make.family(name="Ana P.", phone="617-555-0143")
    make.appointment(family=other, starts_at=from_now(days=2))
    coordinator = logged_in(app, make.coordinator())
    assert "stopped texts" not in coordinator.get("/").get_data(as_text=True)
    receive_text("+16175550142", "STOP", provider_sid=None, now=from_now())
    db.session.commit()

    page = coordinator.get("/").get_data(as_text=True)
    assert "<strong>1</strong> family stopped texts with an appointment ahead" in page
    section = page[page.index('id="stopped-texts"'):page.index("</section>", page.index('id="stopped-texts"'))]
    assert f'href="/coordinator/families/{family.id}">Rosalinda Q.</a>' in section
    assert "Ana P." not in section and "555" not in section
    family_page = coordinator.get(f"/coordinator/families/{family.id}").get_data(as_text=True)
    assert 'id="texts-stopped"' in family_page
    assert 'id="texts-stopped"' not in coordinator.get(f"/coordinator/families/{other.id}").get_data(as_text=True)


def test_volunteers_get_404_on_coordinator_pages(client, make, db):
    volunteer = make.volunteer()
    appointment = make.appointment(starts_at=from_now(days=2))
    shift = make.shift(appointment)
    db.session.commit()
    log_in(client, volunteer)
    for path in (f"/coordinator/appointments/{appointment.id}", "/coordinator/appointments",
                 "/coordinator/appointments/new", f"/coordinator/shifts/{shift.id}/edit",
                 f"/coordinator/appointments/{appointment.id}/edit",
                 f"/coordinator/appointments/{appointment.id}/shifts/new"):
        assert client.get(path).status_code == 404, path


def test_a_detention_with_a_case_is_shown_once_as_the_case_not_again_as_an_old_alert(make, db):
    from accompany.services.detention.cases import open_case
    from accompany.services.scheduling.appointments import close_appointment

    coordinator = make.coordinator()
    legacy = make.appointment(starts_at=NOW - timedelta(days=3), status=AppointmentStatus.CLOSED,
                              outcome=Outcome.DETAINED)  # closed as detained before cases existed
    reported = make.appointment(starts_at=NOW - timedelta(hours=3))
    close_appointment(reported, Outcome.DETAINED, by=coordinator, now=NOW)  # opens a case
    other_visit = make.appointment(starts_at=NOW - timedelta(days=2), status=AppointmentStatus.CLOSED,
                                   outcome=Outcome.DETAINED)
    open_case(other_visit.family, now=NOW, by=coordinator)  # the family's case, opened from its page
    db.session.flush()

    dashboard = coordinator_dashboard(now=NOW, tz_name=TZ)

    assert [line.id for line in dashboard.detained] == [legacy.id]


def _something_in_every_list(make, coordinator) -> None:
    """One row for each list the dashboard shows: a hearing to verify, a detained outcome, a
    family that said STOP, a need due, a referral to follow up, an open detention case, a bond."""
    from accompany.models import BondStatus
    from accompany.services.casework import referrals
    from accompany.services.detention.cases import open_case

    make.shift(make.appointment(starts_at=NOW + timedelta(days=2)), slots=2)  # a hearing to verify
    make.appointment(starts_at=NOW - timedelta(days=1), status=AppointmentStatus.CLOSED, outcome=Outcome.DETAINED)
    stopped = make.family(phone="617-555-0150")
    make.appointment(family=stopped, starts_at=NOW + timedelta(days=5))
    receive_text("+16175550150", "STOP", provider_sid=None, now=NOW - timedelta(hours=1))
    family = make.family(phone="617-555-0151")
    make.need(family, owner_id=coordinator.id, due_on=NOW.date())
    provider = referrals.create_provider(referrals.ProviderDetails(name="Legal aid"), by=coordinator, now=NOW)
    referrals.refer_family(family, referrals.ReferralDetails(provider_id=provider.id, sent_on=NOW.date(),
                                                             follow_up_on=NOW.date()), by=coordinator, now=NOW)
    open_case(family, now=NOW, by=coordinator)
    make.bond(family, status=BondStatus.RAISING)


def test_the_dashboard_reads_everything_it_shows_in_eight_statements(app, make, db):
    # One for every number, two for the two weeks (appointments, their shifts), and one for each
    # short list: detained, stopped texts, needs due, referrals to follow up, open detention cases.
    _something_in_every_list(make, make.coordinator())
    db.session.commit()
    db.session.expire_all()

    with count_queries(db.engine) as statements:
        dashboard = coordinator_dashboard(now=NOW, tz_name=TZ)

    assert len(statements) == 8, "\n".join(statements.statements)
    assert all([dashboard.days, dashboard.hearings_to_verify, dashboard.detained, dashboard.stopped_texts,
                dashboard.needs_due, dashboard.referral_follow_ups, dashboard.open_detentions])
    assert dashboard.counts.bonds_raising == 1


def test_the_hearings_to_verify_are_the_same_whatever_the_window(app, make, db):
    # The dashboard finds them among the window's appointments, read far enough for any setting.
    for days in (1, 2, 4, 9, 13, 15, 19):
        make.appointment(starts_at=NOW + timedelta(days=days, hours=days % 3))
    make.appointment(starts_at=NOW + timedelta(days=3), verified_on=date(2026, 11, 20), verified_by="Grace")
    make.appointment(starts_at=NOW + timedelta(days=3), kind=AppointmentKind.ICE_CHECK_IN)
    for verify_days in (3, 12, 16):
        dashboard = coordinator_dashboard(now=NOW, tz_name=TZ, verify_days=verify_days)
        expected = hearings_to_verify(now=NOW, days=verify_days)
        assert expected, verify_days
        assert [line.id for line in dashboard.hearings_to_verify] == [a.id for a in expected], verify_days


def test_a_familys_new_name_shows_on_the_dashboard_at_once(app, make, db):
    # Names are decrypted once per worker and remembered by their ciphertext: a new name is a new
    # ciphertext, never the old answer.
    family = make.family(name="Rosalinda Q.")
    make.appointment(family=family, starts_at=from_now(days=2))
    client = logged_in(app, make.coordinator())
    assert "Rosalinda Q." in client.get("/").get_data(as_text=True)
    family.name = "Rosalinda T."
    db.session.commit()

    page = client.get("/").get_data(as_text=True)

    assert "Rosalinda T." in page and "Rosalinda Q." not in page


def test_the_days_and_dates_read_in_the_page_language(app, make, db):
    # The day headings and a referral's follow-up day were strftime's English on every page.
    from accompany.models import PageLanguage

    make.appointment(starts_at=NOW + timedelta(days=2))  # Monday, November 23 in Boston
    coordinator = make.coordinator(preferred_language=PageLanguage.SPANISH)
    _something_in_every_list(make, coordinator)
    page = logged_in(app, coordinator).get("/").get_data(as_text=True)
    assert '<h2 class="day">lunes, 23 de noviembre</h2>' in page
    assert "Monday" not in page and "Sat Nov 21" not in page
    assert "seguimiento el sáb, 21 nov" in page


def test_the_agenda_lines_come_from_a_cache_that_holds_no_family_name(app, make, db):
    """The next two weeks' lines are drawn once per worker (accompany/fragments.py); the family's
    name goes in per page, so the cache never holds one, and a renamed family shows its new name."""
    kept = []
    render = app.extensions["accompany.fragments"]
    app.extensions["accompany.fragments"] = lambda *args: kept.append(render(*args)) or kept[-1]
    family = make.family(name="Rosalinda Q.")
    make.shift(make.appointment(family=family, starts_at=from_now(days=2)))
    client = logged_in(app, make.coordinator())
    assert "Rosalinda Q." in client.get("/").get_data(as_text=True)
    family.name = "Rosalinda <T>."
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "Rosalinda &lt;T&gt;." in page and "Rosalinda Q." not in page and "\x00" not in page
    assert kept and not any("Rosalinda" in html for html in kept)
