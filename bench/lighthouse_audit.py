"""Lighthouse's mobile audits on the main pages (issue 17, point 5; bench/run-lighthouse calls this).

1. Seed the benchmark's network at 1/10 size into a fresh SQLite file (bench/seed.py: its known
   volunteer and coordinator, the coordinator with two-step login).
2. Serve it with gunicorn (`wsgi:app`, production config) on 127.0.0.1.
3. Log in as the volunteer and as the coordinator (password, then the TOTP code) the way
   bench/load.py does, and keep each session cookie.
4. For each page: start Debian's chromium (headless, the flags of tests/support/browser.py, a fresh
   profile) in its own process group, run the pinned Lighthouse (bench/lighthouse, `npm ci`) against
   it with `--port`, the session cookie passed with `--extra-headers`, and stop that chromium.
5. Write the scores per page and category, and every audit below full marks, to
   bench/results/lighthouse-latest.md (and .json); each page's whole Lighthouse report to
   bench/results/lighthouse/NN.json (open it in Lighthouse's viewer, or read it with jq).

Lighthouse's defaults are its mobile audits: a phone's screen, a slow 4G network and a 4× slower CPU,
simulated from an unthrottled load ("simulate"), so the performance score is the page's own work
scaled to a phone, not this machine's network.

Settings (environment): LIGHTHOUSE_SCALE (0.1), BENCH_WORKDIR (a temp dir, removed afterwards
unless given).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench import common
from bench.load import Client
from bench.report import run_and_machine
from bench.server import Server, stop_group
from bench.settings import COORDINATOR_EMAIL, PASSWORD, TOTP_SECRET, VOLUNTEER_EMAIL, server_env
from tests.support.browser import CHROMIUM_ARGS

LIGHTHOUSE_DIR = common.ROOT / "bench" / "lighthouse"
LIGHTHOUSE = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
GOAL = 99  # the score each page should reach in each category (issue 17)
# (label, account, path); a path with {family} or {appointment} takes one the coordinator can open.
PAGES = (
    ("login", None, "/login"),
    ("volunteer's home", VOLUNTEER_EMAIL, "/"),
    ("board", VOLUNTEER_EMAIL, "/shifts"),
    ("my shifts", VOLUNTEER_EMAIL, "/my/shifts"),
    ("my tasks", VOLUNTEER_EMAIL, "/my/tasks"),
    ("profile", VOLUNTEER_EMAIL, "/my/profile"),
    ("coordinator's dashboard", COORDINATOR_EMAIL, "/"),
    ("families", COORDINATOR_EMAIL, "/coordinator/families"),
    ("a family", COORDINATOR_EMAIL, "/coordinator/families/{family}"),
    ("an appointment", COORDINATOR_EMAIL, "/coordinator/appointments/{appointment}"),
    ("inbox", COORDINATOR_EMAIL, "/coordinator/inbox"),
)
COMMAND = "bench/run-lighthouse"

log = common.logger("lighthouse")


def lighthouse_version() -> str:
    return json.loads((LIGHTHOUSE_DIR / "node_modules" / "lighthouse" / "package.json").read_text())["version"]


def seed(workdir: Path, scale: float) -> str:
    url = f"sqlite:///{workdir / 'network.sqlite'}"
    child = subprocess.run([sys.executable, "-m", "bench.seed", "--sqlite", str(workdir / "network.sqlite"),
                            "--scale", repr(scale), "--json"], cwd=common.ROOT, capture_output=True, text=True)
    if child.returncode != 0:
        sys.stderr.write(child.stderr[-4000:])
        raise SystemExit("lighthouse: seeding failed")
    counts = json.loads(child.stdout)["counts"]
    log(f"seeded 1/{round(1 / scale)}: {counts['shifts']} shifts, {counts['appointments']} appointments")
    return url


def sessions(port: int) -> tuple[dict[str | None, str], dict[str, str]]:
    """Each account's Cookie header (None: a visitor's, none), and a family and an appointment the
    coordinator can open, read from their pages."""
    cookies: dict[str | None, str] = {None: ""}
    for email in (VOLUNTEER_EMAIL, COORDINATOR_EMAIL):
        client = Client("127.0.0.1", port)
        client.log_in(email, PASSWORD, TOTP_SECRET)
        cookies[email] = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        if email == COORDINATOR_EMAIL:
            _, families = client.request("GET", "/coordinator/families")
            family = re.search(rb'href="/coordinator/families/(\d+)"', families)
            _, page = client.request("GET", f"/coordinator/families/{family.group(1).decode()}") if family else (0, b"")
            appointment = re.search(rb'href="/coordinator/appointments/(\d+)"', page)
            if not (family and appointment):
                raise SystemExit("lighthouse: found no family with an appointment to audit")
            ids = {"family": family.group(1).decode(), "appointment": appointment.group(1).decode()}
    return cookies, ids


def start_chromium(workdir: Path, name: str) -> tuple[subprocess.Popen, int]:
    """Debian's chromium, headless, in its own process group (listed for bench/run-lighthouse's
    trap), with a fresh profile; its DevTools port."""
    executable = shutil.which("chromium")
    if executable is None:
        raise SystemExit("lighthouse: Debian's chromium is not installed (apt-get install chromium)")
    profile = workdir / f"profile-{name}"
    process = subprocess.Popen(
        [executable, "--headless=new", *CHROMIUM_ARGS, "--remote-debugging-port=0", f"--user-data-dir={profile}",
         "--no-default-browser-check", "about:blank"],
        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(workdir / "pgids", "a") as pgids:
        pgids.write(f"{process.pid}\n")
    active = profile / "DevToolsActivePort"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if active.exists() and active.read_text().strip():
            return process, int(active.read_text().split()[0])
        if process.poll() is not None:
            break
        time.sleep(0.1)
    stop_group(process)
    raise SystemExit("lighthouse: chromium did not open its DevTools port")


def audit(workdir: Path, index: int, url: str, cookie: str) -> dict:
    """One Lighthouse run on `url` in a chromium of its own: the report's scores and shortfalls."""
    headers = workdir / f"headers-{index}.json"
    headers.write_text(json.dumps({"Cookie": cookie} if cookie else {}))
    output = workdir / f"report-{index}.json"
    chromium, port = start_chromium(workdir, str(index))
    try:
        child = subprocess.run(
            [str(LIGHTHOUSE), url, f"--port={port}", "--output=json", f"--output-path={output}",
             f"--only-categories={','.join(CATEGORIES)}", f"--extra-headers={headers}", "--quiet",
             "--max-wait-for-load=60000"],
            cwd=LIGHTHOUSE_DIR, env={**os.environ, "CHROME_PATH": shutil.which("chromium") or ""},
            capture_output=True, text=True, timeout=300)  # in our process group: the trap ends it with us
    finally:
        stop_group(chromium)
    if child.returncode != 0 or not output.exists():
        sys.stderr.write(child.stderr[-3000:])
        raise SystemExit(f"lighthouse: the run on {url} failed (exit {child.returncode})")
    common.RESULTS.joinpath("lighthouse").mkdir(parents=True, exist_ok=True)
    kept = common.RESULTS / "lighthouse" / f"{index:02d}.json"  # the whole report, for a closer look
    shutil.copyfile(output, kept)
    return summarize(json.loads(output.read_text()))


