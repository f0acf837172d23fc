"""A change and its access-log entry are committed together or not at all: with the store made
to refuse every new entry (a trigger on the access log), each use case that changes the store
fails and leaves it exactly as it was; with the trigger gone, the same call changes the store
and leaves its one entry (the near miss).

The cases run in order on one store, each building on the one before."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from access_checks import changed_tables, entries_after, last_entry, store_state
from factory import World, export, extract, lot, receive, ship, transform
from reetrace.config import Settings
from reetrace.domain.accounts import Actor
from reetrace.services import applications as apps
from reetrace.services import review, supervision, triage
from reetrace.services.controls import change_control
from reetrace.services.customs import load_declarations, report_arrival
from reetrace.services.ingest import ingest
from reetrace.services.log import publish_checkpoint, rotate_key, verifier_key
from reetrace.services.mirror import load_mirror_statistics
from reetrace.services.registry import load_registry
from reetrace.services.screening import load_list
from reetrace.services.witnessing import witness_log
from reetrace.store import tables as t
from reetrace.store.database import Store, open_store
from reetrace.witness.witness import Witness
from stores import fresh_store_url

ACTOR = Actor.operator("tester", "Tester")
OXIDE_DY = {"Dy": 0.8713}
LICENSE = "RE-2026-000001"


@contextmanager
def entries_refused(store: Store) -> Iterator[None]:
    """The store refuses every new access-log entry while this lasts."""
    if store.dialect == "sqlite":
        make = [
            "CREATE TRIGGER refuse_entries BEFORE INSERT ON access_log "
            "BEGIN SELECT RAISE(ABORT, 'the access log refuses entries'); END"
        ]
        undo = ["DROP TRIGGER refuse_entries"]
    else:
        make = [
            "CREATE FUNCTION refuse_entry() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'the access log refuses entries'; END $$",
            "CREATE TRIGGER refuse_entries BEFORE INSERT ON access_log FOR EACH ROW EXECUTE FUNCTION refuse_entry()",
        ]
        undo = ["DROP TRIGGER refuse_entries ON access_log", "DROP FUNCTION refuse_entry()"]
    with store.writing() as conn:
        for statement in make:
            conn.exec_driver_sql(statement)
    try:
        yield
    finally:
        with store.writing() as conn:
            for statement in undo:
                conn.exec_driver_sql(statement)


@dataclass
class Ledger:
    store: Store
    settings: Settings
    world: World
    folder: Path
    numbers: dict[str, str]

    def file(self, name: str, text: str) -> Path:
        path = self.folder / name
        path.write_text(text, encoding="utf-8")
        return path


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    folder = tmp_path_factory.mktemp("same-transaction")
    with fresh_store_url(folder / "store.db") as url:
        store = open_store(url)
        settings = Settings(db_url=url, log_key_dir=folder / "logkeys")
        world = World()
        here = Ledger(store, settings, world, folder, {})
        load_registry(store, world.registry())
        m, p, x = world.mine, world.plant, world.trader
        subs = [
            m.submit([extract("m1", "C1", 1000, composition={"Dy": 0.06}), ship("m2", ["C1"], p.uscc, "S1")]),
            p.submit(
                [
                    receive("p1", ["C1"], m.uscc, "S1", mass_kg=1000),
                    transform("p2", "separation", [("C1", 1000)], [lot("DYO-1", "oxide", 60, OXIDE_DY)]),
                    ship("p3", ["DYO-1"], x.uscc, "S2", time="2026-01-12T08:00:00+08:00"),
                ]
            ),
            x.submit(
                [
                    receive("x1", ["DYO-1"], p.uscc, "S2", time="2026-01-14T08:00:00+08:00"),
                    {
                        "event_id": "x2",
                        "type": "import",
                        "time": "2026-01-15T08:00:00+08:00",
                        "origin_country": "MM",
                        "customs_declaration": "IMP-x2",
                        "outputs": [lot("IMP-1", "oxide", 20, OXIDE_DY)],
                    },
                    export("x3", ["IMP-1"]),
                ]
            ),
        ]
        ingest(store, [here.file(f"s{i}.json", json.dumps(s)) for i, s in enumerate(subs)], as_received_created_at=True)
        publish_checkpoint(store, settings)
        for name, roles in (("Wang Li", ["reviewer"]), ("Chen Jie", ["approver"])):
            review.add_official(store, name, roles, None)
        (folder / "euc.pdf").write_bytes(b"%PDF end-user certificate")
        (folder / "eu.pdf").write_bytes(b"%PDF end-use certificate")
        doc = {
            "format": "reetrace/license-application@1",
            "exporter": x.uscc,
            "license_type": "single",
            "items": [{"lot": "DYO-1"}],
            "consignee": {"name": "Hamburg Magnet Works GmbH", "country": "DE"},
            "end_users": [{"name": "Hamburg Magnet Works GmbH", "country": "DE"}],
            "end_use": "Sintered NdFeB magnets for wind turbine generators",
            "destination": "DE",
            "contract_ref": "HMW-2026-17",
            "valid_from": "2099-03-01",
            "valid_to": "2100-02-28",
            "documents": [
                {"kind": "end_user_certificate", "path": "euc.pdf"},
                {"kind": "end_use_certificate", "path": "eu.pdf"},
            ],
        }
        here.numbers["a"] = apps.submit_application(
            store, settings, here.file("a.json", json.dumps(doc)), "Li Na", actor=Actor.operator("setup", "Li Na")
        ).number
        Witness.init(folder / "witness", "test.witness").trust(verifier_key(store, settings))
        yield here
        store.dispose()


def _finding(lg: Ledger) -> str:
    found = triage.triaged_findings(lg.store, lg.settings, date(2026, 12, 31))
    assert found, "the ledger must have a finding to triage"
    return found[0].key


# (name, the call with ACTOR, the entries it leaves when it succeeds)
USE_CASES: list[tuple[str, Callable[[Ledger], Any], list[str]]] = [
    (
        "registry load",
        lambda lg: load_registry(
            lg.store,
            {**lg.world.registry(), "quotas": [{**q, "tonnes_reo": 7} for q in lg.world.registry()["quotas"]]},
            actor=ACTOR,
        ),
        ["registry load"],
    ),
    (
        "control change",
        lambda lg: change_control(
            lg.store,
            lg.settings,
            "add",
            "1C999",
            effective=date(2026, 6, 1),
            by="Tester",
            why="notice",
            element="Ho",
            groups=("b",),
            actor=ACTOR,
        ),
        ["control add"],
    ),
    (
        "screening list load",
        lambda lg: load_list(
            lg.store,
            lg.file("l.jsonl", json.dumps({"id": "E", "schema": "Company", "properties": {"name": ["Ember"]}}) + "\n"),
            "extra",
            actor=ACTOR,
        ),
        ["screening list load"],
    ),
    (
        "customs load",
        lambda lg: load_declarations(
            lg.store,
            (
                "declaration_no,date,exporter,hs_code,net_kg,destination,license_no,lots\n"
                f"CD-x3,2026-01-20,{lg.world.trader.uscc},2846901500,20,DE,{LICENSE},IMP-1\n"
            ).encode(),
            "january.csv",
            "Tester",
            actor=ACTOR,
        ),
        ["customs load"],
    ),
    (
        "export arrival",
        lambda lg: report_arrival(
            lg.store, lg.settings, f"{lg.world.trader.uscc}:x3", date(2026, 2, 1), "Tester", actor=ACTOR
        ),
        ["export arrival"],
    ),
    (
        "mirror load",
        lambda lg: load_mirror_statistics(
            lg.store, b"year,partner,hs6,kg,value\n2026,DE,284690,20,700\n", "m.csv", actor=ACTOR
        ),
        ["mirror load"],
    ),
    (
        "official add",
        lambda lg: review.add_official(lg.store, "Sun Hui", ["reviewer"], None, actor=ACTOR),
        ["official add"],
    ),
    (
        "review accept",
        lambda lg: review.take_step(lg.store, lg.settings, lg.numbers["a"], "accept", "Wang Li", actor=ACTOR),
        ["review accept"],
    ),
    (
        "review start",
        lambda lg: review.take_step(lg.store, lg.settings, lg.numbers["a"], "start", "Wang Li", actor=ACTOR),
        ["review start"],
    ),
    (
        "review approve",
        lambda lg: review.take_step(lg.store, lg.settings, lg.numbers["a"], "approve", "Chen Jie", "fine", actor=ACTOR),
        ["review prereview", "review approve"],
    ),
    (
        "triage",
        lambda lg: triage.act(
            lg.store, lg.settings, _finding(lg), "note", "Tester", "seen", as_of=date(2026, 12, 31), actor=ACTOR
        ),
        ["triage note"],
    ),
    (
        "supervision start",
        lambda lg: supervision.start(lg.store, lg.settings, date(2026, 12, 31), actor=ACTOR),
        ["supervision start"],
    ),
    (
        "witness cosignature",
        lambda lg: witness_log(lg.store, lg.settings, lg.folder / "witness", actor=ACTOR),
        ["witness cosignature"],
    ),
    ("log key rotation", lambda lg: rotate_key(lg.store, lg.settings, actor=ACTOR), ["log key rotate"]),
]


@pytest.mark.parametrize("name", [name for name, _, _ in USE_CASES])
def test_a_change_and_its_entry_commit_together_or_not_at_all(ledger, name):
    _, call, whats = next(case for case in USE_CASES if case[0] == name)
    before, last = store_state(ledger.store), last_entry(ledger.store)
    with entries_refused(ledger.store):
        with pytest.raises(DBAPIError, match="refuses entries"):
            call(ledger)
    assert entries_after(ledger.store, last) == []
    assert changed_tables(before, store_state(ledger.store)) == set(), "the change was kept without its entry"

    call(ledger)
    assert changed_tables(before, store_state(ledger.store)), f"{name} must change the store"
    rows = entries_after(ledger.store, last)
    assert [r["what"] for r in rows] == whats
    assert all(
        (r["action"], r["username"], r["role"], r["channel"], r["os_user"])
        == ("change", "Tester", "operator", "cli", "tester")
        for r in rows
    )


def test_an_entry_tells_the_particulars_of_its_change(ledger):
    """After the cases above: the approval's entry names the application, the official, the
    state it left, the license it issued and why; the arrival's entry the export and the day."""
    with ledger.store.reading() as conn:
        rows = {r.what: r for r in conn.execute(select(t.access_log).where(t.access_log.c.action == "change"))}
    x = ledger.world.trader.uscc
    approve = rows["review approve"]
    assert (approve.enterprise, approve.detail) == (
        x,
        f"application {ledger.numbers['a']} by Chen Jie, now approved, license_no RE2026S000001: fine",
    )
    assert (rows["export arrival"].enterprise, rows["export arrival"].detail) == (
        x,
        f"export {x}:x3 arrived on 2026-02-01",
    )
    assert rows["control add"].detail.startswith("1C999 from 2026-06-01: change ")
    assert rows["official add"].detail == "Sun Hui: reviewer"


def test_a_checkpoint_is_no_ones_change(ledger):
    """The log signs a checkpoint whenever it has grown, whoever asks: a checkpoint is stored and
    no access-log entry is written for it (after the cases above: an official added here moves
    the chains past the last checkpoint)."""
    review.add_official(ledger.store, "Zhao Min", ["reviewer"], None, actor=ACTOR)
    before, last = store_state(ledger.store), last_entry(ledger.store)
    signed = checkpoint_count(ledger.store)
    publish_checkpoint(ledger.store, ledger.settings)
    assert checkpoint_count(ledger.store) == signed + 1
    assert changed_tables(before, store_state(ledger.store)) == set()
    assert entries_after(ledger.store, last) == []


def checkpoint_count(store: Store) -> int:
    with store.reading() as conn:
        return conn.scalar(select(func.count()).select_from(t.checkpoints)) or 0
