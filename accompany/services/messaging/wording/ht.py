"""Haitian Creole texts. Babel has no Kreyòl calendar data (it falls back to French), so the day
and month names are written out here. Kreyòl's è, ò and à are all in GSM-7."""

from __future__ import annotations

from datetime import datetime

LOCALE = None  # no babel locale: see DAYS and MONTHS
STOP_WORD = "SISPANN"

DAYS = ("lendi", "madi", "mèkredi", "jedi", "vandredi", "samdi", "dimanch")  # Monday first
MONTHS = (
    "janvye", "fevriye", "mas", "avril", "me", "jen",
    "jiyè", "out", "septanm", "oktòb", "novanm", "desanm",
)

# What people text us, by meaning (see en.py and accompany/services/messaging/keywords.py).
KEYWORDS = {
    "stop": ["SISPANN", "SISPAN", "ANILE", "DEZABONE"],
    "start": ["START", "KÒMANSE", "REKÒMANSE", "REPRANN"],  # START: what our confirmation says
    "help": ["ÈD", "EDE"],
    "yes": ["WI", "KONFIME"],
    "no": ["NON", "NON MÈSI"],
    "ride": ["WOULIB", "TRANSPÒ", "BEZWEN WOULIB", "BEZWEN YON WOULIB", "MWEN BEZWEN WOULIB",
             "MWEN BEZWEN YON WOULIB", "M BEZWEN YON WOULIB",
             # M BEZWEN WOULIB: "I need a ride", the short way it is typed; "woulib" is a free ride.
             "M BEZWEN WOULIB"],
    # ARESTASYON ("arrest") and YO ARETE L ("they arrested them"): a detention reported by a
    # volunteer with a shift today. Not ARETE alone: in Kreyol it is also "stop" ("arete voye
    # mesaj"), and a volunteer texting it to stop our texts must never open a case.
    "detained": ["ARESTASYON", "YO ARETE L", "YO ARETE LI"],
}
# Acknowledgements: a yes that confirms a family's appointment, but takes a volunteer's urgent shift
# only with its code (keywords.py says why). Each is checked for a second meaning that would misfire:
# - WI MÈSI: "yes, thank you", the usual answer to a reminder, and a thanks for any other text.
# - DAKÒ, OKE: "agreed, OK"; no other meaning, but like OK they answer anything.
ACKNOWLEDGEMENTS = ["OK", "OKE", "WI MÈSI", "DAKÒ", "MWEN DAKÒ", "M DAKÒ"]
THANKS = ["MÈSI", "MÈSI ANPIL", "MÈSI BOKOU"]  # see en.py
STOP_PHRASES = ["SISPANN", "PA VOYE MESAJ", "PA VOYE M MESAJ", "PA VOYE MWEN MESAJ", "PA VLE RESEVWA",
                "PA VLE MESAJ", "PA EKRI M", "PA EKRI MWEN", "MOVE NIMEWO", "PA BON NIMEWO", "RETIRE NIMEWO",
                "RETIRE M NAN", "EFASE NIMEWO"]


def clock(local: datetime) -> str:
    """'9:05 nan maten', '12:45 nan aprèmidi', '6:30 nan aswè'."""
    hour = local.hour % 12 or 12
    if local.hour < 12:
        part = "nan maten"
    elif local.hour < 18:
        part = "nan aprèmidi"
    else:
        part = "nan aswè"
    return f"{hour}:{local.minute:02d} {part}"


def arrival(local: datetime) -> str:
    return f"a {clock(local)}"


def day(local: datetime) -> str:
    """'mèkredi 30 septanm'"""
    return f"{DAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]}"


def when(local: datetime, days_until: int, *, weekday: bool = True) -> str:
    """'mèkredi 30 septanm a 12:45 nan aprèmidi', 'demen, mèkredi 30 septanm, a ...', 'jodi a, a ...'."""
    at = f"a {clock(local)}"
    if days_until == 0:
        return f"jodi a, {at}"
    name = day(local) if weekday else f"{local.day} {MONTHS[local.month - 1]}"
    if days_until == 1:
        return f"demen, {name}, {at}"
    return f"{name} {at}"


