"""What the API tests share besides fixtures: the seeded site's password, a Dy oxide composition
and a license application. A module of its own, not the conftest: several test folders have a
conftest.py, and `from conftest import` would find whichever was imported last."""

from __future__ import annotations

from typing import Any

PASSWORD = "correct horse battery"
OXIDE_DY = {"Dy": 0.8713}


def application_request(exporter: str, lot_id: str = "DYO-1") -> dict[str, Any]:
    import base64

    return {
        "application": {
            "format": "reetrace/license-application@1",
            "exporter": exporter,
            "license_type": "single",
            "items": [{"lot": lot_id}],
            "consignee": {"name": "Lyon Aimants SA", "country": "FR"},
            "end_users": [{"name": "Lyon Aimants SA", "country": "FR"}],
            "end_use": "Magnets for electric bicycle hub motors",
            "destination": "FR",
            "contract_ref": "LA-7",
            "valid_from": "2099-03-01",
            "valid_to": "2100-02-28",
            "documents": [
                {"kind": "end_user_certificate", "path": "euc.pdf"},
                {"kind": "end_use_certificate", "path": "eu.pdf"},
            ],
        },
        "files": {
            "euc.pdf": base64.b64encode(b"end user certificate").decode(),
            "eu.pdf": base64.b64encode(b"end use certificate").decode(),
        },
    }
