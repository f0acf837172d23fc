"""Fixtures for the browser tests (marked `browser`; `./dev test` leaves them out, `.ci/run`
runs them with `-m browser tests/browser`).

How they are built: `site` is a synthetic year from the demo (seed 13, scale 0.2) loaded into a
fresh SQLite store: the registry, every signed submission except the last month of one mining
enterprise (`site.held_back`, uploaded through the portal by a test), one license application,
and a user of each kind (password `demo_site.PASSWORD`). The app is served by a real uvicorn server on
127.0.0.1 at a free port, in a thread of the test process, for the whole session. `browser` is
Debian's Chromium (/usr/bin/chromium) driven by Playwright: it is never downloaded, and when it
is missing the tests fail saying how to install it. Screenshots go to `tests/browser/artifacts/`
(git-ignored); their paths are listed at the end of the run.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from demo_site import PASSWORD, DemoSite, load_demo_site
from reetrace.api.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
SCREENSHOTS: list[Path] = []


@dataclass
class Site(DemoSite):
    url: str = ""
    app: object = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    loaded = load_demo_site(
        tmp_path_factory.mktemp("browser-site"),
        13,
        "browser",
        (
            ("regulator", "regulator", None),
            ("inspector", "inspector", None),
            ("reviewer", "reviewer", None),
            ("auditor", "auditor", None),
            ("firm", "enterprise", "mine"),
        ),
    )
    settings, store = loaded.settings, loaded.store
    port = _free_port()
    app = create_app(settings, store)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the uvicorn server did not start")
        time.sleep(0.05)
    yield Site(**vars(loaded), url=f"http://127.0.0.1:{port}", app=app)
    server.should_exit = True
    thread.join(timeout=10)
    store.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: install it with `apt-get install -y chromium` "
            "(the browser tests never download a browser)",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def login(browser, site):
    """A fresh browser context logged in as `username`; returns its page."""
    contexts = []

    def log_in(username: str):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.goto(site.url + "/")
        assert "/login" in page.url
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_load_state()
        assert "/login" not in page.url, f"{username} could not log in"
        return page

    yield log_in
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(request):
    def take(page, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        SCREENSHOTS.append(path)
        print(f"screenshot: {path}")
        return path

    return take


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if SCREENSHOTS:
        terminalreporter.section("browser screenshots")
        for path in SCREENSHOTS:
            terminalreporter.write_line(str(path))
