"""The API's routers, one module per feature; `routers()` lists them for the app factory."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    from reetrace.api.routes import (
        access_log,
        accounts,
        applications,
        controls,
        credentials,
        customs,
        epcis_capture,
        epcis_query,
        findings,
        licenses,
        log,
        lots,
        mirror,
        registry,
        screening,
        submissions,
    )

    # controls and credentials before lots: their /lots/{lot}/classification and /lots/{lot}/credentials
    # would otherwise be taken by /lots/{lot:path}
    return [
        m.router
        for m in (
            accounts,
            access_log,
            submissions,
            registry,
            findings,
            controls,
            credentials,
            lots,
            log,
            applications,
            licenses,
            screening,
            customs,
            mirror,
            epcis_capture,
            epcis_query,
        )
    ]
