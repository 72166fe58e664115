"""Sharing pages over HTTP: agreements (list, draft, approve by every party, suspend, terminate, refusals that
name their rule), consent and the per-person disclosure report, webhooks with dead letters and replay,
discussions with mentions and notifications, and the activity feed. Each checks role limits and that an
organisation without an agreement sees nothing of another's."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from asylon.db.engine import transaction
from asylon.db.models import Agreement, WebhookSubscription
from asylon.domain.organisations import OrgKind, Role
from asylon.schemas.agreements import AgreementAction, AgreementCreate
from asylon.services import accounts, agreements
from asylon.services.webhooks import Policy, WebhookWorker
from tests.support.world import PASSWORD, TwoOrgs, register
from tests.web.conftest import WebClient

pytestmark = pytest.mark.db

PURPOSE = "resettlement-processing"
TODAY = dt.date.today()


def client(app: Any) -> Iterator[WebClient]:
    with TestClient(app) as raw:
        yield WebClient(raw)


@pytest.fixture
def a_admin(app: Any, orgs: TwoOrgs) -> Iterator[WebClient]:
    for web in client(app):
        web.login(orgs.a_admin.email)
        yield web


@pytest.fixture
def b_admin(app: Any, orgs: TwoOrgs) -> Iterator[WebClient]:
    for web in client(app):
        web.login(orgs.b_admin.email)
        yield web


@pytest.fixture
def c_admin(app: Any, engine: Engine, orgs: TwoOrgs) -> Iterator[WebClient]:
    """An admin of a third organisation, party to nothing."""
    with transaction(engine) as session:
        org = accounts.create_organisation(session, slug="ngo-c", name="NGO C", kind=OrgKind.NGO)
        accounts.create_user(session, organisation=org, email="admin@c.example", display_name="admin c",
                             role=Role.ADMIN, password_hash=accounts.hash_password(PASSWORD))
    for web in client(app):
        web.login("admin@c.example")
        yield web


def agree(engine: Engine, orgs: TwoOrgs, *, legal_basis: str = "public-interest",
          fields: tuple[str, ...] = ("case.country_of_asylum", "person.given_name")) -> int:
    with transaction(engine) as session:
        agreement_id = agreements.create_agreement(session, actor=orgs.a_admin.actor, data=AgreementCreate(
            title="Referrals A-B", purpose=PURPOSE, parties=["agency-a", "state-b"],  # type: ignore[arg-type]
            legal_basis=legal_basis, fields=list(fields), valid_from=TODAY,  # type: ignore[arg-type]
            valid_until=TODAY + dt.timedelta(days=30))).id
    for member in (orgs.a_admin, orgs.b_admin):
        with transaction(engine) as session:
            agreements.act(session, actor=member.actor, data=AgreementAction(agreement_id=agreement_id,
                                                                             action="approve"))
    return agreement_id


def agreement_count(engine: Engine) -> int:
    with transaction(engine, write=False) as session:
        return session.scalar(select(func.count(Agreement.id))) or 0


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


DRAFT = {"title": "Resettlement referrals 2026", "purpose": PURPOSE, "legal_basis": "public-interest",
         "parties": "state-b", "fields": ["case.country_of_asylum", "person.given_name"],
         "valid_from": TODAY.isoformat(), "valid_until": (TODAY + dt.timedelta(days=90)).isoformat()}


def test_draft_approve_suspend_terminate_with_refusals_naming_the_rule(
        a_admin: WebClient, b_admin: WebClient, c_admin: WebClient, a_web: WebClient, engine: Engine) -> None:
    assert "party to no agreement" in a_admin.get("/agreements").text
    a_admin.get("/agreements/new")

    # Errors are shown at their fields, and nothing is saved.
    bad = a_admin.post("/agreements/new", DRAFT | {"fields": [], "title": ""})
    assert bad.status_code == 422
    assert 'id="title-error"' in bad.text and "Nothing has been saved." in bad.text
    assert re.search(r'id="fields".*?error-message', bad.text, re.S)
    assert 'value="state-b" checked' in bad.text  # what was chosen is kept
    backwards = a_admin.post("/agreements/new", DRAFT | {"valid_until": (TODAY - dt.timedelta(days=1)).isoformat()})
    assert backwards.status_code == 422
    assert re.search(r'id="valid_until-error">.*?is before valid_from', backwards.text, re.S)
    assert agreement_count(engine) == 0

    made = a_admin.post("/agreements/new", DRAFT)
    assert made.status_code == 303
    url = made.headers["location"].split("?")[0]
    page = text_of(a_admin.get(url).text)
    assert "Draft" in page and "awaiting approval" in page and "person.given_name" in page
    assert "Public interest" in page and "Drafted" in page

    # A approves; it stays a draft until B has approved too.
    assert a_admin.post(f"{url}/actions", {"action": "approve"}).status_code == 303
    page = text_of(a_admin.get(url).text)
    assert "Draft" in page and "Your organisation has approved" in page
    b_list = b_admin.get("/agreements").text
    assert "Resettlement referrals 2026" in b_list and "(not approved)" in b_list
    b_admin.get(url)
    assert b_admin.post(f"{url}/actions", {"action": "approve", "reason": "signed MoU"}).status_code == 303
    page = text_of(b_admin.get(url).text)
    assert re.search(r'id="agreement-state">Active<', b_admin.last)
    assert "Activated: every party has approved" in page and "signed MoU" in page

    # A caseworker sees it but may not act on it.
    detail = a_web.get(url).text
    assert "Resettlement referrals 2026" in detail and 'name="action"' not in detail
    assert a_web.post(f"{url}/actions", {"action": "suspend"}).status_code == 403

    # A stale form: approving what is no longer a draft is refused, naming the rule.
    a_admin.get(url)
    refused = a_admin.post(f"{url}/actions", {"action": "approve"})
    assert refused.status_code == 409
    assert "agreement.approval" in refused.text and "Nothing has been saved." in refused.text

    assert a_admin.post(f"{url}/actions", {"action": "suspend", "reason": "audit"}).status_code == 303
    assert re.search(r'id="agreement-state">Suspended<', a_admin.get(url).text)
    assert a_admin.post(f"{url}/actions", {"action": "terminate"}).status_code == 303
    a_admin.get(url)
    refused = a_admin.post(f"{url}/actions", {"action": "resume"})
    assert refused.status_code == 409 and "agreement.transition" in refused.text
    assert "cannot go from &#39;terminated&#39; to &#39;active&#39;" in refused.text

    # An organisation that is no party sees nothing of it.
    assert "Resettlement referrals 2026" not in c_admin.get("/agreements").text
    assert c_admin.get(url).status_code == 404
    c_admin.get("/agreements")
    assert c_admin.post(f"{url}/actions", {"action": "terminate"}).status_code == 404


def test_consent_withdrawal_hides_the_case_and_the_report_lists_every_disclosure(
        a_web: WebClient, b_web: WebClient, engine: Engine, orgs: TwoOrgs) -> None:
    case_id = register(engine, orgs.a_caseworker.actor, "CONS-1")
    agreement_id = agree(engine, orgs, legal_basis="consent")
    assert "Consent and disclosures" in a_web.get(f"/cases/{case_id}").text
    shared = f"/cases/{case_id}?purpose={PURPOSE}"
    assert b_web.get(shared).status_code == 404  # consent basis, nobody consented yet

    page = a_web.get(f"/cases/{case_id}/consent")
    assert page.status_code == 200 and "No consent recorded." in page.text
    missing = a_web.post(f"/cases/{case_id}/consent", {"person_ref": "P1", "purpose": PURPOSE,
                                                       "recipient": "state-b", "given_on": TODAY.isoformat()})
    assert missing.status_code == 422 and 'id="method-error"' in missing.text
    done = a_web.post(f"/cases/{case_id}/consent", {"person_ref": "P1", "purpose": PURPOSE, "recipient": "state-b",
                                                    "given_on": TODAY.isoformat(), "method": "signed form"})
    assert done.status_code == 303
    page = text_of(a_web.get(done.headers["location"]).text)
    assert "The consent is recorded." in page and "in force" in page and "signed form" in page

    seen = b_web.get(shared)
    assert seen.status_code == 200 and "Rania" in seen.text
    assert "Haddad" not in seen.text and "Omar" not in seen.text  # agreed fields only; P2 did not consent

    report = text_of(a_web.get(f"/cases/{case_id}/persons/P1/disclosures").text)
    assert "1 disclosures to 1 organisations" in report
    assert "State B asylum office" in report and "caseworker@b.example" in report and "web page" in report
    assert f"#{agreement_id}" in report and "person.given_name" in report
    assert "Nothing about this person" in a_web.get(f"/cases/{case_id}/persons/P2/disclosures").text

    consent_id = re.search(r'name="consent_id" value="(\d+)"', a_web.get(f"/cases/{case_id}/consent").text)
    assert consent_id
    blank = a_web.post(f"/cases/{case_id}/consent/withdraw", {"consent_id": consent_id.group(1), "method": ""})
    assert blank.status_code == 422 and f'id="withdraw-{consent_id.group(1)}-method-error"' in blank.text
    assert a_web.post(f"/cases/{case_id}/consent/withdraw",
                      {"consent_id": consent_id.group(1), "method": "phone call"}).status_code == 303
    assert "withdrawn" in a_web.get(f"/cases/{case_id}/consent").text
    assert b_web.get(shared).status_code == 404  # at once
    assert "1 disclosures" in text_of(a_web.get(f"/cases/{case_id}/persons/P1/disclosures").text)

    # B may neither manage A's consents nor read A's reports; a viewer of A may not either.
    b_web.get("/cases")
    for path in (f"/cases/{case_id}/consent", f"/cases/{case_id}/persons/P1/disclosures"):
        assert b_web.get(path).status_code == 404
        assert b_web.get(path + f"?purpose={PURPOSE}").status_code == 404
    assert b_web.post(f"/cases/{case_id}/consent", {"person_ref": "P1", "purpose": PURPOSE, "recipient": "state-b",
                                                    "given_on": TODAY.isoformat(), "method": "x"}).status_code == 404


def test_viewer_may_not_manage_consent(app: Any, engine: Engine, orgs: TwoOrgs) -> None:
    case_id = register(engine, orgs.a_caseworker.actor, "CONS-1")
    for viewer in client(app):
        viewer.login(orgs.a_viewer.email)
        assert viewer.get(f"/cases/{case_id}/consent").status_code == 403
        assert "Consent and disclosures" not in viewer.get(f"/cases/{case_id}").text


def test_webhooks_page_adds_lists_replays_and_removes(a_admin: WebClient, b_admin: WebClient, a_web: WebClient,
                                                      engine: Engine, orgs: TwoOrgs) -> None:
    a_admin.get("/webhooks")
    bad = a_admin.post("/webhooks", {"url": "not a url"})
    assert bad.status_code == 422 and 'id="url-error"' in bad.text
    added = a_admin.post("/webhooks", {"url": "http://receiver.example/hook"})
    assert added.status_code == 201
    secret = re.search(r'<code class="secret-value">([^<]+)</code>', added.text)
    assert secret and len(secret.group(1)) > 30
    listing = a_admin.get("/webhooks").text
    assert "http://receiver.example/hook" in listing and secret.group(1) not in listing  # shown once only

    calls: list[int] = []

    def failing(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(500)

    worker = WebhookWorker(engine, policy=Policy(base_delay=0, max_attempts=2),
                           client=httpx.Client(transport=httpx.MockTransport(failing)))
    register(engine, orgs.a_caseworker.actor, "HOOK-1")
    for _ in range(3):
        worker.run_once()
    dead = a_admin.get("/webhooks").text
    assert "1 dead letters" in dead and "HTTP 500" in dead and 'name="delivery_id"' in dead
    subscription_id = re.search(r'action="/webhooks/(\d+)/replay"', dead)
    assert subscription_id
    replayed = a_admin.post(f"/webhooks/{subscription_id.group(1)}/replay", {})
    assert replayed.status_code == 303 and replayed.headers["location"] == "/webhooks?done=replayed-1"
    assert "1 deliveries queued again." in a_admin.get(replayed.headers["location"]).text
    assert "pending" in a_admin.get("/webhooks?status=pending").text

    # Another organisation sees none of it and can change none of it; a caseworker may look, not change.
    assert "receiver.example" not in b_admin.get("/webhooks").text
    assert b_admin.post(f"/webhooks/{subscription_id.group(1)}/remove", {}).status_code == 404
    assert b_admin.post(f"/webhooks/{subscription_id.group(1)}/replay", {}).status_code == 404
    page = a_web.get("/webhooks")
    assert "receiver.example" in page.text and 'action="/webhooks"' not in page.text
    assert a_web.post("/webhooks", {"url": "http://x.example/h"}).status_code == 403
    assert a_web.post(f"/webhooks/{subscription_id.group(1)}/remove", {}).status_code == 403

    a_admin.get("/webhooks")
    assert a_admin.post(f"/webhooks/{subscription_id.group(1)}/remove", {}).status_code == 303
    assert "removed" in a_admin.get("/webhooks").text
    with transaction(engine, write=False) as session:
        assert session.get_one(WebhookSubscription, int(subscription_id.group(1))).active is False
    before = len(calls)
    worker.run_once()  # nothing more goes to a removed subscription, not even the replayed delivery
    assert len(calls) == before
    refused = a_admin.post(f"/webhooks/{subscription_id.group(1)}/replay", {})
    assert refused.status_code == 409 and "was removed" in refused.text


def test_case_discussion_with_mentions_and_notifications(app: Any, a_web: WebClient, a_admin: WebClient,
                                                         b_admin: WebClient, engine: Engine, orgs: TwoOrgs) -> None:
    case_id = register(engine, orgs.a_caseworker.actor, "TALK-1")
    assert "No discussion yet." in a_web.get(f"/cases/{case_id}/threads").text
    empty = a_web.post("/threads", {"case_id": str(case_id), "title": "Medical referral", "body": ""})
    assert empty.status_code == 422 and 'id="body-error"' in empty.text
    opened = a_web.post("/threads", {"case_id": str(case_id), "title": "Medical referral",
                                     "body": "Please review, @admin@a.example and @admin@b.example"})
    assert opened.status_code == 303
    thread_url = opened.headers["location"]
    page = a_web.get(thread_url).text
    assert '<strong class="mention">@admin@a.example</strong>' in page
    reply = a_web.post(f"{thread_url}/messages", {"body": "<script>x</script> follow-up"})
    assert reply.status_code == 303
    assert "&lt;script&gt;x&lt;/script&gt; follow-up" in a_web.get(thread_url).text

    # A's admin was mentioned and is notified; B's admin may not see the case, so is not.
    notes = a_admin.get("/notifications").text
    assert "You were mentioned in" in notes and "Medical referral" in notes
    assert 'id="unread">1<' in a_admin.get("/threads").text
    a_admin.get("/notifications")
    assert a_admin.post("/notifications/read", {}).status_code == 303
    assert "Mark all read" not in a_admin.get("/notifications").text
    assert "No notification." in b_admin.get("/notifications").text
    assert b_admin.get(thread_url).status_code == 404
    assert "Medical referral" not in b_admin.get("/threads").text
    b_admin.get("/threads")
    assert b_admin.post(f"{thread_url}/messages", {"body": "hello"}).status_code == 404

    # Under an agreement for the purpose B declares, B reads and answers the case's discussion.
    agree(engine, orgs)
    shared = f"{thread_url}?purpose={PURPOSE}"
    assert "Medical referral" in b_admin.get(shared).text
    assert b_admin.post(f"{thread_url}/messages?purpose={PURPOSE}",
                        {"body": "Seen, @caseworker@a.example"}).status_code == 303
    assert "Seen," in a_web.get(thread_url).text
    assert "Medical referral" in a_web.get("/notifications").text


def test_activity_feed_shows_own_events_and_shared_ones_only_for_the_purpose(
        a_web: WebClient, b_web: WebClient, engine: Engine, orgs: TwoOrgs) -> None:
    register(engine, orgs.a_caseworker.actor, "FEED-A-1")
    register(engine, orgs.b_caseworker.actor, "FEED-B-1")
    mine = text_of(a_web.get("/feed").text)
    assert "Case registered FEED-A-1" in mine and "FEED-B-1" not in mine
    b_page = b_web.get("/feed").text
    assert "FEED-B-1" in b_page and "FEED-A-1" not in b_page and "agency-a" not in b_page
    assert "agency-a" not in b_web.get(f"/feed?purpose={PURPOSE}").text  # no agreement yet
    agree(engine, orgs)  # fields without the case number
    shared = b_web.get(f"/feed?purpose={PURPOSE}").text
    assert "agency-a" in shared and "FEED-A-1" not in shared
    assert "agency-a" not in b_web.get("/feed?purpose=statistics").text
    # The live stream answers event-stream requests only; a plain visit goes to the list.
    plain = b_web.get("/feed/stream", follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == "/feed"
    assert 'data-stream="/feed/stream?' in shared and "/static/feed.js" in shared
