"""`reetrace risk` through the installed command: the JSON document of docs/risk.md, its
`--top`, and the table naming the diverting plant first."""

from __future__ import annotations

import json

import risk_ledger
from reetrace.store.database import open_store


def test_risk_json_ranks_the_diverter_first_with_its_reasons(cli, store_url, write_json):
    store = open_store(store_url)
    parties = risk_ledger.build(store, write_json)
    store.dispose()
    doc = json.loads(cli("risk", "--year", "2026", "--format", "json").stdout)
    assert doc["format"] == "reetrace/risk@1" and doc["year"] == 2026
    first = doc["rows"][0]
    assert (first["rank"], first["enterprise"], first["month"]) == (1, parties[5].uscc, "2026-01")
    figure = next(c for c in first["contributions"] if c["kind"] == "figure" and c["element"] == "Dy")
    assert figure["figure"] == "element_kept" and figure["value"] == 0.5 and figure["z"] < -2.5
    assert figure["median"] > 0.9 and figure["peers"] == 5
    scores = [r["score"] for r in doc["rows"]]
    assert scores == sorted(scores, reverse=True) and doc["rows_total"] == len(doc["rows"])
    top = json.loads(cli("risk", "--year", "2026", "--format", "json", "--top", "2").stdout)
    assert top["rows"] == doc["rows"][:2] and top["rows_total"] == doc["rows_total"]
    table = cli("risk", "--year", "2026", "--top", "1").stdout
    assert "element_kept separation Dy 0.500" in table and "Enterprise 15" in table
    assert "--top must be at least 1" in cli("risk", "--top", "0", expect=2).stderr
