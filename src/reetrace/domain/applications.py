"""License applications under the Dual-Use Items Export Control Regulations (Decree 792).

An application names the exporter, the items (lots already in the ledger, or described items
with control code, form, element and quantity), the consignee, the end user(s), any
intermediaries, the end-use statement, the destination, the contract and the attached
documents. A **single** license covers one end user for at most a year; a **general** license
several end users for at most three years.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reetrace.domain.elements import ELEMENTS

LICENSE_TYPES = {"single": 1, "general": 3}  # type -> longest validity in years
PARTY_ROLES = ("consignee", "end_user", "intermediary")
DOCUMENT_KINDS = (
    "end_user_certificate",
    "end_use_certificate",
    "contract",
    "technical_description",
    "test_report",
    "other",
)
REQUIRED_DOCUMENTS = ("end_user_certificate", "end_use_certificate")
ITEM_FORMS = ("oxide", "metal", "alloy", "magnet", "compound", "mixed_compound")


@dataclass(frozen=True, slots=True)
class Party:
    role: str
    name: str
    country: str
    address: str | None = None


@dataclass(frozen=True, slots=True)
class ApplicationItem:
    """Either a lot of the ledger, or a described item (control code, form, element, quantity)."""

    lot: str | None = None
    control_code: str | None = None
    form: str | None = None
    element: str | None = None
    quantity_kg: float | None = None


@dataclass(frozen=True, slots=True)
class Document:
    kind: str
    filename: str
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class Application:
    exporter: str
    license_type: str
    items: tuple[ApplicationItem, ...]
    parties: tuple[Party, ...]
    end_use: str
    destination: str
    contract_ref: str
    valid_from: date
    valid_to: date
    documents: tuple[Document, ...]

    def parties_in(self, role: str) -> list[Party]:
        return [p for p in self.parties if p.role == role]

    @property
    def consignee(self) -> Party:
        return self.parties_in("consignee")[0]

    @property
    def end_users(self) -> list[Party]:
        return self.parties_in("end_user")

    @property
    def lots(self) -> list[str]:
        return [i.lot for i in self.items if i.lot]


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def longest_validity(license_type: str, valid_from: date) -> date:
    """The last day a license of this type starting on `valid_from` may run to."""
    return _add_years(valid_from, LICENSE_TYPES[license_type]) - (date(2000, 1, 2) - date(2000, 1, 1))


def problems(application: Application) -> list[str]:
    """What makes an application incomplete or inconsistent; empty when it may be submitted."""
    found: list[str] = []
    kind = application.license_type
    if kind not in LICENSE_TYPES:
        found.append(f"license_type must be single or general, not {kind!r}")
    if not application.items:
        found.append("the application names no item")
    for n, item in enumerate(application.items, 1):
        found.extend(f"item {n}: {p}" for p in _item_problems(item))
    consignees = application.parties_in("consignee")
    if len(consignees) != 1:
        found.append(f"there must be exactly one consignee, not {len(consignees)}")
    end_users = application.end_users
    if not end_users:
        found.append("the application names no end user")
    elif kind == "single" and len(end_users) != 1:
        found.append(f"a single license is for one end user; {len(end_users)} are named (apply for a general license)")
    for party in application.parties:
        if party.role not in PARTY_ROLES:
            found.append(f"party {party.name!r}: role must be one of {', '.join(PARTY_ROLES)}")
        if not party.name.strip():
            found.append(f"a {party.role} has no name")
        if len(party.country) != 2 or not party.country.isalpha() or not party.country.isupper():
            found.append(f"party {party.name!r}: country must be an ISO 3166 alpha-2 code, not {party.country!r}")
    if len(application.end_use.strip()) < 20:
        found.append("the end-use statement must say what the items are for (at least 20 characters)")
    if not application.contract_ref.strip():
        found.append("the contract reference is missing")
    if application.valid_to < application.valid_from:
        found.append("the validity ends before it starts")
    elif kind in LICENSE_TYPES and application.valid_to > longest_validity(kind, application.valid_from):
        years = LICENSE_TYPES[kind]
        found.append(
            f"a {kind} license runs at most {years} year{'s' if years > 1 else ''}: "
            f"{application.valid_from} to {longest_validity(kind, application.valid_from)} at the latest"
        )
    kinds = {d.kind for d in application.documents}
    for required in REQUIRED_DOCUMENTS:
        if required not in kinds:
            found.append(f"the {required.replace('_', ' ')} is not attached")
    for doc in application.documents:
        if doc.kind not in DOCUMENT_KINDS:
            found.append(f"document {doc.filename}: kind must be one of {', '.join(DOCUMENT_KINDS)}")
    return found


def _item_problems(item: ApplicationItem) -> list[str]:
    if item.lot:
        if item.quantity_kg is not None and item.quantity_kg <= 0:
            return ["the quantity must be positive"]
        return []
    found = []
    if not item.control_code:
        found.append("a described item needs its control code")
    if item.form not in ITEM_FORMS:
        found.append(f"form must be one of {', '.join(ITEM_FORMS)}, not {item.form!r}")
    if item.element not in ELEMENTS:
        found.append(f"element {item.element!r} is not a rare earth element")
    if item.quantity_kg is None or item.quantity_kg <= 0:
        found.append("a described item needs a positive quantity_kg")
    return found
