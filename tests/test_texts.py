"""What the texts say: every kind in every language fits in two segments, keeps families' names
and (by default) their business out of the body, introduces us the first time, and says what is
true at send time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from accompany.models import (
    MUST_ATTEND_KINDS,
    AppointmentKind,
    AttendanceMode,
    BondStatus,
    BringItem,
    Language,
    LocationKind,
    MessageKind,
    OutboundMessage,
    ShiftRole,
    Wording,
)
from accompany.services.casework import letters
from accompany.services.casework.tasks import give_back, mark_done, take_task
from accompany.services.detention.cases import open_case
from accompany.services.messaging import audience, family_texts, planning, staff_texts, volunteer_texts
from accompany.services.messaging.facts import KINDS, NothingToSay, UnknownKind
from accompany.services.messaging.rendering import (
    NUMBER_REPLIES,
    TextTooLong,
    render_number_reply,
    render_text,
)
from accompany.services.messaging.segments import count_segments, encoding
from accompany.services.messaging.sender_name import SENDER_NAME_MAX
from accompany.services.messaging.urgent_calls import start_call
from accompany.services.messaging.wording import CATALOGS
from accompany.services.people.accounts import set_user_languages
from accompany.services.people.password_reset import request_reset
from accompany.services.people.phone_codes import start_phone_check
from accompany.services.scheduling import locations as location_service
from accompany.services.scheduling.appointments import cancel_appointment, reschedule_appointment
from accompany.services.scheduling.claims import claim_slot, release_claim
from accompany.services.scheduling.shifts import remove_shift
from accompany.timezones import from_local

pytestmark = pytest.mark.clock_matrix  # time-sensitive: --clock=matrix runs it at every instant

ORG_TZ = "America/New_York"
PLAN_NOW = datetime(2026, 9, 1, 14, 0, tzinfo=UTC)

# Longest realistic values.
FAMILY_NAME = "Zelmira Quintanilla-Okonkwo"  # distinctive: any trace of it in a body is a leak
VOLUNTEER_NAME = "Jean-Baptiste Delacroix-Moreau"  # first name 13 characters
LONGEST_PLACE = ("Plymouth County Correctional Facility", "North Attleborough", LocationKind.DETENTION_CENTER)
TELLING_PLACE = ("Boston Immigration Court", "Boston", LocationKind.IMMIGRATION_COURT)
# What a family's reminder says about the place: its discreet label, how early, what to bring.
LABEL = "1000 Washington St, Suite 500"
TO_BRING = "photo_id,papers"
EVERYTHING_TO_BRING = ",".join(item.value for item in BringItem)
MEETING_POINT = "Park-and-ride lot behind the Dunkin' at 250 Middlesex Turnpike"
STAFF_WORDS = "We will call you tomorrow morning to plan the trip. Reply here if that time does not work."
BASE_URL = "https://accompany.example-network.org"
LANGUAGES = [Language(code) for code in CATALOGS]

# Every weekday with a two-digit September date (the longest month name in English, Spanish
# and French), and the days whose names leave GSM-7: Tuesday in March (terça, março), Saturday
# in August (sábado, août), a Monday in February (segunda-feira, fevereiro).
DATES = [date(2026, 9, day) for day in range(24, 31)] + [date(2027, 3, 30), date(2027, 8, 28), date(2027, 2, 22)]
AT = time(12, 45)

DISCREET_FORBIDDEN = [
    # English
    "ice", "immigration", "immigrant", "court", "courthouse", "deportation", "deport", "deported",
    "detention", "detained", "removal", "judge", "hearing",
    # Spanish
    "corte", "tribunal", "inmigración", "inmigracion", "migración", "migracion", "migra",
    "deportación", "deportacion", "deportar", "detención", "detencion", "detenido", "detenida",
    "juez", "jueza", "audiencia", "expulsión", "expulsion", "remoción", "remocion",
    # Portuguese
    "imigração", "imigracao", "deportação", "deportacao", "detenção", "detencao", "detido",
    "detida", "juiz", "juíza", "audiência", "remoção", "remocao",
    # Haitian Creole
    "tribinal", "imigrasyon", "depòtasyon", "depotasyon", "detansyon", "jij", "odyans",
    # French
    "cour", "expulsion", "déportation", "détention", "détenu", "détenue", "juge", "audience",
]
FORBIDDEN = re.compile(r"\b(" + "|".join(map(re.escape, DISCREET_FORBIDDEN)) + r")\b", re.IGNORECASE)


def at_local(day: date, clock: time = AT, tz: str = ORG_TZ) -> datetime:
    return from_local(day, clock, tz)


@dataclass
class Network:
    """One family's appointment with every kind of text planned about it."""

    family: object
    volunteer: object
    coordinator: object
    appointment: object
    cancelled: object
    shift: object
    cancelled_shift: object
    rows: list[OutboundMessage]
    removed_shift_row: OutboundMessage

    def row(self, kind: str) -> OutboundMessage:
        return next(row for row in self.rows if row.kind == kind)

    def move_to(self, day: date) -> datetime:
        """Put everything on `day` at 12:45 local; returns the appointment's start."""
        starts_at = at_local(day)
        for appointment in (self.appointment, self.cancelled):
            delta = starts_at - appointment.starts_at
            appointment.starts_at = starts_at
            for shift in appointment.shifts:
                shift.starts_at, shift.ends_at = shift.starts_at + delta, shift.ends_at + delta
        self.removed_shift_row.params = {"role": ShiftRole.RIDE_HOME.value, "starts_at": starts_at.isoformat()}
        return starts_at

    def speak(self, language: Language, wording: Wording = Wording.DISCREET) -> None:
        self.family.language = language
        self.family.wording = wording
        for user in (self.volunteer, self.coordinator):
            set_user_languages(user, [language.value])


