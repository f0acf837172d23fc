"""The registry's sites with deposit, profile and capacity over a real store (SQLite, and
PostgreSQL with REETRACE_TEST_DB): stored and read back; a reloaded enterprise's qualifications
and sites replaced, its keys only added or revoked; the supervised findings of
COMPOSITION_IMPLAUSIBLE and CAPACITY_EXCEEDED equal to a full audit after every submission and
every registry change; and a lot made from an extraction or a plant so found blocked."""

from __future__ import annotations

import copy
from datetime import date

from factory import extract, lot, receive, ship, transform
from reetrace.config import Settings
from reetrace.domain.elements import REO_FACTOR
from reetrace.services import supervision
from reetrace.services.audit import audit_ledger
from reetrace.services.ingest import ingest
from reetrace.services.lot_findings import blocking_around
from reetrace.services.registry import current_registry, load_registry

SETTINGS = Settings()
AS_OF = date(2026, 12, 31)
LIGHT = {"La": 0.26, "Ce": 0.5, "Pr": 0.05, "Nd": 0.16, "Sm": 0.014, "Y": 0.016}  # Bayan Obo, REO shares
HEAVY = {"Y": 0.65, "Dy": 0.1, "Gd": 0.1, "Er": 0.05, "Nd": 0.1}  # a southern heavy clay


def ore(shares: dict[str, float], reo: float = 0.5) -> dict[str, float]:
    return {e: s * REO_FACTOR[e] * reo for e, s in shares.items()}


def on(month: int, day: int) -> str:
    return f"2026-{month:02d}-{day:02d}T08:00:00+08:00"


def oxide(element: str = "Nd") -> dict[str, float]:
    return {element: REO_FACTOR[element]}  # 1 kg of it is 1 kg REO


def with_sites(world, mine_site: dict, plant_sites: list[dict]) -> dict:
    doc = world.registry()
    doc["enterprises"][0]["sites"] = [mine_site]
    doc["enterprises"][1]["sites"] = plant_sites
    doc["quotas"].append(
        {"year": 2026, "uscc": world.mine.uscc, "kind": "mining", "category": "ion_adsorption", "tonnes_reo": 100}
    )
    return doc


MINE_SITE = {"code": "M1", "kind": "mine", "name": "Mine 1", "deposit": "rock", "profile": LIGHT}
PLANT_SITE = {"code": "P1", "kind": "plant", "name": "Plant 1", "capacity_t_reo": 5.0}


def test_sites_are_stored_and_a_reload_replaces_them(store, world):
    load_registry(store, with_sites(world, MINE_SITE, [PLANT_SITE, {"code": "W1", "kind": "warehouse", "name": "W"}]))
    reg = current_registry(store)
    mine = reg.sites[(world.mine.uscc, "M1")]
    assert (mine.deposit, mine.profile, mine.capacity_t_reo) == ("rock", LIGHT, None)
    assert reg.sites[(world.plant.uscc, "P1")].capacity_t_reo == 5.0
    assert (world.plant.uscc, "W1") in reg.sites

    again = with_sites(world, {**MINE_SITE, "profile": None}, [PLANT_SITE])
    plant = again["enterprises"][1]
    plant["qualifications"] = plant["qualifications"][:1]  # separation kept, metal dropped
    old_key = plant["keys"][0]
    plant["keys"] = []  # a key left out stays
    mine_keys = again["enterprises"][0]["keys"]
    mine_keys[0] = {**mine_keys[0], "revoked_at": "2026-06-01T00:00:00+08:00"}
    load_registry(store, again)
    reg = current_registry(store)
    assert (world.plant.uscc, "W1") not in reg.sites  # the site dropped is gone
    assert reg.sites[(world.mine.uscc, "M1")].profile is None
    assert [q.kind for q in reg.qualifications[world.plant.uscc]] == ["separation"]
    assert old_key["key_id"] in reg.keys
    assert reg.keys[world.mine.key_id].revoked_at is not None
    # a revocation is never lifted (nor put later) by a reload
    lifted = copy.deepcopy(again)
    lifted["enterprises"][0]["keys"][0]["revoked_at"] = None
    load_registry(store, lifted)
    assert current_registry(store).keys[world.mine.key_id].revoked_at == reg.keys[world.mine.key_id].revoked_at
    # another enterprise's sites and qualifications are untouched by a document that leaves it out
    load_registry(store, {"format": "reetrace/registry@1", "enterprises": [again["enterprises"][2]]})
    assert (world.plant.uscc, "P1") in current_registry(store).sites