def summarize(lhr: dict) -> dict:
    """The scores (0-100), what kept each category below full marks (outside performance: every
    failed audit; performance: its metrics and the opportunities Lighthouse names) and any warning."""
    scores = {name: round(100 * lhr["categories"][name]["score"]) for name in CATEGORIES}
    audits = lhr["audits"]
    shortfalls = {}
    for name in CATEGORIES:
        found = []
        for ref in lhr["categories"][name]["auditRefs"]:
            result = audits[ref["id"]]
            if ref["weight"] and result["score"] is not None and result["score"] < 1 and \
                    result["scoreDisplayMode"] in ("binary", "numeric", "metricSavings"):
                found.append(f"{ref['id']} ({result['title']}"
                             + (f": {result['displayValue']}" if result.get("displayValue") else "") + ")")
        shortfalls[name] = found
    metrics = {key: audits[key].get("displayValue", "") for key in
               ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
                "cumulative-layout-shift", "speed-index")}
    return {"scores": scores, "shortfalls": shortfalls, "metrics": metrics,
            "final_url": lhr.get("finalDisplayedUrl") or lhr.get("finalUrl"),
            "warnings": lhr.get("runWarnings", [])}


def render(report: dict) -> str:
    lines = ["# Lighthouse on the main pages (issue 17)", ""]
    lines += run_and_machine(report, COMMAND, packages=("gunicorn",))
    lines += [f"Lighthouse {report['lighthouse']} (its mobile audits: simulated slow 4G and a 4× slower CPU), "
              f"Debian's chromium {report['chromium']}, on the benchmark's network at {report['scale']} of its full size "
              "(bench/seed.py) served by gunicorn with the production config on 127.0.0.1.", "",
              "| page | path | " + " | ".join(CATEGORIES) + " |",
              "|---|---|" + "---:|" * len(CATEGORIES)]
    for page in report["pages"]:
        cells = [f"**{s}**" if s < GOAL else str(s) for s in (page["scores"][c] for c in CATEGORIES)]
        lines.append(f"| {page['label']} | `{page['path']}` | " + " | ".join(cells) + " |")
    lines += ["", f"Bold: below {GOAL}.", "", "## Below full marks", ""]
    for page in report["pages"]:
        found = [f"{c}: {', '.join(page['shortfalls'][c])}" for c in CATEGORIES if page["shortfalls"][c]]
        metrics = ", ".join(f"{k} {v}" for k, v in page["metrics"].items())
        lines.append(f"- **{page['label']}** ({metrics}): " + ("; ".join(found) if found else "nothing"))
        if page["warnings"]:
            lines.append(f"  - Lighthouse warned: {' '.join(page['warnings'])}")
        if page["final_url"] and not page["final_url"].endswith(page["path"]):
            lines.append(f"  - ended at {page['final_url']}, not the page asked for")
    return "\n".join(lines) + "\n"


