"""An enterprise's GTINs by lot form (docs/contract.md §3, §11): a GTIN-8, -12, -13 or -14 with
a valid check digit, kept as 14 digits; anything else, and a form that is not one, refused with
its reason, beside its near miss."""

from __future__ import annotations

import pytest

from factory import party
from reetrace.contract.registry import validate_registry
from reetrace.errors import InvalidInput


def doc(gtins: object) -> dict:
    entry = party(1, "magnet").registry_entry()
    entry["gtins"] = gtins
    return {"format": "reetrace/registry@1", "enterprises": [entry]}


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("09506000134352", "09506000134352"),  # GTIN-14 (GS1's own example)
        ("9506000134352", "09506000134352"),  # the same as GTIN-13
        ("614141000036", "00614141000036"),  # GTIN-12
        ("96385074", "00000096385074"),  # GTIN-8
    ],
)
def test_a_gtin_is_kept_as_fourteen_digits(given, kept):
    assert validate_registry(doc({"magnet": given})).enterprises[0].gtins == {"magnet": kept}


def test_gtins_are_optional():
    entry = party(1, "magnet").registry_entry()
    assert validate_registry({"format": "reetrace/registry@1", "enterprises": [entry]}).enterprises[0].gtins == {}


@pytest.mark.parametrize(
    ("bad", "good", "said"),
    [
        ({"magnet": "09506000134353"}, {"magnet": "09506000134352"}, "check digit"),
        ({"magnet": "0950600013435"}, {"magnet": "9506000134352"}, "GTIN"),  # 13 digits, wrong check digit
        ({"magnet": "95060001343521"[:11]}, {"magnet": "614141000036"}, "GTIN"),  # 11 digits
        ({"magnet": 9506000134352}, {"magnet": "9506000134352"}, "gtins"),  # a number, not text
        ({"magnet": "９５０６０００１３４３５２"}, {"magnet": "9506000134352"}, "GTIN"),  # full-width digits
        ({"widget": "9506000134352"}, {"alloy": "9506000134352"}, "widget"),
    ],
)
def test_each_rule_beside_its_near_miss(bad, good, said):
    validate_registry(doc(good))
    with pytest.raises(InvalidInput, match=said):
        validate_registry(doc(bad))
