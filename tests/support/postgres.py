"""A throwaway PostgreSQL server for the test run: Debian's binaries, a temp dir, 127.0.0.1."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    pass


def _bindir() -> Path:
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        candidate = Path(out.stdout.strip())
        if (candidate / "initdb").exists():
            return candidate
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise PostgresUnavailable(
            "PostgreSQL server binaries not found: install Debian's `postgresql` package "
            "(the README's test command does this)."
        )
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresServer:
    datadir: Path
    port: int
    bindir: Path
    run_as: list[str]

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://accompany@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=accompany dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(
            [*self.run_as, str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "stop"],
            capture_output=True,
        )


def start_postgres(base: Path) -> PostgresServer:
    """initdb in `base` and start a server on a free loopback port (as `postgres` when root)."""
    bindir = _bindir()
    run_as: list[str] = []
    base.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        # PostgreSQL refuses to run as root; Debian's package makes the `postgres` user.
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresUnavailable("running as root and there is no `postgres` user") from None
        os.chown(base, pw.pw_uid, pw.pw_gid)
        base.chmod(0o700)
        run_as = ["runuser", "-u", "postgres", "--"]
    datadir = base / "data"
    port = _free_port()
    subprocess.run(
        [*run_as, str(bindir / "initdb"), "-D", str(datadir), "-U", "accompany", "--auth=trust",
         "-E", "UTF8", "--locale=C", "--no-sync"],
        check=True, capture_output=True,
    )
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {base} -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    result = subprocess.run(
        [*run_as, str(bindir / "pg_ctl"), "-D", str(datadir), "-l", str(base / "server.log"),
         "-o", options, "-w", "-t", "60", "start"],
        capture_output=True, text=True,
    )
    if result.returncode != 0:
        log = (base / "server.log").read_text() if (base / "server.log").exists() else ""
        raise PostgresUnavailable(f"pg_ctl start failed: {result.stderr}\n{log}")
    return PostgresServer(datadir=datadir, port=port, bindir=bindir, run_as=run_as)
