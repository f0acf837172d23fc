"""Authenticating an EPCIS capture (reetrace.services.intake_epcis), with plain objects: the
events of an accepted capture are exactly those of the same events authenticated as a §4
submission; every refusal has its reason class (contract §7) and the place in the document; the
signature is read strictly (RFC 7515 Appendix F, EdDSA only); whatever is refused is said in
Chinese from the catalogues."""

from __future__ import annotations

import ast
import json
import pickle
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import reetrace
from epcis_capture import body, detached_jws, document, forged_jws
from factory import World, extract, party, ship
from reetrace.domain.captures import CaptureEnvelope
from reetrace.domain.problems import Problem
from reetrace.domain.registry import SigningKey
from reetrace.domain.submissions import MAX_BYTES, Authenticated, Delivery, Rejection
from reetrace.ledger.signing import b64url_encode, raw_public_key
from reetrace.services.intake import authenticate
from reetrace.services.intake_epcis import authenticate_capture, read_capture_file
from reetrace.web.i18n import Formats
from reetrace.web.messages import PROBLEM
from reetrace.web.words import Words

CST = timezone(timedelta(hours=8))
RECEIVED = datetime(2026, 2, 6, 10, 0, tzinfo=CST)
WORLD = World()
REVOKED = party(11, "mining")  # its key was revoked before the documents were created
LATE = party(10, "mining")  # its key is valid only from 2027
KEYS = {
    p.key_id: SigningKey(p.key_id, p.uscc, raw_public_key(p.key), datetime(2025, 1, 1, tzinfo=CST))
    for p in (WORLD.mine, WORLD.plant, WORLD.trader)
}
KEYS[REVOKED.key_id] = SigningKey(
    REVOKED.key_id,
    REVOKED.uscc,
    raw_public_key(REVOKED.key),
    datetime(2024, 1, 1, tzinfo=CST),
    datetime(2025, 6, 1, tzinfo=CST),
)
KEYS[LATE.key_id] = SigningKey(LATE.key_id, LATE.uscc, raw_public_key(LATE.key), datetime(2027, 1, 1, tzinfo=CST))
ENTERPRISES = {p.uscc for p in (WORLD.mine, WORLD.plant, WORLD.trader, REVOKED, LATE)}
EVENTS = [
    extract("e1", "L1", 900, composition={"Ce": 0.2, "Nd": 0.07}),
    ship("e2", ["L1"], WORLD.plant.uscc, "S1"),
]
ZH = Words(Formats("zh-Hans"))
CJK = re.compile(r"[\u4e00-\u9fff]")


def check(raw: bytes, jws: str | None, enterprise: str | None = WORLD.mine.uscc, received=RECEIVED):
    return authenticate_capture(Delivery.of("test", raw, CaptureEnvelope(jws, enterprise)), KEYS, ENTERPRISES, received)


def signed(doc: dict, by=WORLD.mine) -> tuple[bytes, str]:
    raw = body(doc)
    return raw, detached_jws(by.key, raw)


def test_the_events_are_those_of_the_same_events_sent_as_a_submission():
    raw, jws = signed(document(WORLD.mine.uscc, EVENTS))
    captured = check(raw, jws)
    submission = json.dumps(WORLD.mine.submit(EVENTS, "2026-02-05T10:00:00+08:00")).encode()
    submitted = authenticate(submission, "test", KEYS, ENTERPRISES, RECEIVED)
    assert isinstance(captured, Authenticated) and isinstance(submitted, Authenticated)
    assert captured.events == submitted.events  # bodies, digests, leaves, lots, draws, index keys
    assert (captured.reporter, captured.key_id, captured.signature) == (WORLD.mine.uscc, WORLD.mine.key_id, jws)
    assert captured.created_at == datetime(2026, 2, 5, 10, 0, tzinfo=CST)
    assert captured.capture is not None and captured.capture.event_ids == tuple(
        e["eventID"] for e in json.loads(raw)["epcisBody"]["eventList"]
    )
    assert pickle.loads(pickle.dumps(captured)) == captured  # it crosses from the workers whole


def test_at_the_command_line_the_key_says_whose_it_is_and_the_creation_date_is_the_receipt():
    raw, jws = signed(document(WORLD.trader.uscc, [extract("t1", "T1", 5)]), by=WORLD.trader)
    found = check(raw, jws, enterprise=None, received=None)
    assert isinstance(found, Authenticated)
    assert found.reporter == WORLD.trader.uscc and found.received_at == found.created_at


def _doc(change=None, events=None, reporter=WORLD.mine.uscc) -> dict:
    doc = document(reporter, events or [extract("r1", "R1", 100)])
    if change:
        change(doc)
    return doc


def _first(doc: dict) -> dict:
    return doc["epcisBody"]["eventList"][0]


RAW = body(_doc())
KID = WORLD.mine.key_id

