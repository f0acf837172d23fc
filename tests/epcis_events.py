"""§4 events of every type as hypothesis draws them, for the EPCIS translation and hash tests:
every optional member absent, null or given, text in any script (and the characters URIs must
escape), lots that are LGTINs or look like the project's own URIs, times in any offset."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from factory import make_uscc

ELEMENTS = ["La", "Ce", "Pr", "Nd", "Sm", "Eu", "Gd", "Tb", "Dy", "Y", "Sc", "Lu", "Ho"]
FORMS = ["ore", "concentrate", "mixed_compound", "oxide", "metal", "alloy", "magnet", "compound", "scrap"]
PROCESSES = ["beneficiation", "separation", "metal", "alloy", "magnet", "repack", "recycling", "other"]

usccs = st.integers(1, 400).map(make_uscc)
text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=24)
lot_ids = st.one_of(
    st.from_regex(r"[A-Za-z0-9._:/-]{1,40}", fullmatch=True),
    st.from_regex(r"urn:epc:class:lgtin:[0-9]{7}\.[0-9]{6}\.[A-Za-z0-9]{1,20}", fullmatch=True),
    st.from_regex(r"urn:reetrace:lot:[A-Za-z0-9]{1,20}", fullmatch=True),
)
masses = st.one_of(
    st.floats(min_value=0.001, max_value=1e9, allow_nan=False, allow_infinity=False),
    st.integers(1, 10**9),
)
offsets = st.sampled_from(["+08:00", "Z", "-05:30", "+00:00", "+14:00"])
fractions = st.sampled_from(["", ".5", ".123", ".000001"])


@st.composite
def times(draw: st.DrawFn) -> str:
    day = draw(
        st.dates(min_value=__import__("datetime").date(1995, 1, 1), max_value=__import__("datetime").date(2026, 11, 30))
    )
    clock = draw(st.times()).replace(microsecond=0).isoformat()
    return f"{day.isoformat()}T{clock}{draw(fractions)}{draw(offsets)}"


@st.composite
def compositions(draw: st.DrawFn) -> dict[str, float]:
    elements = draw(st.lists(st.sampled_from(ELEMENTS), unique=True, max_size=5))
    return {e: draw(st.floats(0, 0.19, allow_nan=False)) for e in elements}


@st.composite
def outputs(draw: st.DrawFn, lots: list[str]) -> list[dict[str, Any]]:
    made = []
    for lot in lots:
        o: dict[str, Any] = {"lot": lot, "form": draw(st.sampled_from(FORMS)), "mass_kg": draw(masses)}
        o["composition"] = draw(compositions())
        hs = draw(st.sampled_from([None, "absent", "2846901900", "8505111000"]))
        if hs != "absent":
            o["hs_code"] = hs
        made.append(o)
    return made


def _optional(draw: st.DrawFn, event: dict[str, Any], name: str, values: st.SearchStrategy[Any]) -> None:
    """`name` absent, null, or one of `values`."""
    choice = draw(st.sampled_from(["absent", "null", "given"]))
    if choice == "null":
        event[name] = None
    elif choice == "given":
        event[name] = draw(values)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.floats(-1e6, 1e6, allow_nan=False) | text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(text, children, max_size=3),
    max_leaves=8,
)


@st.composite
def events(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A reporter and one of its §4 events, as submitted."""
    reporter = draw(usccs)
    kind = draw(st.sampled_from(["extract", "import", "transform", "ship", "receive", "export", "consume", "adjust"]))
    lots = draw(st.lists(lot_ids, min_size=1, max_size=3, unique=True))
    e: dict[str, Any] = {"event_id": draw(text), "type": kind, "time": draw(times())}
    if kind == "extract":
        e["deposit"] = draw(st.sampled_from(["rock", "ion_adsorption"]))
        e["outputs"] = draw(outputs(lots))
    elif kind == "import":
        e["origin_country"] = draw(st.from_regex(r"[A-Z]{2}", fullmatch=True))
        e["customs_declaration"] = draw(text)
        e["outputs"] = draw(outputs(lots))
    elif kind == "transform":
        inputs = draw(st.lists(lot_ids.filter(lambda x: x not in lots), min_size=1, max_size=3, unique=True))
        e["process"] = draw(st.sampled_from(PROCESSES))
        e["inputs"] = [{"lot": lot, "mass_kg": draw(masses)} for lot in inputs]
        e["outputs"] = draw(outputs(lots))
    elif kind == "ship":
        e.update(lots=lots, to=draw(usccs), shipment=draw(text))
    elif kind == "receive":
        e.update(lots=lots, **{"from": draw(usccs)}, shipment=draw(text))
        _optional(draw, e, "mass_kg", masses)
    elif kind == "export":
        e.update(lots=lots, consignee=draw(text), destination=draw(st.sampled_from(["DE", "US", "JP", "KR"])))
        e["customs_declaration"] = draw(text)
        _optional(draw, e, "license_no", text)
    elif kind == "consume":
        e.update(lots=[{"lot": lot, "mass_kg": draw(masses)} for lot in lots], purpose=draw(text))
    else:
        e.update(lot=lots[0], delta_kg=draw(st.floats(-1e6, 1e6, allow_nan=False)), reason=draw(text))
    site_codes = st.text(
        st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc"), blacklist_characters="/"),
        min_size=1,
        max_size=12,
    )
    _optional(draw, e, "site", st.builds(lambda u, c: f"{u}/{c}", usccs, site_codes))
    if draw(st.booleans()):
        e["ext"] = draw(json_values)
    return reporter, e
