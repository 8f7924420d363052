"""What our texts say, one catalog module per language; `accompany.services.messaging.rendering` renders them.

Each catalog is plain data plus a few small functions:

- `TEXTS`: one `str.format` template per message kind. A key `kind.variant` is the form a kind
  takes when there is less to say (`reply_confirmed.no_appointment`); `family_reminder` words a
  reminder at a number of days the catalog has no entry of its own for (the days are configurable).
- `WORDS`: the phrases templates are assembled from (where, trip, reply, risk, the STOP line...).
- `ROLES`: the volunteer roles, by `ShiftRole` value.
- `when(local, days_until, weekday=)`, `clock(local)`, `arrival(local)`: the day and time in that
  language's own way, always in words (never "3/10", which reads as 10 March next to US court
  notices), and "tomorrow" in that language the day before; `weekday=False` leaves the day's name
  out when the text would not fit otherwise. Letters GSM-7 lacks ("sábado", "août") lose their
  accents where the text is put together (`rendering.compose`).
- `STOP_WORD`: the local word for STOP that the texts tell people to send (STOP itself always works).
- What people text back (read by accompany/services/messaging/keywords.py): `KEYWORDS` by meaning,
  `ACKNOWLEDGEMENTS` ("OK": a yes that is not enough to take an urgent shift), `THANKS` (thanks
  alone: for a person, but it tells the language to answer in) and `STOP_PHRASES`. A word may be
  in several catalogs (PARAR, START); it then tells no language, and the answer is in the sender's.

The rules every template keeps (DESIGN §4, checked by tests/test_texts.py): no family names
anywhere; family texts never name the court, ICE, immigration, detention or the like unless the
family is set to plain wording (then only `{where}` names the place); every text fits in two SMS
segments with the longest realistic values.
"""

from __future__ import annotations

from types import ModuleType

from accompany.services.messaging.wording import en, es, fr, ht, pt

CATALOGS: dict[str, ModuleType] = {"en": en, "es": es, "pt": pt, "ht": ht, "fr": fr}
FALLBACK = "en"

__all__ = ["CATALOGS", "FALLBACK"]
