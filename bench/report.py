"""The benchmark's results as Markdown: the tables bench/run prints and docs/benchmarks.md quotes.

Also the pieces every report starts with (which run, which machine) and the number formats the
dispatcher's and the inbound-text benchmarks' reports share (bench/dispatch.py, bench/inbound.py).
"""

from __future__ import annotations

DATABASE_WORDS = {"sqlite": "a SQLite file",
                  "postgresql": "PostgreSQL on 127.0.0.1 (fsync off, analyzed after seeding)"}
PAGE_LABELS = {"board": "volunteer board (`/shifts`)", "my shifts": "my shifts (`/my/shifts`)",
               "my tasks": "my tasks (`/my/tasks`)",
               "dashboard": "coordinator dashboard (`/`)"}


def ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def cpu_ms(value: float | None) -> str:
    return "?" if value is None else f"{value:.2f}" if value < 10 else f"{value:.1f}"


def percent(value: float | None) -> str:
    return "?" if value is None else f"{100 * value:.0f} %"


def _kb(value: int) -> str:
    return f"{value / 1024:.1f} KB"


def run_and_machine(report: dict, command: str, packages: tuple[str, ...] | None = None) -> list[str]:
    """A report's first paragraphs: which run (`command`, the commit, how long) and on what machine,
    with the versions of `packages` (of all it knows when None) and how busy it was."""
    m = report["machine"]
    return [
        f"Run {report['started']} with `{command}` on {m['code']}, {report['elapsed_s']:.0f} s in all.",
        "",
        f"Machine: {m['cpus_usable']} usable CPU cores ({m['cpu_model']}), {m['memory']} RAM, {m['os']}; "
        + ", ".join([f"Python {m['python']}", f"SQLite {m['sqlite']}"]
                    + ([f"PostgreSQL {m['postgresql']}"] if m.get("postgresql") else [])
                    + [f"{k} {v}" for k, v in m["versions"].items() if packages is None or k in packages])
        + f". Before the run the CPUs were {percent(m['cpu_busy_before_start'])} busy with other work "
        f"(load average {' '.join(map(str, m['load_average_at_start']))}; after the run "
        f"{' '.join(map(str, report['load_average_at_end']))}).",
        "",
    ]


def cpu_ratio(result: dict, load: list[dict]) -> str:
    """The server CPU per request of `result` as a multiple of the minimal route's, measured in the
    same run with the same number of clients (issue 16's goals are these ratios)."""
    if result["server"] == "minimal":
        return "1×"
    bare = next((r["server_cpu_ms_per_request"] for r in load
                 if r["server"] == "minimal" and r["clients"] == result["clients"]), None)
    mine = result["server_cpu_ms_per_request"]
    return "—" if not bare or mine is None else f"{mine / bare:.0f}×"