# name -> (bytes, JWS, capturing enterprise) and the reason class, place and message id expected
CASES = {
    "too large": ((b" " * (MAX_BYTES + 1), detached_jws(WORLD.mine.key, b"{}")), ("schema", None, "too_large")),
    "not UTF-8": ((b'{"a": "\xff"}', "x..y"), ("parse", None, "not_utf8")),
    "not JSON": ((b'{"type": ', "x..y"), ("parse", None, "not_json")),
    "member repeated": ((b'{"a": 1, "a": 2}', "x..y"), ("parse", None, "member_repeated")),
    "nested": ((b"[" * 100 + b"]" * 100, "x..y"), ("schema", None, "nested")),
    "no JWS": ((RAW, None), ("signature", None, "jws_missing")),
    "empty JWS": ((RAW, ""), ("signature", None, "jws_missing")),
    "attached": ((RAW, detached_jws(WORLD.mine.key, RAW).replace("..", ".e30.")), ("signature", None, "jws_malformed")),
    "padded": ((RAW, detached_jws(WORLD.mine.key, RAW) + "="), ("signature", None, "jws_malformed")),
    "too long": ((RAW, "a" * 150 + ".." + "b" * 100), ("signature", None, "jws_malformed")),
    "header not JSON": ((RAW, b64url_encode(b"{alg") + "..abc"), ("signature", None, "jws_malformed")),
    "header repeats alg": (
        (RAW, b64url_encode(b'{"alg":"EdDSA","alg":"none","kid":"' + KID.encode() + b'"}') + "..abc"),
        ("signature", None, "jws_malformed"),
    ),
    "b64 false": (
        (RAW, forged_jws(WORLD.mine.key, RAW, {"alg": "EdDSA", "kid": KID, "b64": False})),
        ("signature", None, "jws_header"),
    ),
    "crit": (
        (RAW, forged_jws(WORLD.mine.key, RAW, {"alg": "EdDSA", "kid": KID, "crit": ["b64"]})),
        ("signature", None, "jws_header"),
    ),
    "no kid": ((RAW, forged_jws(WORLD.mine.key, RAW, {"alg": "EdDSA"})), ("signature", None, "jws_header")),
    "alg none": ((RAW, forged_jws(WORLD.mine.key, RAW, {"alg": "none", "kid": KID})), ("signature", None, "jws_alg")),
    "alg Ed25519": (
        (RAW, forged_jws(WORLD.mine.key, RAW, {"alg": "Ed25519", "kid": KID})),
        ("signature", None, "jws_alg"),
    ),
    "unknown key": ((RAW, detached_jws(party(60).key, RAW)), ("key", None, "key_not_theirs")),
    "another's key": ((RAW, detached_jws(WORLD.plant.key, RAW)), ("key", None, "key_not_theirs")),
    "another's signature": ((RAW, detached_jws(WORLD.mine.key, RAW + b" ")), ("signature", None, "signature_invalid")),
    "signature not base64url": (
        (RAW, detached_jws(WORLD.mine.key, RAW)[:-2] + "+/"),
        ("signature", None, "jws_malformed"),
    ),
    "revoked": (
        (body(_doc(reporter=REVOKED.uscc)), detached_jws(REVOKED.key, body(_doc(reporter=REVOKED.uscc))), REVOKED.uscc),
        ("key", "/creationDate", "key_revoked"),
    ),
    "not yet valid": (
        (body(_doc(reporter=LATE.uscc)), detached_jws(LATE.key, body(_doc(reporter=LATE.uscc))), LATE.uscc),
        ("key", "/creationDate", "key_not_yet"),
    ),
    "schema": (
        signed(_doc(lambda d: _first(d).update(eventTime="soon"))),
        ("schema", "/epcisBody/eventList/0/eventTime", "epcis_schema"),
    ),
    "no creation date": (signed(_doc(lambda d: d.pop("creationDate"))), ("schema", "", "epcis_schema")),
    "created ahead": (
        signed(_doc(lambda d: d.update(creationDate="2026-02-06T10:06:00+08:00"))),
        ("schema", "/creationDate", "created_ahead"),
    ),
    "eventID too long": (
        signed(_doc(lambda d: _first(d).update(eventID="urn:x:" + "y" * 250))),
        ("schema", "/epcisBody/eventList/0/eventID", "epcis_id_long"),
    ),
    "eventID twice": (
        signed(
            _doc(
                lambda d: d["epcisBody"]["eventList"][1].update(eventID=_first(d)["eventID"]),
                [extract("r1", "R1", 1), extract("r2", "R2", 1)],
            )
        ),
        ("schema", "/epcisBody/eventList/1/eventID", "epcis_id_twice"),
    ),
    "ext repeats a member": (
        signed(_doc(lambda d: _first(d).update({"rt:ext": '{"a": 1, "a": 2}'}))),
        ("schema", "/epcisBody/eventList/0/rt:ext", "member_repeated"),
    ),
    "ext nested deeper than a submission's": (
        signed(_doc(lambda d: _first(d).update({"rt:ext": "[" * 30 + "]" * 30}))),
        ("schema", "/epcisBody/eventList/0/rt:ext", "nested"),
    ),
    "untranslatable": (
        signed(_doc(lambda d: _first(d).update(bizStep="inspecting"))),
        ("schema", "/epcisBody/eventList/0/bizStep", "epcis_no_event"),
    ),
    "member no event holds": (
        signed(_doc(lambda d: _first(d).update({"rt:colour": "red"}))),
        ("schema", "/epcisBody/eventList/0/rt:colour", "epcis_unread"),
    ),
    "reporter": (
        signed(_doc(lambda d: (_first(d).update({"rt:reporter": WORLD.plant.uscc}), _first(d).pop("eventID")))),
        ("reporter", "/epcisBody/eventList/0/rt:reporter", "epcis_reporter"),
    ),
    "§4 rules": (
        signed(_doc(events=[extract("r1", "R1", 1), extract("r2", "R2", 1, composition={"Xx": 0.5}, deposit="rock")])),
        ("schema", "/epcisBody/eventList/1", "invalid"),
    ),
    "event ahead of receipt": (
        signed(_doc(events=[extract("r1", "R1", 1, time="2026-02-08T08:00:00+08:00")])),
        ("schema", "/epcisBody/eventList/0", "invalid"),
    ),
    "§4 event ids twice": (
        signed(_doc(events=[extract("r1", "R1", 1), extract("r1", "R2", 1)])),
        ("schema", "/epcisBody/eventList/1", "invalid"),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_refusal_has_its_class_and_place(case):
    given, (reason, at, message_id) = CASES[case]
    raw, jws, *enterprise = given
    found = check(raw, jws, *enterprise)
    assert isinstance(found, Rejection), case
    assert found.capture is not None
    assert (found.reason_class, found.capture.at(), found.detail.id) == (reason, at, message_id), found.reason
    assert found.capture.signed == (at is not None)  # placed in the document only once the signature verified
    said = ZH.problem(found.detail)
    assert said.language == "zh-Hans" and CJK.search(said.text) and "%(" not in said.text, said.text


def test_another_enterprises_key_reads_as_an_unknown_one():
    unknown = check(RAW, detached_jws(party(61).key, RAW))
    theirs = check(RAW, detached_jws(WORLD.plant.key, RAW))
    assert isinstance(unknown, Rejection) and isinstance(theirs, Rejection)
    assert theirs.reason.replace(WORLD.plant.key_id, "K") == unknown.reason.replace(party(61).key_id, "K")
    assert WORLD.plant.uscc not in theirs.reason


def test_a_refused_capture_is_the_capturing_enterprises():
    found = check(RAW, None)
    assert isinstance(found, Rejection) and found.reporter == WORLD.mine.uscc
    assert found.capture is not None and found.capture.event_count == 1 and found.capture.size == len(RAW)


def test_a_document_file_and_its_detached_jws_beside_it(tmp_path: Path):
    raw, jws = signed(document(WORLD.mine.uscc, EVENTS))
    (tmp_path / "a.jsonld").write_bytes(raw)
    (tmp_path / "a.jsonld.jws").write_text(f"  {jws}\n")
    (tmp_path / "b.jsonld").write_bytes(raw)
    with_jws, without = read_capture_file(tmp_path / "a.jsonld"), read_capture_file(tmp_path / "b.jsonld")
    assert with_jws.capture == CaptureEnvelope(jws) and with_jws.raw == raw
    assert without.capture == CaptureEnvelope(None)
    assert isinstance(authenticate_capture(with_jws, KEYS, ENTERPRISES, RECEIVED), Authenticated)
    refused = authenticate_capture(without, KEYS, ENTERPRISES, RECEIVED)
    assert isinstance(refused, Rejection) and refused.reason_class == "signature"


def _problem_ids(path: Path) -> set[str]:
    """The message ids a module gives its problems: `Problem("<id>", …)` and `fail(at, "<id>", …)`."""
    ids = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute):
            name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
            index = {"Problem": 0, "fail": 1}.get(name)
            if index is not None and len(node.args) > index and isinstance(node.args[index], ast.Constant):
                ids.add(node.args[index].value)
    return ids


def test_every_problem_of_a_capture_is_in_the_catalogue():
    package = Path(reetrace.__file__).parent
    modules = [
        "services/intake_epcis.py",
        "services/capture_jobs.py",
        "epcis/translate.py",
        "epcis/document.py",
        "ledger/jws.py",
    ]
    ids = set().union(*(_problem_ids(package / m) for m in modules))
    assert {"jws_missing", "epcis_unread", "epcis_id_conflict"} <= ids  # the walk finds them
    assert sorted(ids - set(PROBLEM)) == []


def test_a_problem_is_said_with_its_parameters():
    detail = Problem("epcis_reporter", "x", reporter="<b>", signer=WORLD.mine.uscc)
    assert ZH.problem(detail).text == f"该事件声明由 <b> 报送，但采集文件由 {WORLD.mine.uscc} 签名。"
