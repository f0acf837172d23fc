"""The passport of a lot (contract §11): valid against UNTP's DPP 0.6.1 schema for lots of every
kind of history (mined at home, imported, of unknown origin, recycled, a magnet), its fractions
summing to 1, no upstream enterprise named anywhere, and every member defined by one of the
contexts it names (a JSON-LD processor drops nothing). Expected figures are worked by hand."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyld import jsonld

from factory import make_key, make_uscc
from reetrace.credentials.contexts import document_loader
from reetrace.credentials.passport import Party, element_name, log_checkpoint, magnet_type, passport
from reetrace.credentials.schema import DPP, SchemaViolation, check, schema_errors, validate_passport
from reetrace.domain.provenance import MaterialOrigin, Provenance, Stage, StagePlace
from reetrace.ledger.note import Checkpoint, Signer, sign_note

PUBLIC_URL = "https://reetrace.example.gov.cn"
MINE, SEPARATOR, REFINER, ALLOYER, MAGNET_MAKER = (make_uscc(n) for n in range(1, 6))
UPSTREAM = (MINE, SEPARATOR, REFINER, ALLOYER)
LOG = Signer("reetrace.example.gov.cn/log", make_key("log"))
ROOT = bytes(range(32))
NOTE = sign_note(Checkpoint(LOG.name, 123, ROOT).to_text(), LOG)
STATUS = {
    "id": f"{PUBLIC_URL}/credentials/status/1#7",
    "type": "BitstringStatusListEntry",
    "statusPurpose": "revocation",
    "statusListIndex": "7",
    "statusListCredential": f"{PUBLIC_URL}/credentials/status/1",
}


def place(country: str | None, enterprise: str | None, elements: dict[str, float]) -> StagePlace:
    event = f"{enterprise}:e1" if enterprise else None
    return StagePlace(country, enterprise, event, elements)


def domestic_magnet() -> Provenance:
    """100 kg of NdFeB magnet: 29 kg Nd (20 mined in China, 9 imported from Myanmar as oxide),
    1 kg Dy from China of which 0.25 kg recycled, the rest iron and boron."""
    cn = {"Nd": 20.0, "Dy": 1.0}
    mm = {"Nd": 9.0}
    both = {"Nd": 29.0, "Dy": 1.0}
    return Provenance(
        lot="MAG-2026-001",
        form="magnet",
        mass_kg=100.0,
        elements_kg=both,
        stages=(
            Stage("mined", (place("CN", MINE, cn), place("MM", None, mm))),
            Stage("separated", (place("CN", SEPARATOR, cn), place("MM", None, mm))),
            Stage("metal", (place("CN", REFINER, both),)),
            Stage("alloyed", (place("CN", ALLOYER, both),)),
            Stage("magnet", (place("CN", MAGNET_MAKER, both),)),
        ),
        materials=(
            MaterialOrigin("Nd", "CN", 20.0, 0.0),
            MaterialOrigin("Nd", "MM", 9.0, 0.0),
            MaterialOrigin("Dy", "CN", 1.0, 0.25),
        ),
        recycled_kg={"Nd": 0.0, "Dy": 0.25},
        chinese_origin_share=21.0 / 30.0,
        upstream_lots=frozenset({"ORE-1", "OX-1", "OX-MM", "MET-1", "ALY-1", "MAG-2026-001"}),
        upstream_events=frozenset(f"{u}:e1" for u in (*UPSTREAM, MAGNET_MAKER)),
    )


def imported_oxide() -> Provenance:
    """An oxide lot imported from Australia: 50 kg of which 30 kg La and 10 kg Ce."""
    elements = {"La": 30.0, "Ce": 10.0}
    return Provenance(
        lot="IMP/2026:07",
        form="oxide",
        mass_kg=50.0,
        elements_kg=elements,
        stages=(Stage("mined", (place("AU", None, elements),)), Stage("separated", (place("AU", None, elements),))),
        materials=(MaterialOrigin("La", "AU", 30.0, 0.0), MaterialOrigin("Ce", "AU", 10.0, 0.0)),
        recycled_kg={"La": 0.0, "Ce": 0.0},
        chinese_origin_share=0.0,
        upstream_lots=frozenset({"IMP/2026:07"}),
        upstream_events=frozenset({f"{MAGNET_MAKER}:imp"}),
    )


def unknown_origin_metal() -> Provenance:
    """A pure metal lot, 10 kg of Tb whose ore nobody reported: no rest, origin unknown."""
    return Provenance(
        lot="TB-9",
        form="metal",
        mass_kg=10.0,
        elements_kg={"Tb": 10.0},
        stages=(
            Stage("mined", (place(None, None, {"Tb": 10.0}),)),
            Stage("metal", (place("CN", REFINER, {"Tb": 10.0}),)),
        ),
        materials=(MaterialOrigin("Tb", None, 10.0, 0.0),),
        recycled_kg={"Tb": 0.0},
        chinese_origin_share=0.0,
        upstream_lots=frozenset({"TB-9", "TB-ORE"}),
        upstream_events=frozenset({f"{REFINER}:e1"}),
    )


def smco_magnet() -> Provenance:
    """An SmCo magnet from recycled scrap: 25 kg Sm, 3 kg Pr, all recycled, origin China."""
    elements = {"Pr": 3.0, "Sm": 25.0}
    return Provenance(
        lot="SMCO-1",
        form="magnet",
        mass_kg=100.0,
        elements_kg=elements,
        stages=(
            Stage("mined", (place("CN", MINE, elements),)),
            Stage("magnet", (place("CN", MAGNET_MAKER, elements),)),
        ),
        materials=(MaterialOrigin("Pr", "CN", 3.0, 3.0), MaterialOrigin("Sm", "CN", 25.0, 25.0)),
        recycled_kg=elements,
        chinese_origin_share=1.0,
        upstream_lots=frozenset({"SMCO-1", "SCRAP-1"}),
        upstream_events=frozenset({f"{MINE}:e1", f"{MAGNET_MAKER}:e1"}),
    )


def issue(provenance: Provenance, **overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "credential_id": f"{PUBLIC_URL}/credentials/6f1c7f0e-2d5b-4b7e-9a55-3d2f0c1b8e11",
        "lot_uri": f"{PUBLIC_URL}/lots/{provenance.lot.replace('/', '%2F').replace(':', '%3A')}",
        "issuer_did": "did:web:reetrace.example.gov.cn",
        "issuer_name": "Rare Earth Office",
        "valid_from": datetime(2026, 12, 7, 10, 0, tzinfo=timezone(timedelta(hours=8))),
        "status_entry": STATUS,
        "all_origins_legal": True,
        "checkpoint": NOTE,
        "public_url": PUBLIC_URL,
    }
    arguments.update(overrides)
    return passport(provenance, **arguments)


CASES = [domestic_magnet, imported_oxide, unknown_origin_metal, smco_magnet]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_every_passport_keeps_to_the_untp_dpp_schema(case):
    credential = issue(case())
    assert schema_errors(credential, DPP) == []
    assert validate_passport(credential) == []
    check(credential)


def test_a_passport_that_breaks_the_schema_is_refused_with_where():
    credential = issue(domestic_magnet())
    credential["credentialSubject"]["materialsProvenance"][0]["massFraction"] = "0.2"
    credential["@context"] = credential["@context"][::-1]
    with pytest.raises(SchemaViolation) as refused:
        check(credential)
    places = {e.where() for e in refused.value.errors}
    assert "/@context/0" in places
    assert "/credentialSubject/materialsProvenance/0/massFraction" in places


def test_the_magnet_passport_holds_the_hand_worked_figures():
    credential = issue(domestic_magnet(), producer=Party(f"{PUBLIC_URL}/enterprises/m", "Magnet Co", MAGNET_MAKER))
    assert credential["validFrom"] == "2026-12-07T02:00:00Z"
    assert credential["credentialStatus"] == STATUS
    subject = credential["credentialSubject"]
    assert subject["product"]["name"] == "magnet lot MAG-2026-001"
    assert subject["product"]["batchNumber"] == "MAG-2026-001"
    assert subject["product"]["producedByParty"]["registeredId"] == MAGNET_MAKER
    assert subject["materialsProvenance"] == [
        {"type": ["Material"], "name": "Neodymium (Nd)", "originCountry": "CN",
         "mass": {"value": 20.0, "unit": "KGM"}, "massFraction": 0.2, "recycledMassFraction": 0.0},
        {"type": ["Material"], "name": "Neodymium (Nd)", "originCountry": "MM",
         "mass": {"value": 9.0, "unit": "KGM"}, "massFraction": 0.09, "recycledMassFraction": 0.0},
        {"type": ["Material"], "name": "Dysprosium (Dy)", "originCountry": "CN",
         "mass": {"value": 1.0, "unit": "KGM"}, "massFraction": 0.01, "recycledMassFraction": 0.25},
        {"type": ["Material"], "name": "Other constituents",
         "mass": {"value": 70.0, "unit": "KGM"}, "massFraction": pytest.approx(0.7), "recycledMassFraction": 0},
    ]  # fmt: skip
    assert subject["provenanceStages"] == [
        {"stage": "mined", "countries": ["CN", "MM"]},
        {"stage": "separated", "countries": ["CN", "MM"]},
        {"stage": "metal", "countries": ["CN"]},
        {"stage": "alloyed", "countries": ["CN"]},
        {"stage": "magnet", "countries": ["CN"]},
    ]
    assert subject["chineseOriginShare"] == pytest.approx(0.7)
    assert subject["rareEarthMass"] == {"value": 30.0, "unit": "KGM"}
    assert subject["allOriginsLegal"] is True
    assert subject["permanentMagnet"] == {
        "magnetType": "NdFeB",
        "mass": {"value": 100.0, "unit": "KGM"},
        "composition": [{"element": "Nd", "massFraction": 0.29}, {"element": "Dy", "massFraction": 0.01}],
        "recycledShares": [
            {"element": "Nd", "recycledMassFraction": 0.0},
            {"element": "Dy", "recycledMassFraction": 0.25},
        ],
    }


def test_an_import_and_an_unknown_origin():
    imported = issue(imported_oxide())["credentialSubject"]
    assert [m.get("originCountry") for m in imported["materialsProvenance"]] == ["AU", "AU", None]
    assert imported["chineseOriginShare"] == 0
    assert "permanentMagnet" not in imported
    unknown = issue(unknown_origin_metal(), all_origins_legal=False)["credentialSubject"]
    assert unknown["materialsProvenance"] == [
        {
            "type": ["Material"],
            "name": "Terbium (Tb)",
            "mass": {"value": 10.0, "unit": "KGM"},
            "massFraction": 1.0,
            "recycledMassFraction": 0.0,
        },
    ]  # fmt: skip: a pure metal has no rest, and an unknown origin no originCountry
    assert unknown["provenanceStages"] == [{"stage": "mined", "countries": []}, {"stage": "metal", "countries": ["CN"]}]
    assert unknown["allOriginsLegal"] is False


@pytest.mark.parametrize(
    ("elements", "expected"),
    [
        ({"Sm": 25.0, "Pr": 3.0}, "SmCo"),
        ({"Sm": 10.0, "Nd": 6.0, "Pr": 4.0}, "SmCo"),  # equal: samarium wins
        ({"Sm": 9.9, "Nd": 6.0, "Pr": 4.0}, "NdFeB"),
        ({"Pr": 0.5}, "NdFeB"),
        ({"Ce": 30.0}, "other"),
        ({}, "other"),
    ],
)
def test_magnet_type(elements, expected):
    assert magnet_type(elements) == expected


def test_an_smco_magnet_is_all_recycled():
    magnet = issue(smco_magnet())["credentialSubject"]["permanentMagnet"]
    assert magnet["magnetType"] == "SmCo"
    assert magnet["recycledShares"] == [
        {"element": "Pr", "recycledMassFraction": 1.0},
        {"element": "Sm", "recycledMassFraction": 1.0},
    ]


def test_element_names_from_the_periodic_table():
    assert element_name("Dy") == "Dysprosium (Dy)"
    assert element_name("Y") == "Yttrium (Y)"
    assert element_name("Pr") == "Praseodymium (Pr)"


def test_the_checkpoint_is_the_signed_note_and_its_fields():
    assert log_checkpoint(NOTE) == {
        "origin": "reetrace.example.gov.cn/log",
        "treeSize": 123,
        "rootHash": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        "note": NOTE,
    }
    with pytest.raises(ValueError):
        log_checkpoint("reetrace.example.gov.cn/log\n123\n")
    written = log_checkpoint(NOTE)
    assert log_checkpoint({**written, "extra": 1}) == written  # as the caller wrote it, nothing more
    with pytest.raises(ValueError):
        log_checkpoint({"origin": LOG.name, "treeSize": 123, "note": NOTE})


def test_a_lot_of_no_mass_and_a_naive_time_are_refused():
    nothing = Provenance("X", "unknown", 0.0, {}, (), (), {}, 0.0, frozenset(), frozenset())
    with pytest.raises(ValueError):
        issue(nothing)
    with pytest.raises(ValueError):
        issue(imported_oxide(), valid_from=datetime(2026, 12, 7))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_no_upstream_enterprise_is_named(case):
    provenance = case()
    text = json.dumps(issue(provenance), ensure_ascii=False)
    places = {p.enterprise for s in provenance.stages for p in s.places if p.enterprise}
    reporters = {event.partition(":")[0] for event in provenance.upstream_events}
    assert places | reporters  # the case names some: the check below could fail
    for uscc in places | reporters:
        assert uscc not in text  # nor, then, any upstream event: "<USCC>:<event_id>"


# --- fractions ----------------------------------------------------------------------------------

kilograms = st.floats(min_value=0.001, max_value=1e6, allow_nan=False)


@st.composite
def provenances(draw: st.DrawFn) -> Provenance:
    """Rare earths from a few countries in a lot that may hold nothing else."""
    origins = draw(
        st.lists(
            st.tuples(st.sampled_from(["La", "Ce", "Nd", "Dy", "Tb"]), st.sampled_from(["CN", "MM", "AU", None])),
            unique=True,
            max_size=6,
        )
    )
    materials = tuple(MaterialOrigin(e, c, draw(kilograms), 0.0) for e, c in origins)
    ree = sum(m.mass_kg for m in materials)
    rest = draw(st.one_of(st.just(0.0), kilograms))
    elements: dict[str, float] = {}
    for m in materials:
        elements[m.element] = elements.get(m.element, 0.0) + m.mass_kg
    mass = ree + rest if ree + rest > 0 else 1.0
    return Provenance("L", "oxide", mass, elements, (), materials, {}, 0.0, frozenset(), frozenset())


@settings(max_examples=300)
@given(provenances())
def test_the_fractions_sum_to_one(provenance):
    listed = issue(provenance)["credentialSubject"]["materialsProvenance"]
    fractions = [m["massFraction"] for m in listed]
    assert all(f >= 0 for f in fractions)
    assert math.isclose(sum(fractions), 1.0, rel_tol=1e-9)
    if listed[-1]["name"] == "Other constituents":
        assert sum(fractions) == 1.0  # exactly, summed in the order listed
    assert math.isclose(sum(m["mass"]["value"] for m in listed), provenance.mass_kg, rel_tol=1e-9)


# --- JSON-LD ------------------------------------------------------------------------------------


def expand(credential: dict[str, Any]) -> tuple[list[Any], list[str | None]]:
    dropped: list[str | None] = []
    expanded = jsonld.expand(credential, {"documentLoader": document_loader(PUBLIC_URL)}, dropped.append)
    return expanded, dropped


def members(value: Any) -> int:
    """How many members (not keywords) the JSON holds, at any depth."""
    if isinstance(value, dict):
        own = sum(1 for key in value if key not in ("@context", "id", "type"))
        return own + sum(members(v) for v in value.values())
    if isinstance(value, list):
        return sum(members(v) for v in value)
    return 0


def iris(value: Any, found: set[str]) -> set[str]:
    """Every property and type IRI of an expanded document."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not key.startswith("@"):
                found.add(key)
            if key == "@type" and not isinstance(item, str):
                found.update(item)
            iris(item, found)
    elif isinstance(value, list):
        for item in value:
            iris(item, found)
    return found