def build_network(make, db, *, place=LONGEST_PLACE, day: date = date(2026, 9, 30)) -> Network:
    """Plan every kind through the planning services, as the app would."""
    name, town, kind = place
    location = make.location(name=name, town=town, kind=kind, discreet_label=LABEL, arrive_minutes_early=45,
                             bring=TO_BRING)
    family = make.family(name=FAMILY_NAME, town="Fall River")
    volunteer = make.volunteer(name=VOLUNTEER_NAME, phone="617-555-0111", sms_opt_in=True)
    coordinator = make.coordinator(name="Grace Oduya", phone="617-555-0122", sms_opt_in=True)
    appointment = make.appointment(family=family, location=location, starts_at=at_local(day))
    shift = make.shift(appointment, role=ShiftRole.RIDE_HOME, meeting_point=MEETING_POINT, slots=2,
                       starts_at=appointment.starts_at - timedelta(hours=1))

    family_texts.plan_family_reminders(appointment, now=PLAN_NOW)
    claim = claim_slot(shift, volunteer, now=PLAN_NOW)  # claimed, evening, soon; family: confirmed
    family_texts.plan_family_notice(appointment, MessageKind.FAMILY_RESCHEDULED, now=PLAN_NOW)
    volunteer_texts.plan_volunteer_notice(claim, MessageKind.VOLUNTEER_RESCHEDULED, now=PLAN_NOW, send_before=shift.starts_at)
    staff_texts.alert_coordinators(MessageKind.COORDINATOR_DETAINED, f"appt:{appointment.id}:detained",
                                now=PLAN_NOW, appointment=appointment)
    staff_texts.alert_coordinators(MessageKind.COORDINATOR_LATE_RELEASE, f"shift:{shift.id}:release",
                                now=PLAN_NOW, appointment=appointment, shift=shift)
    staff_texts.plan_unfilled_digest(now=PLAN_NOW, unfilled=1, hour=0)
    for kind in (MessageKind.REPLY_CONFIRMED, MessageKind.REPLY_RIDE):
        planning.plan_message(f"appt:{appointment.id}:family:{kind}", kind=kind, now=PLAN_NOW,
                              not_before=PLAN_NOW, send_before=appointment.starts_at,
                              family=family, appointment=appointment)
    staff_texts.alert_coordinators(MessageKind.COORDINATOR_RIDE_REQUEST, f"appt:{appointment.id}:ride_request",
                                now=PLAN_NOW, appointment=appointment)
    staff_texts.alert_coordinators(MessageKind.COORDINATOR_FAMILY_STOPPED, f"family:{family.id}:stopped:1",
                                now=PLAN_NOW, appointment=appointment)
    staff_texts.alert_coordinators(MessageKind.COORDINATOR_UNVERIFIED_HEARING, f"appt:{appointment.id}:unverified",
                                now=PLAN_NOW, appointment=appointment)
    staff_reply = planning.plan_message("reply:test", kind=MessageKind.STAFF_REPLY, now=PLAN_NOW, not_before=PLAN_NOW,
                                        send_before=appointment.starts_at, family=family)
    staff_reply.body = STAFF_WORDS

    # An urgent shift texted to eligible volunteers, and the answers they can get.
    urgent = make.shift(appointment, role=ShiftRole.INTERPRETER, meeting_point=MEETING_POINT,
                        starts_at=appointment.starts_at + timedelta(hours=5))
    call, _ = start_call(urgent, by=coordinator, now=PLAN_NOW)  # the volunteer is asked
    for kind in (MessageKind.REPLY_URGENT_COVERED, MessageKind.REPLY_URGENT_DECLINED, MessageKind.REPLY_URGENT_NOT_POSSIBLE):
        planning.plan_message(f"urgent:{call.id}:{kind}", kind=kind, now=PLAN_NOW, not_before=PLAN_NOW,
                              send_before=urgent.starts_at, user=volunteer, shift=urgent, appointment=appointment)
    staff_texts.alert_coordinators(MessageKind.COORDINATOR_URGENT_UNFILLED, f"urgent:{call.id}", now=PLAN_NOW,
                                appointment=appointment, shift=urgent)

    # A second appointment the same day, called off: the family and its volunteer are told. (Not
    # at the same moment: a family has one live appointment at a time.)
    cancelled = make.appointment(family=family, location=location, starts_at=appointment.starts_at - timedelta(hours=1))
    cancelled_shift = make.shift(cancelled, role=ShiftRole.INTERPRETER, meeting_point=MEETING_POINT)
    make.claim(cancelled_shift, volunteer)
    cancel_appointment(cancelled, by=coordinator, now=PLAN_NOW)

    # A shift removed outright: its volunteer's notice lives on its params.
    removed = make.shift(appointment, role=ShiftRole.RIDE_HOME, starts_at=appointment.starts_at - timedelta(hours=2))
    make.claim(removed, volunteer)
    remove_shift(removed, by=coordinator, now=PLAN_NOW)
    # To a volunteer about their account: approved, a code for a new number, one for a new password.
    planning.plan_message(f"user:{volunteer.id}:approved", kind=MessageKind.VOLUNTEER_APPROVED, now=PLAN_NOW,
                          not_before=PLAN_NOW, send_before=PLAN_NOW + timedelta(days=1), user=volunteer)
    start_phone_check(volunteer, "617-555-0144", now=PLAN_NOW)
    request_reset(volunteer.email, now=PLAN_NOW, address=None)
    # Letters of support for the hearing: the volunteer and a community contact asked (the owner is
    # told about the contact). The deadline is put past every day the texts are rendered on.
    drive = letters.start_drive(appointment, letters.DriveDetails(target=5, deadline=date(2026, 9, 23),
                                                                  owner_id=coordinator.id), by=coordinator, now=PLAN_NOW)
    letters.ask_volunteer(drive, volunteer.id, by=coordinator, now=PLAN_NOW)
    letters.ask_contact(drive, "Pastor Emmanuel Okonkwo-Baptiste", "Pastor", by=coordinator, now=PLAN_NOW)
    drive.deadline = date(2027, 12, 31)
    # Detention response (issue 15): a case's alert chain (nobody on call: every coordinator at
    # once), its other steps, and the answers to a volunteer's report and a coordinator's OK.
    case, _ = open_case(family, now=PLAN_NOW, by=coordinator, appointment=appointment)
    for kind, recipient in ((MessageKind.DETENTION_ALERT, coordinator), (MessageKind.DETENTION_ESCALATED, coordinator),
                            (MessageKind.DETENTION_VOICE_CALL, coordinator),
                            (MessageKind.REPLY_DETENTION_ACKNOWLEDGED, coordinator),
                            (MessageKind.REPLY_DETENTION_REPORTED, volunteer)):
        planning.plan_message(f"detention:{case.id}:test:{kind}", kind=kind, now=PLAN_NOW, not_before=PLAN_NOW,
                              send_before=PLAN_NOW + timedelta(days=1), user=recipient, appointment=appointment,
                              params={"case_id": case.id})
    # Casework (issue 14): the need's owner is told of a task done, and of one given back late.
    need = make.need(family, owner_id=coordinator.id, due_on=PLAN_NOW.date() + timedelta(days=1))
    done = take_task(make.task(need, due_on=need.due_on), volunteer, now=PLAN_NOW)
    mark_done(done, "Called four shelters; one has a bed from Monday.", now=PLAN_NOW)
    given_back = take_task(make.task(need, due_on=need.due_on), volunteer, now=PLAN_NOW)
    assert give_back(given_back, now=PLAN_NOW, by=volunteer)  # due tomorrow: late
    # The volunteer signed a paid bond for someone in the family: texted before its hearing.
    volunteer_texts.plan_obligor_reminders(make.bond(family, status=BondStatus.PAID, obligor=volunteer), now=PLAN_NOW)
    db.session.flush()

    rows = list(db.session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)))
    removed_row = next(r for r in rows if r.kind == MessageKind.VOLUNTEER_CANCELLED and r.shift_id is None)
    assert {row.kind for row in rows} == set(KINDS), "the scenario plans every kind"
    return Network(family, volunteer, coordinator, appointment, cancelled, shift, cancelled_shift, rows, removed_row)


