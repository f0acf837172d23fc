"""The contexts held with the project are the published ones, byte for byte (digests published by
W3C in its Recommendations, and those of UNTP's v0.6.1 tag), and the project's own context defines
every term the passport uses and nothing by default."""

from __future__ import annotations

import hashlib
import json
from importlib import resources

import pytest
from pyld import jsonld

from reetrace.credentials.contexts import (
    CREDENTIALS_V2,
    DID_V1,
    MULTIKEY_V1,
    PROVENANCE_NS,
    UNTP_DPP,
    UNTP_DTE,
    UnknownContext,
    context_for,
    document_loader,
    known_urls,
    provenance_context,
    provenance_context_text,
    provenance_context_url,
)

PUBLIC_URL = "http://localhost:8000"
UNTP_CORE = "https://test.uncefact.org/vocabulary/untp/core/0/"

# VC Data Model 2.0 (W3C Recommendation, 2025-05-15) §B.1; VC Data Integrity 1.0 (W3C
# Recommendation, 2025-05-15) §2.4; UNTP: the files of github.com/uncefact/spec-untp, tag v0.6.1
DIGESTS = {
    "credentials-v2.jsonld": "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734",
    "multikey-v1.jsonld": "ba2c182de2d92f7e47184bcca8fcf0beaee6d3986c527bf664c195bbc7c58597",
    "untp-dpp-context.jsonld": "e956ab00591cebabeb6080eb02cd2f22adbda88c4d7861e8e7f03ea64284370f",
    "untp-dte-context.jsonld": "fcc00b2ce4f389876a62f97006e64c969fa7a182f45cf01a6c5d735893073c2a",
    "untp-dpp-schema.json": "079b729617744cda34fa27d1763d64de138a31b39fb9e2c11b473c531859b9bf",
    "untp-dte-schema.json": "2b17f1bb01deb31554a36a93724dadb3c458c43475caf6b6a43ee6b8a80419af",
}
PASSPORT_TERMS = (
    "provenanceStages", "allOriginsLegal", "chineseOriginShare", "rareEarthMass", "logCheckpoint", "permanentMagnet",
)  # fmt: skip


def held(name: str) -> bytes:
    return resources.files("reetrace.data").joinpath("credentials", name).read_bytes()


@pytest.mark.parametrize("name", sorted(DIGESTS))
def test_the_held_files_are_the_published_ones(name):
    assert hashlib.sha256(held(name)).hexdigest() == DIGESTS[name]


def test_the_licences_and_origins_are_held_with_them():
    readme = held("README.md").decode()
    for name in (*DIGESTS, "did-v1.jsonld", "provenance-v1.jsonld"):
        assert f"`{name}`" in readme
    assert "W3C Software and Document" in readme
    assert "GNU GENERAL PUBLIC LICENSE" in held("LICENSE-UNTP.txt").decode()


@pytest.mark.parametrize("url", [CREDENTIALS_V2, UNTP_DPP, UNTP_DTE, DID_V1, MULTIKEY_V1])
def test_each_context_is_known_by_its_url(url):
    document = context_for(url)
    assert isinstance(document["@context"], dict)
    assert url in known_urls(PUBLIC_URL)


def test_the_schemas_name_the_contexts_held():
    dpp = json.loads(held("untp-dpp-schema.json"))["properties"]["@context"]["prefixItems"]
    dte = json.loads(held("untp-dte-schema.json"))["properties"]["@context"]["prefixItems"]
    assert [p["const"] for p in dpp] == [CREDENTIALS_V2, UNTP_DPP]
    assert [p["const"] for p in dte] == [CREDENTIALS_V2, UNTP_DTE]


def test_the_project_context_is_known_under_its_server_only():
    url = provenance_context_url(PUBLIC_URL + "/")
    assert url == "http://localhost:8000/contexts/provenance/v1"
    assert context_for(url, PUBLIC_URL) == json.loads(provenance_context_text()) == provenance_context()
    with pytest.raises(UnknownContext):
        context_for(url)
    with pytest.raises(UnknownContext):
        context_for("https://elsewhere.example/contexts/provenance/v1", PUBLIC_URL)
    with pytest.raises(UnknownContext):
        context_for("https://www.w3.org/2018/credentials/v1")


def test_a_copy_is_handed_out_each_time():
    first = context_for(CREDENTIALS_V2)
    first["@context"]["name"] = "changed"
    assert context_for(CREDENTIALS_V2)["@context"]["name"] == "https://schema.org/name"


def test_the_project_context_is_protected_and_defines_no_default_vocabulary():
    context = json.loads(provenance_context_text())["@context"]
    assert context["@protected"] is True
    assert "@vocab" not in context and "@base" not in context
    for term in PASSPORT_TERMS:
        assert context[term]["@id"].startswith(PROVENANCE_NS)
    checkpoint = context["logCheckpoint"]["@context"]
    assert {"origin", "treeSize", "rootHash", "note"} <= set(checkpoint)
    magnet = context["permanentMagnet"]["@context"]
    assert {"magnetType", "mass", "composition", "recycledShares"} <= set(magnet)

    def iris(value: object) -> list[str]:
        if isinstance(value, dict):
            own = [value["@id"]] if isinstance(value.get("@id"), str) else []
            return own + [i for v in value.values() for i in iris(v)]
        return []

    assert all(iri.startswith((PROVENANCE_NS, UNTP_CORE)) for iri in iris(context))


def test_the_loader_answers_offline_and_refuses_the_rest():
    load = document_loader(PUBLIC_URL)
    answer = load(UNTP_DPP, {})
    assert answer["documentUrl"] == UNTP_DPP and answer["document"] == context_for(UNTP_DPP)
    with pytest.raises(UnknownContext):
        load("https://example.org/context.jsonld", {})


def test_a_did_document_expands_with_the_did_and_multikey_contexts():
    document = {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": "did:web:localhost%3A8000",
        "verificationMethod": [
            {
                "id": "did:web:localhost%3A8000#key-0123456789abcdef",
                "type": "Multikey",
                "controller": "did:web:localhost%3A8000",
                "publicKeyMultibase": "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
            }
        ],
        "assertionMethod": ["did:web:localhost%3A8000#key-0123456789abcdef"],
    }
    dropped: list[str | None] = []
    expanded = jsonld.expand(document, {"documentLoader": document_loader(PUBLIC_URL)}, dropped.append)
    assert dropped == []
    method = expanded[0]["https://w3id.org/security#verificationMethod"][0]
    assert method["@type"] == ["https://w3id.org/security#Multikey"]
    assert "https://w3id.org/security#publicKeyMultibase" in method
