"""A throwaway PostgreSQL server for tests, and fresh databases on it.

The server is either the one ``.ci/run`` started (its URL in
``DEPOSITARY_TEST_PG_URL``), or a cluster started here from the Debian
binaries as the ``postgres`` user (``initdb`` refuses root), on a free port
on 127.0.0.1, in a temporary directory removed on exit.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

ENV_URL = "DEPOSITARY_TEST_PG_URL"
PGBIN = os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin")


class UnavailableError(Exception):
    """No PostgreSQL server could be found or started."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def plain_url(url: str) -> str:
    """``postgresql+psycopg://...`` as psycopg's own ``postgresql://...``."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def with_dbname(url: str, dbname: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{dbname}"


@contextmanager
def own_cluster() -> Iterator[str]:
    """Start a cluster as ``postgres``; yield its admin URL; stop and remove it."""
    if not os.path.exists(f"{PGBIN}/pg_ctl"):
        raise UnavailableError(f"no PostgreSQL server binaries in {PGBIN}")
    run_as: dict[str, Any] = {}
    tmp = tempfile.mkdtemp(prefix="depositary-pg-")
    if os.geteuid() == 0:
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError as e:
            shutil.rmtree(tmp, ignore_errors=True)
            raise UnavailableError("running as root and there is no 'postgres' user") from e
        os.chown(tmp, pw.pw_uid, pw.pw_gid)
        run_as = {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}
    data, port = f"{tmp}/data", _free_port()
    opts = (
        f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    initdb = [f"{PGBIN}/initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8"]
    start = [f"{PGBIN}/pg_ctl", "-D", data, "-l", f"{tmp}/server.log", "-w", "-t", "60"]
    try:
        subprocess.run(
            [*initdb, "--locale=C.UTF-8"], check=True, capture_output=True, cwd=tmp, **run_as
        )
        subprocess.run(
            [*start, "-o", opts, "start"], check=True, capture_output=True, cwd=tmp, **run_as
        )
    except (OSError, subprocess.CalledProcessError) as e:
        shutil.rmtree(tmp, ignore_errors=True)
        detail = (getattr(e, "stderr", b"") or b"").decode(errors="replace")
        raise UnavailableError(f"cannot start PostgreSQL: {e} {detail}") from e
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [f"{PGBIN}/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"],
            capture_output=True, cwd=tmp, check=False, **run_as,
        )  # fmt: skip
        shutil.rmtree(tmp, ignore_errors=True)


def check_server(admin_url: str) -> None:
    """Raise UnavailableError unless the server answers."""
    try:
        with psycopg.connect(plain_url(admin_url), connect_timeout=10) as c:
            c.execute("SELECT 1")
    except psycopg.Error as e:
        raise UnavailableError(f"cannot connect to {admin_url}: {e}") from e


@contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """Create an empty database; yield its URL; drop it (cutting off its sessions)."""
    name = f"depositary_t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(plain_url(admin_url), autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')  # the name is ours: hex only
    try:
        yield with_dbname(admin_url, name)
    finally:
        with psycopg.connect(plain_url(admin_url), autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
