"""Lots by the beginning of their id, over a real store (SQLite, and PostgreSQL with
REETRACE_TEST_DB): in id order, the prefix taken literally (`%` and `_` are no wildcards),
bounded, and a hostile prefix refused."""

from __future__ import annotations

import pytest

from factory import extract
from reetrace.errors import InvalidInput
from reetrace.services.ingest import ingest
from reetrace.services.lots import find_lots
from reetrace.services.registry import load_registry


@pytest.fixture
def lots(store, world, write_json):
    load_registry(store, world.registry())
    ids = ["DYO-2", "DYO-10", "DYO-1", "DY_X", "DYXX", "D.Y", "NDO-1"]
    events = [extract(f"m{n}", lot, 100 + n, composition={"Dy": 0.05}) for n, lot in enumerate(ids)]
    ingest(store, [write_json("subs/mine.json", world.mine.submit(events))], as_received_created_at=True)
    return world


def test_lots_are_found_by_the_beginning_of_their_id(store, lots):
    found, more = find_lots(store, "DYO-")
    assert [f.lot for f in found] == ["DYO-1", "DYO-10", "DYO-2"] and not more
    assert {f.enterprise for f in found} == {lots.mine.uscc} and found[0].mass_kg == 102
    assert [f.lot for f in find_lots(store, "DY_")[0]] == ["DY_X"]  # "_" is not a wildcard
    assert find_lots(store, "%")[0] == [] and find_lots(store, "D%")[0] == []  # nor is "%"
    assert find_lots(store, "dyo-")[0] == []  # ids are case-sensitive: the near miss
    everything, more = find_lots(store, "", limit=4)
    assert [f.lot for f in everything] == ["D.Y", "DYO-1", "DYO-10", "DYO-2"] and more


@pytest.mark.parametrize("prefix", ["x" * 81, "DYO\x00", "DY\n"])
def test_a_hostile_prefix_is_refused(store, lots, prefix):
    with pytest.raises(InvalidInput):
        find_lots(store, prefix)
