"""The EPCIS query over HTTP (contract §10), through a real server on the test database: every
parameter, pages followed by their `Link` headers to the end, tokens forged or carried elsewhere
refused, unknown parameters refused by name, what each enterprise sees (and that another's event
reads exactly as one that does not exist), eventIDs found through the lazy fill and as captured,
staff reads written down, every document valid EPCIS."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlsplit

import httpx
import pytest

from access_checks import entries_after, last_entry
from factory import lot, ship
from reetrace.epcis.schema import schema_errors
from reetrace.store.epcis_query_repo import record_epcis_ids

LGTIN = "urn:epc:class:lgtin:4012345.012345.L7"
CAPTURED = "urn:uuid:0b9f6d0e-7e4e-4f53-9b1c-000000000042"
ORDER = ["m1", "m2", "p1", "p2", "p3", "x1", "ep-i", "ep-s"]


@pytest.fixture(scope="module")
def live_epcis(seeded):
    """The seeded chain, and the trader's import of an LGTIN lot shipped on to the mine (which
    never receives it); the import recorded as captured under an eventID of its own."""
    trader = seeded.world.trader
    sub = trader.submit(
        [
            {
                "event_id": "ep-i",
                "type": "import",
                "time": "2026-01-15T08:00:00+08:00",
                "origin_country": "MM",
                "customs_declaration": "IMP-ep",
                "outputs": [lot(LGTIN, "oxide", 5, {"Dy": 0.8713})],
            },
            ship("ep-s", [LGTIN], seeded.world.mine.uscc, "S-ep", time="2026-01-16T08:00:00+08:00"),
        ],
        created_at="2026-03-05T10:00:00+08:00",
    )
    with seeded.client("trader_user") as client:
        assert client.post("/api/submissions", json=sub).status_code == 201
    with seeded.store.writing() as conn:  # as a capture writes it, with the event
        record_epcis_ids(conn, [(CAPTURED, trader.uscc, "ep-i", 1)], 0)
    return seeded


def listed(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/ld+json")
    document = answer.json()
    assert schema_errors(document) == []
    assert document["type"] == "EPCISQueryDocument"
    return [e["rt:eventId"] for e in document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]]


def event_ids(live, username: str = "regulator") -> dict[str, str]:
    """rt:eventId → eventID of every event, as staff list them."""
    with live.client(username) as client:
        document = client.get("/epcis/events").json()
    return {e["rt:eventId"]: e["eventID"] for e in document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]}


def pages(client: httpx.Client, params: list[tuple[str, str]]) -> tuple[list[str], int]:
    """Every page, from the first to the one without a `Link` header."""
    seen: list[str] = []
    answer = client.get("/epcis/events", params=params)
    count = 1
    while True:
        seen += listed(answer)
        link = answer.headers.get("link")
        if link is None:
            return seen, count
        assert link.startswith("<") and link.endswith('>; rel="next"'), link
        url = link[1 : -len('>; rel="next"')]
        kept = [(k, v) for k, v in parse_qsl(urlsplit(url).query) if k != "nextPageToken"]
        assert sorted(kept) == sorted(params)  # the next page asks the same query
        answer = client.get(url)
        count += 1


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ([], ORDER),
        ([("eventType", "TransformationEvent")], ["p2"]),
        ([("eventType", "ObjectEvent,TransformationEvent")], ORDER),
        ([("eventType", "ObjectEvent"), ("EQ_bizStep", "receiving")], ["p1", "x1", "ep-i"]),
        ([("EQ_bizStep", "https://ref.gs1.org/cbv/BizStep-shipping")], ["m2", "p3", "ep-s"]),
        ([("EQ_bizStep", "urn:epcglobal:cbv:bizstep:commissioning")], ["m1", "p2"]),
        (
            [("GE_eventTime", "2026-01-12T08:00:00+08:00"), ("LT_eventTime", "2026-01-15T00:00:01Z")],
            ["p3", "x1", "ep-i"],
        ),
        ([("MATCH_epc", "urn:epc:id:sgtin:0614141.107346.2017")], []),
        ([("MATCH_anyEPCClass", "urn:reetrace:lot:DYO-1")], ["p2", "p3", "x1"]),
        ([("MATCH_anyEPCClass", f"urn:reetrace:lot:C1,{LGTIN}")], ["m1", "m2", "p1", "p2", "ep-i", "ep-s"]),
        ([("MATCH_anyEPCClass", "urn:epc:idpat:lgtin:4012345.012345.*")], ["ep-i", "ep-s"]),
        ([("MATCH_inputEPCClass", "urn:reetrace:lot:C1")], ["p2"]),
        ([("MATCH_outputEPCClass", "urn:reetrace:lot:CEO-1")], ["p2"]),
        ([("MATCH_outputEPCClass", "urn:reetrace:lot:C1")], []),
    ],
)
def test_each_parameter(live_epcis, params, expected):
    with live_epcis.client("auditor") as client:
        assert listed(client.get("/epcis/events", params=params)) == expected


def test_events_by_eventid_as_hashed_and_as_captured(live_epcis):
    ids = event_ids(live_epcis)
    assert ids["ep-i"] == CAPTURED  # captured with an id of its own: listed under it
    assert ids["m1"].startswith("ni:///sha-256;") and ids["m1"].endswith("?ver=CBV2.0")
    with live_epcis.client("inspector") as client:
        for mine, event_id in ids.items():  # the first look-up fills the index of hashes
            assert listed(client.get("/epcis/events/" + quote(event_id, safe=""))) == [mine]
        wanted = [ids["x1"], ids["m2"], CAPTURED]
        assert listed(client.get("/epcis/events", params={"EQ_eventID": ",".join(wanted)})) == ["m2", "x1", "ep-i"]
        assert listed(client.get("/epcis/events", params=[("EQ_eventID", ids["p3"]), ("EQ_bizStep", "shipping")])) == [
            "p3"
        ]
        absent = client.get("/epcis/events/" + quote("ni:///sha-256;" + "0" * 64 + "?ver=CBV2.0", safe=""))
        assert absent.status_code == 404 and absent.json()["error"]["type"] == "not_found"


def test_pages_follow_their_links_to_the_end(live_epcis):
    with live_epcis.client("regulator") as client:
        for size, count in ((1, 8), (3, 3), (7, 2), (8, 1), (1000, 1)):
            assert pages(client, [("perPage", str(size))]) == (ORDER, count)
        shipping = [("EQ_bizStep", "shipping"), ("perPage", "1")]
        assert pages(client, shipping) == (["m2", "p3", "ep-s"], 3)
        # a page may ask for another size than the one before
        first = client.get("/epcis/events", params={"perPage": "2"})
        token = dict(parse_qsl(urlsplit(first.headers["link"][1:-13]).query))["nextPageToken"]
        rest = client.get("/epcis/events", params={"perPage": "100", "nextPageToken": token})
        assert listed(first) + listed(rest) == ORDER and "link" not in rest.headers


def _error(answer: httpx.Response, parameter: str | None = None) -> dict:
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["type"] == "bad_request"
    if parameter is not None:
        assert error["params"] == {"parameter": parameter} and error["message"].startswith(parameter)
    return error


def test_a_token_forged_altered_or_carried_elsewhere_is_refused(live_epcis):
    with live_epcis.client("regulator") as client:
        first = client.get("/epcis/events", params={"perPage": "2", "eventType": "ObjectEvent"})
        token = dict(parse_qsl(urlsplit(first.headers["link"][1:-13]).query))["nextPageToken"]
        payload, _, mac = token.partition(".")
        for bad in (
            "3A15506738749783AU6D7DENAKwM2gQRRwGritaeq",
            payload + "." + mac[::-1],
            payload[:-2] + "." + mac,
            "WyIyMDI2IiwgMV0." + mac,  # another position under the same MAC
            token + "x" * 300,
            "\u00e9" * 8,
            "." * 3,
        ):
            _error(
                client.get("/epcis/events", params={"eventType": "ObjectEvent", "nextPageToken": bad}), "nextPageToken"
            )
        # the same token with another query, or asked by someone else
        _error(client.get("/epcis/events", params={"eventType": "TransformationEvent", "nextPageToken": token}))
        assert (
            client.get("/epcis/events", params={"eventType": "ObjectEvent", "nextPageToken": token}).status_code == 200
        )
    with live_epcis.client("auditor") as other:
        _error(other.get("/epcis/events", params={"eventType": "ObjectEvent", "nextPageToken": token}), "nextPageToken")


def test_unknown_parameters_and_values_not_accepted_are_refused_by_name(live_epcis):
    with live_epcis.client("auditor") as client:
        error = _error(client.get("/epcis/events", params={"EQ_action": "ADD", "limit": "5", "perPage": "3"}))
        assert error["message_id"] == "error.epcis.unknown_parameters"
        assert error["params"] == {"parameters": "EQ_action, limit"}
        for params, parameter in (
            ({"perPage": "0"}, "perPage"),
            ({"perPage": "1001"}, "perPage"),
            ({"perPage": "many"}, "perPage"),
            ({"GE_eventTime": "2026-01-12"}, "GE_eventTime"),
            ({"LT_eventTime": "soon"}, "LT_eventTime"),
            ({"eventType": "QuantityEvent"}, "eventType"),
            ({"MATCH_anyEPCClass": "urn:reetrace:lot:*C"}, "MATCH_anyEPCClass"),
            ([("perPage", "3"), ("perPage", "4")], "perPage"),
        ):
            _error(client.get("/epcis/events", params=params), parameter)
        # an unescaped '+' in an offset arrives as a space, and is read as the offset it was
        assert listed(client.get("/epcis/events?GE_eventTime=2026-01-16T08:00:00+08:00")) == ["ep-s"]


def test_an_enterprise_sees_the_events_it_is_party_to(live_epcis):
    expected = {
        "mine_user": ["m1", "m2", "p1", "ep-s"],  # its own, the plant's receipt from it, the trader's ship to it
        "plant_user": ["m2", "p1", "p2", "p3", "x1"],
        "trader_user": ["p3", "x1", "ep-i", "ep-s"],
    }
    for username, visible in expected.items():
        with live_epcis.client(username) as client:
            assert pages(client, [("perPage", "1")])[0] == visible
            asked = [("MATCH_anyEPCClass", "urn:reetrace:lot:DYO-1,urn:reetrace:lot:C1")]
            assert listed(client.get("/epcis/events", params=asked)) == [
                i for i in ["m1", "m2", "p1", "p2", "p3", "x1"] if i in visible
            ]


def test_another_enterprises_event_reads_as_one_that_does_not_exist(live_epcis):
    ids = event_ids(live_epcis)
    with live_epcis.client("mine_user") as client:
        last = last_entry(live_epcis.store)
        theirs = client.get("/epcis/events/" + quote(ids["x1"], safe=""))
        nobody = client.get("/epcis/events/" + quote("ni:///sha-256;" + "0" * 64 + "?ver=CBV2.0", safe=""))
        assert (theirs.status_code, nobody.status_code) == (404, 404)
        assert theirs.content == nobody.content
        assert live_epcis.world.trader.uscc not in theirs.text
        refusals = entries_after(live_epcis.store, last)
        assert [(r["action"], r["enterprise"], r["username"]) for r in refusals] == [
            ("refused", live_epcis.world.trader.uscc, "mine_user"),
            ("refused", None, "mine_user"),
        ]
        assert listed(client.get("/epcis/events", params={"EQ_eventID": ids["x1"]})) == []
        # but the trader's shipment to the mine is the mine's to see, by its id too
        assert listed(client.get("/epcis/events/" + quote(ids["ep-s"], safe=""))) == ["ep-s"]
        assert listed(client.get("/epcis/events/" + quote(ids["p1"], safe=""))) == ["p1"]


def test_staff_reads_are_written_down_and_an_enterprises_own_are_not(live_epcis):
    ids = event_ids(live_epcis)
    store = live_epcis.store
    with live_epcis.client("auditor") as client:
        last = last_entry(store)
        assert listed(client.get("/epcis/events", params={"eventType": "TransformationEvent"})) == ["p2"]
        assert listed(client.get("/epcis/events/" + quote(ids["x1"], safe=""))) == ["x1"]
    rows = entries_after(store, last)
    assert [(r["action"], r["what"], r["enterprise"], r["channel"], r["username"]) for r in rows] == [
        ("read", "GET /epcis/events", None, "api", "auditor"),
        ("read", "GET /epcis/events/" + ids["x1"].replace("?", "%3F"), live_epcis.world.trader.uscc, "api", "auditor"),
    ]
    assert rows[0]["detail"] == "epcis events: 1; eventType=TransformationEvent"
    with live_epcis.client("trader_user") as client:
        last = last_entry(store)
        assert listed(client.get("/epcis/events")) == ["p3", "x1", "ep-i", "ep-s"]
        assert listed(client.get("/epcis/events/" + quote(ids["x1"], safe=""))) == ["x1"]
    assert entries_after(store, last) == []


def test_without_credentials_nothing_is_answered(live_epcis):
    with httpx.Client(base_url=live_epcis.url) as anonymous:
        for path in ("/epcis/events", "/epcis/events/" + quote(CAPTURED, safe="")):
            answer = anonymous.get(path)
            assert answer.status_code == 401 and answer.json()["error"]["type"] == "unauthenticated"
