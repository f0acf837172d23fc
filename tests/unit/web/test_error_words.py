"""Errors a page or the API shows carry a message id and parameters and are said in the reader's
language; one without is said by its English text (and the page marks it as English)."""

from __future__ import annotations

import re

import pytest

from reetrace.domain.triage import check_action
from reetrace.domain.workflow import check_step
from reetrace.epcis.query import QueryParameterError, UnknownParameters
from reetrace.errors import InvalidInput, NotFound, ReetraceError, UsageError, not_found
from reetrace.web.i18n import Formats
from reetrace.web.messages import ERROR
from reetrace.web.words import Words

ZH, EN = Words(Formats("zh-Hans")), Words(Formats("en"))
CLI_OR_PYTHON = re.compile(r"--[a-z]|None|\b[a-z]+_[a-z_]+\b|%\(")


def _raised(call) -> ReetraceError:
    with pytest.raises(ReetraceError) as caught:
        call()
    return caught.value


ERRORS = [
    _raised(lambda: check_action("delete", "x", None)),
    _raised(lambda: check_action("confirm", " ", None)),
    _raised(lambda: check_action("assign", "x", None)),
    _raised(lambda: check_action("note", "x", "li")),
    _raised(lambda: check_step("approve", [], "91110000MA0000001X", why="ok")),
    _raised(lambda: check_step("teleport", [], "91110000MA0000001X")),
    not_found("lot"),
    UsageError("name the screening hit to clear (--hit LIST:ENTITY)", message_id="error.step.hit_needed"),
    InvalidInput(
        "x", message_id="error.step.not_in_state", params={"step": "approve", "application_state": "withdrawn"}
    ),
    InvalidInput("x", message_id="error.application.not_held", params={"items": [1, 3]}),
    InvalidInput("x", message_id="error.application.incomplete", params={"count": 2}),
    InvalidInput("x", message_id="error.application.unknown_exporter", params={"exporter": "91110000MA0000001X"}),
    InvalidInput("x", message_id="error.step.blocked", params={"number": "EA2026-000001", "count": 2}),
    InvalidInput("x", message_id="error.step.not_a_hit", params={"hit": "W:W-1"}),
    QueryParameterError("MATCH_anyEPCClass", "its patterns name too many events"),
    UnknownParameters(["EQ_action", "limit"]),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: e.message_id or "")
def test_errors_are_said_in_each_language(error):
    assert error.message_id in ERROR
    zh, en = ZH.error(error), EN.error(error)
    assert (zh.language, en.language) == ("zh-Hans", "en")
    assert re.search(r"[\u4e00-\u9fff]", zh.text) and not re.search(r"[\u4e00-\u9fff]", en.text)
    for text in (zh.text, en.text):
        assert not CLI_OR_PYTHON.search(text), text


def test_the_cli_keeps_its_words():
    hit = ERRORS[7]
    assert str(hit) == "name the screening hit to clear (--hit LIST:ENTITY)"  # the CLI names its flag
    assert ZH.error(hit).text == "请选择要排除的筛查命中项。"
    assert ZH.error(ERRORS[8]).text == "申请处于“已撤回”状态，不能执行“批准”。"
    assert ZH.error(ERRORS[9]).text.startswith("第 1、3 项所列批次不由出口经营者持有")


def test_an_error_without_a_message_id_is_said_in_english():
    said = ZH.error(NotFound("lot X is not in the ledger"))
    assert (said.text, said.language) == ("lot X is not in the ledger", "en")
