"""A lot's URI (contract §11): a GS1 Digital Link when a valid GTIN is registered for its form and
its id is a GS1 batch/lot value, else the project's `/lots/` path; and the path read back.
GTINs from the GS1 Digital Link standard's examples; check digits also against python-stdnum's EAN."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import ean

from reetrace.credentials.digital_link import gtin14, is_gtin, is_lot_value, lot_uri, parse_lot_uri
from reetrace.epcis.digital_link import normalise

PUBLIC_URL = "https://reetrace.example.gov.cn"


@pytest.mark.parametrize(
    ("gtin", "fourteen"),
    [
        ("09520123456788", "09520123456788"),  # GTIN-14 of the GS1 Digital Link standard's examples
        ("9520123456788", "09520123456788"),  # the same as GTIN-13
        ("614141000036", "00614141000036"),  # GTIN-12 (UPC-A)
        ("95010137", "00000095010137"),  # GTIN-8
    ],
)
def test_valid_gtins_are_written_with_14_digits(gtin, fourteen):
    assert gtin14(gtin) == fourteen
    assert is_gtin(gtin)


@pytest.mark.parametrize(
    "gtin",
    ["09520123456787", "9520123456780", "952012345678", "0952012345678A", "", "123456789", "٠٩٥٢٠١٢٣٤٥٦٧٨٨"],
)
def test_invalid_gtins_are_refused(gtin):
    assert not is_gtin(gtin)
    with pytest.raises(ValueError):
        gtin14(gtin)
    with pytest.raises(ValueError):
        lot_uri(PUBLIC_URL, "LOT1", gtin)


@given(st.from_regex(r"[0-9]{8}|[0-9]{12,14}", fullmatch=True))
def test_check_digits_agree_with_stdnum(gtin):
    assert is_gtin(gtin) == ean.is_valid(gtin)


def test_a_lot_with_a_gtin_is_a_gs1_digital_link():
    uri = lot_uri(PUBLIC_URL, "ABC123", "9520123456788")
    assert uri == "https://reetrace.example.gov.cn/01/09520123456788/10/ABC123"
    # the EPCIS event hash reference reads it as the same GS1 key and lot
    assert normalise(uri) == "https://id.gs1.org/01/09520123456788/10/ABC123"


def test_a_lot_value_is_percent_encoded():
    assert lot_uri(PUBLIC_URL, "L/2026:7", "09520123456788") == f"{PUBLIC_URL}/01/09520123456788/10/L%2F2026%3A7"


@pytest.mark.parametrize("lot", ["A" * 20, "L-1.2_3", "2026/11:05", "x!\"%&'()*+,-./:;<=>?_"[:20]])
def test_gs1_lot_values(lot):
    assert is_lot_value(lot)


@pytest.mark.parametrize("lot", ["A" * 21, "", "LOT 1", "LOT#1", "lot~1", "批次1", "a@b"])
def test_not_gs1_lot_values(lot):
    assert not is_lot_value(lot)


def test_a_lot_id_that_is_no_gs1_value_falls_back_to_the_projects_path():
    long = "SEPARATION-2026-11-LONG"  # 23 characters
    assert lot_uri(PUBLIC_URL, long, "09520123456788") == f"{PUBLIC_URL}/lots/{long}"


def test_a_lot_without_a_gtin_is_under_lots():
    assert lot_uri(PUBLIC_URL + "/", "ORE/7:a") == f"{PUBLIC_URL}/lots/ORE%2F7%3Aa"
    assert lot_uri("http://localhost:8000", "x") == "http://localhost:8000/lots/x"


def test_the_paths_read_back():
    assert parse_lot_uri("/01/09520123456788/10/L%2F2026%3A7") == ("L/2026:7", "09520123456788")
    assert parse_lot_uri("/01/9520123456788/10/ABC") == ("ABC", "09520123456788")  # a GTIN-13 path too
    assert parse_lot_uri("/lots/ORE%2F7%3Aa") == ("ORE/7:a", None)


@pytest.mark.parametrize(
    "path",
    [
        "/01/09520123456787/10/ABC",  # check digit
        "/01/09520123456788/10/" + "A" * 21,  # no AI 10 value
        "/01/09520123456788/10/A%20B",  # a space is not in set 82
        "/01/09520123456788/21/ABC",  # a serial, not a lot
        "/01/09520123456788",
        "/lots/",
        "/lots/a/b",
        "/lots/%FF",  # not UTF-8
        "/certificates/x",
        "lots/x",
    ],
)
def test_other_paths_are_refused(path):
    with pytest.raises(ValueError):
        parse_lot_uri(path)


lot_ids = st.from_regex(r"[A-Za-z0-9._:/-]{1,80}", fullmatch=True)  # §1's lot ids
gtins = st.sampled_from([None, "09520123456788", "614141000036", "95010137"])


@given(lot_ids, gtins)
def test_round_trip(lot, gtin):
    uri = lot_uri(PUBLIC_URL, lot, gtin)
    parts = urlsplit(uri)
    assert f"{parts.scheme}://{parts.netloc}" == PUBLIC_URL and parts.query == "" and parts.fragment == ""
    found, key = parse_lot_uri(parts.path)
    assert found == lot
    assert key == (gtin14(gtin) if gtin is not None and is_lot_value(lot) else None)
