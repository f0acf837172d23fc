"""Why a submission was refused is said in the reader's language: each rejection carries its
problem's message id and parameters (reetrace.domain.problems), a validation error each problem
under the place it is, and the pages say them through the catalogues. The contract's English
reason stays as it was."""

from __future__ import annotations

import json
import pickle
import re
from datetime import datetime, timedelta, timezone

import pytest

from factory import World, extract, party, ship, transform
from reetrace.domain.problems import INVALID, Problem
from reetrace.domain.registry import SigningKey
from reetrace.domain.submissions import Rejection
from reetrace.ledger.signing import raw_public_key
from reetrace.services.intake import authenticate
from reetrace.web.i18n import Formats
from reetrace.web.messages import MEMBER, PROBLEM
from reetrace.web.words import Words

CST = timezone(timedelta(hours=8))
RECEIVED = datetime(2026, 12, 1, 10, 0, tzinfo=CST)
WORLD = World()
OUTSIDER = party(9, "mining")  # signs with a key the registry gives another enterprise
LATE = party(10, "mining")  # its key is valid only from 2027
REVOKED = party(11, "mining")  # its key was revoked in 2025
KEYS = {
    p.key_id: SigningKey(p.key_id, p.uscc, raw_public_key(p.key), datetime(2025, 1, 1, tzinfo=CST), None)
    for p in (WORLD.mine, WORLD.plant, WORLD.trader)
}
KEYS[OUTSIDER.key_id] = SigningKey(
    OUTSIDER.key_id, WORLD.plant.uscc, raw_public_key(OUTSIDER.key), datetime(2025, 1, 1, tzinfo=CST), None
)
KEYS[LATE.key_id] = SigningKey(LATE.key_id, LATE.uscc, raw_public_key(LATE.key), datetime(2027, 1, 1, tzinfo=CST), None)
KEYS[REVOKED.key_id] = SigningKey(
    REVOKED.key_id,
    REVOKED.uscc,
    raw_public_key(REVOKED.key),
    datetime(2024, 1, 1, tzinfo=CST),
    datetime(2025, 6, 1, tzinfo=CST),
)
ENTERPRISES = {p.uscc for p in (WORLD.mine, WORLD.plant, WORLD.trader, OUTSIDER, LATE, REVOKED)}
ZH, EN = Words(Formats("zh-Hans")), Words(Formats("en"))
CREATED = "2026-12-01T09:00:00+08:00"
# what must never reach a page: member names, Python values, CLI flags, unfilled parameters
NOT_FOR_A_PAGE = re.compile(r"\b(?:mass_kg|event_id|key_id|created_at|hs_code|None|True|False)\b|--[a-z]|%\(")
CJK = re.compile(r"[\u4e00-\u9fff]")


def signed(events=None, by=WORLD.mine, created=CREATED, **members) -> bytes:
    doc = by.submit(events or [extract("e1", "L1", time="2026-11-30T08:00:00+08:00")], created)
    return json.dumps({**doc, **members}, ensure_ascii=False).encode()


def bad_event(**members) -> bytes:
    event = {**extract("e1", "L1", time="2026-11-30T08:00:00+08:00"), **members}
    return signed([event])


CASES = {
    "too_large": b" " * (1 << 25),
    "not_utf8": b'{"a": "\xff"}',
    "not_json": b'{"format": ',
    "member_repeated": b'{"a": 1, "a": 2}',
    "not_a_number": b'{"a": NaN}',
    "nested": b"[" * 100 + b"]" * 100,
    "submission_not_object": b"[1, 2]",
    "created_ahead": signed(created="2026-12-02T09:00:00+08:00"),
    "reporter_unregistered": signed(by=party(12, "mining")),
    "key_foreign": signed(by=OUTSIDER),
    "key_not_yet": signed(by=LATE),
    "key_revoked": signed(by=REVOKED),
    "signature_invalid": signed(signature="A" * 86),
    "missing": signed(format=None),
    "mass": bad_event(outputs=[{"lot": "L1", "form": "concentrate", "mass_kg": -5, "composition": {"Nd": 0.1}}]),
    "elements": bad_event(outputs=[{"lot": "L1", "form": "concentrate", "mass_kg": 5, "composition": {"Xx": 0.1}}]),
    "time_ahead": bad_event(time="2026-12-05T08:00:00+08:00"),
    "time_format": bad_event(time="yesterday"),
    "extra": bad_event(colour="red"),
    "event_type": bad_event(type="teleport"),
    "lot_both": signed(
        [
            transform(
                "t1",
                "separation",
                [("L1", 10.0)],
                [{"lot": "L1", "form": "oxide", "mass_kg": 5, "composition": {"Nd": 0.9}}],
                time="2026-11-30T08:00:00+08:00",
            )
        ]
    ),
    "event_id_twice": signed(
        [
            extract("e1", "L1", time="2026-11-30T08:00:00+08:00"),
            ship("e1", ["L1"], WORLD.plant.uscc, "S1", time="2026-11-30T09:00:00+08:00"),
        ]
    ),
}


