"""Controls, screening, customs and mirror statistics on the live API: a regulator loads a list
and screens a name, loads declarations and reads the customs findings, records a control change
and sees it in a lot's classification; an enterprise's user can do none of it and sees only its
own exports; the auditor changes nothing."""

from __future__ import annotations

import json

import pytest
from api_data import OXIDE_DY

from factory import export, lot

CSV_HEADER = "declaration_no,date,exporter,hs_code,net_kg,destination,license_no,lots"
LIST = (
    json.dumps(
        {"id": "S-1", "schema": "Company", "properties": {"name": ["Crimson Ridge Metals Ltd"], "country": ["kp"]}}
    )
    + "\n"
).encode()


@pytest.fixture(scope="module")
def exported(seeded) -> str:
    """The trader imports a Dy oxide lot and exports it under its license; the export's reference."""
    sub = seeded.world.trader.submit(
        [
            {
                "event_id": "cc-i",
                "type": "import",
                "time": "2026-01-15T08:00:00+08:00",
                "origin_country": "MM",
                "customs_declaration": "IMP-cc",
                "outputs": [lot("CC-1", "oxide", 20, OXIDE_DY)],
            },
            export("cc-x", ["CC-1"], time="2026-01-20T08:00:00+08:00"),
        ],
        created_at="2026-03-03T10:00:00+08:00",
    )
    with seeded.client("trader_user") as client:
        assert client.post("/api/submissions", json=sub).status_code == 201
    return f"{seeded.world.trader.uscc}:cc-x"


def test_a_regulator_loads_a_list_and_screens_a_name(seeded):
    with seeded.client("regulator") as client:
        loaded = client.post("/api/screening/lists/sanctions_test", content=LIST)
        assert loaded.status_code == 201, loaded.text
        assert loaded.json()["entities"] == 1 and loaded.json()["loaded_by"] == "regulator"
        names = {v["name"] for v in client.get("/api/screening/lists").json()["items"]}
        assert {"cn_watch", "sanctions_test"} <= names
        result = client.get("/api/screening", params={"name": "Crimson Ridge Metals Limited"}).json()
        assert result["format"] == "reetrace/screening@1"
        assert [m["entity"] for m in result["matches"]] == ["S-1"]
        assert client.get("/api/screening", params={"name": "Quiet Harbour Bakery"}).json()["matches"] == []
        bad = client.post("/api/screening/lists/sanctions_test", content=b"{not json\n")
        assert bad.status_code == 422 and bad.json()["error"]["type"] == "invalid"
        assert client.post("/api/screening/lists/bad name!", content=LIST).json()["error"]["type"] == "bad_request"
    with seeded.client("inspector") as client:  # staff screen; only regulators load
        assert client.get("/api/screening", params={"name": "Crimson Ridge"}).status_code == 200
        assert client.post("/api/screening/lists/x", content=LIST).status_code == 403


def test_a_regulator_loads_declarations_and_reads_the_customs_findings(seeded, exported):
    x = seeded.world.trader.uscc
    data = (
        "\n".join(
            [
                CSV_HEADER,
                f"CD-cc-x,2026-01-20,{x},2846901500,20,DE,RE-2026-000001,CC-1",
                f"CD-ghost,2026-01-21,{x},2846901500,5,DE,RE-2026-000001,NOPE",
            ]
        )
        + "\n"
    )
    with seeded.client("regulator") as client:
        loaded = client.post("/api/customs/declarations", content=data.encode(), params={"source": "jan.csv"})
        assert loaded.status_code == 201, loaded.text
        assert loaded.json()["declarations"] == 2 and loaded.json()["added"] == 2
        again = client.post("/api/customs/declarations", content=data.encode()).json()
        assert again["added"] == 0 and again["unchanged"] == 2
        found = client.get("/api/customs/findings", params={"as_of": "2026-03-31", "limit": 500}).json()
        assert found["format"] and found["as_of"] == "2026-03-31" and found["total"] == len(found["items"])
        assert any(f["code"] == "DECLARATION_WITHOUT_EXPORT" for f in found["items"]), found
        said = next(f for f in found["items"] if f["code"] == "DECLARATION_WITHOUT_EXPORT")
        assert said["message_id"] == "DECLARATION_WITHOUT_EXPORT" and said["message"].startswith(
            "2026年1月21日 的报关单 CD-ghost（"
        )
        english = client.get(
            "/api/customs/findings", params={"as_of": "2026-03-31", "limit": 500}, headers={"Accept-Language": "en"}
        ).json()
        assert [f["detail"] for f in english["items"]] == [f["detail"] for f in found["items"]]
        assert any(f["message"].startswith("Customs declaration CD-") for f in english["items"])
        broken = client.post("/api/customs/declarations", content=b"\xff\xfe not text")
        assert broken.status_code == 422


