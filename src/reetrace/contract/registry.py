"""`reetrace/registry@1` (docs/contract.md §3): validation of a registry document."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from reetrace.contract.errors import describe
from reetrace.contract.fields import Country, Day, KeyId, Kg, Text, Time, Uscc
from reetrace.domain.elements import ELEMENTS
from reetrace.errors import InvalidInput
from reetrace.ledger.signing import key_id

REGISTRY_FORMAT = "reetrace/registry@1"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QualificationIn(_Strict):
    kind: Literal["mining", "separation", "metal", "magnet", "recycling", "trade", "export"]
    valid_from: Day
    valid_to: Day

    @model_validator(mode="after")
    def _order(self):
        if self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self


class KeyIn(_Strict):
    key_id: KeyId
    public_key: str
    valid_from: Time
    revoked_at: Time | None = None

    @field_validator("public_key")
    @classmethod
    def _raw_key(cls, value: str) -> str:
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("public_key must be standard base64") from None
        if len(raw) != 32:
            raise ValueError(f"public_key must hold 32 raw bytes, not {len(raw)}")
        return value

    @property
    def raw(self) -> bytes:
        return base64.b64decode(self.public_key)

    @model_validator(mode="after")
    def _matches(self):
        if key_id(self.raw) != self.key_id:
            raise ValueError(f"key_id {self.key_id} does not match the public key (expected {key_id(self.raw)})")
        return self


class SiteIn(_Strict):
    code: Annotated[str, Field(pattern=r"^[^\s/]{1,64}$")]
    kind: Text
    name: Text
    province: Text | None = None


class EnterpriseIn(_Strict):
    uscc: Uscc
    name: Text
    name_en: Text | None = None
    province: Text | None = None
    group: Text | None = None
    qualifications: list[QualificationIn] = []
    keys: list[KeyIn] = []
    sites: list[SiteIn] = []


class QuotaIn(_Strict):
    year: Annotated[int, Field(ge=1990, le=2200, strict=True)]
    uscc: Uscc
    kind: Literal["mining", "separation"]
    category: Literal["rock", "ion_adsorption", "all"]
    tonnes_reo: Kg

    @model_validator(mode="after")
    def _category(self):
        allowed = ("rock", "ion_adsorption") if self.kind == "mining" else ("all",)
        if self.category not in allowed:
            raise ValueError(f"a {self.kind} quota has category {' or '.join(allowed)}, not {self.category}")
        return self


class LicenseItemIn(_Strict):
    element: Annotated[str, Field(pattern="^(" + "|".join(ELEMENTS) + ")$")]
    form: Literal["ore", "concentrate", "mixed_compound", "oxide", "metal", "alloy", "magnet", "compound", "scrap"]
    max_kg: Kg


class LicenseIn(_Strict):
    license_no: Annotated[str, Field(min_length=1, max_length=64)]
    exporter: Uscc
    consignee: Text
    end_user: Text | None = None
    destination: Country
    valid_from: Day
    valid_to: Day
    items: Annotated[list[LicenseItemIn], Field(min_length=1)]


class RegistryDocument(_Strict):
    format: Literal["reetrace/registry@1"]
    enterprises: list[EnterpriseIn] = []
    quotas: list[QuotaIn] = []
    licenses: list[LicenseIn] = []


def validate_registry(doc: object) -> RegistryDocument:
    if not isinstance(doc, dict):
        raise InvalidInput("a registry document must be a JSON object")
    try:
        return RegistryDocument.model_validate(doc)
    except ValidationError as exc:
        raise InvalidInput("registry document: " + describe(exc, limit=10)) from None
