"""The access log at the command line, through the installed `reetrace` script: every command
that changes the store leaves exactly the entry it should (the person `--by` names, else the
operating-system user, through the command line, as that operating-system user); every command
that only reads leaves the store as it was and no entry; `reetrace access-log` reads the log
back, filtered, and is written down itself.

`COMMANDS` runs in order on one store (a small chain, applications at every step of the review,
a witness); with `APART`, it must name every command the CLI has."""

from __future__ import annotations

import getpass
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import typer.main

from access_checks import Entry, assert_entries, changed_tables, entries_after, last_entry, store_state
from factory import World, export, extract, lot, receive, ship, transform
from reetrace.cli import app
from reetrace.config import Settings
from reetrace.domain.accounts import Actor
from reetrace.services import applications as apps
from reetrace.services import review
from reetrace.services.ingest import ingest
from reetrace.services.log import publish_checkpoint, verifier_key
from reetrace.services.registry import load_registry
from reetrace.services.screening import load_list
from reetrace.store.database import Store, open_store
from reetrace.witness.witness import Witness
from stores import fresh_store_url

OS_USER = getpass.getuser()
OXIDE_DY = {"Dy": 0.8713}
LICENSE = "RE-2026-000001"
# signed by the log as its own housekeeping (after an ingest, before a certificate or a proof),
# and the index of EPCIS eventIDs, derived from the ledger and filled when it is first looked in
# (`reetrace epcis index` fills it beforehand): a read may leave these, never anything else
# and the credential issuer's key, made when first needed (a status list signed, say), as the log's is
HOUSEKEEPING = {"checkpoints", "epcis_ids", "epcis_index", "issuer_keys"}
REETRACE = str(Path(sys.executable).with_name("reetrace"))  # the command, beside this Python

# no store: files, keys, a witness's own directory, another server, or a store of their own
# (the demo's entries are checked in test_demo_cli.py)
APART = {
    "keys new",
    "sign",
    "epcis import",  # an EPCIS file into a submission file, signed with a key file
    "verify",
    "submit",
    "serve",
    "demo",
    "simulate",
    "analytics query",
    "analytics quota-use",
    "witness init",
    "witness key",
    "witness trust",
    "witness observe",
    "witness alerts",
}


@dataclass
class Here:
    """The store the commands run on, and what they name."""

    url: str
    store: Store
    settings: Settings
    world: World
    folder: Path
    numbers: dict[str, str] = field(default_factory=dict)  # application by purpose

    @property
    def trader(self) -> str:
        return self.world.trader.uscc

    def write(self, name: str, content: str | dict[str, Any]) -> str:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
        path.write_text(text, encoding="utf-8")
        return str(path)

    redacted_leaf: int = -1

    def redacted_certificate(self) -> str:
        """A certificate of DYO-1 as the trader receives it (the mine's and the plant's events
        redacted), made without the command line; `redacted_leaf` is the mine's extraction."""
        from reetrace.services.certify import certify

        document = certify(self.store, self.settings, "DYO-1", for_enterprise=self.trader)
        leaves = [r["leaf_index"] for r in document["redacted"] if r["projection"]["type"] == "extract"]
        assert len(leaves) == 1, "the mine's extraction must be redacted"
        self.redacted_leaf = leaves[0]
        return self.write("redacted.json", document)

    def credential(self) -> str:
        """A credential of DYO-1, issued without the command line."""
        from reetrace.services.credentials import issue

        return self.write("credential.json", issue(self.store, self.settings, "DYO-1").document)

    def run(self, *args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "REETRACE_DB": self.url, "REETRACE_LOG_KEYS": str(self.settings.log_keys_path())}
        env.pop("REETRACE_PASSWORD", None)
        return subprocess.run(
            [REETRACE, *args], env={**env, "COLUMNS": "200"}, capture_output=True, text=True, timeout=300
        )


