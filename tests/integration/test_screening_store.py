"""Restricted-party lists in the store: a load replaces a list atomically (a bad line replaces
nothing), every load is recorded, screening runs against the lists a transaction sees and says
which versions those were, the index follows a reload, and keys stored by another normaliser
version are made again."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, update

from reetrace.errors import InvalidInput, NotFound, UsageError
from reetrace.services.screening import (
    list_versions,
    list_versions_in,
    load_list,
    screen,
    screen_names,
    screen_parties_in,
)
from reetrace.store import tables as t
from reetrace.store.screening_repo import recorded_loads

YUNSHENG = {
    "id": "os-yunsheng",
    "schema": "Company",
    "properties": {"name": ["Ningbo Yunsheng Co., Ltd."], "alias": ["宁波韵升股份有限公司"], "country": ["cn"]},
}
WANG = {"id": "os-wang", "schema": "Person", "properties": {"name": ["WANG Xiaoming"], "alias": ["王小明"]}}
JINLONG = {"id": "os-jinlong", "schema": "Company", "properties": {"name": ["Baotou Jinlong Rare Earth Co., Ltd."]}}
SANCTION = {"id": "os-sanction", "schema": "Sanction", "properties": {"entity": ["os-yunsheng"]}}


@pytest.fixture
def list_file(tmp_path):
    def write(name: str, *entities: dict | str) -> object:
        path = tmp_path / name
        path.write_text(
            "".join((e if isinstance(e, str) else json.dumps(e, ensure_ascii=False)) + "\n" for e in entities),
            encoding="utf-8",
        )
        return path

    return write


def entity_count(store) -> int:
    with store.reading() as conn:
        return conn.execute(select(func.count()).select_from(t.screening_entities)).scalar()


def test_load_then_screen_reports_matches_and_the_list_versions(store, list_file):
    path = list_file("eu.ftm.json", YUNSHENG, WANG, SANCTION)
    when = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    report = load_list(store, path, "eu_fsf", loaded_by="analyst", now=when)
    assert report.replaced_version is None
    assert report.list.version == hashlib.sha256(path.read_bytes()).hexdigest()
    assert report.list.entities == 2 and dict(report.list.skipped) == {"Sanction": 1}

    result = screen(store, "寧波韻升")
    doc = result.as_contract()
    assert doc["format"] == "reetrace/screening@1" and doc["query"] == "寧波韻升" and doc["threshold"] == 0.8
    assert [(m["list"], m["entity"], m["name"], m["score"]) for m in doc["matches"]] == [
        ("eu_fsf", "os-yunsheng", "宁波韵升股份有限公司", 1.0)
    ]
    assert doc["lists"] == [
        {"name": "eu_fsf", "version": report.list.version, "loaded_at": "2026-11-28T09:00:00+00:00", "entities": 2}
    ]
    assert screen(store, "Ningbo Jinji Magnetic Materials").matches == ()
    assert screen(store, "Ningbo Yunsheng", threshold=0.5, country="us").matches[0].score == 0.9


def test_loading_again_replaces_the_list_and_is_recorded(store, list_file):
    first = load_list(store, list_file("a.json", YUNSHENG, WANG), "un")
    assert screen(store, "Xiaoming Wang").matched
    second = load_list(store, list_file("b.json", JINLONG), "un", loaded_by="analyst")
    assert second.replaced_version == first.list.version
    assert entity_count(store) == 1
    assert not screen(store, "Xiaoming Wang").matched  # the cached index followed the reload
    assert screen(store, "包头金龙稀土").matches[0].entity == "os-jinlong"
    with store.reading() as conn:
        loads = recorded_loads(conn, "un")
    assert [(x.version, x.replaced_version, x.entities, x.loaded_by) for x in loads] == [
        (first.list.version, None, 2, None),
        (second.list.version, first.list.version, 1, "analyst"),
    ]


def test_a_bad_line_names_its_number_and_replaces_nothing(store, list_file):
    load_list(store, list_file("good.json", YUNSHENG, WANG), "us_bis")
    bad = list_file("bad.json", JINLONG, YUNSHENG, '{"id": "x", "schema": "Company", "properties": {"name": "X"}}')
    with pytest.raises(InvalidInput, match=r"bad.json line 3: property 'name' must be a list of strings"):
        load_list(store, bad, "us_bis")
    assert entity_count(store) == 2 and screen(store, "Xiaoming Wang").matched
    with store.reading() as conn:
        assert len(recorded_loads(conn)) == 1


def test_several_lists_are_screened_together(store, list_file):
    load_list(store, list_file("a.json", YUNSHENG), "eu")
    load_list(store, list_file("b.json", {**YUNSHENG, "id": "us-1"}, JINLONG), "us")
    result = screen(store, "Ningbo Yunsheng")
    assert [(m.list, m.entity) for m in result.matches] == [("eu", "os-yunsheng"), ("us", "us-1")]
    assert [v.name for v in result.lists] == ["eu", "us"] == [v.name for v in list_versions(store)]


def test_screen_parties_in_the_callers_transaction(store, list_file):
    load_list(store, list_file("a.json", YUNSHENG, WANG), "eu")
    with store.writing() as conn:  # as the license pre-review does, inside its own unit of work
        results = screen_parties_in(conn, [("宁波韵升", "cn"), ("Acme Trading GmbH", "de"), ("王小明", None)])
        versions = list_versions_in(conn)
    assert [r.matched for r in results] == [True, False, True]
    assert [r.country for r in results] == ["cn", "de", None]
    assert all(r.lists == tuple(versions) for r in results)


def test_screening_without_a_list_is_an_error_not_an_all_clear(store):
    with pytest.raises(NotFound, match="no restricted-party list is loaded"):
        screen(store, "Ningbo Yunsheng")
    with store.reading() as conn, pytest.raises(NotFound):
        screen_parties_in(conn, [("x", None)])


def test_bad_arguments(store, list_file, tmp_path):
    path = list_file("a.json", YUNSHENG)
    with pytest.raises(UsageError, match="list name"):
        load_list(store, path, "no spaces please")
    with pytest.raises(UsageError, match="no such file"):
        load_list(store, tmp_path / "missing.json", "eu")
    load_list(store, path, "eu")
    with pytest.raises(UsageError, match="threshold"):
        screen(store, "x", threshold=1.5)
    with pytest.raises(InvalidInput, match="empty"):
        screen(store, "   ")
    assert [r.query for r in screen_names(store, ["a", "Ningbo Yunsheng"], threshold=0.9)] == ["a", "Ningbo Yunsheng"]


def test_keys_stored_by_another_normaliser_version_are_made_again(store, list_file):
    load_list(store, list_file("a.json", YUNSHENG), "eu")
    with store.writing() as conn:  # as if stored by an older normaliser, with keys that match nothing
        conn.execute(update(t.screening_lists).values(keys_version="old"))
        conn.execute(update(t.screening_entities).values(name_keys=json.dumps([[0, [["zzz"], [], [], "", 0, 0, 0]]])))
    assert screen(store, "Ningbo Yunsheng").matches[0].entity == "os-yunsheng"
