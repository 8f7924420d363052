"""A small closed-loop HTTP load generator: N client processes hammering one URL.

Each client is its own process (so the generator is not held back by one GIL) with its own
http.client connection, kept alive whenever the server allows it (gunicorn's sync workers close
the connection after every response; the client then reconnects, and counts it). A client logs
in once like a browser (GET /login, the CSRF token from the form, POST /login, the session
cookie; for a coordinator also GET /login/code and POST the current TOTP code, each client as its
own coordinator), checks that the page is the page, waits for the others, and then requests the URL
back to back: a warm-up whose latencies are not recorded, then a fixed measured window in which
every latency is recorded. Anything but a 200, warm-up included, is an error.

    python -m bench.load --port 8000 --path /shifts --email E --password P --clients 16
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing as mp
import os
import re
import sys
import threading
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pyotp

CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
USER_AGENT = "accompany-bench/1 (http.client)"


@dataclass
class Scenario:
    host: str
    port: int
    path: str
    email: str | list[str] | None = None  # None: no login (the minimal route); a list: client i is the i-th
    password: str | None = None
    marker: str | None = None  # text the page must contain, checked once before measuring
    clients: int = 2
    warmup: float = 1.0
    duration: float = 8.0
    totp_secret: str | None = None  # for the second step of a coordinator's login
    # "get": GET `path` again and again. "claim-release": each client (its own volunteer) takes one
    # shift from the board at `path` (the client's index picks which, so no two share one) and then
    # gives it back, again and again: two POSTs a round, each a redirect, through the real forms.
    mode: str = "get"


class Client:
    """One keep-alive connection with a cookie jar."""

    def __init__(self, host: str, port: int):
        self.conn = http.client.HTTPConnection(host, port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.connects = 0
        self.response_location = ""  # the last answer's Location header

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        if self.conn.sock is None:
            self.connects += 1
        all_headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        all_headers.update(headers or {})
        try:
            self.conn.request(method, path, body=body, headers=all_headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            raise
        self.response_location = response.getheader("Location", "")
        for header in response.msg.get_all("Set-Cookie") or ():
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        if response.will_close:
            self.conn.close()
        return response.status, data

    def post_form(self, path: str, fields: dict) -> tuple[int, bytes]:
        """GET the form at `path`, then POST `fields` with its CSRF token."""
        status, page = self.request("GET", path)
        found = CSRF_INPUT.search(page.decode("utf-8", "replace"))
        if status != 200 or not found:
            raise RuntimeError(f"GET {path} answered {status} without a CSRF token")
        return self.request("POST", path, urlencode({**fields, "csrf_token": found.group(1)}).encode(), {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://{self.conn.host}:{self.conn.port}{path}",
        })

    def log_in(self, email: str, password: str, totp_secret: str | None = None) -> None:
        status, _ = self.post_form("/login", {"email": email, "password": password, "next": ""})
        if status != 302:
            raise RuntimeError(f"POST /login as {email} answered {status}, not a redirect")
        if self.response_location.endswith("/login/code"):  # two-step login: the code from the app
            if not totp_secret:
                raise RuntimeError(f"{email} needs a TOTP code and no secret was given")
            for _ in range(4):  # a code's time step is accepted once per account: if used, the next step's
                status, page = self.post_form("/login/code", {"code": pyotp.TOTP(totp_secret).now()})
                if status == 302 or b"just used" not in page:
                    break
                time.sleep(30.5 - time.time() % 30)
            if status != 302:
                raise RuntimeError(f"POST /login/code as {email} answered {status}, not a redirect")


CLAIM_ACTION = re.compile(r'action="(/shifts/(\d+)/claim)"')


class ClaimRelease:
    """The POST scenario's requests: claim a shift, then release it, alternately."""

    def __init__(self, client: Client, board: bytes, index: int):
        page = board.decode("utf-8", "replace")
        shifts = CLAIM_ACTION.findall(page)
        token = CSRF_INPUT.search(page)
        if len(shifts) <= index or not token:
            raise RuntimeError(f"the board offers {len(shifts)} shifts; client {index} needs one of its own")
        self.client, self.token = client, token.group(1)
        self.claim_path, shift_id = shifts[index]
        self.release_path = f"/my/shifts/{shift_id}/release"
        self.claimed_at = f"/my/shifts/{shift_id}"
        self.holding = False

    def next(self) -> bool:
        """One POST (claim if not holding, else release); True when it answered as it should."""
        path, expect = (self.release_path, "/my/shifts") if self.holding else (self.claim_path, self.claimed_at)
        status, _ = self.client.request("POST", path, urlencode({"csrf_token": self.token}).encode(), {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://{self.client.conn.host}:{self.client.conn.port}/shifts",
        })
        ok = status == 302 and self.client.response_location.endswith(expect)
        if ok:
            self.holding = not self.holding
        return ok


