"""`reetrace/registry@1` (docs/contract.md §3): validation of a registry document."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from reetrace.contract.errors import describe
from reetrace.contract.fields import Country, Day, KeyId, Kg, Text, Time, Uscc
from reetrace.contract.submission import FormName
from reetrace.domain.elements import ELEMENTS
from reetrace.epcis.digital_link import gtin14
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


# A site's yearly capacity in tonnes REO: above 0, and within the bound on every mass (10⁹ kg).
CapacityTonnes = Annotated[float, Field(gt=0, le=1e6, strict=True, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0, le=1, strict=True, allow_inf_nan=False)]
MINE_KIND = "mine"
PROFILE_TOLERANCE = 0.01  # a profile's shares sum to 1 within this


class SiteIn(_Strict):
    code: Annotated[str, Field(pattern=r"^[^\s/]{1,64}$")]
    kind: Text
    name: Text
    province: Text | None = None
    deposit: Literal["rock", "ion_adsorption"] | None = None
    profile: Annotated[dict[str, Share], Field(min_length=1, max_length=len(ELEMENTS))] | None = None
    capacity_t_reo: CapacityTonnes | None = None

    @model_validator(mode="after")
    def _deposit_profile(self):
        if self.deposit is not None and self.kind != MINE_KIND:
            raise ValueError(f"only a {MINE_KIND} site has a deposit, not a {self.kind} site")
        if self.profile is not None:
            unknown = sorted(set(self.profile) - set(ELEMENTS))
            if unknown:
                raise ValueError(f"profile names what is not a rare earth element symbol: {', '.join(unknown)}")
            total = sum(self.profile.values())
            if abs(total - 1) > PROFILE_TOLERANCE:
                raise ValueError(f"profile shares add up to {total:.6g}, not 1 (± {PROFILE_TOLERANCE})")
        return self


def _gtin(value: str) -> str:
    normal = gtin14(value)
    if normal is None:
        raise ValueError(f"{value!r} is not a GTIN (8, 12, 13 or 14 digits with a valid check digit)")
    return normal


Gtin = Annotated[str, Field(strict=True, max_length=14), AfterValidator(_gtin)]


class EnterpriseIn(_Strict):
    uscc: Uscc
    name: Text
    name_en: Text | None = None
    province: Text | None = None
    group: Text | None = None
    qualifications: list[QualificationIn] = []
    keys: list[KeyIn] = []
    sites: list[SiteIn] = []
    gtins: dict[FormName, Gtin] = {}  # lot form -> GTIN, for the lots' GS1 Digital Link (§11)


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
