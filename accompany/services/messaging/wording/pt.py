"""Brazilian Portuguese texts. Written to stay in GSM-7 where the right word allows it (é and à
are in it; ã, ç, ê, á, ó, í, ú are not and would halve the room), so "te" rather than "você".
Babel's day and month names ("terça-feira", "março") and "amanhã" lose those accents where the
text is put together (rendering.compose)."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_date, format_time

LOCALE = "pt_BR"
STOP_WORD = "SAIR"  # what Brazilian senders use; PARAR is Spanish too

# What people text us, by meaning (see en.py and accompany/services/messaging/keywords.py).
KEYWORDS = {
    "stop": ["PARE", "PARAR", "SAIR", "CANCELAR", "CHEGA", "DESCADASTRAR"],
    "start": ["START", "INICIAR", "COMEÇAR", "RECOMEÇAR", "RETOMAR"],  # START: what our confirmation says
    "help": ["AJUDA"],
    "yes": ["SIM", "CONFIRMO", "CONFIRMADO"],
    "no": ["NÃO", "NAO"],
    # PRECISO CARONA: "preciso de carona" as typed in a hurry; "carona" means only a ride.
    "ride": ["CARONA", "TRANSPORTE", "PRECISO DE CARONA", "PRECISO DE UMA CARONA", "PRECISO DE TRANSPORTE",
             "PRECISO CARONA", "PRECISO UMA CARONA"],
    # DETIDO, DETIDA: a detention reported by a volunteer with a shift today; alone, the word
    # means only that. From anyone else it opens nothing.
    "detained": ["DETIDO", "DETIDA"],
}
# Acknowledgements: a yes that confirms a family's appointment, but takes a volunteer's urgent shift
# only with its code (keywords.py says why). Each is checked for a second meaning that would misfire:
# - CERTO: "right, sure"; it is also "correct?" as a question, which the question mark sends to a
#   person. Not a yes for a volunteer without the code.
ACKNOWLEDGEMENTS = ["OK", "TÁ OK", "CERTO", "TÁ CERTO", "SIM OBRIGADO", "SIM OBRIGADA"]
THANKS = ["OBRIGADO", "OBRIGADA", "MUITO OBRIGADO", "MUITO OBRIGADA"]  # see en.py
STOP_PHRASES = ["PARE", "PARAR", "PAREM DE", "PARA DE ME", "NÃO MANDE", "NÃO MANDEM", "NÃO ENVIE", "NÃO ENVIEM",
                "NÃO QUERO MAIS", "NÃO QUERO RECEBER", "NÚMERO ERRADO", "ME TIRE DA", "ME TIREM DA",
                "ME TIRA DA", "DESCADASTRAR", "DESCADASTRE"]


def clock(local: datetime) -> str:
    """12h45, 9h"""
    return format_time(local, "H'h'mm" if local.minute else "H'h'", locale=LOCALE)


def _at(local: datetime) -> str:
    """'às 12h45', but 'à 1h30'."""
    return f"{'à' if local.hour == 1 else 'às'} {clock(local)}"


def arrival(local: datetime) -> str:
    return _at(local)


def when(local: datetime, days_until: int, *, weekday: bool = True) -> str:
    """'quarta-feira, 30 de setembro, às 12h45', 'amanhã, quarta-feira, 30 ...', 'hoje, às 12h45'."""
    if days_until == 0:
        return f"hoje, {_at(local)}"
    day = format_date(local, "EEEE, d 'de' MMMM" if weekday else "d 'de' MMMM", locale=LOCALE)
    if days_until == 1:
        return f"amanhã, {day}, {_at(local)}"
    return f"{day}, {_at(local)}"


ROLES = {
    "ride_there": "Carona de ida",
    "ride_home": "Carona de volta",
    "companion": "Acompanhante",
    "interpreter": "Intérprete",
    "bond_help": "Apoio como fiador",  # "fiança" has a ç: it would make every such text UCS-2
    "visit": "Visita",
}

# What to bring (BringItem), as the reminder lists it.
BRING = {
    "photo_id": 'um documento com foto',
    "papers": 'seus papéis',
    "notice": 'a carta do compromisso',
}

WORDS = {
    "intro": "{org}: ",
    "stop": "Para parar de receber, responda SAIR.",
    "where_place": " em {place}",
    "where_video": " online",
    "trip": 'Chegue {arrive}.',
    "trip_video": "Entre na chamada {arrive}.",
    "reply": "Responda 1 para confirmar ou 2 se precisar de carona.",
    "reply_video": "Responda 1 para confirmar.",
    "risk": "Faltar pode prejudicar seu caso.",
    "escort_ride_there": 'vai te buscar {when} para te levar ao compromisso',
    "escort_ride_home": 'vai te levar para casa depois do compromisso marcado para {when}',
    "escort": 'vai te acompanhar no compromisso marcado para {when}',
    "help": "Perguntas? Ligue para {phone}.",
    "help_reply": "Perguntas? Responda esta mensagem.",
    "meeting": " Ponto de encontro: {meeting}.",
    "plan": 'Planeje hoje o trajeto.',
    "bring": 'Leve {items}.',
    "and": 'e',
    "risk_hearing": 'Se faltar, o juiz pode ordenar que te deportem.',
    "link": " {link}",
    # the daily digest's count of families' needs due this week or overdue (casework)
    "needs_one": '1 necessidade com prazo nesta semana ou atrasada.',
    "needs_many": '{count} necessidades com prazo nesta semana ou atrasadas.',
}

TEXTS = {
    "family_reminder": 'Lembrete: seu compromisso{where} é {when}. {trip} {bring} {plan} {reply} {risk}',
    "family_reminder_7d": 'Lembrete: seu compromisso{where} é {when}. {trip} {bring} {plan} {reply} {risk}',
    "family_reminder_3d": 'Lembrete: seu compromisso{where} é {when}. {trip} {bring} {plan} {reply} {risk}',
    "family_reminder_1d": 'Lembrete: seu compromisso{where} é {when}. {trip} {bring} {plan} {reply} {risk}',
    "family_volunteer_confirmed": 'Tudo certo: {volunteer}, da nossa equipe, {escort}.',
    "family_rescheduled": "Aviso: seu compromisso{where} mudou para {when}. {trip} {reply}",
    "family_cancelled": "Aviso: seu compromisso marcado para {when} foi cancelado. {help}",
    "volunteer_claimed": "Obrigado! Seu turno: {role}, {place}, {when}.{meeting}{link}",
    "volunteer_evening_before": "Lembrete: {role}, {place}, {when}.{meeting}{link}",
    "volunteer_soon": "Em breve: {role}, {place}, {when}.{meeting}{link}",
    "volunteer_rescheduled": "Turno remarcado: {role}, {place}, para {when}.{meeting}{link}",
    "volunteer_cancelled": "Turno cancelado: {role}, {place}, {when}. Obrigado mesmo assim!",
    "volunteer_cancelled.no_place": "Turno cancelado: {role}, {when}. Obrigado mesmo assim!",
    "coordinator_detained": "Alerta: uma pessoa foi detida depois do compromisso em {place}, {when}.{link}",
    # The counts follow a colon, as in en.py: "1 turnos" read wrong.
    "coordinator_unfilled_digest": "Turnos ainda abertos: {count} nas 72 horas seguintes. {needs}{link}",
    "coordinator_unfilled_digest.checks": "Turnos ainda abertos: {count} nas 72 horas seguintes. Datas no tribunal: {checks} para conferir. {needs}{link}",
    "coordinator_unfilled_digest.checks_only": "Datas no tribunal: {checks} para conferir. {needs}{link}",
    "coordinator_unverified_hearing": "Conferir a data: falta conferir com o tribunal a data em {place}, {when} (linha 1-800 ou portal da EOIR).{link}",
    "volunteer_obligor_hearing": 'Lembrete de fiador: a pessoa que tem sua assinatura na garantia tem data no tribunal em {place}, {when}. Ajude essa pessoa a ir: se ela faltar, a garantia se perde.',
    "coordinator_late_release": "Turno aberto de novo: {role}, {place}, {when}. Precisamos de alguém.{link}",
    "reply_confirmed": "Obrigado por confirmar seu compromisso marcado para {when}.",
    "reply_confirmed.no_appointment": "Obrigado, recebemos sua resposta.",
    "reply_ride": "Recebemos seu pedido de carona para {when}. Vamos te avisar quando alguém puder te levar.",
    "reply_ride.no_appointment": "Recebemos seu pedido de carona. Vamos te avisar quando alguém puder te levar.",
    "reply_help": "{org}: para ajuda, ligue para {phone}. {stop}",
    "reply_help.no_phone": "{org}: para ajuda, responda esta mensagem e vamos te atender. {stop}",
    "stop_confirmation": "{org}: pronto, paramos de enviar mensagens. Para voltar a receber, responda START.",
    "start_confirmation": "{org}: pronto, voltamos a enviar mensagens. {stop}",
    "volunteer_urgent_ask": (
        "Turno urgente: {role}, {place}, {when}. Responda SIM {code} para aceitar ou NAO {code} para recusar."
    ),
    "reply_urgent_covered": "Obrigado! {role}, {when}: esse turno foi preenchido por outra pessoa.",
    "reply_urgent_declined": "Tudo bem, paramos de te perguntar sobre {role}, {when}. Obrigado!",
    "reply_urgent_not_possible": (
        "Obrigado! Infelizmente {role}, {when} bate com outro turno seu ou pede algo que falta no seu perfil."
    ),
    "coordinator_ride_request": "Pedido de carona: uma pessoa precisa ir ao compromisso em {place}, {when}.{link}",
    "coordinator_urgent_unfilled": "Turno ainda aberto mesmo depois do aviso por SMS: {role}, {place}, {when}.{link}",
    "coordinator_family_stopped": (
        "Alerta: a pessoa com compromisso em {place}, {when} pediu para parar as mensagens e os lembretes "
        "deixam de chegar. Liguem para ela.{link}"
    ),
    "staff_reply": "{message}",
    "volunteer_approved": (
        "Boas-vindas! Seu cadastro foi aprovado: agora pode ver os turnos abertos e pegar os que quiser. "
        "Obrigado por fazer parte da equipe!{link}"
    ),
    "phone_code": (
        "Para confirmar este celular, digite {code} no site. Vale por {minutes} minutos. "
        "Ignore esta mensagem se o pedido for de outra pessoa."
    ),
    "password_code": (
        "Para criar uma senha nova, digite {code} no site. Vale por {minutes} minutos. Nunca compartilhe. "
        "Ignore esta mensagem se o pedido for de outra pessoa: sua senha continua a mesma."
    ),
    # Cartas de apoio (services/casework/letters.py): sem o nome da familia.
    # "amanha" without its tilde, as the dates write it (ã is outside GSM-7). The contacts' count
    # comes last, as in en.py; "cada um" fits one contact or several.
    "volunteer_letter_reminder": (
        "Lembrete: o prazo da carta de apoio que te pedimos termina em {days} dias. Obrigado por escrever! "
        "Perguntas? Responda esta mensagem."
    ),
    "volunteer_letter_reminder.tomorrow": (
        "Lembrete: o prazo da carta de apoio que te pedimos termina amanha. Obrigado por escrever! "
        "Perguntas? Responda esta mensagem."
    ),
    "volunteer_letter_reminder.today": (
        "Lembrete: o prazo da carta de apoio que te pedimos termina hoje. Obrigado por escrever! "
        "Perguntas? Responda esta mensagem."
    ),
    "coordinator_letter_contacts": (
        "Cartas de apoio: o prazo termina em {days} dias. Contatos da comunidade que ainda devem a carta: "
        "{count}. Por favor, lembre cada um pessoalmente.{link}"
    ),
    "coordinator_letter_contacts.tomorrow": (
        "Cartas de apoio: o prazo termina amanha. Contatos da comunidade que ainda devem a carta: "
        "{count}. Por favor, lembre cada um pessoalmente.{link}"
    ),
    "coordinator_letter_contacts.today": (
        "Cartas de apoio: o prazo termina hoje. Contatos da comunidade que ainda devem a carta: "
        "{count}. Por favor, lembre cada um pessoalmente.{link}"
    ),
    # Detention response (issue 15): to coordinators and volunteers only, never to a family.
    "detention_alert": "URGENTE: avisaram que uma pessoa foi detida em {place}. Responda OK {code} para assumir o caso.{link}",
    "detention_alert.no_place": "URGENTE: avisaram que uma pessoa foi detida. Responda OK {code} para assumir o caso.{link}",
    "detention_escalated": "URGENTE, ainda sem resposta: avisaram que uma pessoa foi detida em {place}. Responda OK {code} para assumir o caso.{link}",
    "detention_escalated.no_place": "URGENTE, ainda sem resposta: avisaram que uma pessoa foi detida. Responda OK {code} para assumir o caso.{link}",
    "detention_alert_all": "URGENTE, ninguém da escala respondeu: avisaram que uma pessoa foi detida em {place}. Responda OK {code} para assumir o caso.{link}",
    "detention_alert_all.no_place": "URGENTE, ninguém da escala respondeu: avisaram que uma pessoa foi detida. Responda OK {code} para assumir o caso.{link}",
    # Spoken (see en.py): no word whose stress hangs on an accent GSM-7 lacks ("código").
    "detention_voice_call": (
        "Esta é uma chamada urgente do Accompany. Avisaram que uma pessoa foi detida. Abra o Accompany e "
        "assuma o caso {code}, ou responda a mensagem com OK e o caso. Repito: caso {code}."
    ),
    "detention_voice_call.no_place": (
        "Esta é uma chamada urgente do Accompany. Avisaram que uma pessoa foi detida. Abra o Accompany e "
        "assuma o caso {code}, ou responda a mensagem com OK e o caso. Repito: caso {code}."
    ),
    "reply_detention_ack": "Obrigado: o caso {code} agora é seu. Os alertas pararam.{link}",
    "reply_detention_ack.already": "{volunteer} assumiu o caso {code} primeiro.{link}",
    "reply_detention_reported": "Recebemos seu relato: estamos avisando os coordenadores agora (caso {code}). Obrigado.{link}",
    # casework (issue 14): to a need's owner, and the digest when only needs are due
    "coordinator_unfilled_digest.needs_only": 'Hoje: {needs}{link}',
    # "quem estava com ela": no "voluntario" missing its accent (á is outside GSM-7).
    "coordinator_task_done": 'Tarefa feita: quem estava com ela terminou e deixou um breve relato.{link}',
    "coordinator_task_given_back": 'Tarefa devolvida tarde: quem estava com ela desistiu perto do prazo ou depois dele. Precisamos de outra pessoa.{link}',
}
