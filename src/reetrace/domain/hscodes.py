"""Which customs (HS) codes fit a lot, as data: a heading family per form, then the subheadings
China's tariff gives single elements and mixtures.

A declared code is judged in two steps. First the *family*: the headings a lot of that form can
fall under at all (a metal under 2805.30, an oxide or compound under 2846, a magnet under
8505.11 …). A code outside it is a misdeclaration of the kind of goods (an oxide declared as a
metal). Then the *subheading*: where the tariff names the element or the kind of mixture, the
code must be that one (a dysprosium NdFeB magnet is a rare earth permanent magnet, 8505111000,
not 8505119000 "other"; dysprosium metal is 2805301200). A lot is of a single element when that
element is at least `SINGLE_ELEMENT_SHARE` of its rare earth content; the *dominant* element is
the largest one.

Codes are prefixes: "2846901993" is one ten-digit code, "2805302" every code that begins so.
Sources: China's customs tariff (2805.30, 2846.10, 2846.90, 8505.11 national subheadings) and
the reference codes in MOFCOM/GAC Announcement No. 18 of 2025. Scrap has no rule: its codes
vary with what it is scrap of.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reetrace.domain.elements import LIGHT

SINGLE_ELEMENT_SHARE = 0.9

# Headings (or subheadings) each form belongs to.
FAMILY: dict[str, tuple[str, ...]] = {
    "ore": ("253090", "261220"),  # rare earth metal ores; monazite with the thorium ores
    "concentrate": ("253090", "261220", "2846"),
    "metal": ("280530",),  # rare-earth metals, scandium and yttrium
    "alloy": ("280530", "720299"),  # interalloyed rare earth metals; rare earth ferro-alloys
    "magnet": ("850511",),  # permanent magnets of metal
    "oxide": ("2846",),  # compounds of rare-earth metals (2846.10 cerium, 2846.90 other)
    "compound": ("2846",),
    "mixed_compound": ("2846",),
}

# Single rare earth metals, not intermixed or interalloyed (2805.30.1x).
METAL: dict[str, tuple[str, ...]] = {
    "Nd": ("2805301100",),
    "Dy": ("2805301200",),
    "Tb": ("2805301300",),
    "La": ("2805301400",),
    "Ce": ("2805301510", "2805301590"),
    "Pr": ("2805301600",),
    "Y": ("2805301700",),
    "Sc": ("2805301800",),
    "Sm": ("2805301910",),
    "Gd": ("2805301910",),
    "Lu": ("2805301910",),
}
METAL_OTHER = ("2805301990",)
METAL_MIXED = ("2805302",)  # intermixed or interalloyed rare earth metals (battery grade, other)

# Single rare earth oxides (2846.10.10 cerium oxide; 2846.90.1x).
OXIDE: dict[str, tuple[str, ...]] = {
    "Ce": ("2846101000",),
    "Y": ("2846901100",),
    "La": ("2846901200",),
    "Nd": ("2846901300",),
    "Eu": ("2846901400",),
    "Dy": ("2846901500",),
    "Tb": ("2846901600",),
    "Pr": ("2846901700",),
    "Er": ("2846901920",),
    "Gd": ("2846901930",),
    "Sm": ("2846901940",),
    "Yb": ("2846901970",),
    "Sc": ("2846901980",),
}
OXIDE_OTHER = ("28469019",)  # other single oxides (Ho, Tm, Lu …)
# Oxide mixtures: containing an oxide of these (Announcement No. 18) -> 2846901993; otherwise with
# medium and heavy rare earths at 30 % or more -> 2846901992; else 2846901999.
OXIDE_MIXTURE_LISTED = frozenset({"Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"})
OXIDE_MIXTURE_CONTROLLED = ("2846901993",)
OXIDE_MIXTURE_MEDIUM_HEAVY = ("2846901992",)
OXIDE_MIXTURE_OTHER = ("2846901999",)
MEDIUM_HEAVY_SHARE = 0.3

# Compounds other than oxides: of cerium (2846.10.20/30/90) or of the others (chlorides,
# fluorides, carbonates, other: 2846.90.2x–9x). The anion is not recorded, so only this far.
CERIUM_COMPOUND = ("2846102", "2846103", "2846109")
OTHER_COMPOUND = ("2846902", "2846903", "2846904", "2846909")

RARE_EARTH_MAGNET = ("8505111000",)  # rare earth permanent magnets
ALLOY = ("2805302", "720299")


@dataclass(frozen=True, slots=True)
class Expectation:
    """The codes a lot should be declared under, and why."""

    family: tuple[str, ...]
    codes: tuple[str, ...]
    reason: str
    dominant: str | None = None


@dataclass(frozen=True, slots=True)
class Contradiction:
    """A declared code that does not fit the lot. `level` is "heading" when the code is of
    another kind of goods altogether, "subheading" when the kind fits but not the element or
    mixture."""

    declared: str
    level: str
    expected: Expectation


def _shares(composition: Mapping[str, float]) -> tuple[str | None, float, float]:
    """The dominant element, its share of the rare earth content, and that content."""
    total = sum(f for f in composition.values() if f > 0)
    if total <= 0:
        return None, 0.0, 0.0
    element = max(sorted(composition), key=lambda e: composition[e])
    return element, composition[element] / total, total


def _present(composition: Mapping[str, float]) -> list[str]:
    return sorted(e for e, f in composition.items() if f > 0)


def expected_codes(form: str | None, composition: Mapping[str, float] | None) -> Expectation | None:
    """What a lot of this form and composition is declared under; None when there is no rule
    (scrap, an unknown form or unknown content)."""
    if form not in FAMILY or composition is None:
        return None
    family = FAMILY[form]
    dominant, share, total = _shares(composition)
    single = dominant is not None and share >= SINGLE_ELEMENT_SHARE
    present = _present(composition)
    if form == "magnet":
        if not present:
            return Expectation(family, family, "a permanent magnet of metal")
        return Expectation(
            family, RARE_EARTH_MAGNET, f"a rare earth permanent magnet (it holds {', '.join(present)})", dominant
        )
    if dominant is None:
        return Expectation(family, family, f"a lot of form {form}")
    if form == "metal":
        if single:
            return Expectation(
                family, METAL.get(dominant, METAL_OTHER), f"{dominant} metal ({share:.0%} of its rare earths)", dominant
            )
        return Expectation(family, METAL_MIXED, f"intermixed rare earth metals ({', '.join(present)})", dominant)
    if form == "alloy":
        return Expectation(family, ALLOY, f"a rare earth alloy ({', '.join(present)})", dominant)
    if form == "oxide":
        if single:
            return Expectation(
                family, OXIDE.get(dominant, OXIDE_OTHER), f"{dominant} oxide ({share:.0%} of its rare earths)", dominant
            )
        return Expectation(family, _oxide_mixture(composition, total), _mixture_reason(present), dominant)
    if form in ("compound", "mixed_compound"):
        if single and dominant == "Ce":
            return Expectation(family, CERIUM_COMPOUND, "a cerium compound", dominant)
        return Expectation(
            family, OTHER_COMPOUND, f"a rare earth compound other than an oxide ({', '.join(present)})", dominant
        )
    return Expectation(family, family, f"a lot of form {form} ({', '.join(present)})", dominant)


def _oxide_mixture(composition: Mapping[str, float], total: float) -> tuple[str, ...]:
    if any(composition.get(e, 0) > 0 for e in OXIDE_MIXTURE_LISTED):
        return OXIDE_MIXTURE_CONTROLLED
    medium_heavy = sum(f for e, f in composition.items() if f > 0 and e not in LIGHT)
    return OXIDE_MIXTURE_MEDIUM_HEAVY if medium_heavy / total >= MEDIUM_HEAVY_SHARE else OXIDE_MIXTURE_OTHER


def _mixture_reason(present: list[str]) -> str:
    listed = [e for e in present if e in OXIDE_MIXTURE_LISTED]
    if listed:
        return f"an oxide mixture containing {', '.join(listed)} (of Sm/Gd/Tb/Dy/Lu/Sc/Y)"
    return f"an oxide mixture of {', '.join(present)}"


def fits(code: str, prefixes: tuple[str, ...]) -> bool:
    return any(code.startswith(p) for p in prefixes)


def judge(declared: str, form: str | None, composition: Mapping[str, float] | None) -> Contradiction | None:
    """The contradiction between a declared ten-digit code and the lot, or None when it fits
    (or no rule applies)."""
    expectation = expected_codes(form, composition)
    if expectation is None or fits(declared, expectation.codes):
        return None
    level = "subheading" if fits(declared, expectation.family) else "heading"
    return Contradiction(declared, level, expectation)


def significant(code: str) -> str:
    """A recorded code without its padding: "2846901900" is the eight-digit line 28469019."""
    while len(code) > 6 and code.endswith("00"):
        code = code[:-2]
    return code


def agrees(declared: str, recorded: str) -> bool:
    """Whether a declared code is the one a lot was recorded under, or a subdivision of it."""
    return declared.startswith(significant(recorded))


def shown(prefixes: tuple[str, ...]) -> str:
    """Codes for a sentence: a prefix shorter than ten digits reads `2805302…`."""
    return ", ".join(p if len(p) == 10 else f"{p}…" for p in prefixes)