def _rejection(name: str) -> Rejection:
    result = authenticate(CASES[name], "doc.json", KEYS, ENTERPRISES, RECEIVED)
    assert isinstance(result, Rejection), name
    return result


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_rejection_is_said_in_each_language(name):
    rejection = _rejection(name)
    detail = rejection.detail
    assert isinstance(detail, Problem) and (detail.id in PROBLEM or detail.id == INVALID), detail
    zh, en = ZH.problem(detail), EN.problem(detail)
    assert (zh.language, en.language) == ("zh-Hans", "en"), (str(detail), zh, en)
    assert CJK.search(zh.text) and not CJK.search(en.text), (zh.text, en.text)
    for text in (zh.text, en.text):
        assert not NOT_FOR_A_PAGE.search(text), text
    assert rejection.reason == f"{rejection.reason_class}: {detail}"  # the contract's English stays
    # it crosses from the ingest workers to the writer intact
    crossed = pickle.loads(pickle.dumps(rejection))
    assert (crossed.detail.id, crossed.detail.params, str(crossed.detail)) == (detail.id, detail.params, str(detail))


def test_a_validation_error_is_said_problem_by_problem_under_its_place():
    detail = _rejection("mass").detail
    assert detail.id == INVALID
    [problem] = detail.params["problems"]
    assert problem["at"] == ["events", 0, "outputs", 0, "mass_kg"]
    assert problem["id"] == "pydantic.greater_than" and problem["params"] == {"limit": 0}
    assert ZH.problem(detail).text == "事件 1 › 产出 1 › 质量：必须大于 0。"
    assert EN.problem(detail).text == "event 1 › output 1 › mass: Must be more than 0."
    assert str(detail).startswith("events[0]: outputs[0].mass_kg: ")  # the English reason, unchanged


def test_an_unknown_symbol_and_an_unknown_member_are_quoted_not_named():
    elements = ZH.problem(_rejection("elements").detail).text
    assert "Xx" in elements and "不是稀土元素符号" in elements
    extra = ZH.problem(_rejection("extra").detail).text
    assert "“colour”" in extra and "不是报送格式中的成员" in extra


def test_a_key_of_another_enterprise_does_not_name_it():
    detail = _rejection("key_foreign").detail
    assert WORLD.plant.uscc in str(detail)  # the operator's English reason names the owner
    for words in (ZH, EN):
        assert WORLD.plant.uscc not in words.problem(detail).text


def test_a_stored_reason_is_said_from_its_id_and_parameters_and_an_old_one_in_english():
    detail = _rejection("key_revoked").detail
    stored = json.dumps(detail.params)
    assert ZH.stored_rejection(str(detail), detail.id, stored) == ZH.problem(detail)
    old = ZH.stored_rejection("key: key k1 was revoked", None, None)
    assert (old.text, old.language) == ("key: key k1 was revoked", "en")
    for broken in ("[", '{"key": 1}', "[1]"):  # parameters that do not fit: the English reason
        assert ZH.stored_rejection("signature: x", "key_revoked", broken).language == "en"


def test_every_member_a_place_can_name_has_words():
    for member, label in MEMBER.items():
        assert CJK.search(ZH.t(label)), member