def render(report: dict) -> str:
    """The whole report (see bench/benchmark.py for what `report` holds)."""
    cfg = report["config"]
    lines = [
        "# Accompany benchmark results",
        "",
        *run_and_machine(report, "bench/run"),
        f"Database: {DATABASE_WORDS[report['database']]}. "
        f"Servers: `{cfg['app_command']}` (ACCOMPANY_ENV=production) and "
        f"`{cfg['minimal_command']}`. The load generator runs on the same machine: "
        f"{cfg['warmup_s']:g} s warm-up, then {cfg['duration_s']:g} s measured per scenario, each client a "
        "process with its own http.client connection, logged in once through the login form.",
        "",
        "## Throughput and latency",
        "",
        "CPU columns: milliseconds of CPU per request in the measured window, used by the server's workers "
        "and by the load generator's client processes (which share the same cores).",
        "",
        "| page | clients | requests/s | p50 ms | p99 ms | errors | share of the minimal route's requests/s "
        "| server CPU ms/request | × the minimal route's server CPU | load generator CPU ms/request |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    ceiling = {r["clients"]: r["rps"] for r in report["load"] if r["server"] == "minimal"}
    for r in report["load"]:
        share = "—" if r["server"] == "minimal" or not ceiling.get(r["clients"]) else \
            f"{100 * r['rps'] / ceiling[r['clients']]:.1f} %"
        ratio = cpu_ratio(r, report["load"])
        lines.append(f"| {r['label']} (`{r['path']}`) | {r['clients']} | {r['rps']:.0f} | {ms(r['p50_ms'])} | "
                     f"{ms(r['p99_ms'])} | {r['errors']} | {share} | {cpu_ms(r['server_cpu_ms_per_request'])} | "
                     f"{ratio} | {cpu_ms(r['client_cpu_ms_per_request'])} |")
    conns = [r["connections_per_request"] for r in report["load"]]
    lines += [
        "",
        f"New TCP connections per request: {min(conns):.2f}–{max(conns):.2f} "
        "(gunicorn's sync workers close the connection after each response).",
        "",
        "Worker memory after the load (RSS per worker): "
        + "; ".join(f"{name} {', '.join(f'{x:.0f}' for x in sizes)} MiB" for name, sizes in report["rss_mib"].items())
        + ".",
        "",
        "## Queries and time per page as the network grows",
        "",
        "In process (the app's test client, no HTTP, one request at a time), logged in through the real login "
        "form. Queries: the SQL statements one request runs, counted with `tests/support/queries.count_queries` "
        "(PRAGMA and savepoints left out). Time: median milliseconds per request over "
        f"{report['pages']['repeats']} requests, in brackets the part spent in the database driver's `execute`, and "
        "how many cards the page shows."
        + (" The last column is the full network again after `ANALYZE`, which gives SQLite's planner statistics "
           "(nothing in the app runs it)." if report["pages"]["analyzed"] else ""),
        "",
        "| page | " + " | ".join(
            f"{s['label']}: {s['counts']['shifts']:,} shifts, {s['counts']['claims']:,} claims" for s in report["seeds"]
        ) + (" | full, after ANALYZE |" if report["pages"]["analyzed"] else " |"),
        "|---|" + "---:|" * (len(report["seeds"]) + bool(report["pages"]["analyzed"])),
    ]
    sizes = report["pages"]["sizes"] + ([report["pages"]["analyzed"]] if report["pages"]["analyzed"] else [])
    for key, label in PAGE_LABELS.items():
        cells = [f"{size[key]['count']} queries, {size[key]['median_ms']:.1f} ms ({size[key]['sql_execute_ms']:.1f}), "
                 f"{size[key]['cards']} cards" for size in sizes]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", "Slowest statement per page on the full network (milliseconds per request in `execute`):", ""]
    for key, label in PAGE_LABELS.items():
        slow = report["pages"]["sizes"][-1][key]["slowest_statement"]
        after = report["pages"]["analyzed"][key]["slowest_statement"] if report["pages"]["analyzed"] else None
        lines.append(f"- {label}: {slow['ms']:.2f} ms, `{slow['sql'][:110]}…`"
                     + (f"; after ANALYZE the slowest is {after['ms']:.2f} ms" if after else ""))
    pages = report["pages"]["pages"]
    css = report["pages"]["css"]
    css_raw = sum(v["bytes"] for v in css.values())
    css_gz = sum(v["gzip_bytes"] for v in css.values())
    lines += [
        "",
        "## Page weight",
        "",
        f"HTML as served for the full network; gzip at level {report['pages']['gzip_level']} "
        "(what a compressing proxy would send; gunicorn itself does not compress).",
        "",
        "| what | raw | gzip | cards on the page |",
        "|---|---:|---:|---:|",
    ]
    for key, label in PAGE_LABELS.items():
        p = pages[key]
        lines.append(f"| {label} HTML | {_kb(p['html_bytes'])} | {_kb(p['html_gzip_bytes'])} | {p['cards']} |")
    for name, v in css.items():
        lines.append(f"| `{name}` | {_kb(v['bytes'])} | {_kb(v['gzip_bytes'])} | |")
    lines += [
        f"| CSS together (cached after the first page) | {_kb(css_raw)} | {_kb(css_gz)} | |",
        "",
        "## Where the time goes",
        "",
        "cProfile over the same requests on the full network (the profiler slows Python calls down, so read "
        "these as shares, not times). Cumulative share of the app's time (`Flask.wsgi_app`) in named spots; "
        "spots overlap (the template includes the filters and the CSRF fields):",
        "",
    ]
    spots = list(next(iter(pages.values()))["profile_spots"])
    lines += ["| spot | " + " | ".join(PAGE_LABELS[k].split(" (")[0] for k in PAGE_LABELS) + " |",
              "|---|" + "---:|" * len(PAGE_LABELS)]
    for spot in spots:
        shares = (f"{100 * pages[k]['profile_spots'][spot]:.0f} %" for k in PAGE_LABELS)
        lines.append(f"| {spot} | " + " | ".join(shares) + " |")
    lines.append("| outside the view (Flask, Werkzeug, session) | "
                 + " | ".join(f"{100 * pages[k]['phases']['outside the view']:.0f} %" for k in PAGE_LABELS) + " |")
    lines += ["", "Own time by where the code lives (string formatting done for MarkupSafe and WTForms counts as "
              "standard library):", ""]
    buckets = list(next(iter(pages.values()))["profile_share"])
    lines += ["| where | " + " | ".join(PAGE_LABELS[k].split(" (")[0] for k in PAGE_LABELS) + " |",
              "|---|" + "---:|" * len(PAGE_LABELS)]
    for bucket in buckets:
        lines.append(f"| {bucket} | " + " | ".join(f"{100 * pages[k]['profile_share'].get(bucket, 0):.0f} %"
                                                     for k in PAGE_LABELS) + " |")
    lines += [
        "",
        "## Seeding",
        "",
        "| size | shifts | appointments | claims | volunteers + staff | families | seconds |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for s in report["seeds"]:
        c = s["counts"]
        lines.append(f"| {s['label']} | {c['shifts']:,} | {c['appointments']:,} | {c['claims']:,} | {c['users']:,} | "
                     f"{c['families']:,} | {s['total_s']:.1f} |")
    full = report["seeds"][-1]["counts"]
    lines += [
        "",
        f"The known volunteer holds {full['known_volunteer_shifts']} shifts over the two years; "
        f"{full['open_future_shifts']:,} upcoming shifts have a free slot.",
        "",
    ]
    return "\n".join(lines)
