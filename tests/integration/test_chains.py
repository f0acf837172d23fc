"""The hash chains over records that must never change (reetrace.store.chains), on SQLite and
PostgreSQL: each row appended is linked to the one before by the formula of
reetrace.ledger.chains, over the row as the database gives it back."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from reetrace.ledger import chains as formula
from reetrace.store import chains
from reetrace.store import tables as t


def _recomputed(conn, name: str) -> list[tuple[int, str, bytes]]:
    """(n, row_key, link) of every row the chain covers, recomputed from the rows themselves."""
    spec = chains.CHAINED[name]
    head, out = formula.GENESIS, []
    for n, row in enumerate(chains.covered_rows(conn, name), start=1):
        key = chains.row_key(row, spec.key)
        head = formula.link(head, name, key, formula.row_digest(chains.row_values(row)))
        out.append((n, key, head))
    return out


def test_appended_rows_are_linked_in_order(store):
    with store.writing() as conn:
        for i in range(3):
            chains.append(
                conn,
                t.finding_actions,
                {"finding": f"F{i}", "action": "note", "by": "ins", "at": f"2026-01-0{i + 1}", "note": "n√"},
            )
    with store.reading() as conn:
        stored = [(r.n, r.row_key, bytes(r.link)) for r in chains.links(conn, "finding_actions")]
        assert stored == _recomputed(conn, "finding_actions")
        assert [key for _, key, _ in stored] == ["[1]", "[2]", "[3]"]
        assert chains.heads(conn)["finding_actions"] == (3, stored[-1][2])
        assert chains.heads(conn)["access_log"] == (0, formula.GENESIS)


def test_a_changed_row_no_longer_matches_its_digest(store):
    with store.writing() as conn:
        chains.append(conn, t.finding_actions, {"finding": "F", "action": "note", "by": "a", "at": "x", "note": "n"})
    with store.writing() as conn:
        conn.execute(t.finding_actions.update().values(note="rewritten"))
    with store.reading() as conn:
        (link,) = list(chains.links(conn, "finding_actions"))
        (row,) = list(chains.covered_rows(conn, "finding_actions"))
        assert link.digest != formula.row_digest(chains.row_values(row))


def test_bulk_rows_with_natural_keys_are_linked_like_single_ones(store):
    columns = ("sha256", "source", "rows", "added", "period_from", "period_to", "by", "recorded_at")
    with store.writing() as conn:
        import_id = int(
            chains.append(
                conn, t.customs_imports, dict(zip(columns, ("0" * 64, "f", 2, 2, "a", "b", "c", "d"), strict=True))
            )["id"]
        )
        declaration_columns = (
            "declaration_no",
            "item",
            "date",
            "exporter",
            "hs_code",
            "net_kg",
            "destination",
            "license_no",
            "lots",
            "import_id",
        )
        rows = [
            (f"D{n % 2}", n, "2026-01-01", "91150200MA0N0P1X25", "2846901100", 10.5 + n, "DE", None, "[]", import_id)
            for n in (1, 2, 3)
        ]
        chains.append_many(conn, t.customs_declarations, declaration_columns, rows)
    with store.reading() as conn:
        stored = [(r.n, r.row_key, bytes(r.link)) for r in chains.links(conn, "customs_declarations")]
        assert [k for _, k, _ in stored] == ['["D1",1]', '["D0",2]', '["D1",3]']  # the order written
        recomputed = {key: link for _, key, link in _recomputed(conn, "customs_declarations")}
        assert len(recomputed) == 3
        # the chain follows the order of writing; recomputing in that order gives the same links
        head = formula.GENESIS
        for _, key, link in stored:
            row = next(
                r
                for r in chains.covered_rows(conn, "customs_declarations")
                if chains.row_key(r, ("declaration_no", "item")) == key
            )
            head = formula.link(head, "customs_declarations", key, formula.row_digest(chains.row_values(row)))
            assert head == link


def test_only_issued_licenses_are_chained(store):
    base = dict(
        exporter="91150200MA0N0P1X25",
        consignee="C",
        destination="DE",
        valid_from="2026-01-01",
        valid_to="2026-12-31",
        items="[]",
    )
    with store.writing() as conn:
        conn.execute(t.licenses.insert().values(license_no="MIGRATED-1", source="registry", **base))
        chains.append(conn, t.licenses, dict(license_no="RE2026S000001", source="review", **base))
    with store.reading() as conn:
        assert [r.row_key for r in chains.links(conn, "licenses")] == ['["RE2026S000001"]']


def test_appending_outside_the_write_lock_is_refused(store):
    with store.reading() as conn, pytest.raises(RuntimeError, match="write lock"):
        chains.append(conn, t.finding_actions, {"finding": "F", "action": "note", "by": "a", "at": "x", "note": "n"})


def test_backfill_links_rows_written_before_the_chains(store):
    with store.writing() as conn:
        for i in (1, 2):
            conn.execute(t.finding_actions.insert().values(finding=f"F{i}", action="note", by="a", at="x", note="n"))
        chains.backfill(conn)
        chains.backfill(conn)  # a second run finds the chain begun and adds nothing
    with store.reading() as conn:
        stored = [(r.n, r.row_key, bytes(r.link)) for r in chains.links(conn, "finding_actions")]
        assert stored == _recomputed(conn, "finding_actions")
        assert conn.scalar(select(t.chain_links.c.n).order_by(t.chain_links.c.n.desc()).limit(1)) == 2
