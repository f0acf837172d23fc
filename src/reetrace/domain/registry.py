"""What the regulator has registered: enterprises, qualifications, keys, quotas, licenses.

Plain value objects built from the store; the rules read them, nothing here writes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

QUALIFICATION_KINDS = ("mining", "separation", "metal", "magnet", "recycling", "trade", "export")


@dataclass(frozen=True, slots=True)
class Qualification:
    uscc: str
    kind: str
    valid_from: date
    valid_to: date

    def covers(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_to


@dataclass(frozen=True, slots=True)
class SigningKey:
    key_id: str
    uscc: str
    public_key: bytes
    valid_from: datetime
    revoked_at: datetime | None = None

    def valid_at(self, moment: datetime) -> bool:
        """A key signs validly from `valid_from` until it is revoked."""
        if moment < self.valid_from:
            return False
        return self.revoked_at is None or moment < self.revoked_at


@dataclass(frozen=True, slots=True)
class Site:
    uscc: str
    code: str
    kind: str
    name: str
    province: str | None = None
    deposit: str | None = None  # rock | ion_adsorption (mines only)
    profile: dict[str, float] | None = None  # element symbol -> share of REO, summing to 1 ± 0.01
    capacity_t_reo: float | None = None  # output allowed per calendar year, t REO

    @property
    def ref(self) -> str:
        """The site's identity as events name it, `<USCC>/<code>`."""
        return f"{self.uscc}/{self.code}"


@dataclass(frozen=True, slots=True)
class Enterprise:
    uscc: str
    name: str
    name_en: str | None = None
    province: str | None = None
    group: str | None = None


@dataclass(frozen=True, slots=True)
class Quota:
    year: int
    uscc: str
    kind: str  # mining | separation
    category: str  # rock | ion_adsorption | all
    tonnes_reo: float

    @property
    def kg_reo(self) -> float:
        return self.tonnes_reo * 1000.0


@dataclass(frozen=True, slots=True)
class LicenseItem:
    element: str
    form: str
    max_kg: float


@dataclass(frozen=True, slots=True)
class License:
    license_no: str
    exporter: str
    consignee: str
    end_user: str | None
    destination: str
    valid_from: date
    valid_to: date
    items: tuple[LicenseItem, ...]
    issued_here: bool = False  # issued by the review here (not migrated): its exporter reports arrivals here


@dataclass(slots=True)
class Registry:
    """Everything registered, indexed the way the rules look it up."""

    enterprises: dict[str, Enterprise] = field(default_factory=dict)
    qualifications: dict[str, list[Qualification]] = field(default_factory=lambda: defaultdict(list))
    keys: dict[str, SigningKey] = field(default_factory=dict)
    sites: dict[tuple[str, str], Site] = field(default_factory=dict)
    quotas: dict[tuple[int, str, str, str], Quota] = field(default_factory=dict)
    licenses: dict[str, License] = field(default_factory=dict)

    def qualified(self, uscc: str, kind: str, day: date) -> bool:
        """Whether the enterprise holds a qualification of this kind valid on that day."""
        return any(q.kind == kind and q.covers(day) for q in self.qualifications.get(uscc, ()))

    def quota_kg(self, year: int, uscc: str, kind: str, category: str) -> float | None:
        """The enterprise's quota in kg REO. Once a year's quotas of a kind are registered, an
        enterprise without one has none (0); None when no quota of that kind is registered for
        the year at all (the year's allocation is not loaded, so nothing can be judged)."""
        quota = self.quotas.get((year, uscc, kind, category))
        if quota is not None:
            return quota.kg_reo
        return 0.0 if (year, kind) in self._allocated() else None

    def _allocated(self) -> set[tuple[int, str]]:
        return {(q.year, q.kind) for q in self.quotas.values()}

    def own_site(self, uscc: str, site: str | None) -> Site | None:
        """The registered site an event of `uscc` names in its `site` (`<USCC>/<code>`), when it
        is one of that enterprise's own; None for an event naming no site, a site not
        registered, or another enterprise's (an enterprise reports what it does at its own sites)."""
        if not site:
            return None
        owner, _, code = site.partition("/")
        return self.sites.get((uscc, code)) if owner == uscc else None

    def capacity_sites(self, uscc: str) -> tuple[Site, ...]:
        """The enterprise's registered sites that have a capacity."""
        sites = self.sites.items()
        return tuple(site for (owner, _), site in sites if owner == uscc and site.capacity_t_reo is not None)

    def add_qualification(self, q: Qualification) -> None:
        self.qualifications.setdefault(q.uscc, []).append(q)
