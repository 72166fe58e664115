"""Agreements' lifecycle, consent, the visibility check itself, and threads with mentions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, select

from asylon.db.engine import transaction
from asylon.db.models import Case, Notification
from asylon.errors import Conflict, InvalidInput, NotFound, PermissionDenied, TransitionRefused
from asylon.schemas.agreements import (
    AgreementAction,
    AgreementCreate,
    ConsentCreate,
    ConsentWithdrawal,
    ThreadCreate,
)
from asylon.services import agreements, consent, threads
from asylon.services.agreements import effective_status
from asylon.services.visibility import ALL_FIELDS, access_for
from tests.support.world import TwoOrgs, register

pytestmark = pytest.mark.db
TODAY = dt.date.today()


def draft(engine: Engine, orgs: TwoOrgs, **overrides: Any) -> int:
    data: dict[str, Any] = {
        "title": "Protection referrals", "purpose": "protection-referral", "parties": ["agency-a", "state-b"],
        "legal_basis": "public-interest", "fields": ["person.given_name", "case.legal_status"],
        "valid_from": str(TODAY - dt.timedelta(days=1)), "valid_until": str(TODAY + dt.timedelta(days=10)),
    } | overrides
    with transaction(engine) as session:
        return agreements.create_agreement(session, actor=orgs.a_admin.actor,
                                           data=AgreementCreate.model_validate(data)).id


def act(engine: Engine, member: Any, agreement_id: int, action: str) -> str:
    with transaction(engine) as session:
        agreement = agreements.act(session, actor=member.actor,
                                   data=AgreementAction(agreement_id=agreement_id, action=action))  # type: ignore[arg-type]
        return str(effective_status(agreement))


def test_active_only_once_every_party_approved_then_suspend_resume_terminate(engine, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    agreement_id = draft(engine, orgs)
    assert act(engine, orgs.a_admin, agreement_id, "approve") == "draft"
    assert act(engine, orgs.a_admin, agreement_id, "approve") == "draft"  # approving twice changes nothing
    assert act(engine, orgs.b_admin, agreement_id, "approve") == "active"
    with pytest.raises(Conflict):
        act(engine, orgs.b_admin, agreement_id, "approve")
    assert act(engine, orgs.b_admin, agreement_id, "suspend") == "suspended"
    assert act(engine, orgs.a_admin, agreement_id, "resume") == "active"
    assert act(engine, orgs.a_admin, agreement_id, "terminate") == "terminated"
    with pytest.raises(TransitionRefused, match="final"):
        act(engine, orgs.a_admin, agreement_id, "resume")
    with transaction(engine) as session:
        history = agreements.to_public(agreements.load_agreement(session, orgs.b_admin.actor, agreement_id)).history
    assert [(e.organisation, e.kind) for e in history] == [
        ("agency-a", "drafted"), ("agency-a", "approved"), ("state-b", "approved"), ("state-b", "activated"),
        ("state-b", "suspended"), ("agency-a", "resumed"), ("agency-a", "terminated")]


@pytest.mark.parametrize(("member", "error"), [("a_caseworker", PermissionDenied), ("a_viewer", PermissionDenied)])
def test_only_admins_act_on_agreements(engine, orgs: TwoOrgs, member: str, error: type[Exception]) -> None:  # type: ignore[no-untyped-def]
    agreement_id = draft(engine, orgs)
    with pytest.raises(error):
        act(engine, getattr(orgs, member), agreement_id, "approve")


@pytest.mark.parametrize(("overrides", "message"), [
    ({"parties": ["agency-a", "nobody"]}, "unknown organisations: nobody"),
    ({"situations": ["no-such-situation"]}, "unknown situations"),
])
def test_bad_agreements_are_refused_with_the_reason(engine, orgs: TwoOrgs, overrides: dict[str, Any], message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput, match=message):
        draft(engine, orgs, **overrides)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"fields": ["person.password"]}, "unknown fields"),
    ({"valid_until": "2000-01-01"}, "before valid_from"),
    ({"purpose": "curiosity"}, "purpose"),
])
def test_bad_agreement_input(overrides: dict[str, Any], message: str) -> None:
    data = {"title": "t", "purpose": "statistics", "parties": ["a", "b"], "legal_basis": "consent",
            "fields": ["case.legal_status"], "valid_from": "2024-01-01", "valid_until": "2024-12-31"} | overrides
    with pytest.raises(ValueError, match=message):
        AgreementCreate.model_validate(data)


def test_a_third_organisation_cannot_see_or_act_on_an_agreement(engine, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    agreement_id = draft(engine, orgs)
    from asylon.domain.organisations import OrgKind
    from asylon.services import accounts
    from tests.support.world import _member

    with transaction(engine) as session:
        org = accounts.create_organisation(session, slug="ngo-c", name="NGO C", kind=OrgKind.NGO)
        c_admin = _member(session, org, "admin@c.example", orgs.a_admin.actor.role)
    with pytest.raises(NotFound):
        act(engine, c_admin, agreement_id, "approve")


@pytest.mark.parametrize(("scope", "visible"), [
    ({}, True),
    ({"countries": ["JOR"]}, True),
    ({"countries": ["TUR"]}, False),
    ({"situations": ["syria-rrp"]}, True),
    ({"situations": ["other"]}, False),
])
def test_scope_by_situation_and_country(engine, orgs: TwoOrgs, scope: dict[str, Any], visible: bool) -> None:  # type: ignore[no-untyped-def]
    from asylon.db.models import Situation

    with transaction(engine) as session:
        session.add_all([Situation(code="syria-rrp", name="Syria RRP"), Situation(code="other", name="Other")])
    case_id = register(engine, orgs.a_caseworker.actor, "S-1", situation="syria-rrp")
    agreement_id = draft(engine, orgs, **scope)
    act(engine, orgs.a_admin, agreement_id, "approve")
    act(engine, orgs.b_admin, agreement_id, "approve")
    with transaction(engine) as session:
        case = session.get_one(Case, case_id)
        assert access_for(session, orgs.b_admin.actor, purpose="protection-referral").can_see(case) is visible
        assert access_for(session, orgs.b_admin.actor, purpose="statistics").can_see(case) is False
        assert access_for(session, orgs.b_admin.actor).can_see(case) is False
        seen = session.scalars(select(Case.id).where(
            access_for(session, orgs.b_admin.actor, purpose="protection-referral").case_filter)).all()
        assert (case_id in seen) is visible  # the SQL filter and the check on a loaded case agree
        assert access_for(session, orgs.a_viewer.actor).fields_for(case) == ALL_FIELDS


def test_expired_agreement_opens_nothing(engine, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    case_id = register(engine, orgs.a_caseworker.actor, "E-1")
    agreement_id = draft(engine, orgs, valid_until=str(TODAY))
    act(engine, orgs.a_admin, agreement_id, "approve")
    act(engine, orgs.b_admin, agreement_id, "approve")
    with transaction(engine) as session:
        case = session.get_one(Case, case_id)
        assert access_for(session, orgs.b_admin.actor, purpose="protection-referral").can_see(case)
        tomorrow = TODAY + dt.timedelta(days=1)
        assert not access_for(session, orgs.b_admin.actor, purpose="protection-referral", today=tomorrow).can_see(case)


def test_consent_per_person_purpose_and_recipient(engine, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    case_id = register(engine, orgs.a_caseworker.actor, "K-1")
    agreement_id = draft(engine, orgs, legal_basis="consent")
    act(engine, orgs.a_admin, agreement_id, "approve")
    act(engine, orgs.b_admin, agreement_id, "approve")

    def visible_persons() -> list[str]:
        with transaction(engine) as session:
            case = session.get_one(Case, case_id)
            access = access_for(session, orgs.b_admin.actor, purpose="protection-referral")
            return [p.person_ref for p in case.persons if access.can_see(case) and access.person_visible(case, p)]

    assert visible_persons() == []
    with transaction(engine) as session:
        for purpose, recipient in (("statistics", "state-b"), ("protection-referral", "agency-a")):
            consent.record_consent(session, actor=orgs.a_caseworker.actor, data=ConsentCreate.model_validate({
                "case_id": case_id, "person_ref": "P1", "purpose": purpose, "recipient": recipient,
                "given_on": str(TODAY), "method": "form"}))
    assert visible_persons() == []  # another purpose or another recipient does not count
    with transaction(engine) as session:
        given = consent.record_consent(session, actor=orgs.a_caseworker.actor, data=ConsentCreate.model_validate({
            "case_id": case_id, "person_ref": "P2", "purpose": "protection-referral", "recipient": "state-b",
            "given_on": str(TODAY), "method": "verbal, recorded by caseworker"})).id
    assert visible_persons() == ["P2"]
    with pytest.raises(NotFound), transaction(engine) as session:  # only the owner withdraws
        consent.withdraw_consent(session, actor=orgs.b_admin.actor, data=ConsentWithdrawal(consent_id=given, method="x"))
    with transaction(engine) as session:
        consent.withdraw_consent(session, actor=orgs.a_caseworker.actor,
                                 data=ConsentWithdrawal(consent_id=given, method="letter"))
    assert visible_persons() == []
    with pytest.raises(Conflict), transaction(engine) as session:
        consent.withdraw_consent(session, actor=orgs.a_caseworker.actor,
                                 data=ConsentWithdrawal(consent_id=given, method="letter"))


def test_threads_follow_visibility_and_mentions_notify(engine, orgs: TwoOrgs) -> None:  # type: ignore[no-untyped-def]
    case_id = register(engine, orgs.a_caseworker.actor, "T-1")
    with transaction(engine) as session:
        thread = threads.open_thread(session, actor=orgs.a_caseworker.actor, data=ThreadCreate(
            title="Medical referral", case_id=case_id,
            body="@admin@a.example please check; @admin@b.example cannot see this yet"))
        thread_id = thread.id
    with transaction(engine) as session:
        notified = session.scalars(select(Notification.user_id)).all()
        assert notified == [orgs.a_admin.actor.user_id]
        with pytest.raises(NotFound):
            threads.get_thread(session, actor=orgs.b_admin.actor, thread_id=thread_id)
    agreement_id = draft(engine, orgs, purpose="protection-referral")
    act(engine, orgs.a_admin, agreement_id, "approve")
    act(engine, orgs.b_admin, agreement_id, "approve")
    from asylon.services.visibility import declared_purpose

    with declared_purpose("protection-referral"), transaction(engine) as session:
        shown = threads.get_thread(session, actor=orgs.b_caseworker.actor, thread_id=thread_id)
        assert [m.body[:5] for m in shown.messages] == ["@admi"]
        threads.post_message(session, actor=orgs.b_caseworker.actor, thread_id=thread_id,
                             body="Seen. @caseworker@a.example we can take the referral.")
    with transaction(engine) as session:
        mine = threads.notifications(session, actor=orgs.a_caseworker.actor)
        assert [n.kind for n in mine] == ["mention"]
        assert threads.mark_read(session, actor=orgs.a_caseworker.actor, ids=[]) == 1
        assert threads.notifications(session, actor=orgs.a_caseworker.actor, unread_only=True) == []


def test_agreements_from_the_command_line(database_url: str, engine, orgs: TwoOrgs, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from typer.testing import CliRunner

    from asylon.cli import app
    from asylon.config import override_settings

    runner = CliRunner()
    terms = tmp_path / "terms.json"
    terms.write_text(json.dumps({
        "title": "Statistics", "purpose": "statistics", "parties": ["agency-a", "state-b"],
        "legal_basis": "public-interest", "fields": ["case.legal_status"],
        "valid_from": str(TODAY), "valid_until": str(TODAY + dt.timedelta(days=5))}))
    broken = tmp_path / "broken.json"
    broken.write_text('{"title": "x"}')
    with override_settings(database_url=database_url):
        result = runner.invoke(app, ["agreements", "draft", str(terms), "--user", "admin@a.example"])
        assert result.exit_code == 0, result.output
        agreement_id = int(result.output.split()[2].rstrip(";"))
        bad = runner.invoke(app, ["agreements", "draft", str(broken), "--user", "admin@a.example"])
        assert bad.exit_code == 3 and "purpose" in bad.output
        for user in ("admin@a.example", "admin@b.example"):
            result = runner.invoke(app, ["agreements", "approve", str(agreement_id), "--user", user])
            assert result.exit_code == 0, result.output
        assert "active" in result.output
        listed = runner.invoke(app, ["agreements", "list", "--user", "admin@b.example"])
        assert "Statistics" in listed.output and "active" in listed.output
        refused = runner.invoke(app, ["agreements", "suspend", str(agreement_id), "--user", "viewer@a.example"])
        assert refused.exit_code == 5 and "admin" in refused.output
        case_id = register(engine, orgs.a_caseworker.actor, "CLI-1")
        report = runner.invoke(app, ["agreements", "disclosures", str(case_id), "P1", "--json",
                                     "--user", "caseworker@a.example"])
        assert report.exit_code == 0 and json.loads(report.output) == []
        assert runner.invoke(app, ["feed", "deliver", "--once"]).exit_code == 0