def expanded_members(value: Any) -> int:
    """How many property values the expanded document holds, at any depth (a list one)."""
    if isinstance(value, dict):
        own = sum(1 for key in value if not key.startswith("@"))
        return own + sum(expanded_members(v) for v in value.values())
    if isinstance(value, list):
        return sum(expanded_members(v) for v in value)
    return 0


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_json_ld_expansion_drops_no_member(case):
    credential = issue(case(), producer=Party(f"{PUBLIC_URL}/enterprises/m", "Magnet Co", MAGNET_MAKER))
    expanded, dropped = expand(credential)
    assert dropped == []
    # every member became a property of an absolute IRI ...
    found = iris(expanded, set())
    assert all(iri.startswith(("https://", "http://")) for iri in found), sorted(found)
    # ... and none was lost on the way (an undefined member would vanish without a trace)
    assert expanded_members(expanded) == members(credential)


def test_the_project_terms_expand_to_its_namespace():
    expanded, _ = expand(issue(domestic_magnet()))
    found = iris(expanded, set())
    ours = {
        "provenanceStages", "stage", "countries", "allOriginsLegal", "chineseOriginShare", "rareEarthMass",
        "logCheckpoint", "treeSize", "rootHash", "permanentMagnet", "magnetType", "composition", "element",
        "recycledShares",
    }  # fmt: skip
    assert {"https://ns.reetrace.org/provenance#" + t for t in ours} <= found
    text = json.dumps(expanded)
    assert "https://vocabulary.uncefact.org/CountryId#MM" in text  # countries as UNTP's country codes
    assert "https://vocabulary.uncefact.org/UnitMeasureCode#KGM" in text


def test_an_undefined_member_would_be_caught():
    credential = issue(imported_oxide())
    credential["credentialSubject"]["secretSupplier"] = MINE
    _, dropped = expand(credential)
    assert dropped != []


def test_valid_from_is_utc():
    credential = issue(imported_oxide(), valid_from=datetime(2027, 1, 1, 0, 0, 30, 999, tzinfo=UTC))
    assert credential["validFrom"] == "2027-01-01T00:00:30Z"
