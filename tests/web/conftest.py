"""Fixtures for the web UI: a signed-in HTTP client, and real headless Chromium on a live server.

Browser tests use Debian's ``chromium`` through Playwright's Python package (never ``playwright install``).
Without chromium they skip, saying why; with ``ASYLON_REQUIRE_BROWSER=1`` (set by ``.ci/run``) they fail.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from asylon.api.app import create_app
from asylon.config import Settings
from tests.support.world import TwoOrgs

CHROMIUM = os.environ.get("ASYLON_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
PASSWORD = "correct horse battery"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


class WebClient:
    """A browser-like client: keeps cookies, reads the CSRF token from the last page, posts forms."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.last = ""

    def get(self, url: str, **kwargs: Any) -> Any:
        response = self.client.get(url, **kwargs)
        self.last = response.text
        return response

    def post(self, url: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kwargs: Any) -> Any:
        data = dict(data or {})
        if csrf:
            token_page = self.last if 'name="csrf_token"' in self.last else self.client.get("/login").text
            data.setdefault("csrf_token", csrf_of(token_page))
        kwargs.setdefault("follow_redirects", False)
        response = self.client.post(url, data=data, **kwargs)
        if response.headers.get("content-type", "").startswith("text/html"):
            self.last = response.text
        return response

    def login(self, email: str, password: str = PASSWORD) -> Any:
        self.get("/login")
        response = self.post("/login", {"email": email, "password": password, "next": "/"})
        assert response.status_code == 303, response.text
        return response


@pytest.fixture
def app(settings: Settings, engine: Engine) -> Any:
    return create_app(settings, engine=engine)


@pytest.fixture
def web(app: Any) -> Iterator[WebClient]:
    with TestClient(app) as client:
        yield WebClient(client)


@pytest.fixture
def other_web(app: Any) -> Iterator[WebClient]:
    with TestClient(app) as client:
        yield WebClient(client)


@pytest.fixture
def a_web(web: WebClient, orgs: TwoOrgs) -> WebClient:
    web.login(orgs.a_caseworker.email)
    return web


@pytest.fixture
def b_web(other_web: WebClient, orgs: TwoOrgs) -> WebClient:
    other_web.login(orgs.b_caseworker.email)
    return other_web


# -- browser -----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path() -> str:
    found = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not found:
        message = (f"Debian's chromium is not installed (looked for {CHROMIUM}); "
                   "install it with `apt-get install chromium` to run the browser tests")
        if os.environ.get("ASYLON_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " — ASYLON_REQUIRE_BROWSER=1 makes this a failure")
        pytest.skip(message)
    return found


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@dataclass
class Traffic:
    """Every request the browser made, and those that tried to leave loopback (blocked)."""

    seen: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)


@pytest.fixture
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture
def browser_context(browser: Any, traffic: Traffic) -> Iterator[Any]:
    """A fresh browser profile whose every request is recorded; any request off 127.0.0.1 is aborted."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")

    def gate(route: Any) -> None:
        url = route.request.url
        traffic.seen.append(url)
        host = urlsplit(url).hostname or ""
        if url.startswith(("data:", "blob:", "about:")) or host == "127.0.0.1":
            route.continue_()
        else:
            traffic.outside.append(url)
            route.abort("internetdisconnected")

    context.route("**/*", gate)
    yield context
    context.close()


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def browser_login(page: Any, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")
