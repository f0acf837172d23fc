"""A lot's provenance as a UNTP 0.6.1 Digital Product Passport (contract §11, docs/credentials.md),
unsigned: the W3C VC 2.0 credential the regulator issues, which validates against UNTP's DPP schema.

What it says, and what it never says:

- `materialsProvenance`: one `Material` per rare earth element and origin country (the country
  where that part was mined; no `originCountry` when unknown), its mass, `massFraction` = that
  mass ÷ the lot's mass, `recycledMassFraction` = the recycled part of that Material's own mass
  (0 when none); then one "Other constituents" Material for the rest of the lot (iron, boron,
  oxygen …) when there is a rest, so that the fractions sum to 1.
- In the project's context: for each stage of the chain the countries it happened in, whether
  every origin is legal, the Chinese-origin share of the lot's rare-earth mass, the lot's
  rare-earth mass, the transparency-log checkpoint the facts rest on, and for a magnet its type,
  composition and recycled shares.
- No upstream enterprise is named anywhere, nor any upstream volume: only this lot's own masses.
  The one enterprise the passport may name is the lot's producer, when the caller gives it.

A magnet is "SmCo" when it holds samarium and at least as much samarium as neodymium and
praseodymium together, "NdFeB" when it holds neodymium or praseodymium otherwise, else "other".
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import periodictable

from reetrace.credentials.contexts import CREDENTIALS_V2, UNTP_DPP, provenance_context_url
from reetrace.domain.elements import ELEMENTS
from reetrace.domain.provenance import MaterialOrigin, Provenance
from reetrace.ledger.note import Checkpoint

Json = dict[str, Any]
KGM = "KGM"  # UN/CEFACT Rec. 20: kilogram
OTHER = "Other constituents"
MAGNET = "magnet"
CHECKPOINT_MEMBERS = frozenset({"origin", "treeSize", "rootHash", "note"})


@dataclass(frozen=True, slots=True)
class Party:
    """The lot's producer as the passport names it (`producedByParty`): a URI, a name, and the
    registered id (the USCC)."""

    id: str
    name: str
    registered_id: str | None = None


def passport(
    provenance: Provenance,
    *,
    credential_id: str,
    lot_uri: str,
    issuer_did: str,
    issuer_name: str,
    valid_from: datetime,
    status_entry: Mapping[str, Any],
    all_origins_legal: bool,
    checkpoint: str | Mapping[str, Any],
    public_url: str,
    product_name: str | None = None,
    producer: Party | None = None,
) -> Json:
    """The unsigned passport of the lot `provenance` describes. `credential_id` is the credential's
    `id` (a URI), `lot_uri` the lot's (reetrace.credentials.digital_link), `status_entry` its
    `BitstringStatusListEntry`, `checkpoint` the signed note of the log checkpoint the facts rest
    on (or its `logCheckpoint` already written: origin, treeSize, rootHash, note). Raises
    ValueError for a lot of no mass, a naive `valid_from` or a checkpoint that is none."""
    if not provenance.mass_kg > 0:
        raise ValueError(f"lot {provenance.lot} has no mass: nothing to give a passport to")
    product: Json = {
        "type": ["Product"],
        "id": lot_uri,
        "name": product_name or f"{provenance.form} lot {provenance.lot}",
        "batchNumber": provenance.lot,
    }
    if producer is not None:
        party: Json = {"id": producer.id, "name": producer.name}
        if producer.registered_id is not None:
            party["registeredId"] = producer.registered_id
        product["producedByParty"] = party
    subject: Json = {
        "type": ["ProductPassport"],
        "id": lot_uri,
        "product": product,
        "granularityLevel": "batch",
        "materialsProvenance": materials(provenance),
        "provenanceStages": [{"stage": s.name, "countries": list(s.countries)} for s in provenance.stages],
        "allOriginsLegal": all_origins_legal,
        "chineseOriginShare": provenance.chinese_origin_share,
        "rareEarthMass": _kg(sum(provenance.elements_kg.values())),
        "logCheckpoint": log_checkpoint(checkpoint),
    }
    if provenance.form == MAGNET:
        subject["permanentMagnet"] = permanent_magnet(provenance)
    return {
        "@context": [CREDENTIALS_V2, UNTP_DPP, provenance_context_url(public_url)],
        "type": ["VerifiableCredential", "DigitalProductPassport"],
        "id": credential_id,
        "issuer": {"type": ["CredentialIssuer"], "id": issuer_did, "name": issuer_name},
        "validFrom": vc_time(valid_from),
        "credentialStatus": dict(status_entry),
        "credentialSubject": subject,
    }


def element_name(symbol: str) -> str:
    """The element's English name and symbol: "Dysprosium (Dy)"."""
    return f"{periodictable.elements.symbol(symbol).name.capitalize()} ({symbol})"


