"""The license application document — `reetrace/license-application@1`.

    {"format": "reetrace/license-application@1", "exporter": "<USCC>", "license_type": "single",
     "items": [{"lot": "MAG-7"}, {"lot": "DYO-2", "quantity_kg": 100.0},
               {"control_code": "1C905.b", "form": "oxide", "element": "Dy", "quantity_kg": 500.0}],
     "consignee": {"name": "…", "country": "DE", "address": "…"},
     "end_users": [{"name": "…", "country": "DE"}], "intermediaries": [],
     "end_use": "…", "destination": "DE", "contract_ref": "…",
     "valid_from": "2026-12-01", "valid_to": "2027-11-30",
     "documents": [{"kind": "end_user_certificate", "path": "euc.pdf", "sha256": "…"?}]}

Document paths are relative to the application file; a `sha256`, when given, must match.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from reetrace.contract.errors import describe
from reetrace.contract.fields import Country, Day, LotId, PositiveKg, Text, Uscc
from reetrace.domain.applications import Application, ApplicationItem, Document, Party
from reetrace.errors import InvalidInput

APPLICATION_FORMAT = "reetrace/license-application@1"
Statement = Annotated[str, StringConstraints(min_length=1, max_length=5000, strict=True)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PartyModel(_Model):
    name: Text
    country: Country
    address: Text | None = None


class ItemModel(_Model):
    lot: LotId | None = None
    control_code: Text | None = None
    form: Text | None = None
    element: Text | None = None
    quantity_kg: PositiveKg | None = None


class DocumentModel(_Model):
    kind: Text
    path: Text
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")


class ApplicationModel(_Model):
    format: Literal["reetrace/license-application@1"]
    exporter: Uscc
    license_type: Literal["single", "general"]
    items: list[ItemModel] = Field(min_length=1)
    consignee: PartyModel
    end_users: list[PartyModel] = Field(min_length=1)
    intermediaries: list[PartyModel] = []
    end_use: Statement
    destination: Country
    contract_ref: Text
    valid_from: Day
    valid_to: Day
    documents: list[DocumentModel] = []


def read_application(data: object) -> ApplicationModel:
    try:
        return ApplicationModel.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(f"application: {describe(exc, limit=5)}") from None


def to_domain(model: ApplicationModel, documents: list[Document]) -> Application:
    parties = [Party("consignee", model.consignee.name, model.consignee.country, model.consignee.address)]
    parties += [Party("end_user", p.name, p.country, p.address) for p in model.end_users]
    parties += [Party("intermediary", p.name, p.country, p.address) for p in model.intermediaries]
    return Application(
        exporter=model.exporter,
        license_type=model.license_type,
        items=tuple(ApplicationItem(i.lot, i.control_code, i.form, i.element, i.quantity_kg) for i in model.items),
        parties=tuple(parties),
        end_use=model.end_use,
        destination=model.destination,
        contract_ref=model.contract_ref,
        valid_from=model.valid_from,
        valid_to=model.valid_to,
        documents=tuple(documents),
    )


def from_body(body: dict) -> Application:
    """The domain application from a stored body (the document with each document's digest)."""
    model = read_application(
        {k: v for k, v in body.items() if k != "documents"}
        | {"documents": [{"kind": d["kind"], "path": d["filename"], "sha256": d["sha256"]} for d in body["documents"]]}
    )
    return to_domain(model, [Document(d["kind"], d["filename"], d["sha256"], d["size"]) for d in body["documents"]])
