"""scripts/purge_css.py: Pico cut to the rules our pages can use, and the cut file in step with it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("purge_css", ROOT / "scripts" / "purge_css.py")
purge_css = importlib.util.module_from_spec(spec)
spec.loader.exec_module(purge_css)


def test_rules_for_what_the_pages_use_stay_and_the_rest_go():
    css = ("/*! license */:root{--pico-a:1px;--pico-unused:2px}"
           "button.secondary,[data-tooltip]{margin:var(--pico-a)}"
           "[type=range]{height:1px}[role=switch]{width:2em}"
           ":root:not([data-theme=dark]){color:red}"
           ":where(progress,details) summary{cursor:pointer}"
           "@media (min-width:576px){.container{max-width:510px}meter{display:block}}")
    cut = purge_css.drop_unused_properties(purge_css.purge(css, purge_css.InUse()), "")
    assert cut.startswith("/*! license */")
    assert "button.secondary{margin:var(--pico-a)}" in cut and "data-tooltip" not in cut
    assert "[type=range]" not in cut and "[role=switch]{width:2em}" in cut
    assert ":root:not([data-theme=dark]){color:red}" in cut  # what sits in :not never removes a rule
    assert ":where(progress,details) summary" in cut  # one alternative is enough
    assert "@media (min-width:576px){.container{max-width:510px}}" in cut
    assert "--pico-a:1px" in cut and "--pico-unused" not in cut


def test_the_vendored_pico_is_already_cut_and_keeps_its_license():
    """Cutting the committed file again changes nothing (scripts/purge-css made it), and Pico's
    license is beside it."""
    vendored = (ROOT / "static" / "vendor" / "pico" / "pico.min.css").read_text(encoding="utf-8")
    app_css = (ROOT / "static" / "css" / "app.css").read_text(encoding="utf-8")
    assert purge_css.drop_unused_properties(purge_css.purge(vendored, purge_css.InUse()), app_css) == vendored
    assert "Licensed under MIT" in vendored and (ROOT / "static" / "vendor" / "pico" / "LICENSE.md").exists()