def test_a_control_change_shows_in_the_classification(seeded):
    with seeded.client("regulator") as client:
        before = client.get("/api/lots/DYO-1/classification", params={"on": "2026-06-01"}).json()
        assert "1C905" in [c["code"] for c in before["controlled"]]
        answer = client.post(
            "/api/controls/changes",
            json={
                "action": "suspend",
                "code": "1C905",
                "from": "2026-05-01",
                "until": "2026-07-01",
                "why": "MOFCOM notice",
            },
        )
        assert answer.status_code == 201, answer.text
        assert answer.json()["by"] == "regulator"
        during = client.get("/api/lots/DYO-1/classification", params={"on": "2026-06-01"}).json()
        assert "1C905" not in [c["code"] for c in during["controlled"]]
        after = client.get("/api/lots/DYO-1/classification", params={"on": "2026-07-15"}).json()
        assert "1C905" in [c["code"] for c in after["controlled"]]
        listed = client.get("/api/controls", params={"on": "2026-06-01", "all": True, "limit": 500}).json()
        entry = next(e for e in listed["items"] if e["code"] == "1C905")
        assert not entry["in_force"] and entry["changes"][0]["why"] == "MOFCOM notice"
        assert "1C905" not in [
            e["code"] for e in client.get("/api/controls", params={"on": "2026-06-01", "limit": 500}).json()["items"]
        ]
        unknown = client.post(
            "/api/controls/changes",
            json={"action": "end", "code": "9Z999", "from": "2026-05-01", "why": "no such code"},
        )
        assert unknown.status_code == 422 and unknown.json()["error"]["type"] == "invalid"
        assert client.get("/api/lots/NO-SUCH-LOT/classification").status_code == 404


def test_an_enterprise_can_do_none_of_it(seeded):
    with seeded.client("mine_user") as client:
        for method, url, kwargs in [
            ("POST", "/api/screening/lists/sanctions_test", {"content": LIST}),
            ("GET", "/api/screening", {"params": {"name": "Crimson Ridge"}}),
            ("POST", "/api/customs/declarations", {"content": CSV_HEADER.encode()}),
            ("GET", "/api/customs/findings", {}),
            (
                "POST",
                "/api/controls/changes",
                {"json": {"action": "end", "code": "1C905", "from": "2026-05-01", "why": "mine"}},
            ),
            ("POST", "/api/mirror/statistics", {"content": b"year,partner,hs6,kg,value\n2026,DE,284690,1,1\n"}),
            ("GET", "/api/mirror", {}),
            ("GET", "/api/mirror/chart.svg", {}),
        ]:
            answer = client.request(method, url, **kwargs)
            assert answer.status_code == 403 and answer.json()["error"]["type"] == "forbidden", (url, answer.text)


def test_an_enterprise_sees_and_reports_only_its_own_exports(seeded, exported):
    with seeded.client("mine_user") as mine:
        assert mine.get("/api/exports", params={"as_of": "2026-03-31"}).json()["items"] == []
        refused = mine.post(f"/api/exports/{exported}/arrival", json={"arrived_on": "2026-02-01"})
        assert refused.status_code == 404
    with seeded.client("trader_user") as trader:
        items = trader.get("/api/exports", params={"as_of": "2026-03-31"}).json()["items"]
        assert [i["export"] for i in items] == [exported] and items[0]["arrived_on"] is None
        answer = trader.post(f"/api/exports/{exported}/arrival", json={"arrived_on": "2026-02-01", "note": "Hamburg"})
        assert answer.status_code == 201, answer.text
        assert answer.json()["by"] == "trader_user"
        again = trader.post(f"/api/exports/{exported}/arrival", json={"arrived_on": "2026-02-02"})
        assert again.status_code == 422  # a report is never changed
        items = trader.get("/api/exports", params={"as_of": "2026-12-31", "license": "RE-2026-000001"}).json()
        assert items["items"][0]["arrived_on"] == "2026-02-01"
    with seeded.client("regulator") as staff:
        assert [i["export"] for i in staff.get("/api/exports").json()["items"]] == [exported]
        entries = staff.get("/api/access-log", params={"limit": 500}).json()["items"]
    assert any(
        e["username"] == "trader_user"
        and e["action"] == "change"
        and e["what"] == "export arrival"
        and e["channel"] == "api"
        and e["enterprise"] == seeded.world.trader.uscc
        and e["detail"] == f"export {exported} arrived on 2026-02-01"
        for e in entries
    )


def test_mirror_statistics_as_rows_and_chart(seeded):
    with seeded.client("regulator") as client:
        loaded = client.post("/api/mirror/statistics", content=b"year,partner,hs6,kg,value\n2026,DE,284690,25,900\n")
        assert loaded.status_code == 201 and loaded.json()["rows"] == 1, loaded.text
        rows = client.get("/api/mirror", params={"year": 2026}).json()
        assert rows["format"] == "reetrace/mirror-report@1"
        assert any(r["partner"] == "DE" and r["hs6"] == "284690" for r in rows["rows"])
        chart = client.get("/api/mirror/chart.svg", params={"year": 2026})
        assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml")
        assert chart.text.lstrip().startswith(("<svg", "<?xml"))


def test_the_auditor_changes_nothing_here(seeded, exported):
    with seeded.client("auditor") as client:
        for method, url, kwargs in [
            ("POST", "/api/screening/lists/cn_watch", {"content": LIST}),
            ("POST", "/api/customs/declarations", {"content": CSV_HEADER.encode()}),
            (
                "POST",
                "/api/controls/changes",
                {"json": {"action": "end", "code": "1C905", "from": "2026-05-01", "why": "x"}},
            ),
            ("POST", f"/api/exports/{exported}/arrival", {"json": {"arrived_on": "2026-02-01"}}),
            ("POST", "/api/mirror/statistics", {"content": b"year,partner,hs6,kg,value\n2026,DE,284690,1,1\n"}),
        ]:
            answer = client.request(method, url, **kwargs)
            assert answer.status_code == 403 and answer.json()["error"]["type"] == "forbidden", (url, answer.text)
        assert client.get("/api/screening", params={"name": "Crimson Ridge"}).status_code == 200  # it may read
        assert client.get("/api/customs/findings").status_code == 200