ROLES = {
    "ride_there": "Woulib pou ale",
    "ride_home": "Woulib pou retounen",
    "companion": "Akonpayatè",
    "interpreter": "Entèprèt",
    "bond_help": "Ede ak kosyon",
    "visit": "Vizit",
}

# What to bring (BringItem), as the reminder lists it.
BRING = {
    "photo_id": 'yon pyès idantite',
    "papers": 'papye w yo',
    "notice": 'lèt randevou a',
}

WORDS = {
    "intro": "{org}: ",
    "stop": "Reponn SISPANN pou w pa resevwa mesaj ankò.",
    "where_place": " nan {place}",
    "where_video": " pa videyo",
    "trip": 'Fò w rive {arrive}.',
    "trip_video": "Konekte {arrive}.",
    "reply": "Reponn 1 pou konfime, 2 si w bezwen yon woulib.",
    "reply_video": "Reponn 1 pou konfime.",
    "risk": 'Si w pa ale, sa ka gen move konsekans pou dosye w.',
    "escort_ride_there": 'ap vin chèche w {when} pou mennen w nan randevou w la',
    "escort_ride_home": 'ap mennen w lakay apre randevou w la {when}',
    "escort": 'ap akonpaye w nan randevou w la {when}',
    "help": "Kesyon? Rele {phone}.",
    "help_reply": "Kesyon? Reponn mesaj sa a.",
    "meeting": " Kote pou n rankontre: {meeting}.",
    "plan": 'Jodi a, fè plan pou w ale.',
    "bring": 'Pote {items}.',
    "and": 'ak',
    "risk_hearing": 'Si w pa ale, jij la ka bay lòd depòte w san w pa la.',
    "link": " {link}",
    # the daily digest's count of families' needs due this week or overdue (casework)
    "needs_one": '1 bezwen fanmi ki dwe fèt semèn sa a oswa ki an reta.',
    "needs_many": '{count} bezwen fanmi ki dwe fèt semèn sa a oswa ki an reta.',
}

