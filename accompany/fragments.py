"""A list's cards rendered once per worker and reused: the board's forty cards are the same for
most volunteers who open it, and rendering them was most of the page's time.

`{{ fragments("volunteer/_shift_card.html", cards, token) }}` renders the small template once for
each card (as `item`), or gives back what it rendered before for an equal card in the same
language at the same script root. The key is every field of the card, so a card that changed (a
slot taken, a time moved) is a new key, never a stale page: nothing has to be invalidated.

The template sees only what is passed (`item`, and `token` as a placeholder): no `current_user`,
no session, so no one's page can leak into another's. The CSRF token, which is per browser, is
put in after the lookup. An entry is a few kilobytes; `FRAGMENT_CACHE_SIZE` of them per worker at
most, the least recently used dropped first.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from functools import cache, lru_cache
from operator import attrgetter

from flask import Flask, current_app, request
from markupsafe import Markup, escape

from accompany.i18n import page_language

# Where the per-browser CSRF token goes in a cached card: no escaping changes it, no page has it.
TOKEN_MARK = "\x00csrf-token\x00"  # nosec B105 - a placeholder, not a secret
EXTENSION = "accompany.fragments"


@cache
def _names_of(kind: type) -> tuple[str, ...]:
    """The fields of a dataclass or a named tuple, in order."""
    return tuple(f.name for f in fields(kind)) if is_dataclass(kind) else kind._fields


@cache
def _values_of(kind: type):
    """A function giving a dataclass's field values, in its fields' order, as a tuple."""
    names = _names_of(kind)
    return attrgetter(*names) if len(names) > 1 else lambda item: (getattr(item, names[0]),)


def _key(item, private: tuple[str, ...] = ()) -> tuple:
    """Every value `item` carries (a dataclass's fields, a named tuple's items), hashable: lists as
    tuples; for a `private` field not its value but its mark (or "" when it is empty)."""
    values = _values_of(type(item))(item) if is_dataclass(item) else item
    key = [tuple(value) if type(value) is list else value for value in values]
    for at, mark in _marks_at(type(item), private):
        key[at] = mark if key[at] else ""
    return tuple(key)


@cache
def _marks_at(kind: type, private: tuple[str, ...]) -> tuple[tuple[int, str], ...]:
    """Where each `private` field of `kind` is among its values, with its mark."""
    names = _names_of(kind)
    return tuple((names.index(name), _mark(name)) for name in private)


def _mark(name: str) -> str:
    """Where a private field's value goes in a cached card: no escaping changes it, no page has it."""
    return f"\x00{name}\x00"


def fragments(template: str, items, token: str = "", *, private: tuple[str, ...] = ()) -> Markup:  # nosec B107
    """`template` rendered for each of `items`, one after the other, each from this worker's cache
    when an equal item was rendered in this language before; `token`, the browser's CSRF token,
    put where the template has `token`. The `private` fields (a family's first name) are never
    kept: the cached card holds a mark where the template showed one, and this request's value,
    escaped, goes in its place."""
    render = current_app.extensions[EXTENSION]
    where = (template, request.script_root, page_language())
    cards = []
    for item in items:
        html = render(*where, type(item), _key(item, private))
        for name in private:
            if value := getattr(item, name):
                html = html.replace(_mark(name), str(escape(value)))
        cards.append(html)
    # Trusted: each card was rendered by an autoescaping template, and what goes in its marks is escaped here.
    return Markup("\n".join(cards).replace(TOKEN_MARK, str(escape(token))))  # nosec B704


def init_fragments(app: Flask) -> None:
    environment = app.jinja_env

    @lru_cache(maxsize=app.config.get("FRAGMENT_CACHE_SIZE", 4096))
    def render(template: str, script_root: str, language: str, kind: type, values: tuple) -> str:
        # The item is made again from its values (a dataclass or named tuple), so the cache holds
        # nothing but keys and text; the language and script root are this request's.
        return environment.get_template(template).render(item=kind(*values), token=TOKEN_MARK)

    app.extensions[EXTENSION] = render
    environment.globals["fragments"] = fragments