def materials(provenance: Provenance) -> list[Json]:
    """`materialsProvenance`: the lot's rare earths by origin, then the rest of the lot. The rest's
    fraction is 1 minus the others' sum as listed, so that summing the list in order gives 1."""
    lot_kg = provenance.mass_kg
    out = [_material(m, lot_kg) for m in provenance.materials]
    rest_kg = lot_kg - sum(m.mass_kg for m in provenance.materials)
    if rest_kg > 0:
        rest = 1 - sum(m["massFraction"] for m in out)
        out.append(
            {"type": ["Material"], "name": OTHER, "mass": _kg(rest_kg), "massFraction": rest, "recycledMassFraction": 0}
        )
    return out


def _material(origin: MaterialOrigin, lot_kg: float) -> Json:
    material: Json = {"type": ["Material"], "name": element_name(origin.element)}
    if origin.country is not None:
        material["originCountry"] = origin.country
    material["mass"] = _kg(origin.mass_kg)
    material["massFraction"] = origin.mass_kg / lot_kg
    material["recycledMassFraction"] = origin.recycled_kg / origin.mass_kg if origin.mass_kg > 0 else 0
    return material


def magnet_type(elements_kg: Mapping[str, float]) -> str:
    """The magnet's type, "SmCo", "NdFeB" or "other", by its samarium against its neodymium and
    praseodymium."""
    samarium = elements_kg.get("Sm", 0)
    neodymium_praseodymium = elements_kg.get("Nd", 0) + elements_kg.get("Pr", 0)
    if samarium > 0 and samarium >= neodymium_praseodymium:
        return "SmCo"
    return "NdFeB" if neodymium_praseodymium > 0 else "other"


def permanent_magnet(provenance: Provenance) -> Json:
    """`permanentMagnet`: the magnet's type, mass, rare-earth composition (mass fractions of the
    lot) and, for each of those elements, the recycled fraction of its mass."""
    held = [e for e in ELEMENTS if provenance.elements_kg.get(e, 0) > 0]
    kg = provenance.elements_kg
    return {
        "magnetType": magnet_type(kg),
        "mass": _kg(provenance.mass_kg),
        "composition": [{"element": e, "massFraction": kg[e] / provenance.mass_kg} for e in held],
        "recycledShares": [
            {"element": e, "recycledMassFraction": provenance.recycled_kg.get(e, 0) / kg[e]} for e in held
        ],
    }


def log_checkpoint(note: str | Mapping[str, Any]) -> Json:
    """`logCheckpoint`: the checkpoint's origin, tree size and root hash (base64), and the signed
    note itself, which anyone holding the log's key checks. Raises ValueError (NoteError) when the
    note's text is no checkpoint, or a mapping given lacks one of the four."""
    if isinstance(note, Mapping):
        missing = CHECKPOINT_MEMBERS - set(note)
        if missing:
            raise ValueError(f"logCheckpoint lacks {', '.join(sorted(missing))}")
        return {name: note[name] for name in ("origin", "treeSize", "rootHash", "note")}
    body, blank, _ = note.partition("\n\n")
    if not blank:
        raise ValueError("a signed checkpoint note has a blank line before its signatures")
    checkpoint = Checkpoint.parse(body + "\n")
    return {
        "origin": checkpoint.origin,
        "treeSize": checkpoint.size,
        "rootHash": base64.b64encode(checkpoint.root_hash).decode(),
        "note": note,
    }


def _kg(value: float) -> Json:
    return {"value": value, "unit": KGM}


def vc_time(moment: datetime) -> str:
    """An instant as VC 2.0 and UNTP's pattern want it: UTC, to the second, `Z`."""
    if moment.tzinfo is None:
        raise ValueError("validFrom needs a time zone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
