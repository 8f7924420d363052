"""Login throttling: growing waits per account and per client address, kept in the database."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select

from accompany import create_app
from accompany.database import db as _db
from accompany.models import AuditEvent, LoginThrottle
from accompany.services.errors import LoginFailed
from accompany.services.people import accounts, login_throttle
from accompany.services.people.login_throttle import LoginThrottled, wait_after
from tests.conftest import CSRF_INPUT, NOW, config_for, csrf_token
from tests.support.browser import serve

SECOND = timedelta(seconds=1)
OFFICE = "203.0.113.9"


def _events(db, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _fail(email: str, times: int, *, at=NOW, address: str | None = None) -> None:
    for _ in range(times):
        with pytest.raises(LoginFailed):
            accounts.authenticate(email, "not the password", now=at, address=address)


def _fail_patiently(email: str, times: int, *, start=NOW):
    """Fail `times` times in a row, each as soon as the wait allows; returns when the next try may go."""
    at = start
    for failures in range(1, times + 1):
        _fail(email, 1, at=at)
        at += wait_after(failures, free=5, max_wait=timedelta(minutes=15))
    return at


def _rows(db) -> list[LoginThrottle]:
    return list(db.session.scalars(select(LoginThrottle)))


@pytest.mark.parametrize(
    "failures, seconds",
    [(0, 0), (5, 0), (6, 2), (7, 4), (8, 8), (14, 512), (15, 900), (16, 900), (500, 900)],
)
def test_the_wait_starts_after_five_failures_doubles_and_stops_at_fifteen_minutes(failures, seconds):
    assert wait_after(failures, free=5, max_wait=timedelta(minutes=15)) == timedelta(seconds=seconds)


def test_five_failures_are_free_then_the_next_try_waits_without_a_password_check(make, db, monkeypatch):
    volunteer = make.volunteer()
    _fail(volunteer.email, 5)
    _fail(volunteer.email, 1)  # the sixth still gets its answer, and makes the next try wait 2 s

    def password_must_not_be_checked(*args):
        raise AssertionError("a throttled try must not check the password")

    with monkeypatch.context() as patched:
        patched.setattr(accounts, "password_matches", password_must_not_be_checked)
        with pytest.raises(LoginThrottled, match=r"^Too many tries. Wait 1 minute and try again.$"):
            accounts.authenticate(volunteer.email, make.PASSWORD, now=NOW + SECOND)
    [throttled] = _events(db, "login.throttled")
    assert throttled.subject_id == volunteer.id and throttled.details == {"step": "password"}

    assert accounts.authenticate(volunteer.email, make.PASSWORD, now=NOW + 2 * SECOND) is volunteer
    assert _rows(db) == []  # success clears the account's count


def test_the_wait_grows_with_every_failure_after_the_free_ones(make, db):
    volunteer = make.volunteer()
    at = _fail_patiently(volunteer.email, 14)  # the last one makes the next try wait 512 s
    with pytest.raises(LoginThrottled, match="Wait 9 minutes"):
        accounts.authenticate(volunteer.email, make.PASSWORD, now=at - timedelta(minutes=8, seconds=30))
    with pytest.raises(LoginThrottled, match="Wait 1 minute and"):
        accounts.authenticate(volunteer.email, make.PASSWORD, now=at - SECOND)
    assert accounts.authenticate(volunteer.email, make.PASSWORD, now=at) is volunteer


def test_an_unknown_email_is_throttled_alike_and_audited_by_a_hash(make, db):
    email = "Nobody.Here@Example.org"
    _fail(email, 6)
    with pytest.raises(LoginThrottled):
        accounts.authenticate("nobody.here@example.org ", "whatever", now=NOW)
    events = _events(db, "login.failed") + _events(db, "login.throttled")
    assert len(events) == 7
    assert {e.subject_id for e in events} == {None}
    assert len({e.details["account"] for e in events}) == 1  # the same account, however it is typed
    stored = str([e.details for e in events]) + str([r.key for r in _rows(db)])
    assert "nobody" not in stored.lower() and "not the password" not in stored


def test_success_starts_the_count_again(make, db):
    volunteer = make.volunteer()
    _fail(volunteer.email, 5)
    accounts.authenticate(volunteer.email, make.PASSWORD, now=NOW)
    _fail(volunteer.email, 5)
    assert accounts.authenticate(volunteer.email, make.PASSWORD, now=NOW) is volunteer


def test_a_quiet_day_forgets_the_count(make, db):
    volunteer = make.volunteer()
    last = _fail_patiently(volunteer.email, 9) - timedelta(seconds=16)
    with pytest.raises(LoginThrottled):
        accounts.authenticate(volunteer.email, make.PASSWORD, now=last + SECOND)
    next_day = last + timedelta(hours=24, seconds=1)
    _fail(volunteer.email, 5, at=next_day)  # free again: the count started over
    assert accounts.authenticate(volunteer.email, make.PASSWORD, now=next_day) is volunteer


def test_counts_nobody_added_to_for_a_day_are_dropped(make, db):
    _fail("first@example.org", 1)
    _fail("second@example.org", 1, at=NOW + timedelta(hours=24, seconds=1))
    assert [row.key for row in _rows(db)] == [login_throttle.account_key("second@example.org")]


def test_one_address_trying_many_accounts_is_slowed_down_too(make, db):
    mine = make.volunteer()
    others = [make.volunteer() for _ in range(5)]
    for person in others[:4]:
        _fail(person.email, 5, address=OFFICE)  # 20 failures in all: free for one address
        # Someone logging in right from the same office neither counts nor clears the address.
        assert accounts.authenticate(mine.email, make.PASSWORD, now=NOW, address=OFFICE) is mine
    _fail(others[4].email, 1, address=OFFICE)  # the 21st makes the address wait
    with pytest.raises(LoginThrottled):
        accounts.authenticate(mine.email, make.PASSWORD, now=NOW + SECOND, address=OFFICE)
    assert accounts.authenticate(mine.email, make.PASSWORD, now=NOW + SECOND, address="198.51.100.7") is mine
    assert not any(OFFICE in row.key for row in _rows(db))  # kept as a keyed hash


def test_an_address_try_is_counted_before_the_password_is_looked_at(make, db):
    for n in range(21):  # counted, none checked yet: the 21st starts the address's wait
        accounts.begin_login(f"guess{n}@example.org", now=NOW, address=OFFICE)
    with pytest.raises(LoginThrottled):
        accounts.begin_login("one.more@example.org", now=NOW, address=OFFICE)
    assert accounts.authenticate(make.volunteer().email, make.PASSWORD, now=NOW, address="198.51.100.7")


def test_a_try_refused_for_its_account_does_not_count_against_the_address(make, db):
    volunteer = make.volunteer()
    _fail(volunteer.email, 6, address=OFFICE)  # the account now waits 2 s
    with pytest.raises(LoginThrottled):
        accounts.authenticate(volunteer.email, make.PASSWORD, now=NOW, address=OFFICE)
    key = login_throttle.address_key(OFFICE)
    assert db.session.scalar(select(LoginThrottle.failures).where(LoginThrottle.key == key)) == 6


def test_tries_racing_in_parallel_get_no_extra_guesses(app, make, db):
    volunteer = make.volunteer()
    db.session.commit()
    email, password = volunteer.email, make.PASSWORD
    outcomes: list[str] = []
    start = threading.Barrier(10)

    def one_try():
        with app.app_context():
            start.wait()
            try:
                accounts.authenticate(email, "not the password", now=NOW)
            except LoginThrottled:
                outcomes.append("throttled")
            except LoginFailed:
                outcomes.append("failed")
            _db.session.commit()

    threads = [threading.Thread(target=one_try) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["failed"] * 6 + ["throttled"] * 4
    assert db.session.scalar(select(LoginThrottle.failures).where(LoginThrottle.key.like("account:%"))) == 6
    with pytest.raises(LoginThrottled):
        accounts.authenticate(email, password, now=NOW + SECOND)


# -- through the login page ------------------------------------------------------------------------


def _post_login(client, email, password):
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)})


def test_the_login_page_says_how_long_to_wait(client, make, db, caplog):
    volunteer = make.volunteer()
    db.session.commit()
    caplog.set_level(logging.DEBUG)
    for _ in range(6):
        assert "do not match an account" in _post_login(client, volunteer.email, "wrong horse").get_data(as_text=True)
    page = _post_login(client, volunteer.email, make.PASSWORD)
    assert page.status_code == 200
    assert "Too many tries. Wait 1 minute and try again." in page.get_data(as_text=True)
    assert client.get("/password").status_code == 302  # not logged in
    assert "wrong horse" not in caplog.text and make.PASSWORD not in caplog.text
    details = str([e.details for e in db.session.scalars(select(AuditEvent))])
    assert "wrong horse" not in details and make.PASSWORD not in details and volunteer.email not in details


def test_the_count_holds_across_separate_web_processes(app, database_url, make, db):
    volunteer = make.volunteer()
    db.session.commit()
    first = app.test_client()
    for _ in range(9):  # the ninth failure makes the next try wait 16 seconds
        _post_login(first, volunteer.email, "wrong horse")

    other_process = create_app(config_for(database_url))  # its own engine and connections
    second = other_process.test_client()
    with other_process.app_context():
        page = _post_login(second, volunteer.email, make.PASSWORD).get_data(as_text=True)
        _db.session.remove()
        _db.engine.dispose()
    assert "Too many tries" in page
    assert db.session.scalar(select(func.count()).select_from(LoginThrottle)) == 2  # the account, the address


# -- many tries at once, against a real threaded server ---------------------------------------------

def test_one_address_firing_many_tries_at_once_gets_no_more_checks_than_its_limit(app, db, monkeypatch):
    """40 logins from one address with 40 emails, all at once: only the address's free failures
    and the one that starts its wait are checked against a password, and nothing answers 500."""
    tries = 40
    limit = app.config["LOGIN_FREE_FAILURES_PER_ADDRESS"] + 1
    checked: list[str] = []
    real_check = accounts.password_matches

    def slow_check(password_hash, password):
        checked.append(password)
        time.sleep(0.2)  # what argon2 costs in production, so the tries really overlap
        return real_check(password_hash, password)

    monkeypatch.setattr(accounts, "password_matches", slow_check)
    # Every try happens at the same instant: the wait the 21st failure starts has not run out
    # for the last try, however slowly this machine gets to it.
    monkeypatch.setattr("accompany.auth.views.utcnow", lambda: NOW)

    with serve(app) as base_url:
        browsers = []
        for _ in range(tries):  # each its own browser with the login form open
            browser = requests.Session()
            form = browser.get(f"{base_url}/login", timeout=30).text
            browsers.append((browser, CSRF_INPUT.search(form).group(1)))
        start = threading.Barrier(tries)
        answers: list[tuple[int, str]] = []

        def one_try(n: int) -> None:
            browser, token = browsers[n]
            start.wait()
            answer = browser.post(f"{base_url}/login", timeout=60, data={
                "email": f"guess{n}@example.org", "password": f"guess {n}", "csrf_token": token})
            answers.append((answer.status_code, answer.text))

        threads = [threading.Thread(target=one_try, args=(n,)) for n in range(tries)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    assert sorted({status for status, _ in answers}) == [200]  # no 500, no "database is locked"
    failed = sum("do not match an account" in page for _, page in answers)
    throttled = sum("Too many tries" in page for _, page in answers)
    assert len(checked) == failed == limit
    assert throttled == tries - limit
