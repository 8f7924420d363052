"""Every form's problems in the page's language: WTForms' own messages (its built-in validators and
fields) have no Kreyòl catalog, so a form that leaned on them would answer a Kreyòl speaker in
English. Each form is sent back wrong three ways, in Kreyòl, and no answer may hold one of them."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import wtforms

from tests.conftest import csrf_token
from tests.support.routes import FIELDS, FORM_POSTS, build_world, expected_access, url_for_rule


def wtforms_messages() -> list[str]:
    """The English of every message WTForms itself can show (its gettext and ngettext calls), as
    patterns with its %(name)s values left open."""
    source = "\n".join(path.read_text() for path in Path(wtforms.__file__).parent.rglob("*.py"))
    found = set(re.findall(r'gettext\(\s*"([^"]+)"', source))
    found |= {text for pair in re.findall(r'ngettext\(\s*"([^"]+)",\s*"([^"]+)"', source) for text in pair}
    found -= {"Choices cannot be None.", "Invalid field name '%s'."}  # a programming error, not a form's answer
    return sorted(found)


MESSAGES = wtforms_messages()
# Each message as a pattern, its %(name)s and %(name)d places open to any value.
PATTERNS = [re.compile(re.sub(r"%\\\(\w+\\\)[sd]", ".+", re.escape(text))) for text in MESSAGES]
WRONG = {"every field empty": "", "every field a word": "x", "every field a huge number": "9" * 12}


def test_the_list_of_wtforms_messages_is_read_from_wtforms():
    assert len(MESSAGES) > 25 and "This field is required." in MESSAGES and "Not a valid date value." in MESSAGES


@pytest.mark.parametrize("wrong", WRONG)
def test_no_form_answers_a_kreyol_speaker_with_wtforms_english(app, make, db, wrong):
    client_for, values, extra = build_world(app, make, db)
    found = []
    for role in ("anon", "holder", "coordinator", "admin"):
        client = client_for(role)
        token = csrf_token(client, "/login" if role == "anon" else "/password")
        client.post("/language", data={"csrf_token": token, "language": "ht", "return_to": "/"})
        for endpoint, rule, _ in FORM_POSTS:
            answers = expected_access(endpoint)
            if not answers or answers.get(role) != "ok":
                continue
            data = {name: WRONG[wrong] for name in FIELDS}
            response = client.post(url_for_rule(endpoint, rule, values, extra), data={**data, "csrf_token": token},
                                   follow_redirects=True)
            assert response.status_code < 500, (role, endpoint)  # twelve nines once overflowed PostgreSQL's integer
            page = html.unescape(response.get_data(as_text=True))
            found += [(role, endpoint, pattern.pattern) for pattern in PATTERNS if pattern.search(page)]
    assert not found, "\n".join(sorted({f"{endpoint}: {pattern}" for _role, endpoint, pattern in found}))


@pytest.mark.parametrize("language, words", [("ht", "Ekri yon dat ki bon."), ("es", "Escriba una fecha válida."),
                                             ("en", "Not a valid date value.")])
def test_a_date_that_is_no_date_is_answered_in_the_page_language(app, make, db, language, words):
    client_for, values, extra = build_world(app, make, db)
    client = client_for("coordinator")
    token = csrf_token(client, "/password")
    client.post("/language", data={"csrf_token": token, "language": language, "return_to": "/"})
    [(endpoint, rule, _)] = [post for post in FORM_POSTS if post[0] == "coordinator.new_shift"]
    page = html.unescape(client.post(url_for_rule(endpoint, rule, values, extra), data={
        "csrf_token": token, "role": "companion", "day": "not a day", "starts": "09:00", "ends": "11:00",
        "slots": "1"}).get_data(as_text=True))
    assert words in page
