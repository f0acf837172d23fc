"""The demo's customs side: the export declarations customs would have recorded for the year's
exports, one item per code their lots call for (with a few misdeclarations injected), and
partner-country import statistics with one evasion gap, in the CSV forms `reetrace customs load`
and `reetrace mirror load` read."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from reetrace.domain.hscodes import expected_codes, judge

DECLARATION_HEADER = "declaration_no,date,exporter,hs_code,net_kg,destination,license_no,lots"
MIRROR_HEADER = "year,partner,hs6,kg,value"
GAP_SHARE = 0.4  # what the partner of the injected gap records above the declared exports
USD_PER_KG = {"8505": 60.0, "2846": 45.0, "2805": 80.0}


@dataclass(frozen=True, slots=True)
class ExportedLot:
    """One lot of an export: its form and composition, and the kilograms it held when exported."""

    lot: str
    form: str | None
    composition: Mapping[str, float] | None
    kg: float


@dataclass(frozen=True, slots=True)
class Export:
    """One export as the ledger shows it, with every lot it took."""

    declaration_no: str
    day: date
    exporter: str
    license_no: str | None
    lots: tuple[ExportedLot, ...]
    destination: str


def hs_code(form: str | None, composition: Mapping[str, float] | None) -> str | None:
    """The code a careful declarant would use: the first code the lot's form and composition call
    for, written out to ten digits, that fits it; None when no rule says."""
    expectation = expected_codes(form, composition)
    if expectation is None:
        return None
    padded = (code.ljust(10, "0") for code in expectation.codes)
    return next((code for code in padded if judge(code, form, composition) is None), None)


def items(export: Export) -> dict[str, list[ExportedLot]]:
    """The export's lots by the code each calls for, in the order of the lots: the items of its
    declaration. A lot no rule gives a code joins the first item; an export of such lots only has
    no item."""
    grouped: dict[str, list[ExportedLot]] = {}
    loose = []
    for lot in export.lots:
        code = hs_code(lot.form, lot.composition)
        if code is None:
            loose.append(lot)
        else:
            grouped.setdefault(code, []).append(lot)
    if grouped and loose:
        grouped[next(iter(grouped))].extend(loose)
    return grouped


def declarations(exports: Sequence[Export], seed: int) -> tuple[str, list[dict[str, Any]]]:
    """The year's declarations, one row per item, and what was injected: a Dy magnet item under
    8505119000, a short declared weight, an export customs never recorded, a declaration for no
    export."""
    rng = random.Random(seed)
    rows, injected = [], []
    magnets = [
        (e, lot) for e in exports for lot in e.lots if lot.form == "magnet" and (lot.composition or {}).get("Dy", 0) > 0
    ]
    misdeclared, magnet = rng.choice(magnets) if magnets else (None, None)
    others = [e for e in exports if e is not misdeclared and items(e)]
    short, missing = rng.sample(others, 2) if len(others) >= 2 else (None, None)
    for e in exports:
        grouped = items(e)
        if not grouped or e is missing:
            if e is missing:
                injected.append(
                    {
                        "code": "EXPORT_WITHOUT_DECLARATION",
                        "export": e.declaration_no,
                        "note": "an export customs has no declaration of",
                    }
                )
            continue
        if (
            e is misdeclared and magnet is not None
        ):  # the magnet becomes an item of its own, declared as "other permanent magnets"
            grouped = {code: [lot for lot in lots if lot is not magnet] for code, lots in grouped.items()}
            grouped = {code: lots for code, lots in grouped.items() if lots}
            grouped["8505119000"] = [magnet]
            injected.append(
                {
                    "code": "HS_CODE_MISDECLARED",
                    "export": e.declaration_no,
                    "note": f"a Dy NdFeB magnet ({magnet.lot}) declared as 'other permanent magnets'",
                }
            )
        share = 1.0
        if e is short:
            share = 0.85
            injected.append(
                {
                    "code": "DECLARED_QUANTITY_MISMATCH",
                    "export": e.declaration_no,
                    "note": "15 % less declared than the lots held",
                }
            )
        for code, lots in grouped.items():
            rows.append(
                _row(
                    e.declaration_no,
                    e.day,
                    e.exporter,
                    code,
                    sum(lot.kg for lot in lots) * share,
                    e.destination,
                    e.license_no,
                    [lot.lot for lot in lots],
                )
            )
    if exports:
        ghost = exports[-1]
        code = next(iter(items(ghost)), "8505111000")
        rows.append(
            _row(
                f"{ghost.declaration_no}-X",
                ghost.day,
                ghost.exporter,
                code,
                850.0,
                ghost.destination,
                None,
                ("UNKNOWN-LOT-1",),
            )
        )
        injected.append(
            {
                "code": "DECLARATION_WITHOUT_EXPORT",
                "export": f"{ghost.declaration_no}-X",
                "note": "a declaration the ledger has no export for",
            }
        )
    return "\n".join([DECLARATION_HEADER, *rows]) + "\n", injected


def _row(
    number: str,
    day: date,
    exporter: str,
    code: str,
    kg: float,
    destination: str,
    license_no: str | None,
    lots: Sequence[str],
) -> str:
    return ",".join(
        [number, day.isoformat(), exporter, code, f"{kg:.3f}", destination, license_no or "", ";".join(lots)]
    )


def partner_statistics(exports: Sequence[Export], year: int, seed: int) -> tuple[str, dict[str, Any] | None]:
    """What partners record as imports from China: close to the declared exports (freight and
    timing blur it), except one partner and product that records far more."""
    rng = random.Random(seed)
    declared: dict[tuple[str, str], float] = defaultdict(float)
    for e in exports:
        for code, lots in items(e).items():
            declared[(e.destination, code[:6])] += sum(lot.kg for lot in lots)
    if not declared:
        return MIRROR_HEADER + "\n", None
    gap_key = max(declared, key=lambda k: declared[k])
    rows = []
    for (partner, hs6), kg in sorted(declared.items()):
        recorded = kg * rng.uniform(0.97, 1.04) * (1 + GAP_SHARE if (partner, hs6) == gap_key else 1)
        value = recorded * USD_PER_KG.get(hs6[:4], 50.0)
        rows.append(f"{year},{partner},{hs6},{recorded:.0f},{value:.0f}")
    injected = {
        "partner": gap_key[0],
        "hs6": gap_key[1],
        "note": f"{gap_key[0]} records {GAP_SHARE:.0%} more {gap_key[1]} from China than was declared",
    }
    return "\n".join([MIRROR_HEADER, *rows]) + "\n", injected
