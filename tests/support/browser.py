"""A live server for the app under test, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server

PHONE_VIEWPORT = {"width": 360, "height": 740}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def serve(app):
    """Serve `app` on a free loopback port in a background thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@contextmanager
def chromium():
    """Debian's Chromium (never a downloaded browser), headless."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        raise RuntimeError("Debian's chromium is not installed (the README's test command installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def fits_the_screen(page) -> bool:
    """No sideways scrolling at the phone's width (measured once the page and its CSS loaded)."""
    page.wait_for_load_state("load")
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]


@contextmanager
def phone_page(app, browser, bypass_csp=False):
    """A phone-sized page, in a fresh browser context (its own cookies and storage), on a live
    server for `app`. On exit it fails the test if the page loaded anything from outside the site
    or the browser reported an error (CSP violations are reported that way). `bypass_csp` lets a
    test inject a tool of its own (axe) into the page."""
    with serve(app) as base_url:
        context = browser.new_context(viewport=PHONE_VIEWPORT, base_url=base_url, is_mobile=True, has_touch=True,
                                      bypass_csp=bypass_csp)
        page = context.new_page()
        outside, errors = [], []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base_url) else None)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        yield page
        context.close()
        assert outside == [], f"the page tried to load from outside: {outside}"
        assert errors == [], f"the browser reported errors: {errors}"


# What `too_small_or_cut` measures, in the page itself (all <details> opened first, so what they
# hold is measured too). The rule for links: one that shares a line with other text (a link in a
# sentence, or in a line of details such as "to family …0142 · the appointment") is exempt, as
# WCAG 2.5.8 exempts inline targets; every other link, and every button, field, select, <summary>
# and label of a checkbox or radio, must be MIN_TARGET px tall.
MIN_TARGET = 44
MEASURE = """(minimum) => {
  document.querySelectorAll('details').forEach((d) => { d.open = true; });
  const screen = document.documentElement.clientWidth;
  const problems = [];
  const shown = (el) => {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return style.visibility !== 'hidden' && style.display !== 'none' && box.width > 0 && box.height > 0;
  };
  const named = (el) => {
    const text = el.getAttribute('aria-label') || el.name || el.innerText || el.value || el.id || '';
    return `${el.tagName.toLowerCase()} "${text.trim().replace(/\\s+/g, ' ').slice(0, 40)}"`;
  };
  const blockOf = (el) => {
    let parent = el.parentElement;
    while (parent && getComputedStyle(parent).display.startsWith('inline')) parent = parent.parentElement;
    return parent;
  };
  const sharesALineWithText = (link) => {
    const box = link.getBoundingClientRect();
    const block = blockOf(link);
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (link.contains(node) || !node.textContent.trim()) continue;
      if (node.parentElement.closest('a, button, select, textarea, label') !== null) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const line of range.getClientRects()) {
        if (line.width > 0 && line.top < box.bottom - 2 && line.bottom > box.top + 2) return true;
      }
    }
    return false;
  };
  const targets = 'a[href], button, input:not([type=hidden]), select, textarea, summary, label';
  for (const el of document.querySelectorAll(targets)) {
    if (!shown(el)) continue;
    const tag = el.tagName.toLowerCase();
    if (tag === 'input' && ['checkbox', 'radio'].includes(el.type)) continue;  // its label is the target
    if (tag === 'label' && !(el.control && ['checkbox', 'radio'].includes(el.control.type))) continue;
    if (tag === 'a' && sharesALineWithText(el)) continue;
    const height = el.getBoundingClientRect().height;
    if (height < minimum - 0.5) problems.push(`${named(el)} is ${Math.round(height)} px tall`);
  }
  // A field narrower than what it shows. Chromium keeps a select's and a date input's scrollWidth
  // at their clientWidth even when it cuts "Ride there" to "Ride ther" or a date to "12/16/202",
  // so those are measured too: a select's chosen text in its own font against the room inside its
  // padding (for a short list of our own words, such as the roles, whichever is chosen: every
  // option; for a long list, such as the time zones, the option chosen), a date or time input
  // against the width it takes when left to size itself.
  const MAX_FIXED_CHOICES = 12;
  const pen = document.createElement('canvas').getContext('2d');
  const px = (value) => parseFloat(value) || 0;
  const needs = (el) => {
    const style = getComputedStyle(el);
    if (el.tagName === 'SELECT') {
      pen.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const options = el.options.length <= MAX_FIXED_CHOICES ? [...el.options] : [...el.selectedOptions];
      const widest = Math.max(0, ...options.map((option) => pen.measureText(option.text).width));
      return widest + px(style.paddingLeft) + px(style.paddingRight);
    }
    const twin = el.cloneNode(true);
    twin.removeAttribute('id');
    twin.style.cssText = 'position:absolute;visibility:hidden;left:0;top:0;width:auto;min-width:0;max-width:none';
    el.parentElement.appendChild(twin);
    twin.value = el.value;
    const width = twin.getBoundingClientRect().width - px(style.borderLeftWidth) - px(style.borderRightWidth);
    twin.remove();
    return width;
  };
  for (const el of document.querySelectorAll('select, input[type=date], input[type=time], input[type=datetime-local]')) {
    if (!shown(el)) continue;
    const room = el.clientWidth;
    const wanted = Math.max(el.scrollWidth, needs(el));
    if (wanted > room + 1) problems.push(`${named(el)} cuts what it shows (${Math.round(wanted)} px in ${room})`);
  }
  for (const el of document.body.querySelectorAll('*')) {
    if (!shown(el)) continue;
    const box = el.getBoundingClientRect();
    if (box.right > screen + 0.5 || box.left < -0.5) {
      problems.push(`${named(el)} sticks out of the screen (${Math.round(box.left)}..${Math.round(box.right)} px)`);
    }
  }
  if (document.documentElement.scrollWidth > screen) problems.push('the page scrolls sideways');
  return problems;
}"""


def too_small_or_cut(page) -> list[str]:
    """What on `page` is smaller than a finger or cut off at the phone's width (see MEASURE)."""
    page.wait_for_load_state("load")
    return page.evaluate(MEASURE, MIN_TARGET)


# axe-core (tests/support/vendor/axe-core, from the npm registry): a test tool, never served.
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def wcag_violations(page) -> list[str]:
    """What axe finds against WCAG 2.1 A and AA on `page` as it is: one line per rule and element."""
    page.wait_for_load_state("load")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
             .then((r) => r.violations.map((v) => ({id: v.id, help: v.help,
                                                    nodes: v.nodes.map((n) => n.target.join(' ') + ': ' + n.failureSummary)})))""",
        WCAG_AA)
    return [f"{v['id']} ({v['help']}) at {node}" for v in violations for node in v["nodes"]]


def open_menu(page) -> None:
    """Open the header's menu, as a finger does on a phone: signed-in pages keep their links in it
    there. Waits for the page to have one; leaves it open if it is."""
    menu = page.locator("details.site-menu")
    menu.wait_for()
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()
