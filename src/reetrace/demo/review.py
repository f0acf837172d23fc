"""The demo's export review: a small watch list in FollowTheMoney form, two officials, and
license applications for controlled lots an exporter still holds at the end of the year — one
to a consignee on the watch list (written differently), one to a customer of long standing."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

WATCH_LIST = [
    {
        "id": "demo-watch-1",
        "schema": "Company",
        "properties": {
            "name": ["Saigon Magnet Trading Company Limited"],
            "alias": ["西贡磁材贸易有限公司"],
            "country": ["vn"],
        },
    },
    {
        "id": "demo-watch-2",
        "schema": "Company",
        "properties": {"name": ["Northern Star Defence Materials LLC"], "country": ["ae"]},
    },
    {
        "id": "demo-watch-3",
        "schema": "Organization",
        "properties": {"name": ["Arctic Rare Metals Procurement Bureau"], "country": ["ru"]},
    },
    {"id": "demo-watch-4", "schema": "Person", "properties": {"name": ["Ivan Petrov"], "country": ["ru"]}},
]
OFFICIALS = (("Wang Li", ("reviewer",)), ("Chen Jie", ("approver",)))


def applicants(registry: dict[str, Any]) -> list[str]:
    """Enterprises that may hold controlled items, exporters first, then magnet and metal makers."""

    def rank(enterprise: dict[str, Any]) -> int:
        kinds = {q["kind"] for q in enterprise["qualifications"]}
        return next((n for n, k in enumerate(("export", "magnet", "metal", "separation")) if k in kinds), 9)

    ranked = sorted(registry["enterprises"], key=rank)
    return [e["uscc"] for e in ranked if rank(e) < 9]


def lots_kept(submissions: list[dict[str, Any]], exporter: str) -> list[str]:
    """Lots an exporter received or made and did not export, in the order it got them."""
    got: dict[str, None] = {}
    gone: set[str] = set()
    for doc in submissions:
        if doc["reporter"] != exporter:
            continue
        for event in doc["events"]:
            if event["type"] == "receive":
                got.update((lot, None) for lot in event["lots"])
            elif event["type"] in ("transform", "import"):
                got.update((o["lot"], None) for o in event["outputs"])
            elif event["type"] == "export":
                gone.update(event["lots"])
            elif event["type"] == "ship":
                gone.update(event["lots"])
    return [lot for lot in got if lot not in gone]


def write_watch_list(directory: Path) -> Path:
    path = directory / "watch-list.ftm.jsonl"
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in WATCH_LIST), encoding="utf-8")
    return path


def write_application(
    directory: Path, name: str, exporter: str, lots: list[str], consignee: tuple[str, str], end_use: str, today: date
) -> Path:
    """An application file with its two certificates beside it."""
    directory.mkdir(parents=True, exist_ok=True)
    for kind in ("end_user_certificate", "end_use_certificate"):
        (directory / f"{name}-{kind}.txt").write_text(
            f"{kind.replace('_', ' ')} of {consignee[0]} for {', '.join(lots)}\n", encoding="utf-8"
        )
    doc = {
        "format": "reetrace/license-application@1",
        "exporter": exporter,
        "license_type": "single",
        "items": [{"lot": lot} for lot in lots],
        "consignee": {"name": consignee[0], "country": consignee[1]},
        "end_users": [{"name": consignee[0], "country": consignee[1]}],
        "end_use": end_use,
        "destination": consignee[1],
        "contract_ref": f"{name.upper()}-{today.year}",
        "valid_from": today.isoformat(),
        "valid_to": (today + timedelta(days=364)).isoformat(),
        "documents": [
            {"kind": kind, "path": f"{name}-{kind}.txt"} for kind in ("end_user_certificate", "end_use_certificate")
        ],
    }
    path = directory / f"{name}.json"
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
