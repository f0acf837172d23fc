"""The application factory: the same store and settings as the CLI, built once, nothing at import."""

from __future__ import annotations

import secrets

from fastapi import Depends, FastAPI

from reetrace import web
from reetrace.api import checkpoints, errors
from reetrace.api.routes import routers
from reetrace.api.security import principal
from reetrace.config import Settings
from reetrace.domain.accounts import Principal
from reetrace.store.database import Store, open_store


def create_app(settings: Settings, store: Store | None = None, session_secret: bytes | None = None) -> FastAPI:
    app = FastAPI(
        title="reetrace",
        version="1",
        description="Full-process traceability and export review for the rare earth chain.",
    )
    app.state.settings = settings
    app.state.store = store or open_store(settings.db_url)
    app.state.session_secret = session_secret or secrets.token_bytes(32)
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

    return app
