"""Verifying a credential as a buyer would (`reetrace.credentials.verify`): each check passes on a
credential as issued, and each fails, with its own message id, on the one thing changed."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from test_passport import domestic_magnet, issue

from reetrace.credentials import data_integrity, did, jose, status_list
from reetrace.credentials.multibase_keys import raw_public_bytes
from reetrace.credentials.verify import REVOKED, UNCHECKED, claimed_issuer, securing_of, status_from_list, verify

ISSUER = "did:web:reetrace.example.gov.cn"
KEY = Ed25519PrivateKey.generate()
OTHER = Ed25519PrivateKey.generate()
METHOD = did.verification_method_id(ISSUER, raw_public_bytes(KEY.public_key()))
DOCUMENT = did.did_document(ISSUER, [raw_public_bytes(KEY.public_key())])
LIST_URL = "https://reetrace.example.gov.cn/credentials/status/1"
NOW = datetime(2026, 12, 8, tzinfo=UTC)


def unsigned() -> dict:
    return issue(domestic_magnet())


def secured(form: str, credential: dict | None = None, key: Ed25519PrivateKey = KEY) -> dict:
    credential = credential or unsigned()
    if form == "di":
        return data_integrity.add_proof(credential, key, METHOD, NOW - timedelta(days=1))
    return jose.envelope(credential, key, METHOD)


def status_list_of(revoked: list[int]) -> dict:
    doc = status_list.status_list_credential(LIST_URL, ISSUER, NOW - timedelta(hours=1), revoked)
    return data_integrity.add_proof(doc, KEY, METHOD, NOW - timedelta(hours=1))


def messages(report) -> list[str]:
    return [c.problem.id for c in report.checks]


@pytest.mark.parametrize("form", ["di", "jwt"])
def test_a_credential_as_issued_verifies(form):
    document = secured(form)
    assert securing_of(document) == form and claimed_issuer(document) == ISSUER
    offline = verify(document, DOCUMENT, now=NOW)
    assert offline.ok and offline.status == UNCHECKED
    assert messages(offline) == ["signature_ok", "schema_ok", "valid_now", "status_offline"]
    listed = verify(
        document, DOCUMENT, now=NOW, status_of=lambda e: (status_from_list(status_list_of([]), DOCUMENT)(e), "file")
    )
    assert listed.ok and listed.status == "active" and listed.status_source == "file"
    assert listed.credential is not None
    assert listed.credential["credentialSubject"]["chineseOriginShare"] == domestic_magnet().chinese_origin_share


@pytest.mark.parametrize("form", ["di", "jwt"])
def test_revoked_in_its_list(form):
    index = int(unsigned()["credentialStatus"]["statusListIndex"])
    report = verify(
        secured(form),
        DOCUMENT,
        now=NOW,
        status_of=lambda e: (status_from_list(status_list_of([index]), DOCUMENT)(e), "file"),
    )
    assert not report.ok and report.status == REVOKED and "revoked" in report.summary()


def test_a_changed_credential_or_another_key_fails_the_signature():
    document = secured("di")
    changed = copy.deepcopy(document)
    changed["credentialSubject"]["chineseOriginShare"] = 0.0
    assert messages(verify(changed, DOCUMENT, now=NOW)) == ["signature_invalid"]
    forged = secured("jwt", key=OTHER)
    assert not verify(forged, DOCUMENT, now=NOW).ok
    stranger = did.did_document("did:web:elsewhere.example", [raw_public_bytes(KEY.public_key())])
    assert not verify(document, stranger, now=NOW).ok  # a DID document of another issuer


def test_a_signed_credential_that_breaks_the_schema_fails_it():
    credential = unsigned()
    del credential["issuer"]["name"]
    report = verify(secured("di", credential), DOCUMENT, now=NOW)
    assert not report.ok and messages(report)[:2] == ["signature_ok", "schema_invalid"]
    assert report.checks[1].problem.params["at"] == "/issuer"


def test_outside_its_validity():
    report = verify(secured("di"), DOCUMENT, now=datetime(2020, 1, 1, tzinfo=UTC))
    assert not report.ok and "not_yet_valid" in messages(report)
    credential = unsigned()
    credential["validUntil"] = "2026-12-07T12:00:00Z"
    assert "expired" in messages(verify(secured("di", credential), DOCUMENT, now=NOW))


@pytest.mark.parametrize("document", [{}, [], "text", {"proof": 1}, {"type": "EnvelopedVerifiableCredential"}])
def test_whatever_the_file_holds_is_an_answer(document):
    report = verify(document, DOCUMENT, now=NOW)
    assert not report.ok and report.checks[0].ok is False


def test_a_status_list_signed_by_another_key_is_not_read():
    forged = data_integrity.add_proof(status_list.status_list_credential(LIST_URL, ISSUER, NOW, []), OTHER, METHOD, NOW)
    report = verify(
        secured("di"), DOCUMENT, now=NOW, status_of=lambda e: (status_from_list(forged, DOCUMENT)(e), "file")
    )
    assert report.status == UNCHECKED and "status_unreadable" in messages(report)