def render_all(network: Network, db, *, day: date, language: Language, wording: Wording, first_contact: bool):
    """(row, rendered) for every row, rendered the day before `day`."""
    starts_at = network.move_to(day)
    network.speak(language, wording)
    db.session.flush()
    now = starts_at - timedelta(days=1)
    return [(row, render_text(row, now=now, first_contact=first_contact)) for row in network.rows]


@pytest.fixture
def network(app, make, db):
    app.config["PUBLIC_BASE_URL"] = BASE_URL
    return build_network(make, db)


# -- segment counting ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, segments",
    [
        ("", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("a" * 459, 3),
        ("a" * 460, 4),
    ],
)
def test_gsm_7_texts_take_160_alone_and_153_per_part(text, segments):
    assert encoding(text) == "GSM-7"
    assert count_segments(text) == segments


def test_extension_characters_count_two_septets():
    assert count_segments("€" * 80) == 1  # 160 septets
    assert count_segments("a" * 159 + "€") == 2
    assert count_segments("[]{}^~|\\" + "a" * 144) == 1  # 8 × 2 + 144 = 160
    assert encoding("a € [ ] { } ^ ~ | \\") == "GSM-7"


def test_an_extension_character_is_never_split_across_segments():
    assert count_segments("a" * 152 + "€" + "a" * 152) == 3  # 306 septets, but € can't straddle


def test_the_gsm_basic_set_includes_its_accents_and_not_others():
    assert encoding("èéùìòÇØøÅåÄÖÑÜäöñüàÉÆæß¡¿§¤£¥@$_ΔΦΓΛΩΠΨΣΘΞ") == "GSM-7"
    for char in "óáíúãõêâçÈÁÓ’“`":
        assert encoding(f"Hola {char}") == "UCS-2", char


def test_one_accent_outside_gsm_turns_a_short_text_into_two_ucs2_segments():
    text = "a" * 99 + "ó"
    assert encoding(text) == "UCS-2"
    assert count_segments(text) == 2
    assert count_segments("ó" * 70) == 1
    assert count_segments("ó" * 71) == 2
    assert count_segments("ó" * 134) == 2
    assert count_segments("ó" * 135) == 3


def test_emoji_count_two_code_units_and_are_never_split():
    assert count_segments("😀" * 35) == 1  # 70 code units
    assert count_segments("😀" * 35 + "a") == 2
    assert count_segments("a" * 66 + "😀" + "a" * 66) == 3  # 134 units, but the pair can't straddle


# -- every kind, every language: fits, discreet, nameless, introduced ---------------------------------


def assert_dropped_in_order(catalog, wording: Wording, body: str) -> None:
    """A reminder too long for two segments loses the "plan today" line first, then what to bring,
    then (after the day's name) what missing it means; the time to be there and "reply 2 for a
    ride" never go."""
    words = catalog.WORDS
    risk = words["risk_hearing"] if wording == Wording.PLAIN else words["risk"]
    brings = catalog.BRING["photo_id"] in body
    assert words["reply"] in body and words["trip"].split("{")[0] in body, body
    assert words["plan"] not in body or brings, body
    assert not brings or risk in body, body


@pytest.mark.parametrize("first_contact", [False, True])
@pytest.mark.parametrize("wording", [Wording.DISCREET, Wording.PLAIN])
@pytest.mark.parametrize("language", LANGUAGES, ids=str)
def test_every_text_fits_in_two_segments_with_the_longest_values(network, db, language, wording, first_contact):
    for day in DATES:
        for row, text in render_all(network, db, day=day, language=language, wording=wording,
                                    first_contact=first_contact):
            assert text.segments <= 2, (row.kind, day, text.body)
            assert text.segments == count_segments(text.body)
            assert text.language == language
            assert "{" not in text.body and "  " not in text.body, text.body
            if row.kind.is_family_reminder:
                assert_dropped_in_order(CATALOGS[language.value], wording, text.body)


