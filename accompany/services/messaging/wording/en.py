"""English texts. Plain words, no family names; discreet unless the slot says otherwise."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_date, format_time

LOCALE = "en_US"
STOP_WORD = "STOP"

# What people text us, by meaning (matched without case, accents, spaces or punctuation
# mattering; see accompany/services/messaging/keywords.py). Twilio's own opt-out words are here too.
KEYWORDS = {
    "stop": ["STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "OPT OUT", "REVOKE"],
    "start": ["START", "UNSTOP", "RESUBSCRIBE"],
    "help": ["HELP", "INFO"],
    "yes": ["YES", "Y", "YEP", "CONFIRM", "CONFIRMED"],
    "no": ["NO", "N", "NOPE"],
    "ride": ["RIDE", "NEED RIDE", "NEED A RIDE", "I NEED A RIDE"],
    # DETAINED: a volunteer holding a shift today reports a detention (services/detention/cases.py).
    # As a whole text it means nothing else; from anyone else it opens nothing and gets the help text.
    "detained": ["DETAINED"],
}
# Acknowledgements: a yes that confirms a family's appointment, but takes a volunteer's urgent shift
# only with its code (keywords.py says why). Each is checked for a second meaning that would misfire:
# - OK, OKAY: "got it", typed in every language we text in (each catalog lists it, so it tells no
#   language); alone it never means no or stop. "OK?" is a question and goes to a person. After STOP it confirms nothing (inbound.py).
ACKNOWLEDGEMENTS = ["OK", "OKAY"]
# Thanks and nothing else: a message for a person (no keyword), but it tells us the language to
# answer in when the words belong to one language only.
THANKS = ["THANKS", "THANK YOU", "THANK YOU SO MUCH", "THX"]
# Words that, inside a longer message, sound like "stop texting me": a coordinator reads it.
STOP_PHRASES = ["STOP", "UNSUBSCRIBE", "DONT TEXT", "DON T TEXT", "DO NOT TEXT", "NO MORE TEXTS",
                "NO MORE MESSAGES", "REMOVE ME", "TAKE ME OFF", "LEAVE ME ALONE", "WRONG NUMBER"]


def clock(local: datetime) -> str:
    """12:45 PM"""
    return format_time(local, "h:mm a", locale=LOCALE)


def arrival(local: datetime) -> str:
    """The time to be there by, as the `trip` sentences use it."""
    return clock(local)


def when(local: datetime, days_until: int, *, weekday: bool = True) -> str:
    """'on Wednesday, September 30 at 12:45 PM', 'tomorrow, Wednesday, ...', 'today at ...'."""
    at = f"at {clock(local)}"
    if days_until == 0:
        return f"today {at}"
    day = format_date(local, "EEEE, MMMM d" if weekday else "MMMM d", locale=LOCALE)
    if days_until == 1:
        return f"tomorrow, {day} {at}"
    return f"on {day} {at}"


ROLES = {
    "ride_there": "Ride there",
    "ride_home": "Ride home",
    "companion": "Companion",
    "interpreter": "Interpreter",
    "bond_help": "Bond help",
    "visit": "Visit",
}

# What to bring (BringItem), as the reminder lists it.
BRING = {
    "photo_id": 'a photo ID',
    "papers": 'your papers',
    "notice": 'your appointment letter',
}

WORDS = {
    "intro": "{org}: ",
    "stop": "Reply STOP to stop.",
    "where_place": " at {place}",
    "where_video": " by video",
    "trip": 'Be there by {arrive}.',
    "trip_video": "Be ready by {arrive}.",
    "reply": "Reply 1 to confirm, 2 if you need a ride.",
    "reply_video": "Reply 1 to confirm.",
    "risk": "Missing it could hurt your case.",
    "escort_ride_there": 'will pick you up {when} to drive you to your appointment',
    "escort_ride_home": 'will drive you home after your appointment {when}',
    "escort": 'will go with you to your appointment {when}',
    "help": "Questions? Call {phone}.",
    "help_reply": "Questions? Reply to this text.",
    "meeting": " Meet at: {meeting}.",
    "plan": 'Plan your trip today.',
    "bring": 'Bring {items}.',
    "and": 'and',
    "risk_hearing": 'Missing it can mean a deportation order in your absence.',
    "link": " {link}",
    # the daily digest's count of families' needs due this week or overdue (casework)
    "needs_one": '1 family need is due this week or overdue.',
    "needs_many": '{count} family needs are due this week or overdue.',
}

TEXTS = {
    "family_reminder": 'Reminder: your appointment{where} is {when}. {trip} {bring} {plan} {reply} {risk}',
    "family_reminder_7d": 'Reminder: your appointment{where} is {when}. {trip} {bring} {plan} {reply} {risk}',
    "family_reminder_3d": 'Reminder: your appointment{where} is {when}. {trip} {bring} {plan} {reply} {risk}',
    "family_reminder_1d": 'Reminder: your appointment{where} is {when}. {trip} {bring} {plan} {reply} {risk}',
    "family_volunteer_confirmed": 'Good news: {volunteer} from our team {escort}.',
    "family_rescheduled": "Change: your appointment{where} is now {when}. {trip} {reply}",
    "family_cancelled": "Update: your appointment {when} is cancelled. {help}",
    "volunteer_claimed": "Thanks! Your shift: {role}, {place}, {when}.{meeting}{link}",
    "volunteer_evening_before": "Reminder: {role}, {place}, {when}.{meeting}{link}",
    "volunteer_soon": "Starting soon: {role}, {place}, {when}.{meeting}{link}",
    "volunteer_rescheduled": "New time: {role}, {place}, now {when}.{meeting}{link}",
    "volunteer_cancelled": "Cancelled: {role}, {place}, {when}. No need to go. Thank you!",
    "volunteer_cancelled.no_place": "Cancelled: {role}, {when}. No need to go. Thank you!",
    "coordinator_detained": "Alert: a person was reported detained after the appointment at {place} {when}.{link}",
    # The digest's counts follow a colon ("Open volunteer slots: 1 ..."), so one reads right without a
    # singular form of its own (only the needs have one: WORDS needs_one / needs_many); a sentence
    # never ends on a count, which would give "...: 1. 1 family need".
    "coordinator_unfilled_digest": "Open volunteer slots: {count} in the next 72 hours. {needs}{link}",
    "coordinator_unfilled_digest.checks": "Open volunteer slots: {count} in the next 72 hours. Hearing dates: {checks} to verify. {needs}{link}",
    "coordinator_unfilled_digest.checks_only": "Hearing dates: {checks} to verify with the court. {needs}{link}",
    "coordinator_unverified_hearing": "Check the date: the hearing at {place} {when} is not verified yet (EOIR 1-800 line or portal).{link}",
    "volunteer_obligor_hearing": 'Bond: the person whose bond you signed has a hearing at {place} {when}. Please help them get there: a missed hearing breaches the bond.',
    "coordinator_late_release": "Needs a volunteer (late drop): {role}, {place}, {when}.{link}",
    "reply_confirmed": "Thank you for confirming your appointment {when}.",
    "reply_confirmed.no_appointment": "Thank you, we got your reply.",
    "reply_ride": (
        "We got your ride request for your appointment {when}. We will text you when a volunteer can drive you."
    ),
    "reply_ride.no_appointment": "We got your ride request. We will text you when a volunteer can drive you.",
    "reply_help": "{org}: for help, call {phone}. {stop}",
    "reply_help.no_phone": "{org}: for help, reply to this text and someone will answer. {stop}",
    "stop_confirmation": "{org}: you will get no more texts from us. Reply START to get them again.",
    "start_confirmation": "{org}: you will get our texts again. {stop}",
    "volunteer_urgent_ask": "Urgent: {role}, {place}, {when}. Reply YES {code} to take it, NO {code} to pass.",
    "reply_urgent_covered": "Thank you! {role}, {when} is already covered.",
    "reply_urgent_declined": "OK, we will not ask you about {role}, {when} again. Thank you!",
    "reply_urgent_not_possible": "Thank you! We could not give you {role}, {when}: it clashes with another shift or needs something your profile does not show.",
    "coordinator_ride_request": "Ride request: a family needs a ride to the appointment at {place} {when}.{link}",
    "coordinator_urgent_unfilled": "Still open after texting volunteers: {role}, {place}, {when}.{link}",
    "coordinator_family_stopped": (
        "Texts stopped: a family with an appointment at {place} {when} asked for no more texts, so no "
        "reminder will reach them. Please call them.{link}"
    ),
    "staff_reply": "{message}",
    "volunteer_approved": (
        "Welcome! Your sign-up is approved: you can now see open shifts and take the ones that suit you. "
        "Thank you for joining us!{link}"
    ),
    "phone_code": (
        "Your code to confirm this number: {code}. It works for {minutes} minutes. "
        "If you did not ask for it, ignore this text."
    ),
    "password_code": (
        "Your code to set a new password: {code}. It works for {minutes} minutes. Never share it. "
        "If you did not ask for it, ignore this text: your password stays the same."
    ),
    # Letters of support (services/casework/letters.py): no family name.
    "volunteer_letter_reminder": (
        "Reminder: the letter of support we asked you for is due in {days} days. Thank you for writing it! "
        "Questions? Reply to this text."
    ),
    "volunteer_letter_reminder.tomorrow": (
        "Reminder: the letter of support we asked you for is due tomorrow. Thank you for writing it! "
        "Questions? Reply to this text."
    ),
    "volunteer_letter_reminder.today": (
        "Reminder: the letter of support we asked you for is due today. Thank you for writing it! "
        "Questions? Reply to this text."
    ),
    # The count comes last: "1 community contacts" read wrong, and this kind has no singular form.
    "coordinator_letter_contacts": (
        "Letters of support are due in {days} days. Community contacts still to send theirs: {count}. "
        "Please remind them in person.{link}"
    ),
    "coordinator_letter_contacts.tomorrow": (
        "Letters of support are due tomorrow. Community contacts still to send theirs: {count}. "
        "Please remind them in person.{link}"
    ),
    "coordinator_letter_contacts.today": (
        "Letters of support are due today. Community contacts still to send theirs: {count}. "
        "Please remind them in person.{link}"
    ),
    # Detention response (issue 15): to coordinators and volunteers only, never to a family.
    "detention_alert": "URGENT: a detention was reported at {place}. Reply OK {code} to take it on.{link}",
    "detention_alert.no_place": "URGENT: a detention was reported. Reply OK {code} to take it on.{link}",
    "detention_escalated": "URGENT, not answered yet: a detention was reported at {place}. Reply OK {code} to take it on.{link}",
    "detention_escalated.no_place": "URGENT, not answered yet: a detention was reported. Reply OK {code} to take it on.{link}",
    "detention_alert_all": "URGENT, nobody on call answered: a detention was reported at {place}. Reply OK {code} to take it on.{link}",
    "detention_alert_all.no_place": "URGENT, nobody on call answered: a detention was reported. Reply OK {code} to take it on.{link}",
    # Spoken by text-to-speech ({code} comes spaced, "K 7 Q", so it is read letter by letter): it says
    # who is calling first, since the first words of a call are often missed, and how to answer by
    # text too (a coordinator's "OK K7Q" acknowledges).
    "detention_voice_call": (
        "This is an urgent call from Accompany. A detention was reported. Open Accompany and acknowledge "
        "case {code}, or text OK and the case code. Again: case {code}."
    ),
    "detention_voice_call.no_place": (
        "This is an urgent call from Accompany. A detention was reported. Open Accompany and acknowledge "
        "case {code}, or text OK and the case code. Again: case {code}."
    ),
    "reply_detention_ack": "Thank you: case {code} is yours. The alerts have stopped.{link}",
    "reply_detention_ack.already": "Case {code} was already acknowledged by {volunteer}.{link}",
    "reply_detention_reported": "We got your report: the coordinators are being alerted now (case {code}). Thank you.{link}",
    # casework (issue 14): to a need's owner, and the digest when only needs are due
    "coordinator_unfilled_digest.needs_only": 'Today: {needs}{link}',
    "coordinator_task_done": 'Task done: a volunteer finished a task and left a short report.{link}',
    "coordinator_task_given_back": 'Task given back late: a volunteer gave up a task that is due soon or overdue. It needs someone new.{link}',
}
