"""`reetrace serve --workers N`, end to end through the installed script: N processes answer on
one port, submissions sent to them at once are each recorded exactly once and answered as their
own, the log verifies, SIGTERM stops every process, and a process that dies on its own takes the
server down with an error rather than leaving it serving with fewer."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from factory import extract
from reetrace.config import Settings
from reetrace.services import accounts
from reetrace.services.log import verify_log
from reetrace.services.registry import load_registry
from reetrace.store import tables as t

REETRACE = str(Path(sys.executable).with_name("reetrace"))
PROCESSES = 2


def serving(pid: int) -> list[int]:
    """The server processes the command started (not multiprocessing's resource tracker)."""
    try:
        found = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return [child for child in found if b"spawn_main" in _cmdline(child)]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except OSError:
        return False


@pytest.fixture
def served(store, store_url, tmp_path, world):
    """A registry with the mine, a token for its user, and `reetrace serve --workers 2` on it."""
    load_registry(store, world.registry())
    accounts.add_user(store, "mine", "long enough pw", "enterprise", world.mine.uscc)
    token = accounts.issue_token(store, "mine", "test")[1]
    env = {**os.environ, "REETRACE_DB": store_url, "REETRACE_LOG_KEYS": str(tmp_path / "keys")}
    server = subprocess.Popen(
        [REETRACE, "serve", "--port", "0", "--workers", str(PROCESSES)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = server.stdout.readline()  # "reetrace serving on http://127.0.0.1:<port> in 2 processes …"
    assert "serving on http://127.0.0.1:" in first, (first, server.stderr.read() if server.poll() else "")
    url = first.split("serving on ", 1)[1].split()[0]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/health", timeout=1).status_code == 200 and len(serving(server.pid)) == PROCESSES:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    else:
        server.kill()
        pytest.fail(f"the server did not answer: {server.stderr.read()}")
    try:
        yield server, url, token
    finally:
        if server.poll() is None:
            server.kill()
        server.communicate(timeout=30)


def test_submissions_sent_at_once_to_several_processes_are_each_recorded_once(
    served, store, store_url, tmp_path, world
):
    server, url, token = served
    workers = serving(server.pid)
    assert len(workers) == PROCESSES and all(map(alive, workers))
    docs = [
        world.mine.submit(
            [extract(f"p{n}", f"P{n}", mass_kg=100 + n, time="2026-11-01T08:00:00+08:00")],
            created_at=f"2026-11-02T10:00:{n:02d}+08:00",
        )
        for n in range(30)
    ]

    def send(doc: dict) -> int:
        with httpx.Client(base_url=url, timeout=60) as client:  # a connection each: spread over the processes
            answer = client.post(
                "/api/submissions",
                content=json.dumps(doc).encode(),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            assert answer.json()["events"]["accepted"] == (1 if answer.status_code == 201 else 0)
            return answer.status_code

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(send, docs))
    assert statuses == [201] * 30
    with ThreadPoolExecutor(8) as pool:  # sent again: each a duplicate, whichever process takes it
        assert set(pool.map(send, docs[:8])) == {200}

    server.send_signal(signal.SIGTERM)
    assert server.wait(60) == 0
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers)  # no process left serving

    with store.reading() as conn:
        assert conn.scalar(select(func.count()).select_from(t.events)) == 30
        assert conn.scalar(select(func.count()).select_from(t.submissions)) == 30
    assert verify_log(store, settings=Settings(db_url=store_url, log_key_dir=tmp_path / "keys")).ok


def test_a_process_that_dies_stops_the_server_with_an_error(served):
    server, url, _ = served
    workers = serving(server.pid)
    os.kill(workers[0], signal.SIGKILL)
    assert server.wait(60) == 1
    assert "a server process ended on its own" in server.stderr.read()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers)  # the others were stopped
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{url}/api/health", timeout=2)


def test_a_port_another_program_listens_on_is_refused_even_if_it_shares_ports(tmp_path):
    """Sockets of another program that asked for SO_REUSEPORT would share the port with the
    server's and take some of its connections: the command refuses the port instead."""
    other = socket.socket()
    other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    other.bind(("127.0.0.1", 0))
    other.listen()
    try:
        env = {**os.environ, "REETRACE_DB": f"sqlite:///{tmp_path / 'store.db'}"}
        port = str(other.getsockname()[1])
        refused = subprocess.run(
            [REETRACE, "serve", "--port", port, "--workers", "2"], env=env, capture_output=True, text=True, timeout=60
        )
    finally:
        other.close()
    assert refused.returncode == 2, (refused.stdout, refused.stderr)
    assert f"cannot listen on 127.0.0.1:{port}" in refused.stderr


def test_a_server_killed_outright_leaves_no_process_serving(served):
    server, url, _ = served
    workers = serving(server.pid)
    server.kill()  # SIGKILL: the parent has no chance to stop them itself
    server.wait(30)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers)
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{url}/api/health", timeout=2)
