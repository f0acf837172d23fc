"""Fixtures for the page tests.

How they are built: `site` is a synthetic year from the demo (seed 11, scale 0.2) loaded into a
fresh SQLite store once per module: the registry, then every signed submission except the last
month of one mining enterprise (`site.held_back`, for the upload test); one license application
filed on a lot an applicant still holds; and a user of each kind (`password1` for all). Pages
are driven through FastAPI's TestClient on `create_app(settings, store)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from reetrace.api.app import create_app
from reetrace.config import Settings
from reetrace.demo import generate, write
from reetrace.demo import review as demo_review
from reetrace.services.accounts import add_user
from reetrace.services.applications import submit_application
from reetrace.services.ingest import ingest, submission_files
from reetrace.services.registry import load_registry
from reetrace.store.database import Store, open_store

PASSWORD = "password1"


@dataclass
class Site:
    settings: Settings
    store: Store
    mine: str  # the enterprise user's enterprise
    other: str  # another enterprise
    held_back: Path  # a signed submission of `mine` not yet ingested
    application: str
    lot: str  # a lot with a history both ways

    def client(self, username: str | None = None) -> TestClient:
        client = TestClient(create_app(self.settings, self.store, session_secret=b"s" * 32))
        if username:
            response = client.post("/login", data={"username": username, "password": PASSWORD},
                                   follow_redirects=False)
            assert response.status_code == 303, response.text
        return client


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    folder = tmp_path_factory.mktemp("site")
    year = generate(seed=11, scale=0.2)
    write(year, folder)
    settings = Settings(db_url=f"sqlite:///{folder / 'store.db'}")
    store = open_store(settings.db_url)
    load_registry(store, year.registry)
    kinds = {e["uscc"]: {q["kind"] for q in e["qualifications"]} for e in year.registry["enterprises"]}
    mine = next(uscc for uscc, k in kinds.items() if "mining" in k)
    other = next(uscc for uscc, k in kinds.items() if "separation" in k)
    files = submission_files([folder / "submissions"])
    held_back = sorted(f for f in files if f.parent.name == mine)[-1]
    ingest(store, [f for f in files if f != held_back], as_received_created_at=True)
    exporter, kept = next((uscc, lots) for uscc in demo_review.applicants(year.registry)
                          if (lots := demo_review.lots_kept(year.submissions, uscc)))
    path = demo_review.write_application(folder / "review", "web", exporter, kept[:1], ("Vogel GmbH", "DE"),
                                         "Magnets for servo motors", date.today())
    application = submit_application(store, settings, path, "Demo Exporter").number
    lot = next(e["inputs"][0]["lot"] for doc in year.submissions for e in doc["events"]
               if e["type"] == "transform" and e.get("process") == "metal")
    for username, role, uscc in (("regulator", "regulator", None), ("inspector", "inspector", None),
                                 ("reviewer", "reviewer", None), ("approver", "approver", None),
                                 ("firm", "enterprise", mine), ("rival", "enterprise", other)):
        add_user(store, username, PASSWORD, role, uscc)
    yield Site(settings, store, mine, other, held_back, application, lot)
    store.dispose()
