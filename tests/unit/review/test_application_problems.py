"""What makes an application incomplete: license type limits, parties, documents, items."""

from __future__ import annotations

from datetime import date

from reetrace.domain.applications import Application, ApplicationItem, Document, Party, longest_validity, problems

DOCS = (
    Document("end_user_certificate", "euc.pdf", "0" * 64, 1),
    Document("end_use_certificate", "eu.pdf", "1" * 64, 1),
)


def app(**changes) -> Application:
    base = dict(
        exporter="91350200MA2XN8J41A",
        license_type="single",
        items=(ApplicationItem(lot="DYO-1"),),
        parties=(Party("consignee", "A GmbH", "DE"), Party("end_user", "A GmbH", "DE")),
        end_use="Magnets for electric vehicle traction motors",
        destination="DE",
        contract_ref="C-9",
        valid_from=date(2026, 12, 1),
        valid_to=date(2027, 11, 30),
        documents=DOCS,
    )
    base.update(changes)
    return Application(**base)


def test_a_complete_single_application_has_no_problem():
    assert problems(app()) == []


def test_a_single_license_is_for_one_end_user_and_one_year():
    two = app(parties=(Party("consignee", "A", "DE"), Party("end_user", "A", "DE"), Party("end_user", "B", "FR")))
    assert any("one end user" in p for p in problems(two))
    assert problems(app(license_type="general", parties=two.parties)) == []
    long = app(valid_to=date(2027, 12, 1))
    assert any("at most 1 year" in p for p in problems(long))
    assert longest_validity("single", date(2026, 12, 1)) == date(2027, 11, 30)
    assert longest_validity("general", date(2028, 2, 29)) == date(2031, 2, 27)
    assert problems(app(license_type="general", valid_to=date(2029, 11, 30))) == []
    assert any("at most 3 years" in p for p in problems(app(license_type="general", valid_to=date(2029, 12, 1))))


def test_certificates_are_required():
    found = problems(app(documents=DOCS[:1]))
    assert found == ["the end use certificate is not attached"]


def test_described_items_need_code_form_element_and_quantity():
    found = problems(app(items=(ApplicationItem(control_code=None, form="ore", element="Xx", quantity_kg=None),)))
    assert len(found) == 4 and all(p.startswith("item 1:") for p in found)
    good = ApplicationItem(control_code="1C905.b", form="oxide", element="Dy", quantity_kg=500.0)
    assert problems(app(items=(good,))) == []


def test_vague_end_use_and_bad_country():
    found = problems(app(end_use="magnets", parties=(Party("consignee", "A", "de"), Party("end_user", "A", "DE"))))
    assert any("end-use statement" in p for p in found) and any("ISO 3166" in p for p in found)
