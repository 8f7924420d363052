"""Pico's stylesheet cut down to the rules our pages can use (scripts/purge-css runs it).

A rule stays when one of its selectors could match something the templates or the Python code
can write: every element, class and attribute that selector needs appears there (found as words,
so anything named anywhere counts: generous on purpose). What sits inside :not(…) never removes a
rule, and a :is(…)/:where(…)/:has(…) needs one of its alternatives. @media and @supports blocks
are cut the same way inside; custom properties, @font-face, @keyframes and the like stay whole.
Dark mode stays: it follows the phone's setting.

    python scripts/purge_css.py FULL.css OUT.css
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Elements that a library writes for us (WTForms' widgets, segno's QR code) or the browser has.
ALWAYS_ELEMENTS = {"html", "body", "input", "select", "option", "textarea", "label", "ul", "li", "svg", "path"}
# <input type=…> that WTForms fields render without the word in our code.
FIELD_TYPES = {"DateField": "date", "TimeField": "time", "EmailField": "email", "PasswordField": "password",
               "BooleanField": "checkbox", "RadioField": "radio", "IntegerField": "number", "DecimalField": "number",
               "TelField": "tel", "SearchField": "search", "FileField": "file", "DateTimeLocalField": "datetime-local",
               "StringField": "text", "SubmitField": "submit", "HiddenField": "hidden", "MultiCheckboxField": "checkbox",
               "URLField": "url"}


class InUse:
    """What our pages can contain: every word in templates/ and accompany/ (a class or attribute
    named anywhere), the elements the templates write, and the values they give `role` and `type`
    (with the input types of the WTForms fields the code uses)."""

    def __init__(self) -> None:
        self.words: set[str] = set()
        self.elements = set(ALWAYS_ELEMENTS)
        self.values: dict[str, set[str]] = {"role": set(), "type": set()}
        for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("accompany/**/*.py")]:
            text = path.read_text(encoding="utf-8")
            self.words.update(re.findall(r"[A-Za-z0-9_-]+", text))
            self.elements.update(tag.lower() for tag in re.findall(r"<([A-Za-z][A-Za-z0-9]*)", text))
            for name, found in self.values.items():
                found.update(re.findall(rf'\b{name}="([A-Za-z0-9_-]+)"', text))
        self.values["type"].update(kind for field, kind in FIELD_TYPES.items() if field in self.words)

    def has_value(self, name: str, value: str) -> bool:
        return value in self.values.get(name, self.words)


def split_top(text: str, sep: str) -> list[str]:
    """`text` split at `sep` outside brackets and quotes."""
    parts, depth, quote, start = [], 0, None, 0
    for i, c in enumerate(text):
        if quote:
            quote = None if c == quote else quote
        elif c in "\"'":
            quote = c
        elif c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


FUNCTIONAL = re.compile(r":(not|is|where|has|matches|-webkit-any|-moz-any)\(")
PSEUDO_ARGUMENT = re.compile(r"::?[a-zA-Z-]+\(")


def could_match(selector: str, use: InUse) -> bool:
    """Whether `selector` may match a page we render (see the module's docstring)."""
    rest, i = "", 0
    while i < len(selector):
        functional = FUNCTIONAL.match(selector, i)
        other = PSEUDO_ARGUMENT.match(selector, i)
        if functional or other:
            match = functional or other
            depth, j = 1, match.end()
            while depth:
                depth += {"(": 1, ")": -1}.get(selector[j], 0)
                j += 1
            inner = selector[match.end():j - 1]
            if (functional and functional.group(1) != "not"
                    and not any(could_match(part, use) for part in split_top(inner, ","))):
                return False
            rest += " "
            i = j
        else:
            rest += selector[i]
            i += 1
    rest = re.sub(r"::?[a-zA-Z-]+", " ", rest)  # pseudo-classes and elements need nothing
    for attribute in re.findall(r"\[([^\]]*)\]", rest):
        pieces = re.split(r"[~|^$*]?=", attribute, maxsplit=1)
        value = re.sub(r"\s+[is]$", "", pieces[1].strip()).strip("\"'") if len(pieces) > 1 else ""
        if pieces[0].strip() not in use.words:
            return False
        if re.fullmatch(r"[A-Za-z0-9_-]+", value) and not use.has_value(pieces[0].strip(), value):
            return False
    rest = re.sub(r"\[[^\]]*\]", " ", rest)
    for name in re.findall(r"[.#]([A-Za-z0-9_-]+)", rest):
        if name not in use.words:
            return False
    rest = re.sub(r"[.#][A-Za-z0-9_-]+", " ", rest)
    for element in re.findall(r"(?<![A-Za-z0-9_-])([A-Za-z][A-Za-z0-9-]*)", rest):
        if element.lower() not in use.elements:
            return False
    return True


def blocks(css: str):
    """(prelude, body or None) for each top-level statement of `css` (no comments in a .min.css
    but the license one, which is kept: it is a statement of its own here)."""
    i, n = 0, len(css)
    while i < n:
        if css.startswith("/*", i):
            end = css.index("*/", i) + 2
            yield css[i:end], None
            i = end
            continue
        depth, quote, j = 0, None, i
        while j < n:
            c = css[j]
            if quote:
                quote = None if c == quote else quote
            elif c in "\"'":
                quote = c
            elif c == "{":
                depth += 1
                if depth == 1:
                    opened = j
            elif c == "}":
                depth -= 1
                if depth == 0:
                    yield css[i:opened].strip(), css[opened + 1:j]
                    j += 1
                    break
            elif c == ";" and depth == 0:
                yield css[i:j + 1].strip(), None
                j += 1
                break
            j += 1
        i = j


def purge(css: str, use: InUse) -> str:
    out = []
    for prelude, body in blocks(css):
        if body is None:
            out.append(prelude)
        elif prelude.startswith(("@media", "@supports", "@layer")):
            inner = purge(body, use)
            if inner:
                out.append(f"{prelude}{{{inner}}}")
        elif prelude.startswith("@"):
            out.append(f"{prelude}{{{body}}}")
        else:
            kept = [s for s in split_top(prelude, ",") if could_match(s.strip(), use)]
            if kept:
                out.append(f"{','.join(s.strip() for s in kept)}{{{body}}}")
    return "".join(out)


def drop_unused_properties(css: str, also_read: str) -> str:
    """`css` without the custom properties (`--pico-…: …`) that nothing reads any more, here or
    in `also_read` (our own stylesheet), repeated until none is left over."""
    while True:
        read = set(re.findall(r"var\((--[A-Za-z0-9_-]+)", css + also_read))

        def needed(declaration: str, read: set[str] = read) -> bool:
            name = declaration.split(":", 1)[0].strip()
            return not name.startswith("--") or name in read

        def trim(text: str) -> str:
            out = []
            for prelude, body in blocks(text):
                if body is None:
                    out.append(prelude)
                elif prelude.startswith(("@media", "@supports", "@layer")):
                    inner = trim(body)
                    if inner:
                        out.append(f"{prelude}{{{inner}}}")
                elif prelude.startswith("@"):
                    out.append(f"{prelude}{{{body}}}")
                else:
                    kept = ";".join(d for d in split_top(body, ";") if d.strip() and needed(d))
                    if kept:
                        out.append(f"{prelude}{{{kept}}}")
            return "".join(out)

        trimmed = trim(css)
        if trimmed == css:
            return css
        css = trimmed


def main(source: str, target: str) -> None:
    css = Path(source).read_text(encoding="utf-8")
    use = InUse()
    purged = drop_unused_properties(purge(css, use), (ROOT / "static" / "css" / "app.css").read_text(encoding="utf-8"))
    Path(target).write_text(purged, encoding="utf-8")
    print(f"{target}: {len(purged.encode())} bytes, from {len(css.encode())}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