def application(here: Here, lots: tuple[str, ...], consignee: str = "Hamburg Magnet Works GmbH") -> str:
    (here.folder / "euc.pdf").write_bytes(b"%PDF end-user certificate")
    (here.folder / "eu.pdf").write_bytes(b"%PDF end-use certificate")
    doc = {
        "format": "reetrace/license-application@1",
        "exporter": here.trader,
        "license_type": "single",
        "items": [{"lot": x} for x in lots],
        "consignee": {"name": consignee, "country": "DE"},
        "end_users": [{"name": consignee, "country": "DE"}],
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
    return here.write(f"application-{'-'.join(lots)}.json", doc)


@pytest.fixture(scope="module")
def here(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Here]:
    """A mine, a plant and a trader holding three Dy oxide lots, which it imported and exported
    one more of under its license; a watch list; three officials; applications for each step of
    the review; a witness trusting the log. All set up without an actor: no entries yet."""
    folder = tmp_path_factory.mktemp("cli-access")
    with fresh_store_url(folder / "store.db") as url:
        store = open_store(url)
        settings = Settings(db_url=url, log_key_dir=folder / "logkeys")
        world = World()
        h = Here(url, store, settings, world, folder)
        load_registry(store, world.registry())
        m, p, x = world.mine, world.plant, world.trader
        subs = {
            "mine.json": m.submit(
                [extract("m1", "C1", 1000, composition={"Ce": 0.2, "Dy": 0.06}), ship("m2", ["C1"], p.uscc, "S1")]
            ),
            "plant.json": p.submit(
                [
                    receive("p1", ["C1"], m.uscc, "S1", mass_kg=1000),
                    transform(
                        "p2",
                        "separation",
                        [("C1", 1000)],
                        [lot(f"DYO-{n}", "oxide", 15, OXIDE_DY) for n in (1, 2, 3)]
                        + [lot("CEO-1", "oxide", 230, {"Ce": 0.8141})],
                    ),
                    ship("p3", ["DYO-1", "DYO-2", "DYO-3"], x.uscc, "S2", time="2026-01-12T08:00:00+08:00"),
                ]
            ),
            "trader.json": x.submit(
                [
                    receive("x1", ["DYO-1", "DYO-2", "DYO-3"], p.uscc, "S2", time="2026-01-14T08:00:00+08:00"),
                    {
                        "event_id": "x2",
                        "type": "import",
                        "time": "2026-01-15T08:00:00+08:00",
                        "origin_country": "MM",
                        "customs_declaration": "IMP-x2",
                        "outputs": [lot("IMP-1", "oxide", 20, OXIDE_DY)],
                    },
                    export("x3", ["IMP-1"], time="2026-01-20T08:00:00+08:00"),
                ]
            ),
        }
        ingest(store, [Path(h.write(f"subs/{n}", d)) for n, d in subs.items()], as_received_created_at=True)
        publish_checkpoint(store, settings)
        watch = {"id": "NK-1", "schema": "Company", "properties": {"name": ["Shadow Magnetics Limited"]}}
        load_list(store, Path(h.write("watch.jsonl", json.dumps(watch) + "\n")), "cn_control")
        for name, roles in (
            ("Wang Li", ["reviewer"]),
            ("Zhao Min", ["reviewer", "approver"]),
            ("Chen Jie", ["approver"]),
        ):
            review.add_official(store, name, roles, None)
        for purpose, lots, consignee in (
            ("approved", ("DYO-1",), "Hamburg Magnet Works GmbH"),
            ("denied", ("DYO-2",), "Shadow Magnetics Ltd"),
            ("declined", ("DYO-3",), "Hamburg Magnet Works GmbH"),
            ("withdrawn", ("DYO-3",), "Lyon Aimants SA"),
        ):
            h.numbers[purpose] = apps.submit_application(
                store, settings, Path(application(h, lots, consignee)), "Li Na", actor=Actor.operator("setup", "Li Na")
            ).number
        for action in ("accept", "start"):
            review.take_step(store, settings, h.numbers["denied"], action, "Zhao Min")
        witness = Witness.init(folder / "witness", "test.witness")
        witness.trust(verifier_key(store, settings))
        yield h
        store.dispose()


def more_quota(here: Here) -> dict[str, Any]:
    doc = here.world.registry()
    return {**doc, "quotas": [{**q, "tonnes_reo": q["tonnes_reo"] + 10} for q in doc["quotas"]]}


def grow_the_log(here: Here) -> None:
    """One more event, ingested without a checkpoint: the log has grown since it last signed."""
    sub = here.world.mine.submit([extract("m9", "C9", 10)], created_at="2026-03-01T10:00:00+08:00")
    ingest(here.store, [Path(here.write("subs/late.json", sub))], as_received_created_at=True)


@dataclass
class Command:
    """A command line; the entries it must leave (None: it only reads, and leaves none) and
    whom they name (`by`, else the operating-system user); something to do first."""

    args: Callable[[Here], list[str]]
    entries: Callable[[Here], list[Entry]] | None = None
    by: str | None = None
    before: Callable[[Here], None] | None = None
    reads_only: bool = False  # a read that hands data out: written down, yet the store is unchanged


def reads(*args: str) -> Command:
    return Command(lambda h: list(args))


def _x(h: Here) -> str:
    return h.trader


COMMANDS: list[tuple[str, Command]] = [
    # reads
    ("registry show", reads("registry", "show", "--format", "json")),
    ("rejected", reads("rejected")),
    ("audit", reads("audit", "--as-of", "2026-12-31", "--format", "json")),
    ("trace", reads("trace", "DYO-1", "--direction", "backward", "--format", "json")),
    ("quota-use", reads("quota-use", "2026")),
    ("controls show", reads("controls", "show", "--all")),
    ("classify", reads("classify", "DYO-1", "--on", "2026-01-21")),
    ("screening show", reads("screening", "show")),
    ("screen", reads("screen", "Shadow Magnetics", "--format", "json")),
    ("risk", reads("risk", "--year", "2026", "--format", "json")),
    ("officials list", reads("officials", "list")),
    ("applications list", reads("applications", "list")),
    ("applications due", reads("applications", "due")),
    ("applications show", Command(lambda h: ["applications", "show", h.numbers["approved"]])),
    # reads that hand data out of the store are written down: a document, a certificate, an opening
    (
        "applications document",
        Command(
            lambda h: ["applications", "document", h.numbers["approved"], "1", "--out", str(h.folder / "d.pdf")],
            lambda h: [Entry("read", f"application {h.numbers['approved']}", h.trader)],
            reads_only=True,
        ),
    ),
    ("licenses list", reads("licenses", "list")),
    ("licenses show", reads("licenses", "show", LICENSE)),
    ("customs imports", reads("customs", "imports")),
    ("customs reconcile", reads("customs", "reconcile", "--as-of", "2026-12-31")),
    ("exports list", reads("exports", "list", "--as-of", "2026-12-31")),
    ("mirror report", reads("mirror", "report")),
    ("log key", reads("log", "key")),
    ("log consistency", reads("log", "consistency", "1", "2")),
    ("log verify", reads("log", "verify")),
    ("users list", reads("users", "list")),
    ("tokens list", reads("tokens", "list")),
    ("log prove", Command(lambda h: ["log", "prove", f"{h.trader}:x1"])),
    (
        "certify",
        Command(
            lambda h: ["certify", "DYO-1", "--out", str(h.folder / "certificate.json")],
            lambda h: [Entry("read", "certificate of lot DYO-1", h.world.plant.uscc)],
            reads_only=True,
        ),
    ),
    (
        "disclose",
        Command(
            lambda h: [
                "disclose",
                h.redacted_certificate(),
                "--leaf",
                str(h.redacted_leaf),
                "--out",
                str(h.folder / "o.json"),
            ],
            lambda h: [Entry("disclose", f"redacted event at leaf {h.redacted_leaf}", h.world.mine.uscc)],
            reads_only=True,
        ),
    ),
    (
        "credential provenance",
        Command(
            lambda h: ["credential", "provenance", "DYO-1"],
            lambda h: [Entry("read", "provenance of lot DYO-1", h.world.plant.uscc)],
            reads_only=True,
        ),
    ),
    ("credential did-document", Command(lambda h: ["credential", "did-document", "--out", str(h.folder / "d.json")])),
    ("credential status-list", Command(lambda h: ["credential", "status-list", "--out", str(h.folder / "s.json")])),
    ("credential verify", Command(lambda h: ["credential", "verify", h.credential()])),
    ("credential review", reads("credential", "review")),
    ("analytics export", Command(lambda h: ["analytics", "export", "--out", str(h.folder / "analytics")])),
    ("epcis export", Command(lambda h: ["epcis", "export", "--out", str(h.folder / "events.jsonld")])),
    ("epcis index", reads("epcis", "index")),  # a derived index, kept as the log's housekeeping is
    # changes
    (
        "credential issue",
        Command(
            lambda h: ["credential", "issue", "DYO-1", "--out", str(h.folder / "issued.json")],
            lambda h: [Entry("change", "credential issue", h.world.plant.uscc)],
        ),
    ),
    (
        "credential events",
        Command(
            lambda h: ["credential", "events", "1", "--out", str(h.folder / "events.json")],
            lambda h: [Entry("change", "credential issue", h.world.mine.uscc)],
        ),
    ),
    (
        "registry load",
        Command(
            lambda h: ["registry", "load", h.write("registry.json", more_quota(h))],
            lambda h: [Entry("change", "registry load", None)],
        ),
    ),
    (
        "controls add",
        Command(
            lambda h: (
                ["controls", "add", "1C999", "--element", "Ho", "--groups", "b", "--from", "2026-06-01"]
                + ["--by", "Liu Yang", "--why", "announcement 7"]
            ),
            lambda h: [Entry("change", "control add", None)],
            by="Liu Yang",
        ),
    ),
    (
        "controls suspend",
        Command(
            lambda h: ["controls", "suspend", "1C999", "--from", "2026-07-01", "--by", "Liu Yang", "--why", "review"],
            lambda h: [Entry("change", "control suspend", None)],
            by="Liu Yang",
        ),
    ),
    (
        "controls end",
        Command(
            lambda h: ["controls", "end", "1C999", "--from", "2026-09-01", "--by", "Liu Yang", "--why", "withdrawn"],
            lambda h: [Entry("change", "control end", None)],
            by="Liu Yang",
        ),
    ),
    (
        "screening load",
        Command(
            lambda h: [
                "screening",
                "load",
                h.write(
                    "extra.jsonl",
                    json.dumps({"id": "E-1", "schema": "Company", "properties": {"name": ["Ember Co"]}}) + "\n",
                ),
                "--list",
                "extra",
                "--by",
                "analyst",
            ],
            lambda h: [Entry("change", "screening list load", None)],
            by="analyst",
        ),
    ),
    (
        "customs load",
        Command(
            lambda h: [
                "customs",
                "load",
                h.write(
                    "january.csv",
                    "declaration_no,date,exporter,hs_code,net_kg,destination,license_no,lots\n"
                    f"CD-x3,2026-01-20,{h.trader},2846901500,20,DE,{LICENSE},IMP-1\n",
                ),
                "--by",
                "customs officer",
            ],
            lambda h: [Entry("change", "customs load", None)],
            by="customs officer",
        ),
    ),
    (
        "exports arrived",
        Command(
            lambda h: ["exports", "arrived", f"{h.trader}:x3", "--on", "2026-02-01", "--by", "Logistics Officer"],
            lambda h: [Entry("change", "export arrival", h.trader)],
            by="Logistics Officer",
        ),
    ),
    (
        "mirror load",
        Command(
            lambda h: ["mirror", "load", h.write("mirror.csv", "year,partner,hs6,kg,value\n2026,DE,284690,20,700\n")],
            lambda h: [Entry("change", "mirror load", None)],
        ),
    ),
    (
        "officials add",
        Command(
            lambda h: ["officials", "add", "Sun Hui", "--role", "reviewer"],
            lambda h: [Entry("change", "official add", None)],
        ),
    ),
    (
        "review accept",
        Command(
            lambda h: ["review", "accept", h.numbers["approved"], "--by", "Wang Li"],
            lambda h: [Entry("change", "review accept", h.trader)],
            by="Wang Li",
        ),
    ),
    (
        "review start",
        Command(
            lambda h: ["review", "start", h.numbers["approved"], "--by", "Wang Li"],
            lambda h: [Entry("change", "review start", h.trader)],
            by="Wang Li",
        ),
    ),
    (
        "review request-info",
        Command(
            lambda h: ["review", "request-info", h.numbers["approved"], "--by", "Wang Li", "--why", "signature"],
            lambda h: [Entry("change", "review request_info", h.trader)],
            by="Wang Li",
        ),
    ),
    (
        "applications answer",
        Command(
            lambda h: [
                "applications",
                "answer",
                h.numbers["approved"],
                "--by",
                f"Li Na@{h.trader}",
                "--note",
                "signed",
            ],
            lambda h: [Entry("change", None, h.trader)],
            by="Li Na@{trader}",
        ),
    ),
    (
        "review approve",
        Command(
            lambda h: ["review", "approve", h.numbers["approved"], "--by", "Chen Jie", "--why", "legal provenance"],
            # the pre-review run again is kept whatever the decision; then the approval
            lambda h: [Entry("change", "review prereview", h.trader), Entry("change", "review approve", h.trader)],
            by="Chen Jie",
        ),
    ),
    (
        "review clear-hit",
        Command(
            lambda h: (
                ["review", "clear-hit", h.numbers["denied"], "--hit", "cn_control:NK-1", "--by", "Zhao Min"]
                + ["--why", "another firm"]
            ),
            lambda h: [Entry("change", "review clear_hit", h.trader)],
            by="Zhao Min",
        ),
    ),
    (
        "review deny",
        Command(
            lambda h: ["review", "deny", h.numbers["denied"], "--by", "Chen Jie", "--why", "end use unclear"],
            lambda h: [Entry("change", "review deny", h.trader)],
            by="Chen Jie",
        ),
    ),
    (
        "review decline",
        Command(
            lambda h: ["review", "decline", h.numbers["declined"], "--by", "Wang Li", "--why", "incomplete"],
            lambda h: [Entry("change", "review decline", h.trader)],
            by="Wang Li",
        ),
    ),
    (
        "review withdraw",
        Command(
            lambda h: ["review", "withdraw", h.numbers["withdrawn"], "--by", f"Li Na@{h.trader}"],
            lambda h: [Entry("change", "review withdraw", h.trader)],
            by="Li Na@{trader}",
        ),
    ),
    (
        "applications prereview",
        Command(
            lambda h: ["applications", "prereview", h.numbers["approved"]], lambda h: [Entry("change", None, h.trader)]
        ),
    ),
    (
        "applications submit",
        Command(
            lambda h: ["applications", "submit", application(h, ("DYO-3",), "Osaka Magnets KK"), "--by", "Li Na"],
            lambda h: [Entry("change", None, h.trader)],
            by="Li Na",
        ),
    ),
    (
        "supervise start",
        Command(
            lambda h: ["supervise", "start", "--as-of", "2026-12-31"],
            lambda h: [Entry("change", "supervision start", None)],
        ),
    ),
    ("supervise status", reads("supervise", "status")),
    (
        "close-year",
        Command(
            lambda h: ["close-year", "2025", "--as-of", "2026-12-31"],
            lambda h: [Entry("change", "year close", None)],
        ),
    ),
    # the log signs its checkpoints by itself whenever something moved: housekeeping, no one's change
    ("log checkpoint", Command(lambda h: ["log", "checkpoint"], before=grow_the_log)),
    (
        "witness cosign",
        Command(
            lambda h: ["witness", "cosign", "--dir", str(h.folder / "witness")],
            lambda h: [Entry("change", "witness cosignature", None)],
        ),
    ),
    ("log rotate-key", Command(lambda h: ["log", "rotate-key"], lambda h: [Entry("change", "log key rotate", None)])),
    (
        "ingest",
        Command(
            lambda h: [
                "ingest",
                h.write(
                    "subs/april.json",
                    h.world.mine.submit([extract("m10", "C10", 10)], created_at="2026-04-01T10:00:00+08:00"),
                ),
            ],
            lambda h: [Entry("change", None, h.world.mine.uscc)],
        ),
    ),
    (
        "users add",
        Command(
            lambda h: ["users", "add", "kong", "--role", "auditor", "--password", "a long enough passphrase"],
            lambda h: [Entry(None, None, None)],
        ),
    ),
    ("tokens new", Command(lambda h: ["tokens", "new", "kong"], lambda h: [Entry(None, None, None)])),
    ("tokens revoke", Command(lambda h: ["tokens", "revoke", "1"], lambda h: [Entry(None, None, None)])),
    (
        "users password",
        Command(
            lambda h: ["users", "password", "kong", "--password", "another long enough passphrase"],
            lambda h: [Entry("change", "account password kong", None)],
        ),
    ),
    (
        "users role",
        Command(lambda h: ["users", "role", "kong", "inspector"], lambda h: [Entry("change", None, None)]),
    ),
    ("users totp", Command(lambda h: ["users", "totp", "kong"], lambda h: [Entry("change", None, None)])),
    (
        "users require-totp",
        Command(
            lambda h: ["users", "require-totp", "approver"],
            lambda h: [Entry("change", "account policy *", None)],
        ),
    ),
    (
        "users disable",
        Command(lambda h: ["users", "disable", "kong"], lambda h: [Entry("change", "account disabled kong", None)]),
    ),
    (
        "users enable",
        Command(lambda h: ["users", "enable", "kong"], lambda h: [Entry("change", "account enabled kong", None)]),
    ),
]


def cli_commands() -> set[str]:
    def walk(command: Any, prefix: tuple[str, ...]) -> Iterator[str]:
        subcommands = getattr(command, "commands", None)
        if subcommands is None:
            yield " ".join(prefix)
            return
        for name, sub in subcommands.items():
            yield from walk(sub, (*prefix, name))

    return set(walk(typer.main.get_command(app), ()))


def test_every_command_is_in_a_table():
    named = [name for name, _ in COMMANDS]
    assert len(named) == len(set(named)), "a command named twice"
    cli = cli_commands()
    assert len(cli) > 60, "the command walk is broken"
    assert sorted(cli ^ (set(named) | APART | {"access-log"})) == [], "commands without a case, or cases without one"


@pytest.mark.parametrize("name", [pytest.param(n, id=n) for n, _ in COMMANDS])
def test_every_command_that_changes_the_store_leaves_its_entry_and_no_other_does(here, name):
    command = dict(COMMANDS)[name]
    if command.before is not None:
        command.before(here)
    args = command.args(here)
    before, last = store_state(here.store), last_entry(here.store)
    done = here.run(*args)
    assert done.returncode == 0, (done.stdout, done.stderr)
    changed = changed_tables(before, store_state(here.store))
    rows = entries_after(here.store, last)
    if command.entries is None:
        assert changed <= HOUSEKEEPING, f"{name} only reads, yet changed {sorted(changed)}"
        assert rows == []
        return
    if command.reads_only:
        assert changed <= HOUSEKEEPING, f"{name} only reads, yet changed {sorted(changed)}"
    else:
        assert changed - HOUSEKEEPING, f"{name} must have changed something"
    door: dict[str, Any] = {"channel": "cli", "os_user": OS_USER, "client": None}
    door.update(username=command.by.format(trader=here.trader) if command.by else OS_USER, role="operator")
    assert_entries(rows, command.entries(here), **door)


def test_the_log_reads_back_at_the_command_line_and_is_written_down(here):
    trader = here.trader
    before = last_entry(here.store)
    done = here.run("access-log", "--enterprise", trader, "--since", "2026-01-01", "--limit", "500", "--format", "json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["items"] and all(e["enterprise"] == trader for e in doc["items"])
    assert doc["total"] == len(doc["items"])
    assert {(e["what"], e["username"]) for e in doc["items"]} >= {
        ("export arrival", "Logistics Officer"),
        ("review approve", "Chen Jie"),
    }
    assert_entries(
        entries_after(here.store, before),
        [Entry("read", "access-log", trader)],
        channel="cli",
        os_user=OS_USER,
        detail=f"enterprise={trader}&since=2026-01-01&limit=500&offset=0",
    )
    by_user = json.loads(here.run("access-log", "--user", "Wang Li", "--format", "json").stdout)
    assert by_user["items"] and {e["username"] for e in by_user["items"]} == {"Wang Li"}
    page = json.loads(here.run("access-log", "--limit", "2", "--offset", "1", "--format", "json").stdout)
    everything = json.loads(here.run("access-log", "--limit", "500", "--format", "json").stdout)
    assert [e["id"] for e in page["items"]] == [e["id"] for e in everything["items"]][2:4]  # two reads since
    table = here.run("access-log", "--user", "Logistics Officer")
    assert "export arrival" in table.stdout and "Logistics Officer" in table.stdout
    assert json.loads(here.run("access-log", "--since", "2999-01-01", "--format", "json").stdout)["items"] == []
    wrong = here.run("access-log", "--since", "last week")
    assert wrong.returncode == 2 and "since" in wrong.stderr


def test_a_name_too_long_for_the_log_is_refused_before_anything_changes(here):
    before, last = store_state(here.store), last_entry(here.store)
    done = here.run("officials", "add", "Gao Wen", "--role", "reviewer", "--enterprise", here.trader)
    assert done.returncode == 0  # the near miss: a name of ordinary length
    long = here.run(
        "controls", "add", "1C998", "--element", "Er", "--from", "2026-06-01", "--by", "x" * 65, "--why", "y"
    )
    assert long.returncode == 2 and "64" in long.stderr
    assert changed_tables(before, store_state(here.store)) == {"officials", "chain_links"}
    assert [e["what"] for e in entries_after(here.store, last)] == ["official add"]