def _words_of_length(words: str, length: int) -> str:
    """`words` repeated to exactly `length` characters (no space at the end: forms trim it)."""
    text = ((words + " ") * (length // len(words) + 1))[:length]
    return text[:-1] + "s" if text.endswith(" ") else text


# The longest values the forms accept, where a text says them.
LIMIT_PLACE = _words_of_length("Suffolk County House of Correction South Bay", location_service.NAME_MAX)
LIMIT_TOWN = _words_of_length("North Attleborough Falls", location_service.TOWN_MAX)
LIMIT_LABEL = _words_of_length("1000 Washington St, Suite 500", location_service.LABEL_MAX)
LIMIT_VOLUNTEER = ("Bartholomew-Maximiliano-" * 6)[:120]  # a name's first word is what texts say
LIMIT_MEETING = _words_of_length("Park-and-ride lot behind the Dunkin' at 250 Middlesex Turnpike", 255)


@pytest.mark.parametrize("first_contact", [False, True])
@pytest.mark.parametrize("wording", [Wording.DISCREET, Wording.PLAIN])
@pytest.mark.parametrize("language", LANGUAGES, ids=str)
def test_every_text_fits_in_two_segments_at_the_limits_the_forms_allow(app, make, db, language, wording,
                                                                      first_contact):
    app.config["PUBLIC_BASE_URL"] = BASE_URL
    assert len(app.config["SMS_SENDER_NAME"]) == SENDER_NAME_MAX
    network = build_network(make, db, place=(LIMIT_PLACE, LIMIT_TOWN, LocationKind.DETENTION_CENTER))
    network.appointment.location.discreet_label = LIMIT_LABEL
    network.appointment.location.arrive_minutes_early = location_service.ARRIVE_EARLY_MAX
    network.appointment.location.bring = EVERYTHING_TO_BRING
    network.volunteer.name = LIMIT_VOLUNTEER
    network.shift.meeting_point = network.cancelled_shift.meeting_point = LIMIT_MEETING
    for day in DATES:
        for row, text in render_all(network, db, day=day, language=language, wording=wording,
                                    first_contact=first_contact):
            assert text.segments <= 2 and text.segments == count_segments(text.body), (row.kind, day, text.body)
            if row.kind != MessageKind.STAFF_REPLY:  # a coordinator's own words go as written
                assert encoding(text.body) == "GSM-7", (row.kind, day, text.body)
            if row.kind.is_family_reminder:
                assert_dropped_in_order(CATALOGS[language.value], wording, text.body)


def test_a_text_that_cannot_fit_is_refused_rather_than_sent_as_three_segments(network, db):
    network.appointment.location.name = ("Suffolk County House of Correction " * 5)[:160]  # older than the limit
    network.speak(Language.PORTUGUESE, Wording.PLAIN)
    db.session.flush()
    with pytest.raises(TextTooLong, match="3 SMS segments"):
        render_text(network.row(MessageKind.COORDINATOR_FAMILY_STOPPED), now=PLAN_NOW, first_contact=True)
    with pytest.raises(TextTooLong):
        render_text(network.row(MessageKind.FAMILY_REMINDER_3D), now=PLAN_NOW, first_contact=True)


def test_our_own_words_stay_in_gsm_7_and_natural_dates_are_kept_when_they_fit(network, db):
    expected = {
        Language.ENGLISH: "Wednesday, September 30 at 12:45 PM",
        Language.SPANISH: "miércoles 30 de septiembre, a las 12:45 p.m.",
        Language.PORTUGUESE: "quarta-feira, 30 de setembro, às 12h45",
        Language.HAITIAN_CREOLE: "mèkredi 30 septanm, a 12:45 nan aprèmidi",
        Language.FRENCH: "mercredi 30 septembre, à 12h45",
    }
    for language, phrase in expected.items():
        texts = dict((row.kind, text) for row, text in render_all(
            network, db, day=date(2026, 9, 30), language=language, wording=Wording.DISCREET, first_contact=True))
        for kind, text in texts.items():
            assert encoding(text.body) == "GSM-7", (kind, text.body)  # no UCS-2 halving from us
        for kind in ("family_reminder_7d", "family_reminder_3d", "family_reminder_1d"):
            assert phrase in texts[kind].body, texts[kind].body


# The days whose names leave GSM-7, said in words the day before (the 1-day reminder says
# tomorrow): accents GSM-7 lacks dropped, the ones it has (é, ñ, è) kept, never "30/3".
DATES_IN_WORDS = {
    Language.ENGLISH: {date(2027, 3, 30): "tomorrow, Tuesday, March 30 at 12:45 PM",
                       date(2027, 8, 28): "tomorrow, Saturday, August 28 at 12:45 PM"},
    Language.SPANISH: {date(2027, 3, 30): "mañana, martes 30 de marzo, a las 12:45 p.m.",
                       date(2027, 8, 28): "mañana, sabado 28 de agosto, a las 12:45 p.m.",
                       date(2026, 9, 30): "mañana, miércoles 30 de septiembre"},
    Language.PORTUGUESE: {date(2027, 3, 30): "amanha, terca-feira, 30 de marco, às 12h45",
                          date(2027, 8, 28): "amanha, sabado, 28 de agosto, às 12h45",
                          date(2027, 2, 22): "amanha, segunda-feira, 22 de fevereiro"},
    Language.HAITIAN_CREOLE: {date(2027, 3, 30): "demen, madi 30 mas, a 12:45 nan aprèmidi",
                              date(2026, 9, 30): "demen, mèkredi 30 septanm"},
    Language.FRENCH: {date(2027, 8, 28): "demain, samedi 28 aout, à 12h45",
                      date(2027, 2, 22): "demain, lundi 22 février, à 12h45"},
}
TOMORROW = {Language.ENGLISH: "tomorrow", Language.SPANISH: "mañana", Language.PORTUGUESE: "amanha",
            Language.HAITIAN_CREOLE: "demen", Language.FRENCH: "demain"}


@pytest.mark.parametrize("wording", [Wording.DISCREET, Wording.PLAIN])
@pytest.mark.parametrize("language", LANGUAGES, ids=str)
def test_dates_are_words_in_gsm_7_and_the_day_before_says_tomorrow(network, db, language, wording):
    for day in DATES:
        texts = {row.kind: text for row, text in render_all(
            network, db, day=day, language=language, wording=wording, first_contact=True)}
        for kind, text in texts.items():
            assert encoding(text.body) == "GSM-7", (kind, day, text.body)
            assert not re.search(r"\b\d{1,2}/\d{1,2}\b", text.body), (kind, day, text.body)
        for kind in ("family_reminder_7d", "family_reminder_3d", "family_reminder_1d"):
            body = texts[kind].body
            assert TOMORROW[language] in body, body
            if wording == Wording.DISCREET:  # a long place's name can leave no room for the day's name
                assert DATES_IN_WORDS[language].get(day, "") in body, (kind, day, body)


# Said in the reminders about an appointment at 12:45 at a place that asks for 45 minutes early.
ARRIVE_BY = {
    Language.ENGLISH: "Be there by 12:00 PM.",
    Language.SPANISH: "Llegue a las 12:00 p.m.",
    Language.PORTUGUESE: "Chegue às 12h.",
    Language.HAITIAN_CREOLE: "Fò w rive a 12:00 nan aprèmidi.",
    Language.FRENCH: "Arrivez à 12h.",
}


@pytest.mark.parametrize("wording", [Wording.DISCREET, Wording.PLAIN])
@pytest.mark.parametrize("language", LANGUAGES, ids=str)
def test_family_reminders_help_plan_the_trip(app, make, db, language, wording):
    """When, where, the place's own time to arrive, what to bring, a ride, a plan made today, and
    (for a hearing) what missing it means: plainly only in plain wording."""
    network = build_network(make, db, place=TELLING_PLACE)
    catalog = CATALOGS[language.value]
    words = catalog.WORDS
    for day in DATES:
        texts = {row.kind: text.body for row, text in render_all(
            network, db, day=day, language=language, wording=wording, first_contact=False)}
        for kind in ("family_reminder_7d", "family_reminder_3d", "family_reminder_1d"):
            body = texts[kind]
            assert ARRIVE_BY[language] in body, body
            assert words["plan"] in body and words["reply"] in body, body
            assert all(catalog.BRING[item] in body for item in TO_BRING.split(",")), body
            where = "Boston Immigration Court" if wording == Wording.PLAIN else LABEL
            assert words["where_place"].format(place=where) in body, body
            risk = words["risk_hearing"] if wording == Wording.PLAIN else words["risk"]
            assert body.endswith(risk), body


@pytest.mark.parametrize("kind", list(AppointmentKind), ids=str)
def test_only_hearings_and_check_ins_say_what_missing_them_means(make, db, kind):
    family = make.family(name=FAMILY_NAME, language=Language.ENGLISH)
    appointment = make.appointment(family=family, kind=kind, starts_at=at_local(date(2026, 9, 30)))
    reminder = family_texts.plan_family_reminders(appointment, now=PLAN_NOW)[0]
    for wording in Wording:
        family.wording = wording
        body = render_text(reminder, now=PLAN_NOW, first_contact=False).body
        words = CATALOGS["en"].WORDS
        says_risk = words["risk"] in body or words["risk_hearing"] in body
        assert says_risk == (kind in MUST_ATTEND_KINDS), (wording, body)
        assert (words["risk_hearing"] in body) == (kind.is_hearing and wording == Wording.PLAIN), body


def test_a_place_without_arrival_minutes_or_things_to_bring_keeps_the_default_and_lists_nothing(make, db):
    family = make.family(name=FAMILY_NAME, language=Language.ENGLISH)
    appointment = make.appointment(family=family, starts_at=at_local(date(2026, 9, 30)))
    reminder = family_texts.plan_family_reminders(appointment, now=PLAN_NOW)[0]
    body = render_text(reminder, now=PLAN_NOW, first_contact=False).body
    assert "Be there by 12:15 PM." in body and "Bring" not in body
    appointment.location.arrive_minutes_early = 90
    appointment.location.bring = "photo_id"
    body = render_text(reminder, now=PLAN_NOW, first_contact=False).body
    assert "Be there by 11:15 AM. Bring a photo ID. Plan your trip today." in body


def test_discreet_family_texts_never_say_court_ice_or_immigration(app, make, db):
    app.config["PUBLIC_BASE_URL"] = BASE_URL
    network = build_network(make, db, place=TELLING_PLACE)
    checked = 0
    for language in LANGUAGES:
        for first_contact in (False, True):
            for row, text in render_all(network, db, day=date(2026, 9, 30), language=language,
                                        wording=Wording.DISCREET, first_contact=first_contact):
                if row.family is None:
                    continue
                assert not FORBIDDEN.search(text.body), (row.kind, language, text.body)
                assert "Boston Immigration Court" not in text.body
                checked += 1
    assert checked == len(LANGUAGES) * 2 * 9


def test_plain_wording_names_the_place_and_discreet_only_its_discreet_label(app, make, db):
    network = build_network(make, db, place=TELLING_PLACE)
    network.appointment.location.discreet_label = ""  # none set: no place named, not even the town
    plain = dict((row.kind, text.body) for row, text in render_all(
        network, db, day=date(2026, 9, 30), language=Language.ENGLISH, wording=Wording.PLAIN, first_contact=False))
    discreet = dict((row.kind, text.body) for row, text in render_all(
        network, db, day=date(2026, 9, 30), language=Language.ENGLISH, wording=Wording.DISCREET, first_contact=False))
    assert plain["family_reminder_3d"].startswith("Reminder: your appointment at Boston Immigration Court is tomorrow")
    assert discreet["family_reminder_3d"].startswith("Reminder: your appointment is tomorrow")
    assert "Boston" not in discreet["family_reminder_3d"]
    network.appointment.location.discreet_label = "the Main St office"
    discreet = dict((row.kind, text.body) for row, text in render_all(
        network, db, day=date(2026, 9, 30), language=Language.ENGLISH, wording=Wording.DISCREET, first_contact=False))
    assert discreet["family_reminder_3d"].startswith("Reminder: your appointment at the Main St office is tomorrow")


@pytest.mark.parametrize("language", LANGUAGES, ids=str)
def test_no_family_name_reaches_any_text(network, db, language):
    for wording in Wording:
        for row, text in render_all(network, db, day=date(2026, 9, 30), language=language,
                                    wording=wording, first_contact=True):
            for part in ("Zelmira", "Quintanilla", "Okonkwo"):
                assert part.lower() not in text.body.lower(), (row.kind, text.body)


@pytest.mark.parametrize("language", LANGUAGES, ids=str)
def test_a_first_contact_names_us_and_says_how_to_stop(network, db, language):
    catalog = CATALOGS[language.value]
    org = "Test Accompany Group"
    for first_contact in (True, False):
        for row, text in render_all(network, db, day=date(2026, 9, 30), language=language,
                                    wording=Wording.DISCREET, first_contact=first_contact):
            names_us = text.body.startswith(org)
            says_stop = catalog.STOP_WORD in text.body
            if row.kind == MessageKind.STAFF_REPLY:  # a coordinator's answer goes as written
                assert text.body == STAFF_WORDS
            elif first_contact:
                assert names_us and says_stop, (row.kind, text.body)
            else:
                assert not names_us and not says_stop, (row.kind, text.body)


def test_first_contact_in_english_and_spanish_reads_naturally(network, db):
    texts = dict((row.kind, text.body) for row, text in render_all(
        network, db, day=date(2026, 9, 30), language=Language.SPANISH, wording=Wording.DISCREET,
        first_contact=True))
    body = texts["family_reminder_3d"]
    assert body.startswith(
        "Test Accompany Group: Recordatorio: su cita en 1000 Washington St, Suite 500 es mañana, miércoles 30 de septiembre")
    assert body.endswith("Responda PARAR para no recibir mensajes.")


@pytest.mark.parametrize("language", LANGUAGES, ids=str)
def test_answers_about_a_number_name_us_fit_and_keep_our_business_out(app, language):
    """HELP, STOP and START answers go to anyone who texts, so they must be discreet too."""
    for kind in NUMBER_REPLIES:
        text = render_number_reply(kind, language.value, now=PLAN_NOW)
        assert text.body.startswith("Test Accompany Group"), (kind, text.body)
        assert text.language == language and text.segments <= 2 and encoding(text.body) == "GSM-7", text.body
        assert not FORBIDDEN.search(text.body), (kind, text.body)
    assert "(617) 555-0100" in render_number_reply(MessageKind.REPLY_HELP, language.value, now=PLAN_NOW).body
    assert CATALOGS[language.value].STOP_WORD in render_number_reply(MessageKind.START_CONFIRMATION, language.value, now=PLAN_NOW).body
    assert "START" in render_number_reply(MessageKind.STOP_CONFIRMATION, "en", now=PLAN_NOW).body


def test_help_without_a_help_line_asks_them_to_reply(app):
    app.config["ORG_HELP_PHONE"] = ""
    body = render_number_reply(MessageKind.REPLY_HELP, "es", now=PLAN_NOW).body
    assert body.startswith("Test Accompany Group") and "(617)" not in body


def test_an_answer_about_a_number_in_a_language_we_do_not_text_in_is_english(app):
    assert render_number_reply(MessageKind.STOP_CONFIRMATION, "quc", now=PLAN_NOW).language == Language.ENGLISH
    with pytest.raises(UnknownKind):
        render_number_reply(MessageKind.REPLY_CONFIRMED, "en", now=PLAN_NOW)


def test_every_catalog_words_every_kind_and_role():
    english = CATALOGS["en"]
    for code, catalog in CATALOGS.items():
        assert set(catalog.TEXTS) == set(english.TEXTS), code
        assert set(catalog.WORDS) == set(english.WORDS), code
        assert set(catalog.ROLES) == {role.value for role in ShiftRole}, code
        assert set(KINDS) <= set(catalog.TEXTS), code


def test_reminders_at_configured_days_have_words_too(make, db):
    family = make.family(name=FAMILY_NAME, language=Language.PORTUGUESE)
    appointment = make.appointment(family=family, starts_at=at_local(date(2026, 9, 30)))
    timing = audience.Timing(family_reminder_days=(14, 2))
    kinds = {row.kind: row for row in family_texts.plan_family_reminders(appointment, now=PLAN_NOW, timing=timing)}
    assert set(kinds) == {"family_reminder_14d", "family_reminder_2d"}
    body = render_text(kinds["family_reminder_14d"], now=PLAN_NOW, first_contact=False).body
    assert body.startswith("Lembrete: seu compromisso é quarta-feira, 30 de setembro, às 12h45.")


def test_an_unknown_kind_is_an_error_not_silence(make, db):
    family = make.family(name=FAMILY_NAME)
    with pytest.raises(ValueError):  # not a MessageKind: refused before it is planned
        planning.plan_message("odd", kind="family_horoscope", now=PLAN_NOW, not_before=PLAN_NOW,
                              send_before=PLAN_NOW + timedelta(days=1), family=family)
    # A kind that is never a row's (the webhook's own answer) has no wording for one.
    row = planning.plan_message("odd", kind=MessageKind.REPLY_HELP, now=PLAN_NOW, not_before=PLAN_NOW,
                                send_before=PLAN_NOW + timedelta(days=1), family=family)
    with pytest.raises(UnknownKind):
        render_text(row, now=PLAN_NOW, first_contact=False)


# -- who gets which language ----------------------------------------------------------------------------


def test_a_family_without_templates_in_its_language_gets_english(make, db):
    family = make.family(name=FAMILY_NAME, language=Language.KICHE)
    appointment = make.appointment(family=family, starts_at=at_local(date(2026, 9, 30)))
    reminder = family_texts.plan_family_reminders(appointment, now=PLAN_NOW)[0]
    text = render_text(reminder, now=PLAN_NOW, first_contact=False)
    assert text.language == Language.ENGLISH
    assert text.body.startswith("Reminder: your appointment is on Wednesday, September 30 at 12:45 PM")


@pytest.mark.parametrize(
    "languages, expected",
    [
        ([], Language.ENGLISH),
        (["ar"], Language.ENGLISH),
        (["quc", "mam"], Language.ENGLISH),
        (["quc", "es"], Language.SPANISH),
        (["ht", "fr"], Language.FRENCH),  # the first of the volunteer's languages we have
        (["pt"], Language.PORTUGUESE),
    ],
)
def test_a_volunteer_gets_their_first_language_we_have_texts_for(make, db, languages, expected):
    volunteer = make.volunteer(phone="617-555-0111", sms_opt_in=True, languages=languages)
    shift = make.shift(make.appointment(starts_at=at_local(date(2026, 9, 30))))
    claim_slot(shift, volunteer, now=PLAN_NOW)
    row = db.session.scalar(select(OutboundMessage).where(OutboundMessage.kind == MessageKind.VOLUNTEER_CLAIMED))
    assert render_text(row, now=PLAN_NOW, first_contact=False).language == expected


# -- what is true at send time --------------------------------------------------------------------------


def test_a_reminder_says_the_time_the_appointment_has_now(make, db):
    family = make.family(name=FAMILY_NAME, language=Language.ENGLISH)
    appointment = make.appointment(family=family, starts_at=at_local(date(2026, 9, 30)))
    reminders = family_texts.plan_family_reminders(appointment, now=PLAN_NOW)
    reminder = next(r for r in reminders if r.kind == "family_reminder_7d")
    appointment.starts_at = at_local(date(2026, 9, 30), time(15, 10))  # changed after planning
    db.session.flush()
    body = render_text(reminder, now=PLAN_NOW, first_contact=False).body
    assert "3:10 PM" in body and "12:45" not in body
    assert "Be there by 2:40 PM" in body


def test_a_rescheduled_family_is_told_the_new_day_and_time(make, db):
    coordinator = make.coordinator()
    family = make.family(name=FAMILY_NAME, language=Language.SPANISH)
    appointment = make.appointment(family=family, starts_at=at_local(date(2026, 9, 30)))
    reschedule_appointment(appointment, at_local(date(2026, 10, 14), time(9, 0)), by=coordinator, now=PLAN_NOW)
    row = db.session.scalar(select(OutboundMessage).where(OutboundMessage.kind == MessageKind.FAMILY_RESCHEDULED))
    body = render_text(row, now=PLAN_NOW, first_contact=False).body
    assert "el miércoles 14 de octubre a las 9:00 a.m." in body
    assert "30 de septiembre" not in body


def test_times_are_the_familys_local_time(make, db):
    family = make.family(name=FAMILY_NAME, language=Language.ENGLISH, timezone="America/Chicago")
    appointment = make.appointment(family=family, starts_at=at_local(date(2026, 9, 30), tz="America/Chicago"))
    reminder = family_texts.plan_family_reminders(appointment, now=PLAN_NOW)[0]
    assert "12:45 PM" in render_text(reminder, now=PLAN_NOW, first_contact=False).body


def test_today_and_tomorrow_are_said_from_the_sending_moment(make, db):
    family = make.family(name=FAMILY_NAME, language=Language.FRENCH)
    appointment = make.appointment(family=family, starts_at=at_local(date(2026, 9, 30), time(16, 0)))
    reminder = family_texts.plan_family_reminders(appointment, now=PLAN_NOW)[-1]
    tomorrow = render_text(reminder, now=at_local(date(2026, 9, 29), time(10, 0)), first_contact=False).body
    today = render_text(reminder, now=at_local(date(2026, 9, 30), time(8, 30)), first_contact=False).body
    later = render_text(reminder, now=at_local(date(2026, 9, 27), time(10, 0)), first_contact=False).body
    assert "est demain, mercredi 30 septembre, à 16h" in tomorrow
    assert "est aujourd'hui à 16h" in today
    assert "est le mercredi 30 septembre à 16h" in later


def test_spanish_says_a_la_una(make, db):
    family = make.family(name=FAMILY_NAME, language=Language.SPANISH)
    appointment = make.appointment(family=family, starts_at=at_local(date(2026, 9, 30), time(13, 30)))
    reminder = family_texts.plan_family_reminders(appointment, now=PLAN_NOW)[0]
    body = render_text(reminder, now=PLAN_NOW, first_contact=False).body
    assert "a la 1:30 p.m." in body and "Llegue a la 1:00 p.m." in body


def test_haitian_creole_has_its_own_day_and_month_names(make, db):
    family = make.family(name=FAMILY_NAME, language=Language.HAITIAN_CREOLE)
    appointment = make.appointment(family=family, starts_at=at_local(date(2026, 7, 1), time(9, 5)))
    reminder = family_texts.plan_family_reminders(appointment, now=datetime(2026, 6, 1, tzinfo=UTC))[0]
    body = render_text(reminder, now=datetime(2026, 6, 20, tzinfo=UTC), first_contact=False).body
    assert "mèkredi 1 jiyè a 9:05 nan maten" in body
    assert "mercredi" not in body and "juillet" not in body


def test_a_confirmed_volunteer_is_named_by_first_name_only(make, db):
    family = make.family(name=FAMILY_NAME, language=Language.ENGLISH)
    appointment = make.appointment(family=family, starts_at=at_local(date(2026, 9, 30)))
    shift = make.shift(appointment, role=ShiftRole.RIDE_THERE)
    volunteer = make.volunteer(name=VOLUNTEER_NAME, phone="617-555-0111", sms_opt_in=True)
    claim_slot(shift, volunteer, now=PLAN_NOW)
    row = db.session.scalar(select(OutboundMessage).where(OutboundMessage.kind == MessageKind.FAMILY_VOLUNTEER_CONFIRMED))
    body = render_text(row, now=PLAN_NOW, first_contact=False).body
    assert body == ("Good news: Jean-Baptiste from our team will pick you up on Wednesday, September 30 "
                    "at 12:15 PM to drive you to your appointment.")  # the pickup time, not the appointment's
    assert "Delacroix" not in body and "555" not in body
    assert row.send_before == shift.starts_at  # told before the pickup, or not at all


def test_a_ride_confirmation_goes_before_the_pickup_and_not_after(make, db):
    family = make.family(name=FAMILY_NAME, language=Language.SPANISH)
    appointment = make.appointment(family=family, starts_at=at_local(date(2026, 9, 30), time(13, 0)))
    there = make.shift(appointment, role=ShiftRole.RIDE_THERE, starts_at=at_local(date(2026, 9, 30), time(11, 30)))
    home = make.shift(appointment, role=ShiftRole.RIDE_HOME, starts_at=at_local(date(2026, 9, 30), time(15, 0)))
    first, second = (make.volunteer(name=name, phone=phone, sms_opt_in=True)
                     for name, phone in (("Ana Ruiz", "617-555-0111"), ("Luis Gil", "617-555-0133")))
    claim_slot(there, first, now=PLAN_NOW)
    claim_slot(home, second, now=PLAN_NOW)
    rows = {row.params["volunteer_id"]: row for row in db.session.scalars(
        select(OutboundMessage).where(OutboundMessage.kind == MessageKind.FAMILY_VOLUNTEER_CONFIRMED))}
    pickup, ride_home = rows[first.id], rows[second.id]
    assert pickup.send_before == there.starts_at
    assert ride_home.send_before == appointment.starts_at  # never later than the appointment
    body = render_text(pickup, now=PLAN_NOW, first_contact=False).body
    assert body == ("Buenas noticias: Ana, de nuestro equipo, va a recogerle el miércoles 30 de septiembre "
                    "a las 11:30 a.m. para llevarle a su cita.")
    with pytest.raises(NothingToSay):  # the pickup has passed: too late to tell its time
        render_text(pickup, now=there.starts_at + timedelta(minutes=5), first_contact=False)


def test_no_confirmation_for_a_volunteer_who_has_let_go(make, db):
    family = make.family(name=FAMILY_NAME)
    shift = make.shift(make.appointment(family=family, starts_at=at_local(date(2026, 9, 30))))
    volunteer = make.volunteer(phone="617-555-0111", sms_opt_in=True)
    claim = claim_slot(shift, volunteer, now=PLAN_NOW)
    row = db.session.scalar(select(OutboundMessage).where(OutboundMessage.kind == MessageKind.FAMILY_VOLUNTEER_CONFIRMED))
    release_claim(claim, now=PLAN_NOW, by=volunteer)
    with pytest.raises(NothingToSay):
        render_text(row, now=PLAN_NOW, first_contact=False)


def test_a_volunteer_text_links_to_the_held_shift(app, make, db):
    app.config["PUBLIC_BASE_URL"] = BASE_URL + "/"
    shift = make.shift(make.appointment(starts_at=at_local(date(2026, 9, 30))), meeting_point="Front steps")
    volunteer = make.volunteer(phone="617-555-0111", sms_opt_in=True)
    claim_slot(shift, volunteer, now=PLAN_NOW)
    row = db.session.scalar(select(OutboundMessage).where(OutboundMessage.kind == MessageKind.VOLUNTEER_SOON))
    body = render_text(row, now=PLAN_NOW, first_contact=False).body
    assert body.endswith(f"Meet at: Front steps. {BASE_URL}/my/shifts/{shift.id}")
    assert "Companion" in body and shift.appointment.location.name in body

    app.config["PUBLIC_BASE_URL"] = ""
    assert "http" not in render_text(row, now=PLAN_NOW, first_contact=False).body


def test_a_coordinator_alert_links_to_the_appointment(app, make, db):
    app.config["PUBLIC_BASE_URL"] = BASE_URL
    make.coordinator(phone="617-555-0122", sms_opt_in=True)
    appointment = make.appointment(starts_at=at_local(date(2026, 9, 30)))
    row = staff_texts.alert_coordinators(MessageKind.COORDINATOR_DETAINED, "x", now=PLAN_NOW, appointment=appointment)[0]
    body = render_text(row, now=PLAN_NOW, first_contact=False).body
    assert body.endswith(f"{BASE_URL}/coordinator/appointments/{appointment.id}")
    assert appointment.family.name.split()[0] not in body


def test_a_removed_shifts_notice_still_renders_from_its_params(make, db):
    volunteer = make.volunteer(phone="617-555-0111", sms_opt_in=True)
    appointment = make.appointment(starts_at=at_local(date(2026, 9, 30)))
    shift = make.shift(appointment, role=ShiftRole.INTERPRETER)
    make.claim(shift, volunteer)
    remove_shift(shift, by=make.coordinator(), now=PLAN_NOW)
    row = db.session.scalar(select(OutboundMessage).where(OutboundMessage.kind == MessageKind.VOLUNTEER_CANCELLED))
    assert row.shift_id is None
    body = render_text(row, now=PLAN_NOW, first_contact=False).body
    place = appointment.location.name
    assert body.startswith(f"Cancelled: Interpreter, {place}, on Wednesday, September 30 at 12:15 PM.")

    db.session.delete(appointment)  # even with the appointment gone too
    db.session.flush()
    db.session.refresh(row)
    body = render_text(row, now=PLAN_NOW, first_contact=False).body
    assert body == "Cancelled: Interpreter, on Wednesday, September 30 at 12:15 PM. No need to go. Thank you!"


def test_nothing_to_say_when_the_subject_is_gone(make, db):
    volunteer = make.volunteer(phone="617-555-0111", sms_opt_in=True)
    appointment = make.appointment(starts_at=at_local(date(2026, 9, 30)))
    shift = make.shift(appointment)
    claim = claim_slot(shift, volunteer, now=PLAN_NOW)
    soon = db.session.scalar(select(OutboundMessage).where(OutboundMessage.kind == MessageKind.VOLUNTEER_SOON))
    release_claim(claim, now=PLAN_NOW, by=volunteer)
    with pytest.raises(NothingToSay):  # released: no "starting soon"
        render_text(soon, now=PLAN_NOW, first_contact=False)

    notice = planning.plan_message("bare", kind=MessageKind.VOLUNTEER_CANCELLED, now=PLAN_NOW, not_before=PLAN_NOW,
                                   send_before=PLAN_NOW + timedelta(days=1), user=volunteer, shift=shift)
    db.session.delete(shift)
    db.session.flush()
    db.session.refresh(notice)
    with pytest.raises(NothingToSay):  # the shift is gone and the row never said what it was
        render_text(notice, now=PLAN_NOW, first_contact=False)


def test_a_reminder_for_a_cancelled_appointment_has_nothing_to_say(make, db):
    appointment = make.appointment(starts_at=at_local(date(2026, 9, 30)))
    reminder = family_texts.plan_family_reminders(appointment, now=PLAN_NOW)[0]
    cancel_appointment(appointment, by=make.coordinator(), now=PLAN_NOW)
    with pytest.raises(NothingToSay):
        render_text(reminder, now=PLAN_NOW, first_contact=False)
    with pytest.raises(NothingToSay):  # nor once the appointment has begun
        render_text(reminder, now=appointment.starts_at, first_contact=False)


# -- awkward values ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES, ids=str)
def test_names_and_places_typed_with_accents_still_fit(app, make, db, language):
    """A person types "Joaquín" or "Praça": outside GSM-7, it must not push a text past two segments."""
    app.config["PUBLIC_BASE_URL"] = BASE_URL
    network = build_network(make, db)
    network.volunteer.name = "Joaquín Conceição"
    meeting = "Estacionamento da Igreja São João, 250 Main St"
    network.shift.meeting_point = network.cancelled_shift.meeting_point = meeting
    network.appointment.location.town = "Fall River — Nossa Senhora"
    for row, text in render_all(network, db, day=date(2026, 9, 29), language=language,
                                wording=Wording.DISCREET, first_contact=True):
        assert text.segments <= 2, (row.kind, text.body)


@pytest.mark.parametrize("language", LANGUAGES, ids=str)
def test_video_appointments_skip_the_ride(make, db, language):
    family = make.family(name=FAMILY_NAME, language=language)
    location = make.location(name=LONGEST_PLACE[0], town=LONGEST_PLACE[1])
    appointment = make.appointment(family=family, location=location, starts_at=at_local(date(2026, 9, 30)),
                                   mode=AttendanceMode.VIDEO, kind=AppointmentKind.MASTER_CALENDAR)
    for reminder in family_texts.plan_family_reminders(appointment, now=PLAN_NOW):
        text = render_text(reminder, now=PLAN_NOW, first_contact=True)
        assert text.segments <= 2
        assert CATALOGS[language.value].WORDS["reply_video"] in text.body
        assert CATALOGS[language.value].WORDS["reply"] not in text.body
        assert "North Attleborough" not in text.body


def test_french_and_kreyol_read_as_written_in_those_languages_not_word_for_word(network, db):
    """The review found calques: Kreyol "randevou w la ... se <time>" and "sa ka fe dosye w mal"
    (English "hurt your case"), French "Le manquer peut nuire" and a person "detenue" for arrested."""
    ht = {row.kind: text.body for row, text in render_all(
        network, db, day=date(2026, 9, 30), language=Language.HAITIAN_CREOLE, wording=Wording.DISCREET,
        first_contact=False)}
    assert ht["family_reminder_7d"].startswith("Rapèl: ou gen yon randevou nan ")
    assert "sa ka gen move konsekans pou dosye w" in ht["family_reminder_7d"]
    assert "dosye w mal" not in ht["family_reminder_7d"] and " se demen" not in ht["family_reminder_7d"]
    fr = {row.kind: text.body for row, text in render_all(
        network, db, day=date(2026, 9, 30), language=Language.FRENCH, wording=Wording.DISCREET,
        first_contact=False)}
    assert fr["family_reminder_7d"].endswith("Une absence peut nuire à votre dossier.")
    assert fr["coordinator_detained"].startswith("Alerte : on signale l'arrestation d'une personne après")
    assert "Lieu de rendez-vous :" in fr["volunteer_claimed"]
