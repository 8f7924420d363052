"""A gunicorn on 127.0.0.1 in its own process group, and the little /proc reading around it."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.common import ROOT, process_dirs


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A gunicorn in its own process group, stopped by killing that group."""

    def __init__(self, name: str, target: str, *, env: dict, workers: int, workdir: Path, ready_path: str):
        self.name, self.port = name, free_port()
        self.log_path = workdir / f"gunicorn-{name}.log"
        command = [
            sys.executable, "-m", "gunicorn", target,
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers), "--worker-class", "sync",
            "--chdir", str(ROOT), "--log-level", "warning", "--error-logfile", str(self.log_path),
            "--timeout", "60",
        ]
        self.command = (f"gunicorn {target} --bind 127.0.0.1:<free port> --workers {workers} "
                        "--worker-class sync --timeout 60")  # as shown in the results
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(workdir / "pgids", "a") as pgids:  # bench/run's trap kills these groups
            pgids.write(f"{self.process.pid}\n")
        self._wait_ready(ready_path)

    def _wait_ready(self, path: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"bench: gunicorn ({self.name}) exited:\n{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", path)
                if conn.getresponse().status == 200:
                    conn.close()
                    return
                conn.close()
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"bench: gunicorn ({self.name}) did not answer on {path}:\n{self.log_tail()}")

    def log_tail(self) -> str:
        try:
            return self.log_path.read_text()[-3000:]
        except OSError:
            return ""

    def workers(self) -> dict[int, dict[str, str]]:
        """The arbiter's children (the workers): pid → /proc status fields."""
        found = {}
        for proc in process_dirs():
            try:
                status = (proc / "status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if fields.get("PPid", "").strip() == str(self.process.pid):
                found[int(proc.name)] = fields
        return found

    def worker_rss_mib(self) -> list[float]:
        """Resident memory of each worker."""
        return sorted(int(f["VmRSS"].split()[0]) / 1024 for f in self.workers().values() if "VmRSS" in f)

    def stop(self) -> None:
        stop_group(self.process)


def stop_group(process: subprocess.Popen, timeout: float = 15) -> None:
    """End `process` and its process group (it was started in a session of its own): TERM, then
    KILL if it has not gone after `timeout` seconds."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=timeout)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
