"""Logging in and out, CSRF on every form, the login rate limit, and where a login may send you."""

from __future__ import annotations

import pytest

from asylon.web.rendering import safe_next
from asylon.web.sessions import COOKIE, LoginLimiter, Visit
from tests.support.world import TwoOrgs
from tests.web.conftest import WebClient

pytestmark = pytest.mark.db

PAGES = ["/", "/cases", "/cases/new", "/cases/1", "/cases/1/edit", "/import", "/countries", "/countries/JOR"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_need_a_login(web: WebClient, path: str) -> None:
    response = web.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_login_then_back_to_the_page_asked(web: WebClient, orgs: TwoOrgs) -> None:
    web.get("/login?next=/cases")
    response = web.post("/login", {"email": orgs.a_caseworker.email, "password": "correct horse battery",
                                   "next": "/cases"})
    assert response.status_code == 303
    assert response.headers["location"] == "/cases"
    cookie = response.headers["set-cookie"]
    assert COOKIE in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert web.get("/cases").status_code == 200


def test_wrong_password_is_refused(web: WebClient, orgs: TwoOrgs) -> None:
    web.get("/login")
    response = web.post("/login", {"email": orgs.a_caseworker.email, "password": "wrong password"})
    assert response.status_code == 401
    assert "Wrong e-mail or password." in response.text
    assert web.get("/", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "cases"])
def test_login_never_redirects_off_site(target: str) -> None:
    assert safe_next(target) == "/"


def test_forms_without_csrf_token_are_refused(a_web: WebClient, orgs: TwoOrgs) -> None:
    for path in ("/cases/new", "/logout", "/import", "/language"):
        response = a_web.post(path, {"case_number": "X-1", "language": "fr"}, csrf=False)
        assert response.status_code == 403, path
        assert "This form has expired" in response.text
    response = a_web.post("/cases/new", {"case_number": "X-1", "csrf_token": "forged"}, csrf=False)
    assert response.status_code == 403
    assert a_web.get("/", follow_redirects=False).status_code == 200  # still signed in


def test_login_form_needs_csrf_too(web: WebClient, orgs: TwoOrgs) -> None:
    response = web.post("/login", {"email": orgs.a_caseworker.email, "password": "correct horse battery"},
                        csrf=False)
    assert response.status_code == 403


def test_logout_ends_the_session(a_web: WebClient) -> None:
    a_web.get("/")
    response = a_web.post("/logout")
    assert response.status_code == 303
    assert a_web.get("/", follow_redirects=False).status_code == 303


def test_login_issues_a_new_session_id(web: WebClient, orgs: TwoOrgs) -> None:
    web.get("/login")
    before = web.client.cookies.get(COOKIE)
    web.login(orgs.a_caseworker.email)
    assert web.client.cookies.get(COOKIE) != before


def test_forged_cookie_is_anonymous(web: WebClient, orgs: TwoOrgs, settings: object) -> None:
    forged = Visit(sid="x", secret="not the server's secret", user_id=1, fingerprint="0")
    web.client.cookies.set(COOKIE, forged.cookie_value())
    assert web.get("/", follow_redirects=False).status_code == 303


def test_login_rate_limit(web: WebClient, orgs: TwoOrgs) -> None:
    web.get("/login")
    for _ in range(5):
        assert web.post("/login", {"email": orgs.a_admin.email, "password": "guess"}).status_code == 401
    response = web.post("/login", {"email": orgs.a_admin.email, "password": "correct horse battery"})
    assert response.status_code == 429
    assert "Too many failed attempts" in response.text
    assert int(response.headers["retry-after"]) > 0
    assert web.get("/", follow_redirects=False).status_code == 303


def test_limiter_window_passes() -> None:
    limiter = LoginLimiter(attempts=2, window=60)
    limiter.failed("a@x", "1.2.3.4", now=0)
    limiter.failed("a@x", "1.2.3.4", now=1)
    assert limiter.retry_after("a@x", "5.6.7.8", now=2) == 59
    assert limiter.retry_after("a@x", "1.2.3.4", now=61.5) == 0
    limiter.failed("b@x", "9.9.9.9", now=100)
    limiter.failed("c@x", "9.9.9.9", now=100)
    assert limiter.retry_after("d@x", "9.9.9.9", now=101) > 0  # per client address as well


def test_pages_carry_security_headers(a_web: WebClient) -> None:
    response = a_web.get("/cases")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-frame-options"] == "DENY"


def test_unknown_page_is_a_page_and_api_keeps_problem_json(a_web: WebClient) -> None:
    page = a_web.get("/no-such-page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    api = a_web.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/problem+json")
