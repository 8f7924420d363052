"""French texts (vous). Written to stay in GSM-7 where the right word allows it: é, è, à and ù
are in it; ç, ê, ô, â, î and û are not and would halve the room."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_date, format_time

LOCALE = "fr_FR"
STOP_WORD = "STOP"  # the word French carriers use

# What people text us, by meaning (see en.py and accompany/services/messaging/keywords.py).
KEYWORDS = {
    # STOP: the word French texts tell people to send (it is English too).
    "stop": ["STOP", "ARRÊTER", "ARRÊT", "ARRÊTEZ", "STOP SMS", "ANNULER", "DÉSABONNER", "DÉSABONNEMENT", "DÉSINSCRIRE",
             "DÉSINSCRIPTION"],
    "start": ["START", "COMMENCER", "REPRENDRE", "DÉMARRER"],  # START: what our confirmation says
    "help": ["AIDE"],
    "yes": ["OUI", "CONFIRME", "JE CONFIRME"],
    "no": ["NON", "NON MERCI"],
    "ride": ["TRANSPORT", "BESOIN DE TRANSPORT", "BESOIN D'UN TRANSPORT", "J'AI BESOIN D'UN TRANSPORT",
             "COVOITURAGE"],
    # DÉTENU, DÉTENUE: a detention reported by a volunteer with a shift today. Not ARRÊTÉ: alone it
    # can mean "stopped" (our texts), and ARRÊTER is a STOP word. From anyone else it opens nothing.
    "detained": ["DÉTENU", "DÉTENUE"],
}
# Acknowledgements: a yes that confirms a family's appointment, but takes a volunteer's urgent shift
# only with its code (keywords.py says why). Each is checked for a second meaning that would misfire:
# - D'ACCORD: "OK, agreed"; its other sense ("in agreement with") needs more words. "D'accord ?"
#   is a question and goes to a person.
ACKNOWLEDGEMENTS = ["OK", "D'ACCORD", "OUI MERCI", "OUI, MERCI BEAUCOUP"]
THANKS = ["MERCI", "MERCI BEAUCOUP", "MERCI BIEN"]  # see en.py
STOP_PHRASES = ["ARRÊTEZ DE", "ARRÊTER LES MESSAGES", "ARRÊTER LES SMS", "NE PLUS RECEVOIR", "NE M'ENVOYEZ PLUS",
                "NE M'ÉCRIVEZ PLUS", "PLUS DE MESSAGES", "PLUS DE SMS", "MAUVAIS NUMÉRO", "DÉSINSCRIVEZ",
                "DÉSABONNEZ", "LAISSEZ-MOI TRANQUILLE"]


def clock(local: datetime) -> str:
    """12h45, 9h"""
    return format_time(local, "H'h'mm" if local.minute else "H'h'", locale=LOCALE)


def arrival(local: datetime) -> str:
    return f"à {clock(local)}"


def when(local: datetime, days_until: int, *, weekday: bool = True) -> str:
    """'le mercredi 30 septembre à 12h45', 'demain, mercredi 30 septembre, à 12h45', "aujourd'hui à 12h45"."""
    at = f"à {clock(local)}"
    if days_until == 0:
        return f"aujourd'hui {at}"
    day = format_date(local, "EEEE d MMMM" if weekday else "d MMMM", locale=LOCALE)
    if days_until == 1:
        return f"demain, {day}, {at}"
    return f"le {day} {at}"


ROLES = {
    "ride_there": "Trajet aller",
    "ride_home": "Trajet retour",
    "companion": "Accompagnement",
    "interpreter": "Interprète",
    "bond_help": "Aide pour la caution",
    "visit": "Visite",
}

# What to bring (BringItem), as the reminder lists it.
BRING = {
    "photo_id": "une pièce d'identité",
    "papers": 'vos papiers',
    "notice": 'la lettre de convocation',
}

WORDS = {
    "intro": "{org} : ",
    "stop": "Répondez STOP pour vous désinscrire.",
    "where_place": " à {place}",
    "where_video": " par vidéo",
    "trip": 'Arrivez {arrive}.',
    "trip_video": "Connectez-vous {arrive}.",
    "reply": "Répondez 1 pour confirmer, 2 s'il vous faut un transport.",
    "reply_video": "Répondez 1 pour confirmer.",
    "risk": 'Une absence peut nuire à votre dossier.',
    "escort_ride_there": 'passera vous prendre {when} pour vous conduire à votre rendez-vous',
    "escort_ride_home": 'vous ramènera chez vous après votre rendez-vous {when}',
    "escort": 'vous accompagnera à votre rendez-vous {when}',
    "help": "Des questions ? Appelez le {phone}.",
    "help_reply": "Des questions ? Répondez à ce message.",
    "meeting": ' Lieu de rendez-vous : {meeting}.',
    "plan": "Organisez-vous dès aujourd'hui.",
    "bring": 'Apportez {items}.',
    "and": 'et',
    "risk_hearing": 'En votre absence, le juge peut ordonner votre expulsion.',
    "link": " {link}",
    # the daily digest's count of families' needs due this week or overdue (casework)
    "needs_one": "1 besoin d'une famille arrive à échéance cette semaine ou est en retard.",
    "needs_many": '{count} besoins de familles arrivent à échéance cette semaine ou sont en retard.',
}

TEXTS = {
    "family_reminder": 'Rappel : votre rendez-vous{where} est {when}. {trip} {bring} {plan} {reply} {risk}',
    "family_reminder_7d": 'Rappel : votre rendez-vous{where} est {when}. {trip} {bring} {plan} {reply} {risk}',
    "family_reminder_3d": 'Rappel : votre rendez-vous{where} est {when}. {trip} {bring} {plan} {reply} {risk}',
    "family_reminder_1d": 'Rappel : votre rendez-vous{where} est {when}. {trip} {bring} {plan} {reply} {risk}',
    "family_volunteer_confirmed": 'Bonne nouvelle : {volunteer}, de notre équipe, {escort}.',
    "family_rescheduled": "Changement : votre rendez-vous{where} est maintenant {when}. {trip} {reply}",
    "family_cancelled": "Votre rendez-vous prévu {when} est annulé. {help}",
    "volunteer_claimed": "Merci ! Votre créneau : {role}, {place}, {when}.{meeting}{link}",
    "volunteer_evening_before": "Rappel : {role}, {place}, {when}.{meeting}{link}",
    "volunteer_soon": "Début imminent : {role}, {place}, {when}.{meeting}{link}",
    "volunteer_rescheduled": "Nouvel horaire : {role}, {place}, désormais {when}.{meeting}{link}",
    "volunteer_cancelled": "Annulé : {role}, {place}, {when}. Inutile de vous déplacer. Merci !",
    "volunteer_cancelled.no_place": "Annulé : {role}, {when}. Inutile de vous déplacer. Merci !",
    "coordinator_detained": "Alerte : on signale l'arrestation d'une personne après son rendez-vous à {place} {when}.{link}",
    # The counts follow a colon, as in en.py: "1 créneaux" read wrong.
    "coordinator_unfilled_digest": "Créneaux de bénévoles à pourvoir : {count} dans les 72 heures. {needs}{link}",
    "coordinator_unfilled_digest.checks": "Créneaux de bénévoles à pourvoir : {count} dans les 72 heures. Dates d'audience : {checks} à vérifier. {needs}{link}",
    "coordinator_unfilled_digest.checks_only": "Dates d'audience : {checks} à vérifier auprès du tribunal. {needs}{link}",
    "coordinator_unverified_hearing": "Date à vérifier : l'audience à {place} {when} n'a pas encore été vérifiée (ligne 1-800 ou portail EOIR).{link}",
    "volunteer_obligor_hearing": "Caution : la personne dont vous avez signé la caution a une audience à {place} {when}. Aidez-la à y aller : en cas d'absence, la caution est perdue.",
    "coordinator_late_release": "Créneau à pourvoir : {role}, {place}, {when}.{link}",
    "reply_confirmed": "Merci d'avoir confirmé votre rendez-vous {when}.",
    "reply_confirmed.no_appointment": "Merci pour votre réponse.",
    "reply_ride": (
        "Nous avons noté votre demande de transport pour {when}. "
        "Nous vous écrirons dès qu'un bénévole pourra vous conduire."
    ),
    "reply_ride.no_appointment": (
        "Nous avons noté votre demande de transport. Nous vous écrirons dès qu'un bénévole pourra vous conduire."
    ),
    "reply_help": "{org} : pour de l'aide, appelez le {phone}. {stop}",
    "reply_help.no_phone": "{org} : pour de l'aide, répondez à ce message et nous vous répondrons. {stop}",
    "stop_confirmation": "{org} : vous ne recevrez plus nos SMS. Pour les recevoir à nouveau, répondez START.",
    "start_confirmation": "{org} : vous recevrez à nouveau nos SMS. {stop}",
    "volunteer_urgent_ask": (
        "Créneau urgent : {role}, {place}, {when}. Répondez OUI {code} pour le prendre, "
        "NON {code} pour le laisser."
    ),
    "reply_urgent_covered": "Merci ! {role}, {when} : ce créneau est déjà pris.",
    "reply_urgent_declined": "D'accord, nous ne vous proposerons plus {role}, {when}. Merci !",
    "reply_urgent_not_possible": (
        "Merci ! Nous n'avons pas pu vous attribuer {role}, {when} : cela chevauche un autre de vos "
        "créneaux ou demande quelque chose que votre profil n'indique pas."
    ),
    "coordinator_ride_request": (
        "Transport demandé : une famille a besoin d'un chauffeur pour son rendez-vous à {place} {when}.{link}"
    ),
    "coordinator_urgent_unfilled": "Toujours à pourvoir malgré les SMS aux bénévoles : {role}, {place}, {when}.{link}",
    "coordinator_family_stopped": (
        "Alerte : une famille qui a rendez-vous à {place} {when} ne veut plus de SMS, plus aucun rappel ne "
        "lui parviendra. Appelez-la.{link}"
    ),
    "staff_reply": "{message}",
    "volunteer_approved": (
        "Bienvenue ! Votre inscription est acceptée : vous pouvez maintenant voir les créneaux ouverts "
        "et prendre ceux qui vous conviennent. Merci de nous rejoindre !{link}"
    ),
    "phone_code": (
        "Votre code pour confirmer ce numéro : {code}. Il est valable {minutes} minutes. "
        "Si vous ne l'avez pas demandé, ignorez ce message."
    ),
    "password_code": (
        "Votre code pour choisir un nouveau mot de passe : {code}. Il est valable {minutes} minutes. "
        "Ne le donnez à personne. Si vous ne l'avez pas demandé, ignorez ce message : votre mot de passe "
        "ne change pas."
    ),
    # Lettres de soutien (services/casework/letters.py) : aucun nom de famille. "Merci de prendre le
    # temps de l'écrire" : "Merci de l'écrire" reads as a curt "please write it".
    "volunteer_letter_reminder": (
        "Rappel : la lettre de soutien que nous vous avons demandée est attendue dans {days} jours. "
        "Merci de prendre le temps de l'écrire ! Des questions ? Répondez à ce message."
    ),
    "volunteer_letter_reminder.tomorrow": (
        "Rappel : la lettre de soutien que nous vous avons demandée est attendue demain. "
        "Merci de prendre le temps de l'écrire ! Des questions ? Répondez à ce message."
    ),
    "volunteer_letter_reminder.today": (
        "Rappel : la lettre de soutien que nous vous avons demandée est attendue aujourd'hui. "
        "Merci de prendre le temps de l'écrire ! Des questions ? Répondez à ce message."
    ),
    # "le leur rappeler": rappeler needs its object. The contacts' count comes last, as in en.py.
    "coordinator_letter_contacts": (
        "Lettres de soutien à remettre dans {days} jours. Contacts de la communauté qui n'ont pas encore "
        "envoyé la leur : {count}. Merci de le leur rappeler en personne.{link}"
    ),
    "coordinator_letter_contacts.tomorrow": (
        "Lettres de soutien à remettre demain. Contacts de la communauté qui n'ont pas encore "
        "envoyé la leur : {count}. Merci de le leur rappeler en personne.{link}"
    ),
    "coordinator_letter_contacts.today": (
        "Lettres de soutien à remettre aujourd'hui. Contacts de la communauté qui n'ont pas encore "
        "envoyé la leur : {count}. Merci de le leur rappeler en personne.{link}"
    ),
    # Detention response (issue 15): to coordinators and volunteers only, never to a family.
    "detention_alert": "URGENT : une arrestation est signalée à {place}. Répondez OK {code} pour vous en charger.{link}",
    "detention_alert.no_place": "URGENT : une arrestation est signalée. Répondez OK {code} pour vous en charger.{link}",
    "detention_escalated": "URGENT, toujours sans réponse : une arrestation est signalée à {place}. Répondez OK {code} pour vous en charger.{link}",
    "detention_escalated.no_place": "URGENT, toujours sans réponse : une arrestation est signalée. Répondez OK {code} pour vous en charger.{link}",
    "detention_alert_all": "URGENT, personne de garde n'a répondu : une arrestation est signalée à {place}. Répondez OK {code} pour vous en charger.{link}",
    "detention_alert_all.no_place": "URGENT, personne de garde n'a répondu : une arrestation est signalée. Répondez OK {code} pour vous en charger.{link}",
    # Spoken (see en.py).
    "detention_voice_call": (
        "Ceci est un appel urgent d'Accompany. Une arrestation a été signalée. Ouvrez Accompany et prenez en "
        "charge le dossier {code}, ou répondez au SMS par OK suivi du dossier. Je répète : dossier {code}."
    ),
    "detention_voice_call.no_place": (
        "Ceci est un appel urgent d'Accompany. Une arrestation a été signalée. Ouvrez Accompany et prenez en "
        "charge le dossier {code}, ou répondez au SMS par OK suivi du dossier. Je répète : dossier {code}."
    ),
    "reply_detention_ack": "Merci : vous prenez en charge le dossier {code}. Il n'y aura plus d'alertes.{link}",
    "reply_detention_ack.already": "{volunteer} a déjà pris en charge le dossier {code}.{link}",
    "reply_detention_reported": "Merci pour votre signalement : nous prévenons les coordinateurs dès maintenant (dossier {code}).{link}",
    # casework (issue 14): to a need's owner, and the digest when only needs are due
    "coordinator_unfilled_digest.needs_only": "Aujourd'hui : {needs}{link}",
    "coordinator_task_done": 'Mission terminée : un bénévole a terminé une mission et a laissé un court compte rendu.{link}',
    "coordinator_task_given_back": "Désistement tardif : un bénévole a renoncé à une mission dont l'échéance est proche ou passée. Il faut quelqu'un d'autre.{link}",
}