def main() -> int:
    started = time.monotonic()
    common.prepare_process()
    if not LIGHTHOUSE.exists():
        raise SystemExit("lighthouse: run `npm ci --ignore-scripts` in bench/lighthouse first (bench/run-lighthouse does)")
    scale = float(os.environ.get("LIGHTHOUSE_SCALE", "0.1"))
    report = common.new_report(log)
    report["lighthouse"], report["scale"] = lighthouse_version(), scale
    report["chromium"] = subprocess.run(["chromium", "--version"], capture_output=True, text=True).stdout.split()[1]
    with common.work_dir("accompany-lighthouse-") as workdir:
        server = Server("app", "wsgi:app", env=server_env(seed(workdir, scale)), workers=2, workdir=workdir,
                        ready_path="/login")
        try:
            cookies, ids = sessions(server.port)
            report["pages"] = []
            for index, (label, email, path) in enumerate(PAGES):
                path = path.format(**ids)
                page = audit(workdir, index, f"http://127.0.0.1:{server.port}{path}", cookies[email])
                page.update(label=label, path=path)
                report["pages"].append(page)
                log(f"{label} ({path}): " + ", ".join(f"{c} {page['scores'][c]}" for c in CATEGORIES))
        finally:
            server.stop()
    common.publish(report, started=started, stem="lighthouse-latest", render=render)
    wrong = [p["label"] for p in report["pages"] if p["final_url"] and not p["final_url"].endswith(p["path"])]
    return common.exit_status(log, report, "lighthouse-latest",
                              f"pages that did not open as themselves: {wrong}" if wrong else None)


if __name__ == "__main__":
    sys.exit(main())
