"""What the demo's lots are made of: deposits, separated products, metals and magnets.

Compositions are elemental mass fractions (docs/contract.md §2). A product's fraction of element e is
its REO share × purity × f_e, f_e being the element's mass fraction in its standard oxide
(`REO_FACTOR`). Fractions are rounded *down* to six decimals and those below 1e-4 are left out,
so that a lot never holds more of an element than the arithmetic that made it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping

from reetrace.domain.elements import REO_FACTOR

MIN_FRACTION = 1e-4

# REO shares (per cent of total REO) of the deposits. Bayan Obo: over 94 % light, Ce about half.
_BAYAN_OBO = {
    "La": 26.0,
    "Ce": 50.0,
    "Pr": 5.1,
    "Nd": 17.0,
    "Sm": 1.0,
    "Eu": 0.18,
    "Gd": 0.40,
    "Tb": 0.03,
    "Dy": 0.08,
    "Y": 0.21,
}
# Maoniuping / Dechang bastnaesite (Sichuan): light, La-rich.
_SICHUAN = {"La": 33.0, "Ce": 49.0, "Pr": 4.3, "Nd": 12.0, "Sm": 0.9, "Eu": 0.15, "Gd": 0.3, "Dy": 0.05, "Y": 0.3}
# Ion-adsorption clays: Y and the heavies, with some light; Y's share varies by deposit type.
_ION_REST = {
    "La": 10.0,
    "Ce": 2.0,
    "Pr": 3.0,
    "Nd": 11.0,
    "Sm": 3.0,
    "Eu": 0.6,
    "Gd": 6.0,
    "Ho": 1.6,
    "Er": 4.5,
    "Tm": 0.7,
    "Yb": 3.6,
    "Lu": 0.5,
}

# Ion-adsorption clays come in two types (REO shares, per cent). The heavy type (Longnan): Y about
# 60 %, the heavies about 85 %. The light type (Xunwu): La and Nd rich, Y about 9 %, heavies about 18 %.
_ION_HEAVY = {
    "Y": 60.0,
    "Dy": 6.0,
    "Tb": 1.0,
    "Gd": 6.0,
    "Ho": 1.6,
    "Er": 4.5,
    "Tm": 0.7,
    "Yb": 3.6,
    "Lu": 0.5,
    "La": 4.0,
    "Ce": 1.0,
    "Pr": 1.5,
    "Nd": 6.0,
    "Sm": 3.0,
    "Eu": 0.6,
}
_ION_LIGHT = {
    "La": 35.0,
    "Nd": 28.0,
    "Ce": 7.0,
    "Pr": 7.0,
    "Sm": 5.0,
    "Eu": 0.6,
    "Gd": 3.5,
    "Tb": 0.5,
    "Dy": 2.0,
    "Ho": 0.4,
    "Er": 1.0,
    "Tm": 0.1,
    "Yb": 0.8,
    "Lu": 0.1,
    "Y": 9.0,
}
HEAVY_TYPE_Y = 0.38  # an ion-adsorption mine whose clays hold at least this share of Y works the heavy type
HEAVY = ("Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Y")  # CONTRACT §12
MINE_SPREAD = 0.04  # how far one mine's profile lies from its deposit type's
LOT_SPREAD = {"bayan_obo": 0.05, "sichuan": 0.06, "ion": 0.08}  # how far a lot lies from its mine's profile

# Which separated product each element goes to.
LIGHT_PRODUCTS = {
    "La": "ox_La",
    "Ce": "ox_Ce",
    "Pr": "ox_PrNd",
    "Nd": "ox_PrNd",
    "Sm": "mc_SEG",
    "Eu": "mc_SEG",
    "Gd": "mc_SEG",
    "Tb": "mc_SEG",
    "Dy": "mc_SEG",
    "Y": "mc_SEG",
    "Ho": "mc_SEG",
    "Er": "mc_SEG",
    "Tm": "mc_SEG",
    "Yb": "mc_SEG",
    "Lu": "mc_SEG",
}
HEAVY_PRODUCTS = {
    "La": "ox_La",
    "Ce": "ox_Ce",
    "Pr": "ox_PrNd",
    "Nd": "ox_PrNd",
    "Y": "ox_Y",
    "Dy": "ox_Dy",
    "Tb": "ox_Tb",
    "Sm": "mc_SEG",
    "Eu": "mc_SEG",
    "Gd": "mc_SEG",
    "Ho": "mc_HRE",
    "Er": "mc_HRE",
    "Tm": "mc_HRE",
    "Yb": "mc_HRE",
    "Lu": "mc_HRE",
}

# product -> (form, purity = REO share of the lot's mass, largest lot in kg, lot code)
PRODUCTS: dict[str, tuple[str, float, float, str]] = {
    "ox_La": ("oxide", 0.995, 20_000, "LAOX"),
    "ox_Ce": ("oxide", 0.995, 20_000, "CEOX"),
    "ox_PrNd": ("oxide", 0.995, 5_000, "PRNDOX"),
    "ox_Y": ("oxide", 0.999, 3_000, "YOX"),
    "ox_Dy": ("oxide", 0.995, 1_000, "DYOX"),
    "ox_Tb": ("oxide", 0.995, 500, "TBOX"),
    "mc_SEG": ("mixed_compound", 0.92, 10_000, "SEG"),
    "mc_HRE": ("mixed_compound", 0.92, 10_000, "HRE"),
    "m_PrNd": ("metal", 0.995, 1_000, "PRNDM"),
    "m_Tb": ("metal", 0.995, 200, "TBM"),
    "a_DyFe": ("alloy", 0.80, 500, "DYFE"),  # purity here: the alloy's Dy mass fraction
    "magnet": ("magnet", 1.0, 5_000, "NDFEB"),
    "magnet_part": ("magnet", 1.0, 5_000, "NDFEBP"),  # a part of a magnet lot, after a repack
    "scrap_swarf": ("scrap", 1.0, 500, "SWARF"),  # a magnet maker's grinding swarf
    "scrap_magnet": ("scrap", 1.0, 10_000, "MSCRAP"),  # imported end-of-life magnets
    "mc_REC": ("mixed_compound", 0.92, 2_000, "RECOX"),  # rare earth oxides recovered from scrap
}
SCRAP_RE = (0.28, 0.32)  # rare earth share of the mass of magnet scrap
MAGNET_HS = "8505111000"


def floor6(x: float) -> float:
    """Round down to six decimals (a hair of slack so that 2.3 stays 2.3 despite binary floats)."""
    return math.floor(x * 1e6 + 1e-7) / 1e6


def floor3(x: float) -> float:
    """Round down to grams."""
    return math.floor(x * 1e3 + 1e-7) / 1e3


def composition_of(element_kg: Mapping[str, float], mass_kg: float) -> dict[str, float]:
    """Elemental fractions of a lot of `mass_kg` holding `element_kg`, rounded down."""
    out = {}
    for e, kg in element_kg.items():
        f = floor6(kg / mass_kg)
        if f >= MIN_FRACTION:
            out[e] = f
    return out


def _jitter(rng: random.Random, shares: Mapping[str, float], spread: float) -> dict[str, float]:
    varied = {e: s * rng.uniform(1 - spread, 1 + spread) for e, s in shares.items()}
    total = sum(varied.values())
    return {e: s / total for e, s in varied.items()}


def deposit_shares(rng: random.Random, deposit: str, y_share: float = 0.4) -> dict[str, float]:
    """The REO shares (summing to 1) of one lot from a deposit type."""
    if deposit == "bayan_obo":
        return _jitter(rng, _BAYAN_OBO, 0.05)
    if deposit == "sichuan":
        return _jitter(rng, _SICHUAN, 0.06)
    # ion-adsorption: Y 25–60 %, Dy 3–7 %, Tb about 1 %, the rest in fixed proportions
    y = min(0.60, max(0.25, y_share * rng.uniform(0.92, 1.08)))
    dy = rng.uniform(0.03, 0.07)
    tb = rng.uniform(0.008, 0.012)
    rest = _jitter(rng, _ION_REST, 0.10)
    left = 1.0 - y - dy - tb
    shares = {"Y": y, "Dy": dy, "Tb": tb}
    shares.update({e: s * left for e, s in rest.items()})
    return shares


def deposit_type(deposit: str, y_share: float) -> str:
    """The deposit type whose profile a mine works: ion-adsorption mines split by their Y share."""
    if deposit != "ion":
        return deposit
    return "ion_heavy" if y_share >= HEAVY_TYPE_Y else "ion_light"


_TYPES = {"bayan_obo": _BAYAN_OBO, "sichuan": _SICHUAN, "ion_heavy": _ION_HEAVY, "ion_light": _ION_LIGHT}


def mine_profile(rng: random.Random, deposit: str, y_share: float) -> dict[str, float]:
    """A mine's registered profile (REO shares summing to 1, four decimals): its deposit type's,
    a little apart as each ore body is."""
    shares = _jitter(rng, _TYPES[deposit_type(deposit, y_share)], MINE_SPREAD)
    return {e: round(s, 4) for e, s in sorted(shares.items())}


def lot_shares(rng: random.Random, profile: Mapping[str, float], deposit: str) -> dict[str, float]:
    """The REO shares of one lot from a mine: its profile with the lot-to-lot variation of the ore."""
    return _jitter(rng, profile, LOT_SPREAD[deposit])


def type_shares(rng: random.Random, kind: str) -> dict[str, float]:
    """The REO shares of ore of a deposit type (`ion_heavy`, `ion_light`, `bayan_obo`, `sichuan`)."""
    return _jitter(rng, _TYPES[kind], LOT_SPREAD["ion" if kind.startswith("ion") else kind])


def reo_shares(composition: Mapping[str, float]) -> dict[str, float]:
    """Each element's share of a lot's REO equivalent (CONTRACT §2)."""
    reo = {e: f / REO_FACTOR[e] for e, f in composition.items()}
    total = sum(reo.values())
    return {e: v / total for e, v in reo.items()}


def l1_distance(shares: Mapping[str, float], profile: Mapping[str, float]) -> float:
    """Σ |share_e − profile_e| over the elements of either, the profile normalised (CONTRACT §12)."""
    total = sum(profile.values())
    return sum(abs(shares.get(e, 0.0) - profile.get(e, 0.0) / total) for e in sorted(set(shares) | set(profile)))


def heavy_share(shares: Mapping[str, float]) -> float:
    return sum(shares.get(e, 0.0) for e in HEAVY)


def blend_to_distance(
    own: Mapping[str, float], foreign: Mapping[str, float], profile: Mapping[str, float], target: float
) -> dict[str, float]:
    """Shares of ore `own` blended with ore `foreign` so that their L1 distance from `profile` is
    `target` (bisection on the foreign part; the distance grows with it)."""
    elements = sorted(set(own) | set(foreign))  # sorted: the same bytes whatever the hash seed

    def mixed(part: float) -> dict[str, float]:
        return {e: (1 - part) * own.get(e, 0.0) + part * foreign.get(e, 0.0) for e in elements}

    low, high = 0.0, 1.0
    for _ in range(40):
        part = (low + high) / 2
        if l1_distance(mixed(part), profile) < target:
            low = part
        else:
            high = part
    return mixed(high)


def ore_composition(shares: Mapping[str, float], reo_grade: float) -> dict[str, float]:
    """Concentrate fractions: REO share × grade × f_e."""
    return composition_of({e: s * reo_grade * REO_FACTOR[e] for e, s in shares.items()}, 1.0)


def elements_in(mass_kg: float, composition: Mapping[str, float]) -> dict[str, float]:
    return {e: mass_kg * f for e, f in composition.items()}


def add_into(total: dict[str, float], more: Mapping[str, float]) -> None:
    for e, kg in more.items():
        total[e] = total.get(e, 0.0) + kg


def product_mass(element_kg: Mapping[str, float], product: str) -> float:
    """The mass of a product lot holding these elements at the product's purity."""
    form, purity, _, _ = PRODUCTS[product]
    if form in ("alloy", "metal"):
        return sum(element_kg.values()) / purity
    return sum(kg / REO_FACTOR[e] for e, kg in element_kg.items()) / purity


def split_mass(rng: random.Random, total: float, largest: float) -> list[float]:
    """Split a mass into lots no larger than `largest`, rounded down to grams, summing to at
    most `total`."""
    n = max(1, math.ceil(total / largest))
    weights = [rng.uniform(0.85, 1.15) for _ in range(n)]
    scale = total / sum(weights)
    parts = [floor3(w * scale) for w in weights]
    while max(parts) > largest:  # rare: a heavy draw went over the lot size; even it out
        parts = [floor3(total / n)] * n
    return [p for p in parts if p > 0]
