"""A demo year loaded into a fresh SQLite store, for the page and browser tests.

The registry, then every signed submission except the last month of one mining enterprise
(`held_back`, for an upload test); one license application filed on a lot an applicant still
holds; and the users asked for, each with `PASSWORD`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from reetrace.config import Settings
from reetrace.demo import generate, write
from reetrace.demo import review as demo_review
from reetrace.domain.accounts import Actor
from reetrace.domain.prereview import holds
from reetrace.services.accounts import add_user
from reetrace.services.applications import submit_application
from reetrace.services.ingest import ingest, submission_files
from reetrace.services.prereview import lot_facts
from reetrace.services.registry import load_registry
from reetrace.store.database import Store, open_store

PASSWORD = "rare earth ledger 2025"


@dataclass
class DemoSite:
    settings: Settings
    store: Store
    mine: str  # a mining enterprise: the enterprise user "firm" belongs to it
    other: str  # another enterprise (a separation plant)
    held_back: Path  # a signed submission of `mine` not yet ingested
    application: str
    lot: str  # a lot with a history both ways


def held(store: Store, submissions: list[dict[str, Any]], exporter: str) -> list[str]:
    """The lots of the demo year an exporter still holds: those it may apply for."""
    with store.reading() as conn:
        facts = lot_facts(conn, demo_review.lots_kept(submissions, exporter), 0.01)
    return [lot for lot, f in facts.items() if holds(f, exporter)]


def load_demo_site(folder: Path, seed: int, name: str, users: tuple[tuple[str, str, str | None], ...]) -> DemoSite:
    """`users`: (username, role, "mine" | "other" | None for staff)."""
    year = generate(seed=seed, scale=0.2)
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
    exporter, kept = next(
        (uscc, lots) for uscc in demo_review.applicants(year.registry) if (lots := held(store, year.submissions, uscc))
    )
    path = demo_review.write_application(
        folder / "review", name, exporter, kept[:1], ("Vogel GmbH", "DE"), "Magnets for servo motors", date.today()
    )
    application = submit_application(
        store, settings, path, "Demo Exporter", actor=Actor.operator("tests", "Demo Exporter")
    ).number
    lot = next(
        e["inputs"][0]["lot"]
        for doc in year.submissions
        for e in doc["events"]
        if e["type"] == "transform" and e.get("process") == "metal"
    )
    for username, role, whose in users:
        add_user(store, username, PASSWORD, role, {"mine": mine, "other": other}.get(whose or ""))
    return DemoSite(settings, store, mine, other, held_back, application, lot)
