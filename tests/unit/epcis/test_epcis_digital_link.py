"""The Digital Link normaliser (a port of the reference's dl_normaliser) answers as the
reference's own does: on generated EPC URIs of every scheme, Digital Links with and without
their attributes, arbitrary text, and the GS1 keys of the project's events."""

from __future__ import annotations

import pytest
from epcis_event_hash_generator.dl_normaliser import check_digit as reference_check_digit
from epcis_event_hash_generator.dl_normaliser import normaliser as reference_normaliser
from hypothesis import given, settings
from hypothesis import strategies as st

from reetrace.epcis.digital_link import check_digit, normalise

digits = st.text("0123456789", min_size=1, max_size=14)
gs3a3 = st.text("!')(*+,.-:;=_" + "abcXYZ0189", min_size=1, max_size=30) | st.sampled_from(["%2F", "%21", "%zz", "%"])
schemes = st.sampled_from(
    ["id:sgtin", "id:sscc", "id:sgln", "id:grai", "id:giai", "id:gsrn", "id:gsrnp", "id:gdti", "id:cpi", "id:sgcn"]
    + ["id:ginc", "id:gsin", "id:itip", "id:upui", "id:pgln", "class:lgtin", "idpat:sgtin", "idpat:grai"]
    + ["idpat:gdti", "idpat:sgcn", "idpat:cpi", "idpat:itip", "idpat:upui", "id:unknown"]
)
epc_uris = st.builds(
    lambda scheme, parts: f"urn:epc:{scheme}:" + ".".join(parts),
    schemes,
    st.lists(digits | gs3a3 | st.just("*") | st.just(""), min_size=1, max_size=5),
)
ais = st.sampled_from(["01", "gtin", "8006", "8010", "414", "417", "00", "253", "255", "401", "402", "8003", "8004"])
digital_links = st.builds(
    lambda host, path, tail: host + path + tail,
    st.sampled_from(["https://id.gs1.org", "http://example.com", "https://a.b:8080", "https://x@y.z", "http:"]),
    st.lists(
        st.tuples(ais | st.sampled_from(["10", "21", "22", "lot", "ser", "cpv", "235", "254"]), digits | gs3a3),
        min_size=1,
        max_size=4,
    ).map(lambda pairs: "".join(f"/{ai}/{value}" for ai, value in pairs)),
    st.sampled_from(["", "/", "?linkType=all", "#x"]),
)


@settings(max_examples=600, deadline=None)
@given(epc_uris | digital_links | st.text(max_size=30))
def test_the_digital_link_normaliser_answers_as_the_references(uri):
    assert normalise(uri) == reference_normaliser(uri)


@pytest.mark.parametrize(
    "uri",
    [
        "urn:epc:id:sgtin:4012345.011111.9876",
        "urn:epc:id:sscc:4012345.0000000333",
        "urn:epc:id:sgln:0614141.07346.1234",
        "urn:epc:class:lgtin:4012345.012345.998877",
        "https://example.com/gtin/9780345418913/ser/abc?linkType=all",
        "https://id.gs1.org/01/4012345123456/10/L1/21/S1",
        "https://ref.gs1.org/cbv/BTT-desadv",
    ],
)
def test_the_digital_link_normaliser_on_gs1_keys(uri):
    assert normalise(uri) == reference_normaliser(uri)


@given(st.text("0123456789", min_size=1, max_size=20) | st.sampled_from(["٠١٢٣", "0١2"]))
def test_check_digits_as_the_references(key):
    assert check_digit(key) == reference_check_digit(key)
