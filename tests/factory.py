"""Builders for registries and signed submissions used across the test suite."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from stdnum.cn import uscc as uscc_code

from reetrace.domain.elements import HEAVY, reo_shares
from reetrace.ledger.signing import key_id, raw_public_key
from reetrace.ledger.submission import sign_submission


def make_uscc(n: int) -> str:
    """A valid USCC, distinct for each n."""
    body = f"91110000MA{n:07d}"
    return body + uscc_code.calc_check_digit(body)


def make_key(seed: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(seed.encode()).digest())


@dataclass
class Party:
    uscc: str
    key: Ed25519PrivateKey
    kinds: tuple[str, ...] = ()
    name: str = "Example Co."

    @property
    def key_id(self) -> str:
        return key_id(raw_public_key(self.key))

    def registry_entry(
        self, key_valid_from: str = "2025-01-01T00:00:00+08:00", revoked_at: str | None = None
    ) -> dict[str, Any]:
        return {
            "uscc": self.uscc,
            "name": self.name,
            "province": "Inner Mongolia",
            "qualifications": [{"kind": k, "valid_from": "2025-01-01", "valid_to": "2027-12-31"} for k in self.kinds],
            "keys": [
                {
                    "key_id": self.key_id,
                    "public_key": base64.b64encode(raw_public_key(self.key)).decode(),
                    "valid_from": key_valid_from,
                    "revoked_at": revoked_at,
                }
            ],
            "sites": [{"code": "P1", "kind": "plant", "name": "Plant 1"}],
        }

    def submit(self, events: list[dict[str, Any]], created_at: str = "2026-02-05T10:00:00+08:00") -> dict[str, Any]:
        return sign_submission(self.uscc, self.key, created_at, events)


def party(n: int, *kinds: str) -> Party:
    return Party(make_uscc(n), make_key(f"party-{n}"), kinds, name=f"Enterprise {n}")


@dataclass
class World:
    """A small chain: a mine, a separation plant, a trader/exporter."""

    mine: Party = field(default_factory=lambda: party(1, "mining"))
    plant: Party = field(default_factory=lambda: party(2, "separation", "metal"))
    trader: Party = field(default_factory=lambda: party(3, "trade", "export"))

    def registry(self, **extra: Any) -> dict[str, Any]:
        doc = {
            "format": "reetrace/registry@1",
            "enterprises": [p.registry_entry() for p in (self.mine, self.plant, self.trader)],
            "quotas": [
                {"year": 2026, "uscc": self.mine.uscc, "kind": "mining", "category": "rock", "tonnes_reo": 100},
                {
                    "year": 2026,
                    "uscc": self.mine.uscc,
                    "kind": "mining",
                    "category": "ion_adsorption",
                    "tonnes_reo": 100,
                },
                {"year": 2026, "uscc": self.plant.uscc, "kind": "separation", "category": "all", "tonnes_reo": 100},
            ],
            "licenses": [
                {
                    "license_no": "RE-2026-000001",
                    "exporter": self.trader.uscc,
                    "consignee": "Example GmbH",
                    "end_user": "Example GmbH",
                    "destination": "DE",
                    "valid_from": "2026-01-01",
                    "valid_to": "2026-12-31",
                    "items": [{"element": "Dy", "form": "oxide", "max_kg": 500}],
                }
            ],
        }
        doc.update(extra)
        return doc


CONCENTRATE = {"Ce": 0.2, "La": 0.1, "Nd": 0.07, "Pr": 0.02, "Dy": 0.001}


def extract(
    event_id: str,
    lot: str,
    mass_kg: float = 1000.0,
    time: str = "2026-01-05T08:00:00+08:00",
    composition: dict[str, float] | None = None,
    deposit: str | None = None,
) -> dict[str, Any]:
    """An extraction; its deposit, unless given, is the one its ore fits (CONTRACT §12): an ore
    whose heavy elements are a fifth of its REO or more comes from an ion-adsorption clay."""
    ore = dict(composition or CONCENTRATE)
    if deposit is None:
        heavy = sum(share for e, share in reo_shares(ore).items() if e in HEAVY)
        deposit = "ion_adsorption" if heavy >= 0.2 else "rock"
    return {
        "event_id": event_id,
        "type": "extract",
        "time": time,
        "deposit": deposit,
        "outputs": [{"lot": lot, "form": "concentrate", "mass_kg": mass_kg, "composition": ore}],
    }


def ship(event_id: str, lots: list[str], to: str, shipment: str, time: str = "2026-01-06T08:00:00+08:00"):
    return {"event_id": event_id, "type": "ship", "time": time, "lots": lots, "to": to, "shipment": shipment}


def receive(
    event_id: str,
    lots: list[str],
    sender: str,
    shipment: str,
    time: str = "2026-01-07T08:00:00+08:00",
    mass_kg: float | None = None,
):
    e = {"event_id": event_id, "type": "receive", "time": time, "lots": lots, "from": sender, "shipment": shipment}
    if mass_kg is not None:
        e["mass_kg"] = mass_kg
    return e


def transform(
    event_id: str,
    process: str,
    inputs: list[tuple[str, float]],
    outputs: list[dict[str, Any]],
    time: str = "2026-01-10T08:00:00+08:00",
):
    return {
        "event_id": event_id,
        "type": "transform",
        "time": time,
        "process": process,
        "inputs": [{"lot": lot, "mass_kg": kg} for lot, kg in inputs],
        "outputs": outputs,
    }


def lot(lot_id: str, form: str, mass_kg: float, composition: dict[str, float]) -> dict[str, Any]:
    return {"lot": lot_id, "form": form, "mass_kg": mass_kg, "composition": composition}


def export(
    event_id: str,
    lots: list[str],
    license_no: str | None = "RE-2026-000001",
    consignee: str = "Example GmbH",
    destination: str = "DE",
    time: str = "2026-01-20T08:00:00+08:00",
):
    e = {
        "event_id": event_id,
        "type": "export",
        "time": time,
        "lots": lots,
        "consignee": consignee,
        "destination": destination,
        "customs_declaration": f"CD-{event_id}",
    }
    if license_no:
        e["license_no"] = license_no
    return e