def _events(world):
    """The mine extracts a light lot (C1, fits its light profile), a heavy one at the same mine
    (C2: illegal clay laundered there) and a heavy one at no site, declared ion-adsorption (C3:
    fits); the plant makes, in REO, 3.8 t at P1, 0.92 t of metal at no site (its only capacity
    site's), a repack (nothing), 0.95 t at P1 and 4 kg from C2 at no site: 5.674 t in all."""
    m, p = world.mine, world.plant
    at_mine, at_plant = {"site": f"{m.uscc}/M1"}, {"site": f"{p.uscc}/P1"}
    return [
        (m, extract("m1", "C1", 40000, composition=ore(LIGHT), time=on(2, 1)) | at_mine),
        (m, extract("m2", "C2", 4000, composition=ore(HEAVY), time=on(3, 1), deposit="rock") | at_mine),
        (m, extract("m3", "C3", 1000, composition=ore(HEAVY), time=on(3, 2), deposit="ion_adsorption")),
        (m, ship("m4", ["C1", "C2"], p.uscc, "S1", time=on(3, 10))),
        (p, receive("p0", ["C1", "C2"], m.uscc, "S1", time=on(3, 11))),
        (
            p,
            transform("p1", "separation", [("C1", 8000)], [lot("O1", "oxide", 4000, ore(LIGHT, 0.95))], time=on(4, 1))
            | at_plant,
        ),
        (p, transform("p2", "metal", [("O1", 1000)], [lot("O2", "metal", 920, ore(LIGHT, 1.0))], time=on(5, 1))),
        (p, transform("p3", "repack", [("O1", 500)], [lot("O3", "oxide", 500, ore(LIGHT, 0.95))], time=on(5, 2))),
        (
            p,
            transform("p4", "separation", [("C1", 2000)], [lot("O4", "oxide", 1000, ore(LIGHT, 0.95))], time=on(6, 1))
            | at_plant,
        ),
        (p, transform("p5", "separation", [("C2", 100)], [lot("O5", "oxide", 4, oxide("Dy"))], time=on(7, 1))),
    ]


def contract(findings):
    return [f.as_contract() for f in findings]


def test_supervised_findings_equal_a_full_audit_through_events_and_registry_changes(store, world, write_json):
    settings = Settings(db_url=None)
    load_registry(store, with_sites(world, MINE_SITE, [PLANT_SITE]), settings=settings)
    supervision.start(store, settings, AS_OF)

    def check(when: str) -> list:
        with store.reading() as conn:
            kept = supervision.current_findings(conn, settings, AS_OF)
        full = audit_ledger(store, settings, AS_OF, full=True)
        assert kept is not None and contract(kept) == contract(full), when
        return full

    for n, (party, event) in enumerate(_events(world)):
        path = write_json(f"subs/{n}.json", party.submit([event], created_at="2026-08-01T10:00:00+08:00"))
        ingest(store, [path], as_received_created_at=True, settings=settings)
        check(f"after event {n}")
    found = check("all events")
    codes = {(f.code, f.lot or f.event) for f in found if f.code in ("COMPOSITION_IMPLAUSIBLE", "CAPACITY_EXCEEDED")}
    plant = world.plant.uscc
    # C2 (heavy at a light mine); 3.8 + 0.92 t is within P1's 5 t, the 0.95 t of p4 goes over
    assert codes == {("COMPOSITION_IMPLAUSIBLE", "C2"), ("CAPACITY_EXCEEDED", f"{plant}:p4")}, codes

    changes = [
        with_sites(world, {**MINE_SITE, "profile": HEAVY}, [{**PLANT_SITE, "capacity_t_reo": 6.0}]),
        with_sites(world, {**MINE_SITE, "profile": None, "deposit": "ion_adsorption"}, [PLANT_SITE]),
        with_sites(world, {**MINE_SITE, "profile": None}, [PLANT_SITE, {**PLANT_SITE, "code": "P2"}]),
        with_sites(world, {"code": "M1", "kind": "mine", "name": "Mine 1"}, []),
    ]
    seen = []
    for n, doc in enumerate(changes):
        load_registry(store, doc, settings=settings)
        found = check(f"after registry change {n}")
        seen.append(
            {(f.code, f.lot or f.event) for f in found if f.code in ("COMPOSITION_IMPLAUSIBLE", "CAPACITY_EXCEEDED")}
        )
    # a heavy profile fits C2 but not C1; 6 t holds the plant's 5.674 t
    assert seen[0] == {("COMPOSITION_IMPLAUSIBLE", "C1")}
    # registered ion-adsorption without a profile: the light C1 is implausible; the heavy C2 fits
    # the category but its extraction declared rock, contradicting the site
    assert seen[1] == {
        ("COMPOSITION_IMPLAUSIBLE", "C1"),
        ("COMPOSITION_IMPLAUSIBLE", "C2"),
        ("CAPACITY_EXCEEDED", f"{plant}:p4"),
    }
    # registered rock; two capacity sites: the site-less p2 and p5 count for neither, P1 holds 4.75 t
    assert seen[2] == {("COMPOSITION_IMPLAUSIBLE", "C2")}
    # nothing registered: C2 judged by the rock deposit its extraction declares; no capacity
    assert seen[3] == {("COMPOSITION_IMPLAUSIBLE", "C2")}


def test_a_lot_made_from_an_implausible_extraction_or_over_capacity_is_blocked(store, world, write_json):
    load_registry(store, with_sites(world, MINE_SITE, [PLANT_SITE]))
    subs = [(party, event) for party, event in _events(world)]
    for n, (party, event) in enumerate(subs):
        ingest(store, [write_json(f"s/{n}.json", party.submit([event], created_at="2026-08-01T10:00:00+08:00"))])
    day = AS_OF
    upstream = {f.code for f in blocking_around(store, SETTINGS, "O5", day).upstream}
    assert "COMPOSITION_IMPLAUSIBLE" in upstream  # separated from the heavy C2 laundered at a light mine
    assert "CAPACITY_EXCEEDED" in upstream  # and made by the plant in the year it went over
    assert {f.code for f in blocking_around(store, SETTINGS, "O2", day).upstream} == {"CAPACITY_EXCEEDED"}
    # the near miss: the mine's light C1 fits its profile, and the mine has no capacity
    assert blocking_around(store, SETTINGS, "C1", day).upstream == []
