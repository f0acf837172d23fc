"""Fixtures of the HTTP API tests.

How they are built: each test module gets one REAL server — uvicorn on a free loopback port, in
a thread of the test process, serving `create_app` over a store of its own (`module_store_url`:
an SQLite file, or with `REETRACE_TEST_DB` a fresh PostgreSQL schema, exactly as the
`store_url` fixture of tests/conftest.py makes them, but for the whole module). `seeded` loads
the small chain of tests/factory.py (mine → separation plant → trader), one account of every
role with an API token, and submissions sent through the API itself; tests talk to the server
with httpx.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from api_data import PASSWORD, application_request, chain

from factory import World, extract
from reetrace.api.app import create_app
from reetrace.config import Settings
from reetrace.services import accounts, registry
from reetrace.store.database import Store, open_store
from stores import fresh_store_url

STAFF = ("regulator", "inspector", "reviewer", "approver", "auditor")


@pytest.fixture(scope="module")
def module_store_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_store_url(tmp_path_factory.mktemp("api") / "store.db") as url:
        yield url


@dataclass
class Live:
    """A running server and what the tests need to talk to it."""

    url: str
    app: Any
    store: Store
    settings: Settings
    world: World
    tokens: dict[str, str] = field(default_factory=dict)  # username -> API token
    users: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # username -> (role, uscc)

    def client(self, username: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[username]}"} if username else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=120)

    def add_user(self, username: str, role: str, uscc: str | None = None) -> str:
        accounts.add_user(self.store, username, PASSWORD, role, uscc)
        self.tokens[username] = accounts.issue_token(self.store, username, "tests")[1]
        self.users[username] = (role, uscc)
        return self.tokens[username]


def serve(app: Any) -> tuple[str, uvicorn.Server, threading.Thread]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    return f"http://127.0.0.1:{sock.getsockname()[1]}", server, thread


@pytest.fixture(scope="module")
def live(module_store_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    settings = Settings(db_url=module_store_url, log_key_dir=tmp_path_factory.mktemp("logkeys"))
    store = open_store(module_store_url)
    app = create_app(settings, store, session_secret=b"s" * 32)
    url, server, thread = serve(app)
    try:
        yield Live(url, app, store, settings, World())
    finally:
        server.should_exit = True
        thread.join(30)
        store.dispose()


@pytest.fixture(scope="module")
def seeded(live: Live, tmp_path_factory: pytest.TempPathFactory) -> Live:
    """The chain registered and submitted through the API; one user of every staff role and one
    per enterprise (`mine_user`, `plant_user`, `trader_user`), each with a token; a screening list
    loaded; one application filed by the trader; one rejection of the trader's."""
    w = live.world
    registry.load_registry(
        live.store,
        w.registry(
            quotas=[
                {"year": 2026, "uscc": w.mine.uscc, "kind": "mining", "category": "rock", "tonnes_reo": 100},
                {"year": 2026, "uscc": w.mine.uscc, "kind": "mining", "category": "ion_adsorption", "tonnes_reo": 100},
                {"year": 2026, "uscc": w.plant.uscc, "kind": "separation", "category": "all", "tonnes_reo": 100},
                {"year": 2026, "uscc": w.trader.uscc, "kind": "separation", "category": "all", "tonnes_reo": 5},
            ]
        ),
    )
    for role in STAFF:
        live.add_user(role, role)
    for name, party in (("mine_user", w.mine), ("plant_user", w.plant), ("trader_user", w.trader)):
        live.add_user(name, "enterprise", party.uscc)
    for name, submission in chain(w).items():
        with live.client(f"{name}_user") as client:
            answer = client.post("/api/submissions", content=json.dumps(submission))
            assert answer.status_code == 201, answer.text
    tampered = w.trader.submit([extract("x9", "X9", 10)])
    tampered["events"][0]["outputs"][0]["mass_kg"] = 11
    with live.client("trader_user") as client:
        assert client.post("/api/submissions", json=tampered).status_code == 422
    watch = tmp_path_factory.mktemp("lists") / "list.jsonl"
    watch.write_text(
        json.dumps(
            {
                "id": "W-1",
                "schema": "Company",
                "properties": {"name": ["Northern Lights Trading FZE"], "country": ["ae"]},
            }
        )
        + "\n",
        encoding="utf-8",
    )
    from reetrace.services.screening import load_list

    load_list(live.store, Path(watch), "cn_watch")
    with live.client("trader_user") as client:
        answer = client.post("/api/applications", json=application_request(w.trader.uscc))
        assert answer.status_code == 201, answer.text
    return live
