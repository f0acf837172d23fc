"""Export review end to end through the installed `reetrace` script: an exporter files an
application, officials take it through the workflow, the license issued governs the exports."""

from __future__ import annotations

import json

import pytest

from factory import export, extract, lot, receive, ship, transform

OXIDE_DY = {"Dy": 0.8713}


@pytest.fixture
def filed(cli, world, write_json, tmp_path):
    m, p, x = world.mine, world.plant, world.trader
    cli("registry", "load", str(write_json("registry.json", world.registry())))
    write_json(
        "subs/mine.json",
        m.submit([extract("m1", "C1", 1000, composition={"Ce": 0.2, "Dy": 0.06}), ship("m2", ["C1"], p.uscc, "S1")]),
    )
    write_json(
        "subs/plant.json",
        p.submit(
            [
                receive("p1", ["C1"], m.uscc, "S1"),
                transform(
                    "p2",
                    "separation",
                    [("C1", 1000)],
                    [lot("DYO-1", "oxide", 40, OXIDE_DY), lot("CEO-1", "oxide", 230, {"Ce": 0.8141})],
                ),
                ship("p3", ["DYO-1"], x.uscc, "S2", time="2026-01-12T08:00:00+08:00"),
            ]
        ),
    )
    write_json("subs/trader.json", x.submit([receive("x1", ["DYO-1"], p.uscc, "S2", time="2026-01-14T08:00:00+08:00")]))
    cli("ingest", "--as-received", "created_at", str(tmp_path / "subs"))
    (tmp_path / "list.jsonl").write_text(
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
    cli("screening", "load", str(tmp_path / "list.jsonl"), "--list", "cn_watch")
    (tmp_path / "euc.pdf").write_bytes(b"end user certificate")
    (tmp_path / "eu.pdf").write_bytes(b"end use certificate")
    write_json(
        "application.json",
        {
            "format": "reetrace/license-application@1",
            "exporter": x.uscc,
            "license_type": "single",
            "items": [{"lot": "DYO-1"}],
            "consignee": {"name": "Lyon Aimants SA", "country": "FR"},
            "end_users": [{"name": "Lyon Aimants SA", "country": "FR"}],
            "end_use": "Magnets for electric bicycle hub motors",
            "destination": "FR",
            "contract_ref": "LA-7",
            # far ahead: a license runs from its approval day at the earliest, and these tests approve today
            "valid_from": "2099-03-01",
            "valid_to": "2100-02-28",
            "documents": [
                {"kind": "end_user_certificate", "path": "euc.pdf"},
                {"kind": "end_use_certificate", "path": "eu.pdf"},
            ],
        },
    )
    for name, role in (("Wang Li", "reviewer"), ("Chen Jie", "approver")):
        cli("officials", "add", name, "--role", role)
    return tmp_path


def test_file_review_approve_and_export_under_the_license(cli, filed, world, write_json):
    out = cli("applications", "submit", str(filed / "application.json"), "--by", "Li Na").stdout
    assert "submitted" in out
    (entry,) = json.loads(cli("applications", "list", "--format", "json").stdout)["applications"]
    number = entry["number"]
    assert entry["state"] == "submitted" and entry["pre_review"] == "attention"

    usage = cli("review", "approve", number, "--by", "Chen Jie", "--why", "ok", expect=1)
    assert "cannot approve an application that is submitted" in usage.stderr
    cli("review", "accept", number, "--by", "Wang Li")
    cli("review", "start", number, "--by", "Wang Li")
    missing_reason = cli("review", "deny", number, "--by", "Chen Jie", expect=2)
    assert "--why" in missing_reason.stderr
    approved = cli("review", "approve", number, "--by", "Chen Jie", "--why", "provenance legal").stdout
    assert "License" in approved and "issued" in approved

    view = json.loads(cli("applications", "show", number, "--format", "json").stdout)
    license_no = view["license"]
    assert view["state"] == "approved" and [s["action"] for s in view["steps"]] == [
        "submit",
        "accept",
        "start",
        "approve",
    ]
    assert view["steps"][-1]["by"] == "Chen Jie" and view["steps"][-1]["why"] == "provenance legal"
    shown = cli("applications", "show", number).stdout
    assert "Lyon Aimants SA" in shown and "1C905" in shown

    cli(
        "ingest",
        "--as-received",
        "created_at",
        str(
            write_json(
                "subs2/export.json",
                world.trader.submit(
                    [
                        export(
                            "x2",
                            ["DYO-1"],
                            license_no=license_no,
                            consignee="Lyon Aimants SA",
                            destination="FR",
                            time="2099-03-10T08:00:00+08:00",
                        )
                    ],
                    created_at="2099-03-11T08:00:00+08:00",
                ),
            )
        ),
    )
    findings = json.loads(cli("audit", "--as-of", "2099-03-31", "--format", "json").stdout)["findings"]
    assert not [f for f in findings if f["code"] in ("EXPORT_WITHOUT_LICENSE", "LICENSE_MISMATCH", "LICENSE_EXCEEDED")]
    used = json.loads(cli("licenses", "show", license_no, "--format", "json").stdout)
    assert used["items"] == [{"element": "Dy", "form": "oxide", "max_kg": 40.0, "exported_kg": 40.0, "left_kg": 0.0}]
    assert license_no in cli("licenses", "list").stdout


def test_a_watch_listed_consignee_blocks_until_cleared(cli, filed, world):
    doc = json.loads((filed / "application.json").read_text())
    doc["consignee"] = {"name": "Northern Lights Trading", "country": "AE"}
    doc["intermediaries"] = [{"name": "Northern Lights Trading FZE", "country": "AE"}]
    (filed / "application.json").write_text(json.dumps(doc))
    cli("applications", "submit", str(filed / "application.json"), "--by", "Li Na")
    number = json.loads(cli("applications", "list", "--format", "json").stdout)["applications"][0]["number"]
    report = json.loads(cli("applications", "prereview", number, "--format", "json").stdout)
    assert report["verdict"] == "blocked"
    assert {b["hit"] for b in report["blocking"] if b.get("hit")} == {"cn_watch:W-1"}
    assert {f["flag"] for f in report["red_flags"]} >= {"country", "intermediary", "new_consignee"}
    cli("review", "accept", number, "--by", "Wang Li")
    cli("review", "start", number, "--by", "Wang Li")
    refused = cli("review", "approve", number, "--by", "Chen Jie", "--why", "ok", expect=1)
    assert "Northern Lights" in refused.stderr
    cli("review", "clear-hit", number, "--hit", "cn_watch:W-1", "--by", "Wang Li", "--why", "checked: not listed firm")
    assert "issued" in cli("review", "approve", number, "--by", "Chen Jie", "--why", "cleared hit").stdout


def test_due_lists_overdue_applications(cli, filed):
    cli("applications", "submit", str(filed / "application.json"), "--by", "Li Na")
    number = json.loads(cli("applications", "list", "--format", "json").stdout)["applications"][0]["number"]
    cli("review", "accept", number, "--by", "Wang Li")
    far = json.loads(cli("applications", "due", "--as-of", "2099-01-01", "--format", "json").stdout)
    assert [a["number"] for a in far["applications"]] == [number] and far["applications"][0]["clock"]["overdue"]
    assert "No application" in cli("applications", "due", "--as-of", "2000-01-01").stdout
