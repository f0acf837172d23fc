"""The account commands and `reetrace serve`, end to end through the installed script."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

REETRACE = str(Path(sys.executable).with_name("reetrace"))


@pytest.fixture
def cli(store_url, tmp_path):
    env = {**os.environ, "REETRACE_DB": store_url, "COLUMNS": "200", "REETRACE_LOG_KEYS": str(tmp_path / "keys")}
    env.pop("REETRACE_PASSWORD", None)
    env.pop("REETRACE_SESSION_SECRET", None)

    def run(*args: str, expect: int = 0, **extra: str) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [REETRACE, *args],
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        assert result.returncode == expect, (result.stdout, result.stderr)
        return result

    run.env = env
    return run


def test_users_and_tokens(cli):
    cli("users", "add", "wang", "--role", "regulator", "--name", "Wang Li", "--password", "long enough pw")
    cli(
        "users",
        "add",
        "acme",
        "--role",
        "enterprise",
        "--uscc",
        "91110000MA0000001K",
        expect=2,
        REETRACE_PASSWORD="long enough pw",
    )  # not a valid USCC: bad usage
    cli("users", "add", "li", "--role", "enterprise", REETRACE_PASSWORD="long enough pw", expect=2)  # no --uscc
    cli("users", "add", "zhao", "--role", "auditor", REETRACE_PASSWORD="long enough pw")
    cli("users", "add", "zhao", "--role", "auditor", REETRACE_PASSWORD="long enough pw", expect=1)  # exists
    cli("users", "add", "qian", "--role", "auditor", expect=2)  # no password, and no terminal to ask on
    listed = cli("users", "list").stdout
    assert "wang" in listed and "Wang Li" in listed and "zhao" in listed and "qian" not in listed

    token = cli("tokens", "new", "wang", "--label", "ci").stdout.strip()
    assert token.startswith("rt_") and len(token) > 30
    tokens = cli("tokens", "list").stdout
    assert "ci" in tokens and token not in tokens
    cli("tokens", "revoke", "1")
    cli("tokens", "revoke", "1", expect=1)  # already revoked
    cli("tokens", "new", "nobody", expect=1)


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_prints_its_address_and_keeps_a_private_session_secret(cli, store_url, tmp_path):
    cli("users", "add", "wang", "--role", "regulator", "--password", "long enough pw")
    port = _port()
    server = subprocess.Popen(
        [REETRACE, "serve", "--port", str(port)], env=cli.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail(server.stderr.read() if server.poll() is not None else "the server did not answer")
        with httpx.Client(base_url=url) as browser:
            assert browser.post("/api/session", json={"username": "wang", "password": "long enough pw"}).is_success
            assert browser.get("/api/whoami").json()["role"] == "regulator"
            assert browser.get("/openapi.json").json()["info"]["title"] == "reetrace"  # staff only
        assert httpx.get(f"{url}/openapi.json").status_code == 401
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}" in out
    if store_url.startswith("sqlite:///"):
        secret = Path(store_url.removeprefix("sqlite:///") + ".session")
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600
        assert len(secret.read_text().strip()) >= 32


def test_the_session_secret_survives_restarts_and_the_environment_overrides_it(tmp_path):
    from reetrace.api.secret import session_secret
    from reetrace.config import Settings
    from reetrace.errors import StoreError

    settings = Settings(db_url=f"sqlite:///{tmp_path / 'store.db'}")
    first = session_secret(settings, environ={})
    assert session_secret(settings, environ={}) == first
    assert session_secret(settings, environ={"REETRACE_SESSION_SECRET": "x" * 40}) == b"x" * 40
    (tmp_path / "store.db.session").chmod(0o644)
    with pytest.raises(StoreError, match="readable by others"):
        session_secret(settings, environ={})


def test_the_operator_manages_accounts_and_each_change_is_recorded(cli, store_url, tmp_path):
    import getpass
    from datetime import UTC, datetime

    from reetrace.services import sessions
    from reetrace.services.sessions import Door, LoginGate
    from reetrace.store import access_log_repo, accounts_repo
    from reetrace.store.database import open_store

    refused = cli("users", "add", "wang", "--role", "regulator", "--password", "12345678", expect=1)
    assert "at least 12 characters" in refused.stderr
    cli("users", "add", "wang", "--role", "regulator", "--password", "wang", expect=1)
    cli("users", "add", "wang", "--role", "regulator", "--password", "Qwerty123456", expect=1)  # a common one
    cli("users", "add", "wang", "--role", "regulator", "--password", "long enough pw")
    store = open_store(store_url)
    try:
        now = datetime.now(UTC)
        door = Door("console", "127.0.0.1", "POST /login")
        opened = sessions.log_in(store, LoginGate(1), door, "wang", "long enough pw", now)
        assert (
            "1 session(s) ended" in cli("users", "password", "wang", REETRACE_PASSWORD="a brand new passphrase").stdout
        )
        assert sessions.current(store, opened.token, now) is None
        cli("users", "disable", "wang")
        cli("users", "disable", "wang", expect=1)
        assert '"disabled": true' in cli("users", "list", "--format", "json").stdout
        cli("users", "enable", "wang")
        cli("users", "role", "wang", "inspector")
        cli("users", "require-totp", "inspector")
        listed = cli("users", "list").stdout
        assert "required, not enrolled" in listed and "second factor required of: inspector" in listed
        qr = tmp_path / "wang-qr.svg"
        uri = cli("users", "totp", "wang", "--qr", str(qr)).stdout.strip().splitlines()[-1]
        assert uri.startswith("otpauth://totp/reetrace:wang?secret=") and qr.read_text().lstrip().startswith("<")
        assert '"second_factor": true' in cli("users", "list", "--format", "json").stdout
        cli("users", "totp", "wang", "--off")
        cli("users", "require-totp", "inspector", "--off")
        cli("users", "require-totp", "ruler", expect=2)
        cli("users", "disable", "nobody", expect=1)
        with store.reading() as conn:
            changes = [(r.username, r.action, r.by) for r in accounts_repo.account_changes(conn)]
            logged, _ = access_log_repo.access_entries(conn, None, None, None, 100, 0)
            entries = [e for e in logged if e.what.startswith("account ")]
    finally:
        store.dispose()
    me = getpass.getuser()
    assert changes == [
        ("wang", "added", me),
        ("wang", "password", me),
        ("wang", "disabled", me),
        ("wang", "enabled", me),
        ("wang", "role", me),
        ("*", "policy", me),
        ("wang", "totp_reset", me),
        ("wang", "totp_removed", me),
        ("*", "policy", me),
    ]
    assert len(entries) == len(changes) and {(e.channel, e.os_user, e.role) for e in entries} == {
        ("cli", me, "operator")
    }
