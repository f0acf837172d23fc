"""The application factory: the same store and settings as the CLI, built once, nothing at import.

Every route shares one dependency (`browser.same_origin`, the check that a change made under a
session cookie comes from a page of this site) and every answer passes one middleware
(`browser.SecurityHeaders`). The OpenAPI document (`/openapi.json`) and its Swagger UI
(`/docs`, on the app's own copy of its files) are for signed-in staff only.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import Depends, FastAPI

from reetrace import web
from reetrace.api import checkpoints, errors
from reetrace.api.browser import SecurityHeaders, same_origin
from reetrace.api.guards import RequestGuard
from reetrace.api.routes import routers
from reetrace.api.security import principal
from reetrace.config import Settings
from reetrace.domain.accounts import Principal
from reetrace.domain.sessions import SessionPolicy
from reetrace.errors import Forbidden
from reetrace.services.sessions import LoginGate
from reetrace.store.database import Store, open_store


def _now() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: Settings,
    store: Store | None = None,
    session_secret: bytes | None = None,
    session_policy: SessionPolicy | None = None,
    clock: Callable[[], datetime] = _now,
) -> FastAPI:
    app = FastAPI(
        title="reetrace",
        version="1",
        description="Full-process traceability and export review for the rare earth chain.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        swagger_ui_oauth2_redirect_url=None,
        dependencies=[Depends(same_origin)],
        # no OpenTelemetry here: with it on, every request asks whether a provider was configured
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.store = store or open_store(settings.db_url)
    app.state.session_secret = session_secret or secrets.token_bytes(32)
    app.state.session_policy = session_policy or SessionPolicy()
    app.state.clock = clock
    app.state.login_gate = LoginGate(2 * (os.cpu_count() or 1))
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestGuard)  # bounds every request before any route reads it
    errors.install(app)
    for router in routers():
        app.include_router(router)
    web.install(app)
    checkpoints.install(app)  # after a crash, after changes, and periodically

    @app.get("/api/health", tags=["service"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/whoami", tags=["accounts"])
    def whoami(who: Principal = Depends(principal)) -> dict[str, str | None]:
        return {"username": who.username, "role": who.role, "uscc": who.uscc}

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(who: Principal = Depends(principal)) -> dict[str, Any]:
        """The OpenAPI document, for the regulator's staff (and their machines)."""
        if not who.is_staff:
            raise Forbidden(f"{who.username} ({who.role}) may not read the API's description")
        return app.openapi()

    return app


def from_environment() -> FastAPI:
    """The application as each worker process of `reetrace serve --workers N` makes it: the
    settings from the environment (which the command sets from its options), the session secret
    that the command made or found."""
    from reetrace.api.secret import session_secret

    settings = Settings.build()
    return create_app(settings, session_secret=session_secret(settings))