TEXTS = {
    "family_reminder": 'Rapèl: ou gen yon randevou{where} {when}. {trip} {bring} {plan} {reply} {risk}',
    "family_reminder_7d": 'Rapèl: ou gen yon randevou{where} {when}. {trip} {bring} {plan} {reply} {risk}',
    "family_reminder_3d": 'Rapèl: ou gen yon randevou{where} {when}. {trip} {bring} {plan} {reply} {risk}',
    "family_reminder_1d": 'Rapèl: ou gen yon randevou{where} {when}. {trip} {bring} {plan} {reply} {risk}',
    "family_volunteer_confirmed": 'Bon nouvèl: {volunteer}, nan ekip nou an, {escort}.',
    "family_rescheduled": 'Chanjman: randevou w la chanje, kounye a li{where} {when}. {trip} {reply}',
    "family_cancelled": "Yo anile randevou w la {when}. {help}",
    "volunteer_claimed": "Mèsi! Men plas ou: {role}, {place}, {when}.{meeting}{link}",
    "volunteer_evening_before": "Rapèl: {role}, {place}, {when}.{meeting}{link}",
    "volunteer_soon": "Talè: {role}, {place}, {when}.{meeting}{link}",
    "volunteer_rescheduled": "Nouvo lè: {role}, {place}, kounye a {when}.{meeting}{link}",
    "volunteer_cancelled": "Anile: {role}, {place}, {when}. Ou pa bezwen ale. Mèsi!",
    "volunteer_cancelled.no_place": "Anile: {role}, {when}. Ou pa bezwen ale. Mèsi!",
    "coordinator_detained": "Alèt: yo arete yon moun apre randevou li nan {place} {when}.{link}",
    "coordinator_unfilled_digest": "Jodi a: {count} plas volontè ki lib nan 72 èdtan k ap vini yo. {needs}{link}",
    "coordinator_unfilled_digest.checks": "Jodi a: {count} plas volontè ki lib nan 72 èdtan k ap vini yo, ak {checks} dat odyans pou verifye. {needs}{link}",
    "coordinator_unfilled_digest.checks_only": "Jodi a: {checks} dat odyans pou verifye ak tribinal la. {needs}{link}",
    "coordinator_unverified_hearing": "Verifye dat la: odyans nan {place} {when} poko verifye (liy 1-800 oswa pòtay EOIR).{link}",
    "volunteer_obligor_hearing": 'Kosyon: moun ou te siyen kosyon li a gen odyans nan {place} {when}. Tanpri ede l ale: si li rate odyans lan, kosyon an ap pèdi.',
    "coordinator_late_release": "Plas ki lib: {role}, {place}, {when}. Nou bezwen yon volontè.{link}",
    "reply_confirmed": "Mèsi paske w konfime randevou w la {when}.",
    "reply_confirmed.no_appointment": "Mèsi, nou resevwa repons ou.",
    "reply_ride": "Nou resevwa demann woulib ou pou {when}. N ap voye mesaj ba ou lè yon volontè ka mennen w.",
    "reply_ride.no_appointment": "Nou resevwa demann woulib ou. N ap voye mesaj ba ou lè yon volontè ka mennen w.",
    "reply_help": "{org}: pou jwenn èd, rele {phone}. {stop}",
    "reply_help.no_phone": "{org}: pou jwenn èd, reponn mesaj sa a epi n ap reponn ou. {stop}",
    "stop_confirmation": "{org}: nou p ap voye mesaj ba ou ankò. Pou resevwa yo ankò, reponn START.",
    "start_confirmation": "{org}: n ap voye mesaj ba ou ankò. {stop}",
    "volunteer_urgent_ask": (
        "Plas ijan: {role}, {place}, {when}. Reponn WI {code} si w ka pran l, NON {code} si w pa ka."
    ),
    "reply_urgent_covered": "Mèsi! {role}, {when}: gen yon moun ki deja pran plas sa a.",
    "reply_urgent_declined": "Dakò, nou p ap mande w ankò pou {role}, {when}. Mèsi!",
    "reply_urgent_not_possible": (
        "Mèsi! Nou pa t ka ba ou {role}, {when}: li tonbe menm lè ak yon lòt plas ou, "
        "oswa li mande yon bagay ki pa nan pwofil ou."
    ),
    "coordinator_ride_request": "Demann woulib: yon fanmi bezwen woulib pou randevou li nan {place} {when}.{link}",
    "coordinator_urgent_unfilled": "Toujou lib menm apre nou voye mesaj bay volontè yo: {role}, {place}, {when}.{link}",
    "coordinator_family_stopped": (
        "Alèt: yon fanmi ki gen randevou nan {place} {when} pa vle resevwa mesaj ni rapèl ankò. "
        "Rele fanmi an.{link}"
    ),
    "staff_reply": "{message}",
    "volunteer_approved": (
        "Byenvini! Enskripsyon ou apwouve: kounye a ou ka wè plas ki lib yo epi pran sa k bon pou ou. "
        "Mèsi paske w vin jwenn nou!{link}"
    ),
    "phone_code": (
        "Kòd pou konfime nimewo sa a: {code}. Li bon pou {minutes} minit. "
        "Si se pa ou ki mande l, pa okipe mesaj sa a."
    ),
    "password_code": (
        "Kòd pou chwazi yon nouvo modpas: {code}. Li bon pou {minutes} minit. Pa bay pèsonn li. "
        "Si se pa ou ki mande l, pa okipe mesaj sa a: modpas ou pa chanje."
    ),
    # Lèt sipò (services/casework/letters.py): pa gen non fanmi an.
    "volunteer_letter_reminder": (
        "Rapèl: lèt sipò nou te mande w la dwe rive nan {days} jou. Mèsi paske w ap ekri l! "
        "Ou gen kesyon? Reponn mesaj sa a."
    ),
    "volunteer_letter_reminder.tomorrow": (
        "Rapèl: lèt sipò nou te mande w la dwe rive demen. Mèsi paske w ap ekri l! "
        "Ou gen kesyon? Reponn mesaj sa a."
    ),
    "volunteer_letter_reminder.today": (
        "Rapèl: lèt sipò nou te mande w la dwe rive jodi a. Mèsi paske w ap ekri l! "
        "Ou gen kesyon? Reponn mesaj sa a."
    ),
    # The count comes last, as in en.py ("lèt yo" after "1 moun" read as several letters).
    "coordinator_letter_contacts": (
        "Lèt sipò: dat limit la se nan {days} jou. Moun nan kominote a ki poko voye lèt pa yo: {count}. "
        "Tanpri, al pale ak yo pou raple yo.{link}"
    ),
    "coordinator_letter_contacts.tomorrow": (
        "Lèt sipò: dat limit la se demen. Moun nan kominote a ki poko voye lèt pa yo: {count}. "
        "Tanpri, al pale ak yo pou raple yo.{link}"
    ),
    "coordinator_letter_contacts.today": (
        "Lèt sipò: dat limit la se jodi a. Moun nan kominote a ki poko voye lèt pa yo: {count}. "
        "Tanpri, al pale ak yo pou raple yo.{link}"
    ),
    # Detention response (issue 15): to coordinators and volunteers only, never to a family.
    # "yo rapòte yon arestasyon": "yo di yo arete yon moun" could read "they say they (themselves)
    # arrested someone". "pran ka a an chaj": "pran l" left unclear what to take on.
    "detention_alert": "IJAN: yo rapòte yon arestasyon nan {place}. Reponn OK {code} pou w pran ka a an chaj.{link}",
    "detention_alert.no_place": "IJAN: yo rapòte yon arestasyon. Reponn OK {code} pou w pran ka a an chaj.{link}",
    "detention_escalated": "IJAN, poko gen repons: yo rapòte yon arestasyon nan {place}. Reponn OK {code} pou w pran ka a an chaj.{link}",
    "detention_escalated.no_place": "IJAN, poko gen repons: yo rapòte yon arestasyon. Reponn OK {code} pou w pran ka a an chaj.{link}",
    "detention_alert_all": "IJAN, pèsonn ki de gad pa reponn: yo rapòte yon arestasyon nan {place}. Reponn OK {code} pou w pran ka a an chaj.{link}",
    "detention_alert_all.no_place": "IJAN, pèsonn ki de gad pa reponn: yo rapòte yon arestasyon. Reponn OK {code} pou w pran ka a an chaj.{link}",
    # Spoken (see en.py).
    "detention_voice_call": (
        "Sa se yon apèl ijan ki soti nan Accompany. Yo rapòte yon arestasyon. Louvri Accompany epi pran "
        "ka {code} la an chaj, oswa reponn mesaj la ak OK epi kòd ka a. M ap repete: ka {code}."
    ),
    "detention_voice_call.no_place": (
        "Sa se yon apèl ijan ki soti nan Accompany. Yo rapòte yon arestasyon. Louvri Accompany epi pran "
        "ka {code} la an chaj, oswa reponn mesaj la ak OK epi kòd ka a. M ap repete: ka {code}."
    ),
    "reply_detention_ack": "Mèsi: ka {code} la se pou ou kounye a. Nou sispann voye alèt yo.{link}",
    "reply_detention_ack.already": "{volunteer} te deja pran ka {code} la an chaj.{link}",
    "reply_detention_reported": "Nou resevwa rapò w la: n ap avèti kowòdonatè yo kounye a (ka {code}). Mèsi.{link}",
    # casework (issue 14): to a need's owner, and the digest when only needs are due
    "coordinator_unfilled_digest.needs_only": 'Jodi a: {needs}{link}',
    "coordinator_task_done": 'Travay fini: yon volontè fin fè yon travay epi li kite yon ti rapò.{link}',
    "coordinator_task_given_back": 'Travay remèt an reta: yon volontè lage yon travay ki gen dat limit li toupre oswa ki deja pase. Fò n jwenn yon lòt moun.{link}',
}
