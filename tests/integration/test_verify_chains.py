"""`log verify` checks every chained table against its chain and every chain against the heads
the checkpoints signed: a row changed, deleted, inserted beside the chain or two rows swapped,
in each of the chained tables, is named by table and key; a chain rewritten consistently is
named by the rows between the last checkpoint that still matches and the first that does not;
on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text, update

from reetrace.config import Settings
from reetrace.errors import StoreError
from reetrace.ledger import chains as formula
from reetrace.ledger.note import Checkpoint
from reetrace.services import log
from reetrace.store import chains
from reetrace.store import tables as t

USCC = "91150200MA0N0P1X25"
T = "2026-03-0{}T08:00:00.000000+00:00"


def rows_of(table: str, i: int) -> dict[str, Any]:
    """Row `i` (1, 2, 3 …) of a chained table: what the application would write."""
    at = T.format(i)
    return {
        "access_log": dict(at=at, username=f"u{i}", role="regulator", action="read", what=f"GET /api/lots/L{i}"),
        "account_changes": dict(at=at, username=f"u{i}", action="disabled", by="admin", detail="left"),
        "rejections": dict(received_at=at, source=f"f{i}.json", reason="parse: bad", reason_class="parse", raw=b"{x"),
        "control_changes": dict(
            action="suspend", code=f"C{i}", effective="2026-03-01", by="official", why="review", recorded_at=at
        ),
        "finding_actions": dict(finding=f"F{i}", action="note", by="inspector", at=at, note=f"seen {i}"),
        "license_applications": dict(
            number=f"A-{i}",
            exporter=USCC,
            license_type="single",
            destination="DE",
            submitted_at=at,
            submitted_by="exporter",
            body=json.dumps({"n": i}),
            body_sha256=f"{i:064x}",
        ),
        "application_documents": dict(
            application="A-1",
            kind="contract",
            filename=f"d{i}.pdf",
            sha256=f"{i:064x}",
            size=3,
            content=b"pdf",
            added_at=at,
        ),
        "application_steps": dict(
            application="A-1", action="accept", state="accepted", by="reviewer", at=at, why=f"step {i}", detail="{}"
        ),
        "prereviews": dict(application="A-1", run_at=at, ledger_size=i, verdict="clear", report="{}"),
        "licenses": dict(
            license_no=f"RE2026S00000{i}",
            exporter=USCC,
            consignee=f"Example {i} GmbH",
            destination="DE",
            valid_from="2026-03-01",
            valid_to="2027-02-28",
            items="[]",
            source="review",
            license_type="single",
            issued_on="2026-03-01",
            application="A-1",
        ),
        "officials": dict(name=f"Official {i}", roles='["reviewer"]', added_at=at),
        "screening_loads": dict(
            list_name="watch", version=f"{i:064x}", source="w.jsonl", loaded_at=at, entities=i, skipped="{}"
        ),
        "customs_imports": dict(
            sha256=f"{i:064x}",
            rows=1,
            added=1,
            period_from="2026-01-01",
            period_to="2026-01-31",
            by="customs",
            recorded_at=at,
        ),
        "customs_declarations": dict(
            declaration_no=f"D{i}",
            item=1,
            date="2026-01-20",
            exporter=USCC,
            hs_code="2846901100",
            net_kg=10.5 * i,
            destination="DE",
            lots="[]",
            import_id=1,
        ),
        "arrival_reports": dict(export_ref=f"{USCC}:x{i}", arrived_on="2026-02-01", by="exporter", recorded_at=at),
        "year_closings": dict(
            year=2020 + i,
            as_of=f"{2021 + i}-02-15",
            boundary=f"{2020 + i}-12-31T16:00:00.000000+00:00",
            last_seq=i,
            events=10 * i,
            state_digest=f"{i:064x}",
            blob_digest=f"{i + 1:064x}",
            blob_bytes=100 * i,
            closed_at=at,
            closed_by="operator",
        ),
    }[table]


# a column each table's rows can be changed in, and the value written
CHANGE = {
    "access_log": ("what", "GET /nothing"),
    "account_changes": ("action", "enabled"),
    "rejections": ("reason", "parse: nothing wrong"),
    "control_changes": ("why", "no reason"),
    "finding_actions": ("note", "never seen"),
    "license_applications": ("destination", "US"),
    "application_documents": ("filename", "other.pdf"),
    "application_steps": ("why", "rewritten"),
    "prereviews": ("verdict", "blocked"),
    "licenses": ("consignee", "Someone Else Ltd"),
    "officials": ("roles", '["approver"]'),
    "screening_loads": ("entities", 0),
    "customs_imports": ("by", "nobody"),
    "customs_declarations": ("net_kg", 99999.0),
    "arrival_reports": ("arrived_on", "2026-01-01"),
    "year_closings": ("state_digest", "0" * 64),
}
NAMES = sorted(chains.CHAINED)


@pytest.fixture
def settings(store_url, tmp_path):
    return Settings(db_url=store_url, log_key_dir=tmp_path / "logkeys")


@pytest.fixture
def chained(store, settings):
    """Three rows in every chained table, written as the application writes them, then signed.
    Documents, steps, pre-reviews and declarations refer to application A-1 and import 1."""
    with store.writing() as conn:
        for table in sorted(NAMES, key=lambda name: name not in ("license_applications", "customs_imports")):
            for i in (1, 2, 3):
                chains.append(conn, chains.CHAINED[table].table, rows_of(table, i))
    log.publish_checkpoint(store, settings)
    return store


def key(table: str, i: int) -> str:
    spec = chains.CHAINED[table]
    return chains.row_key(rows_of(table, i) | ({"id": i} if spec.key == ("id",) else {}), spec.key)


def problems(store, settings) -> list[str]:
    result = log.verify_log(store, settings=settings)
    assert not result.ok
    return result.problems


def where(table: str, i: int) -> tuple[str, dict[str, Any]]:
    spec = chains.CHAINED[table]
    values = rows_of(table, i) | {"id": i}
    return " AND ".join(f"{k} = :{k}" for k in spec.key), {k: values[k] for k in spec.key}


def test_untouched_chains_pass(chained, settings):
    result = log.verify_log(chained, settings=settings)
    assert result.ok, result.problems
    assert result.chains == {name: 3 for name in NAMES}


@pytest.mark.parametrize("table", NAMES)
def test_a_changed_row_is_named(chained, settings, table):
    column, value = CHANGE[table]
    condition, params = where(table, 2)
    with chained.engine.begin() as conn:
        conn.execute(text(f"UPDATE {table} SET {column} = :v WHERE {condition}"), {"v": value, **params})
    assert problems(chained, settings) == [
        f"{table}: row {key(table, 2)} differs from what was chained (link 2): it was changed"
    ]


@pytest.mark.parametrize("table", NAMES)
def test_a_deleted_row_is_named(chained, settings, table):
    condition, params = where(table, 2)
    with chained.engine.begin() as conn:
        conn.execute(text(f"DELETE FROM {table} WHERE {condition}"), params)
    also = " or taken out of what the chain covers" if table == "licenses" else ""  # issued licenses only
    assert problems(chained, settings) == [f"{table}: row {key(table, 2)} (link 2) is missing: it was deleted{also}"]


@pytest.mark.parametrize("table", NAMES)
def test_a_row_inserted_beside_the_chain_is_named(chained, settings, table):
    spec = chains.CHAINED[table]
    values = rows_of(table, 4) | ({"id": 4} if spec.key == ("id",) else {})
    with chained.engine.begin() as conn:
        conn.execute(spec.table.insert().values(**values))
    assert problems(chained, settings) == [
        f"{table}: row {key(table, 4)} has no link: it was inserted outside the chain"
    ]


@pytest.mark.parametrize("table", NAMES)
def test_two_rows_swapped_are_named(chained, settings, table):
    spec = chains.CHAINED[table]
    with chained.engine.begin() as conn:
        found = {}
        for i in (1, 2):
            condition, params = where(table, i)
            found[i] = dict(conn.execute(text(f"SELECT * FROM {table} WHERE {condition}"), params).one()._mapping)
        for i, other in ((1, 2), (2, 1)):
            condition, params = where(table, i)
            moved = {k: v for k, v in found[other].items() if k not in spec.key}
            conn.execute(update(spec.table).where(text(condition).bindparams(**params)).values(**moved))
    assert sorted(problems(chained, settings)) == [
        f"{table}: row {key(table, i)} differs from what was chained (link {i}): it was changed" for i in (1, 2)
    ]


def test_a_link_edited_is_named(chained, settings):
    with chained.engine.begin() as conn:
        conn.execute(text("UPDATE chain_links SET digest = :d WHERE chain = 'access_log' AND n = 2"), {"d": "0" * 64})
    named = problems(chained, settings)
    assert named[0] == (
        "chain access_log: link 2 (row [2]) does not follow from the links before it: "
        "a link, its row key or its digest was changed"
    )
    assert "access_log: row [2] differs from what was chained (link 2): it was changed" in named


def test_reordered_links_are_named(chained, settings):
    with chained.engine.begin() as conn:
        conn.execute(text("UPDATE chain_links SET n = 99 WHERE chain = 'finding_actions' AND n = 1"))
        conn.execute(text("UPDATE chain_links SET n = 1 WHERE chain = 'finding_actions' AND n = 2"))
        conn.execute(text("UPDATE chain_links SET n = 2 WHERE chain = 'finding_actions' AND n = 99"))
    assert problems(chained, settings) == [
        "chain finding_actions: link 1 (row [2]) does not follow from the links before it: "
        "a link, its row key or its digest was changed"
    ]


def rewrite(store, table: str, i: int, column: str, value: Any) -> None:
    """Change row `i` and recompute its digest and every later link: a consistent rewrite."""
    with store.engine.begin() as conn:
        condition, params = where(table, i)
        conn.execute(text(f"UPDATE {table} SET {column} = :v WHERE {condition}"), {"v": value, **params})
        head = formula.GENESIS if i == 1 else chains.link_at(conn, table, i - 1)
        assert head is not None
        for n, row_key, digest, _ in list(chains.links(conn, table)):
            if n < i:
                continue
            if n == i:
                row = conn.execute(text(f"SELECT * FROM {table} WHERE {condition}"), params).one()
                digest = formula.row_digest(chains.row_values(dict(row._mapping)))
            head = formula.link(head, table, row_key, digest)
            conn.execute(
                text("UPDATE chain_links SET digest = :d, link = :l WHERE chain = :c AND n = :n"),
                {"d": digest, "l": head, "c": table, "n": n},
            )


def test_a_chain_rewritten_consistently_is_named_by_its_range(store, settings):
    """Checkpoints at lengths 1, 3 and 5 of the access log; row 2 rewritten with every later link."""
    for rows in ((1,), (2, 3), (4, 5)):
        with store.writing() as conn:
            for i in rows:
                chains.append(conn, t.access_log, rows_of("access_log", i))
        log.publish_checkpoint(store, settings)
    rewrite(store, "access_log", 2, "what", "GET /nothing")
    named = problems(store, settings)
    assert len(named) == 1
    assert named[0].startswith(
        "chain access_log: rewritten between link 2 (row [2]) and link 3 (row [3]): the links follow from one "
        "another but the checkpoint of size 0 (number 2) signed another head at length 3; the last signed head "
        "that still matches is at length 1"
    )


def test_the_log_refuses_to_sign_over_a_rewritten_chain(chained, settings):
    rewrite(chained, "finding_actions", 3, "note", "rewritten")
    with chained.writing() as conn:
        chains.append(conn, t.finding_actions, rows_of("finding_actions", 4))
    with pytest.raises(StoreError, match="chain finding_actions no longer passes through the head of its first 3"):
        log.publish_checkpoint(chained, settings)


def test_rows_removed_from_the_end_with_their_links_are_named(chained, settings):
    with chained.engine.begin() as conn:
        conn.execute(text("DELETE FROM officials WHERE name = 'Official 3'"))
        conn.execute(text("DELETE FROM chain_links WHERE chain = 'officials' AND n = 3"))
    (problem,) = problems(chained, settings)
    assert problem.startswith("chain officials: the checkpoint of size 0 (number 1) signed 3 links, the store holds 2")


def test_a_license_taken_out_of_what_the_chain_covers_is_named(chained, settings):
    with chained.engine.begin() as conn:
        conn.execute(text("UPDATE licenses SET source = 'registry' WHERE license_no = 'RE2026S000002'"))
    assert problems(chained, settings) == [
        'licenses: row ["RE2026S000002"] (link 2) is missing: it was deleted or taken out of what the chain covers'
    ]


def test_checkpoints_carry_every_chain_head(chained, settings):
    """The heads signed are those recomputed from the rows themselves, in the order written."""
    note = log.latest_checkpoint(chained, settings)
    signed = formula.parse_extensions(Checkpoint.parse(note[: note.rfind("\n\n") + 1]).extensions)
    assert sorted(signed) == NAMES
    with chained.reading() as conn:
        for name in NAMES:
            spec, head = chains.CHAINED[name], formula.GENESIS
            for row in chains.covered_rows(conn, name):  # key order: the order written, here
                digest = formula.row_digest({k: v for k, v in row.items() if v is not None})
                head = formula.link(head, name, json.dumps([row[k] for k in spec.key], separators=(",", ":")), digest)
            assert signed[name] == (3, head)
