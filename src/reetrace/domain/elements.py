"""The 17 rare earth elements, their standard oxides and REO-equivalent factors.

The factor f_e is the element's mass fraction in its standard oxide (docs/contract.md §2): RE2O3 for
all, except CeO2, Pr6O11 and Tb4O7. Atomic weights come from `periodictable` (IUPAC standard
atomic weights) and are frozen here into plain floats when the module loads, so the rest of the
domain stays on the standard library.
"""

from __future__ import annotations

from collections.abc import Mapping

import periodictable

ELEMENTS: tuple[str, ...] = (
    "Sc",
    "Y",
    "La",
    "Ce",
    "Pr",
    "Nd",
    "Pm",
    "Sm",
    "Eu",
    "Gd",
    "Tb",
    "Dy",
    "Ho",
    "Er",
    "Tm",
    "Yb",
    "Lu",
)

# (atoms of the element, atoms of oxygen) in the standard oxide
_OXIDE_FORMULA: dict[str, tuple[int, int]] = {e: (2, 3) for e in ELEMENTS}
_OXIDE_FORMULA.update({"Ce": (1, 2), "Pr": (6, 11), "Tb": (4, 7)})


def _oxide_name(element: str) -> str:
    n, o = _OXIDE_FORMULA[element]
    return f"{element}{n if n > 1 else ''}O{o}"


def _factor(element: str) -> float:
    n, o = _OXIDE_FORMULA[element]
    metal = n * periodictable.elements.symbol(element).mass
    return metal / (metal + o * periodictable.O.mass)


OXIDE: dict[str, str] = {e: _oxide_name(e) for e in ELEMENTS}
REO_FACTOR: dict[str, float] = {e: _factor(e) for e in ELEMENTS}
# Light rare earths (the cerium group), the rest being medium and heavy.
LIGHT: frozenset[str] = frozenset({"La", "Ce", "Pr", "Nd", "Pm", "Sm"})
# The heavy elements as the composition rules count them (docs/contract.md §12, docs/evasion.md):
# gadolinium to lutetium and yttrium; Eu and Sc are in neither group there.
HEAVY: frozenset[str] = frozenset({"Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Y"})


def element_kg(mass_kg: float, composition: Mapping[str, float]) -> dict[str, float]:
    """Elemental mass in kilograms of each rare earth in a quantity of a lot."""
    return {e: mass_kg * f for e, f in composition.items() if f > 0}


def reo_kg(elements_kg: Mapping[str, float]) -> float:
    """REO equivalent, in kilograms, of a set of elemental masses."""
    return sum(kg / REO_FACTOR[e] for e, kg in elements_kg.items())


def reo_per_kg(composition: Mapping[str, float]) -> float:
    """REO-equivalent kilograms held in one kilogram of a lot of this composition."""
    return sum(f / REO_FACTOR[e] for e, f in composition.items())


def reo_shares(composition: Mapping[str, float]) -> dict[str, float]:
    """Each element's share of the REO equivalent of a lot of this composition (empty when it
    holds no rare earth)."""
    reo = {e: f / REO_FACTOR[e] for e, f in composition.items() if f > 0}
    total = sum(reo.values())
    return {e: v / total for e, v in reo.items()} if total > 0 else {}
