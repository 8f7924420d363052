"""Spanish texts (usted). Written without á, í, ó, ú where the right word allows it: one of them
turns a text into UCS-2 and halves its room (é, ñ, ¿ and ¡ are in GSM-7)."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_date, format_time

LOCALE = "es_US"
STOP_WORD = "PARAR"

# What people text us, by meaning (see en.py and accompany/services/messaging/keywords.py).
KEYWORDS = {
    "stop": ["PARAR", "PARA", "ALTO", "BASTA", "DETENER", "CANCELAR", "BAJA", "DARME DE BAJA", "DESUSCRIBIR",
             "DESUSCRIBIRME"],
    "start": ["START", "COMENZAR", "INICIAR", "EMPEZAR", "REANUDAR"],  # START: what our confirmation says
    "help": ["AYUDA"],
    # SÍ CONFIRMO: "yes, I confirm", nothing else.
    "yes": ["SÍ", "SI", "CONFIRMO", "CONFIRMADO", "SÍ CONFIRMO"],
    "no": ["NO"],
    "ride": ["RAITE", "AVENTÓN", "TRANSPORTE", "NECESITO RAITE", "NECESITO UN RAITE", "OCUPO RAITE",
             "NECESITO TRANSPORTE", "NECESITO AVENTÓN", "NECESITO UN AVENTÓN",
             # JALÓN: a ride in Mexico and Central America ("¿me das un jalón?"); its other senses (a
             # tug, a puff, in Central America a sweetheart) make no sense as a whole reply to a
             # reminder, and French "jalon" (a milestone) neither.
             "JALÓN", "UN JALÓN", "NECESITO JALÓN", "NECESITO UN JALÓN",
             # RAIT, NECESITO RIDE: Spanglish as typed in the US; "rait" means nothing else in any
             # language we text in.
             "RAIT", "NECESITO RIDE", "NECESITO UN RIDE", "NECESITO RAIT"],
    # DETENIDO, DETENIDA: a detention reported by a volunteer with a shift today. "Detenido" can
    # also mean "stopped" (traffic), but nobody texts that one word alone to say so; from anyone
    # else it opens nothing. DETENER (a STOP word) stays a STOP word.
    "detained": ["DETENIDO", "DETENIDA"],
}
# Acknowledgements: a yes that confirms a family's appointment, but takes a volunteer's urgent shift
# only with its code (keywords.py says why). Each is checked for a second meaning that would misfire:
# - SÍ GRACIAS: "yes, thanks", the most usual answer to a reminder; a "thanks" for any other
#   text would take a shift, hence an acknowledgement.
ACKNOWLEDGEMENTS = ["OK", "OKAY", "SÍ GRACIAS", "SÍ, MUCHAS GRACIAS"]
THANKS = ["GRACIAS", "MUCHAS GRACIAS", "MIL GRACIAS"]  # see en.py
STOP_PHRASES = ["PARAR", "BASTA", "NO ME ESCRIBAN", "NO ME MANDEN", "NO ME ENVÍEN", "NO MÁS MENSAJES",
                "DEJEN DE ESCRIBIRME", "DEJEN DE MANDAR", "DEJEN DE MANDARME", "DEJEN DE ENVIAR",
                "DEJEN DE MOLESTAR", "YA NO QUIERO MENSAJES", "YA NO QUIERO RECIBIR", "NÚMERO EQUIVOCADO",
                "BÓRRENME", "SÁQUENME", "DÉJENME EN PAZ"]


def clock(local: datetime) -> str:
    """12:45 p.m."""
    return format_time(local, "h:mm a", locale=LOCALE)


def _at(local: datetime) -> str:
    """'a las 12:45 p.m.', but 'a la 1:30 p.m.'"""
    return f"{'a la' if local.hour % 12 == 1 else 'a las'} {clock(local)}"


def arrival(local: datetime) -> str:
    return _at(local)


def when(local: datetime, days_until: int, *, weekday: bool = True) -> str:
    """'el miércoles 30 de septiembre a las 12:45 p.m.', 'mañana, miércoles 30 ...', 'hoy a las ...'."""
    if days_until == 0:
        return f"hoy {_at(local)}"
    day = format_date(local, "EEEE d 'de' MMMM" if weekday else "d 'de' MMMM", locale=LOCALE)
    if days_until == 1:
        return f"mañana, {day}, {_at(local)}"
    return f"el {day} {_at(local)}"


ROLES = {
    "ride_there": "Transporte de ida",
    "ride_home": "Transporte de regreso",
    "companion": "Acompañante",
    "interpreter": "Intérprete",
    "bond_help": "Ayuda con la fianza",
    "visit": "Visita",
}

# What to bring (BringItem), as the reminder lists it.
BRING = {
    "photo_id": 'un documento con foto',
    "papers": 'sus papeles',
    "notice": 'la carta de la cita',
}

WORDS = {
    "intro": "{org}: ",
    "stop": "Responda PARAR para no recibir mensajes.",
    "where_place": " en {place}",
    "where_video": " por video",
    "trip": 'Llegue {arrive}.',
    "trip_video": "Conéctese {arrive}.",
    "reply": "Responda 1 para confirmar o 2 si necesita transporte.",
    "reply_video": "Responda 1 para confirmar.",
    "risk": "Faltar puede afectar su caso.",
    "escort_ride_there": 'va a recogerle {when} para llevarle a su cita',
    "escort_ride_home": 'va a llevarle a casa después de su cita, {when}',
    "escort": 'va a acompañarle a su cita, {when}',
    "help": "¿Preguntas? Llame al {phone}.",
    "help_reply": "¿Preguntas? Responda a este mensaje.",
    "meeting": " Punto de encuentro: {meeting}.",
    "plan": 'Planee hoy su viaje.',
    "bring": 'Lleve {items}.',
    "and": 'y',
    "risk_hearing": 'Si falta, el juez puede ordenar deportarle en su ausencia.',
    "link": " {link}",
    # the daily digest's count of families' needs due this week or overdue (casework)
    "needs_one": '1 necesidad de una familia vence esta semana o ya ha vencido.',
    "needs_many": '{count} necesidades de familias vencen esta semana o ya han vencido.',
}

TEXTS = {
    "family_reminder": 'Recordatorio: su cita{where} es {when}. {trip} {bring} {plan} {reply} {risk}',
    "family_reminder_7d": 'Recordatorio: su cita{where} es {when}. {trip} {bring} {plan} {reply} {risk}',
    "family_reminder_3d": 'Recordatorio: su cita{where} es {when}. {trip} {bring} {plan} {reply} {risk}',
    "family_reminder_1d": 'Recordatorio: su cita{where} es {when}. {trip} {bring} {plan} {reply} {risk}',
    "family_volunteer_confirmed": 'Buenas noticias: {volunteer}, de nuestro equipo, {escort}.',
    "family_rescheduled": "Cambio: su cita{where} ahora es {when}. {trip} {reply}",
    "family_cancelled": "Aviso: su cita para {when} fue cancelada. {help}",
    "volunteer_claimed": "¡Gracias! Su turno: {role}, {place}, {when}.{meeting}{link}",
    "volunteer_evening_before": "Recordatorio: {role}, {place}, {when}.{meeting}{link}",
    "volunteer_soon": "Empieza pronto: {role}, {place}, {when}.{meeting}{link}",
    "volunteer_rescheduled": "Cambio de horario: {role}, {place}, ahora {when}.{meeting}{link}",
    "volunteer_cancelled": "Cancelado: {role}, {place}, {when}. Ya no necesita ir. ¡Gracias!",
    "volunteer_cancelled.no_place": "Cancelado: {role}, {when}. Ya no necesita ir. ¡Gracias!",
    "coordinator_detained": "Alerta: reportan a una persona detenida tras su cita en {place} {when}.{link}",
    # The counts follow a colon, as in en.py: "hay 1 turnos" read wrong.
    "coordinator_unfilled_digest": "Turnos de voluntarios sin cubrir: {count} en las siguientes 72 horas. {needs}{link}",
    "coordinator_unfilled_digest.checks": "Turnos de voluntarios sin cubrir: {count} en las siguientes 72 horas. Fechas de audiencia: {checks} por verificar. {needs}{link}",
    "coordinator_unfilled_digest.checks_only": "Fechas de audiencia: {checks} por verificar con la corte. {needs}{link}",
    "coordinator_unverified_hearing": "Verificar fecha: la audiencia en {place} {when} sigue sin verificar con la corte (1-800 o portal de EOIR).{link}",
    "volunteer_obligor_hearing": 'Fianza: la persona de la que usted es garante tiene audiencia en {place} {when}. Por favor, ayude a que llegue: si falta, se pierde la fianza.',
    "coordinator_late_release": "Se necesita voluntario: {role}, {place}, {when}.{link}",
    "reply_confirmed": "Gracias por confirmar su cita para {when}.",
    "reply_confirmed.no_appointment": "Gracias, recibimos su respuesta.",
    "reply_ride": "Recibimos su pedido de transporte para {when}. Le escribiremos cuando un voluntario pueda llevarle.",
    "reply_ride.no_appointment": (
        "Recibimos su pedido de transporte. Le escribiremos cuando un voluntario pueda llevarle."
    ),
    "reply_help": "{org}: para ayuda, llame al {phone}. {stop}",
    "reply_help.no_phone": "{org}: para ayuda, responda a este mensaje y le contestaremos. {stop}",
    "stop_confirmation": "{org}: dejaremos de enviarle mensajes. Para recibirlos de nuevo, responda START.",
    "start_confirmation": "{org}: volveremos a enviarle mensajes. {stop}",
    "volunteer_urgent_ask": (
        "Turno urgente: {role}, {place}, {when}. Responda SI {code} para aceptarlo o NO {code} si no puede."
    ),
    "reply_urgent_covered": "¡Gracias! {role}, {when}: ese turno ya fue cubierto.",
    "reply_urgent_declined": "Entendido, no le volveremos a preguntar por {role}, {when}. ¡Gracias!",
    "reply_urgent_not_possible": (
        "¡Gracias! No pudimos asignarle {role}, {when}: coincide con otro turno suyo o requiere algo "
        "que no aparece en su perfil."
    ),
    "coordinator_ride_request": "Pedido de transporte: una familia necesita que la lleven a su cita en {place} {when}.{link}",
    "coordinator_urgent_unfilled": "Sigue sin cubrir tras escribir a los voluntarios: {role}, {place}, {when}.{link}",
    "coordinator_family_stopped": (
        "Alerta: una familia con cita en {place} {when} ya no quiere mensajes ni recordatorios. "
        "Llamen a la familia.{link}"
    ),
    "staff_reply": "{message}",
    "volunteer_approved": (
        "¡Le damos la bienvenida! Su registro fue aprobado: ya puede ver los turnos abiertos y tomar "
        "los que le convengan. ¡Gracias por sumarse!{link}"
    ),
    "phone_code": (
        "Su clave para confirmar este celular: {code}. Vale por {minutes} minutos. "
        "Si usted no hizo este pedido, ignore este mensaje."
    ),
    "password_code": (
        "Su clave para elegir una contraseña nueva: {code}. Vale por {minutes} minutos. No la comparta "
        "con nadie. Si usted no hizo este pedido, ignore este mensaje: su contraseña sigue igual."
    ),
    # Cartas de apoyo (services/casework/letters.py): sin nombre de la familia. "dias" lacks its
    # accent (í would make the text UCS-2) and reads unambiguously; "aún" (not "aun") is avoided.
    # The contacts' count comes last, as in en.py.
    "volunteer_letter_reminder": (
        "Recordatorio: necesitamos la carta de apoyo que le pedimos en {days} dias. ¡Gracias por escribirla! "
        "¿Preguntas? Responda a este mensaje."
    ),
    "volunteer_letter_reminder.tomorrow": (
        "Recordatorio: necesitamos para mañana la carta de apoyo que le pedimos. ¡Gracias por escribirla! "
        "¿Preguntas? Responda a este mensaje."
    ),
    "volunteer_letter_reminder.today": (
        "Recordatorio: necesitamos hoy la carta de apoyo que le pedimos. ¡Gracias por escribirla! "
        "¿Preguntas? Responda a este mensaje."
    ),
    "coordinator_letter_contacts": (
        "Cartas de apoyo: el plazo vence en {days} dias. Contactos de la comunidad que faltan por enviar "
        "su carta: {count}. Por favor, recuérdeselo en persona.{link}"
    ),
    "coordinator_letter_contacts.tomorrow": (
        "Cartas de apoyo: el plazo vence mañana. Contactos de la comunidad que faltan por enviar "
        "su carta: {count}. Por favor, recuérdeselo en persona.{link}"
    ),
    "coordinator_letter_contacts.today": (
        "Cartas de apoyo: el plazo vence hoy. Contactos de la comunidad que faltan por enviar "
        "su carta: {count}. Por favor, recuérdeselo en persona.{link}"
    ),
    # Detention response (issue 15): to coordinators and volunteers only, never to a family.
    "detention_alert": "URGENTE: reportan a una persona detenida en {place}. Responda OK {code} para encargarse del caso.{link}",
    "detention_alert.no_place": "URGENTE: reportan a una persona detenida. Responda OK {code} para encargarse del caso.{link}",
    "detention_escalated": "URGENTE, sigue sin respuesta: reportan a una persona detenida en {place}. Responda OK {code} para encargarse del caso.{link}",
    "detention_escalated.no_place": "URGENTE, sigue sin respuesta: reportan a una persona detenida. Responda OK {code} para encargarse del caso.{link}",
    "detention_alert_all": "URGENTE, nadie de guardia ha respondido: reportan a una persona detenida en {place}. Responda OK {code} para encargarse del caso.{link}",
    "detention_alert_all.no_place": "URGENTE, nadie de guardia ha respondido: reportan a una persona detenida. Responda OK {code} para encargarse del caso.{link}",
    # Spoken (see en.py). No word whose stress hangs on an accent GSM-7 lacks ("código", "envíe"):
    # a voice would stress it wrongly.
    "detention_voice_call": (
        "Esta es una llamada urgente de Accompany. Reportan a una persona detenida. Abra Accompany y tome "
        "el caso {code}, o responda al mensaje con OK y el caso. Repito: caso {code}."
    ),
    "detention_voice_call.no_place": (
        "Esta es una llamada urgente de Accompany. Reportan a una persona detenida. Abra Accompany y tome "
        "el caso {code}, o responda al mensaje con OK y el caso. Repito: caso {code}."
    ),
    "reply_detention_ack": "Gracias: el caso {code} queda a su cargo. Ya paramos las alertas.{link}",
    "reply_detention_ack.already": "{volunteer} ya se encarga del caso {code}.{link}",
    "reply_detention_reported": "Recibimos su reporte: estamos avisando a los coordinadores ahora (caso {code}). Gracias.{link}",
    # casework (issue 14): to a need's owner, and the digest when only needs are due
    "coordinator_unfilled_digest.needs_only": 'Hoy: {needs}{link}',
    # Perfect tense ("ha dejado"): the preterite "dejó" needs an ó outside GSM-7, and "dejo" reads "I leave".
    "coordinator_task_done": 'Tarea terminada: un voluntario la ha completado y ha dejado un informe breve.{link}',
    "coordinator_task_given_back": 'Tarea devuelta tarde: un voluntario ha dejado una tarea que vence pronto o ya ha vencido. Hace falta otra persona.{link}',
}