def _client_main(scenario: Scenario, barrier, results, index: int) -> None:
    latencies: list[float] = []
    errors, attempts, problem = 0, 0, ""
    client = Client(scenario.host, scenario.port)
    try:
        if scenario.email:
            email = scenario.email if isinstance(scenario.email, str) else scenario.email[index % len(scenario.email)]
            client.log_in(email, scenario.password or "", scenario.totp_secret)
        status, body = client.request("GET", scenario.path)
        if status != 200 or (scenario.marker and scenario.marker.encode() not in body):
            raise RuntimeError(f"GET {scenario.path} answered {status}" + (
                f" without {scenario.marker!r}" if status == 200 else ""))
        posts = ClaimRelease(client, body, index) if scenario.mode == "claim-release" else None
    except Exception as error:  # noqa: BLE001 - reported, and the run fails
        problem = f"client {index}: {error}"
        barrier.abort()
    else:
        try:
            barrier.wait(timeout=120)  # all clients and the parent start together
        except Exception:  # noqa: BLE001 - another client failed to start
            problem = problem or f"client {index}: another client failed before the start"
    if not problem:
        connects_before = client.connects
        start = time.perf_counter()
        measure_from = start + scenario.warmup
        until = measure_from + scenario.duration
        now = start
        cpu_at_start = None
        while now < until:
            if cpu_at_start is None and now >= measure_from:
                cpu_at_start = time.process_time()
            attempts += 1
            sent = time.perf_counter()
            try:
                if posts is not None:
                    ok = posts.next()
                else:
                    status, _ = client.request("GET", scenario.path)
                    ok = status == 200
            except (OSError, http.client.HTTPException):
                ok = False
            now = time.perf_counter()
            if not ok:
                errors += 1  # in the warm-up too: every answer must be a 200
            elif sent >= measure_from and now <= until:
                latencies.append(now - sent)
        connects = client.connects - connects_before
        if posts is not None and posts.holding:  # leave no claim behind: the next run's boards match
            with contextlib.suppress(OSError, http.client.HTTPException):
                posts.next()
        cpu = time.process_time() - (cpu_at_start if cpu_at_start is not None else time.process_time())
    else:
        connects, cpu = 0, 0.0
    results.put({"index": index, "latencies": latencies, "errors": errors, "problem": problem,
                 "connects": connects, "attempts": attempts, "cpu_s": cpu})


def _percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not ordered:
        return float("nan")
    rank = max(1, int(round(fraction * len(ordered) + 0.5 - 1e-9)))
    return ordered[min(rank, len(ordered)) - 1]


def cpu_seconds(pids) -> float:
    """User + system CPU time used so far by these processes (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def run(scenario: Scenario, server_pids=None) -> dict:
    """Run one scenario; requests/s, p50/p99 (ms) and errors over the measured window.

    With `server_pids` (the server's workers), also the CPU time they used in the window.
    """
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(scenario.clients + 1)
    results = ctx.Queue()
    processes = [ctx.Process(target=_client_main, args=(scenario, barrier, results, i), daemon=True)
                 for i in range(scenario.clients)]
    for process in processes:
        process.start()
    collected = []
    server_cpu = None
    try:
        try:
            barrier.wait(timeout=150)
        except threading.BrokenBarrierError:
            pass  # a client could not start; its result says why
        else:
            time.sleep(scenario.warmup)
            before = cpu_seconds(server_pids or ())
            time.sleep(scenario.duration)
            server_cpu = cpu_seconds(server_pids or ()) - before
        deadline = time.monotonic() + 180 + scenario.warmup + scenario.duration
        while len(collected) < scenario.clients:
            collected.append(results.get(timeout=max(1.0, deadline - time.monotonic())))
    finally:
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
                process.join()
    latencies = sorted(x for r in collected for x in r["latencies"])
    problems = [r["problem"] for r in collected if r["problem"]]
    errors = sum(r["errors"] for r in collected) + len(problems)

    def per_request(seconds):
        return seconds * 1000 / len(latencies) if seconds is not None and latencies else None

    return {
        "path": scenario.path, "clients": scenario.clients, "duration_s": scenario.duration,
        "requests": len(latencies), "errors": errors, "problems": problems,
        "rps": len(latencies) / scenario.duration,
        "p50_ms": _percentile(latencies, 0.50) * 1000, "p99_ms": _percentile(latencies, 0.99) * 1000,
        "mean_ms": (sum(latencies) / len(latencies) * 1000) if latencies else float("nan"),
        "max_ms": (latencies[-1] * 1000) if latencies else float("nan"),
        # CPU milliseconds per measured request: the server's workers, and the load generator.
        "server_cpu_ms_per_request": per_request(server_cpu if server_pids else None),
        "client_cpu_ms_per_request": per_request(sum(r["cpu_s"] for r in collected)),
        # New TCP connections per request sent (warm-up included): 1.0 means none was reused.
        "connections_per_request": (sum(r["connects"] for r in collected)
                                    / max(1, sum(r["attempts"] for r in collected))),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/")
    parser.add_argument("--email", action="append", help="repeat to log each client in as its own account")
    parser.add_argument("--password")
    parser.add_argument("--totp-secret")
    parser.add_argument("--marker")
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--duration", type=float, default=8.0)
    args = parser.parse_args(argv)
    result = run(Scenario(args.host, args.port, args.path, args.email, args.password, args.marker,
                          args.clients, args.warmup, args.duration, args.totp_secret))
    print(json.dumps(result))
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
