"""Fixtures for the page tests.

How they are built: `site` is a synthetic year from the demo (seed 11, scale 0.2) loaded once per
module by `tests/demo_site.py` (every submission but one held back for the upload test, one
license application, a user of each kind with `demo_site.PASSWORD`). Pages
are driven through FastAPI's TestClient on `create_app(settings, store)`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from demo_site import PASSWORD, DemoSite, load_demo_site
from reetrace.api.app import create_app


@dataclass
class Site(DemoSite):
    def client(self, username: str | None = None) -> TestClient:
        # a browser sends its page's origin with every form it posts (the app refuses changes
        # made with the session cookie from anywhere else)
        client = TestClient(
            create_app(self.settings, self.store, session_secret=b"s" * 32), headers={"Origin": "http://testserver"}
        )
        if username:
            response = client.post("/login", data={"username": username, "password": PASSWORD}, follow_redirects=False)
            assert response.status_code == 303, response.text
        return client


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    loaded = load_demo_site(
        tmp_path_factory.mktemp("site"),
        11,
        "web",
        (
            ("regulator", "regulator", None),
            ("inspector", "inspector", None),
            ("reviewer", "reviewer", None),
            ("approver", "approver", None),
            ("firm", "enterprise", "mine"),
            ("rival", "enterprise", "other"),
        ),
    )
    yield Site(**vars(loaded))
    loaded.store.dispose()
