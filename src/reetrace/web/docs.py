"""The API's Swagger UI at /docs, for the regulator's staff: the page, the Swagger UI files that
the locked `fastapi-offline` package carries (served here, never from a CDN), and an init script
of our own (`static/docs.js`), so the page runs no inline script. Requests the page sends with
the session cookie carry its CSRF token, which the page holds in a `<meta>` element."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from reetrace.web.pages import Viewer, staff

router = APIRouter(include_in_schema=False)
ASSETS = "/static/swagger-ui"


def mount_assets(app: FastAPI) -> None:
    import fastapi_offline

    app.mount(ASSETS, StaticFiles(directory=Path(fastapi_offline.__file__).parent / "static"), name="swagger-ui")


@router.get("/docs")
def docs(view: Viewer = Depends(staff)) -> Response:
    return view.render("docs.html", assets=ASSETS)
