"""Linkage runs over stored persons: start (checked at once), execute (in the background), read.

:func:`start_run` checks everything that can be checked without reading anyone's data — the role, the
agreement with the other organisation, whether what it shares has the columns the preset needs (the
engine's own column check, with the fix said in platform terms) — and stores a queued run. The caller then
hands the run to :func:`execute_run`, normally after answering the request (a background task), which
reads the records, trains and scores with Splink, and stores the pairs for review. A run left ``running``
by a process that stopped is reported ``failed`` (interrupted) once it is older than :data:`STALE_AFTER`.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.orm import Session, selectinload

from asylon.db.base import utcnow
from asylon.db.engine import session_factory, transaction
from asylon.db.models import (
    Case,
    LinkagePair,
    LinkageRun,
    MergedPerson,
    MergedPersonMember,
    Organisation,
    Person,
    User,
)
from asylon.domain.organisations import Role
from asylon.engines.linkage.model import LinkageOptions, LinkageResult
from asylon.engines.linkage.records import check_columns
from asylon.errors import (
    AsylonError,
    Conflict,
    InvalidFile,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Problem,
)
from asylon.schemas.linkage import (
    PERSON_FIELDS,
    PRESET_COLUMNS,
    LinkageKind,
    LinkageRunCreate,
    LinkageRunPublic,
    ModelComparisonPublic,
    ModelLevelPublic,
    ModelSummaryPublic,
    ProblemPublic,
    RunErrorPublic,
    RunStatus,
)
from asylon.services.accounts import actor_for, get_organisation
from asylon.services.actors import Actor
from asylon.services.linkage.records import PURPOSE, linkage_access
from asylon.services.visibility import Grant

log = logging.getLogger("asylon.linkage")

STALE_AFTER = dt.timedelta(hours=2)
# Stored sex codes the preset does not compare (other, unknown) are read as blank, not refused.
_SEX = {"F": "F", "M": "M"}


# -- starting --------------------------------------------------------------------------------------------


def partners(session: Session, *, actor: Actor) -> list[tuple[str, str, list[int]]]:
    """Organisations whose persons the actor's organisation may link with now: (slug, name, agreement ids)."""
    access = linkage_access(session, actor)
    by_owner: dict[int, list[int]] = {}
    for grant in access.grants:
        for owner in grant.owners:
            by_owner.setdefault(owner, []).append(grant.agreement_id)
    if not by_owner:
        return []
    orgs = session.execute(select(Organisation.id, Organisation.slug, Organisation.name)
                           .where(Organisation.id.in_(by_owner)).order_by(Organisation.slug))
    return [(slug, name, sorted(by_owner[oid])) for oid, slug, name in orgs]


def _partner_grants(session: Session, actor: Actor, partner: Organisation) -> list[Grant]:
    access = linkage_access(session, actor)
    grants = [g for g in access.grants if partner.id in g.owners]
    if not grants:
        raise PermissionDenied(
            f"no active data-sharing agreement for {PURPOSE} binds {actor.organisation_slug} and {partner.slug}, "
            f"so you cannot run linkage against {partner.slug}'s records; an agreement with purpose "
            f"'{PURPOSE}' naming at least person.given_name, person.family_name and person.date_of_birth must "
            "be drafted (POST /api/v1/agreements) and approved by an admin of each party"
        )
    return grants


def shared_fields(grants: list[Grant]) -> list[str]:
    """The stored person fields the grants share, in preset order."""
    names = frozenset().union(*(g.fields for g in grants)) if grants else frozenset()
    return [f for f in PERSON_FIELDS if f"person.{f}" in names]


def frame_columns(shared: list[str], column_map: dict[str, str], *, source: str,
                  agreements: list[int]) -> dict[str, str]:
    """Which stored field each preset column is read from; refuses, naming every column the preset needs
    that the agreements do not share and how to map one, as the engine's column check reports it."""
    problems = []
    for column, field in column_map.items():
        if column not in PRESET_COLUMNS:
            problems.append(Problem(f"'{column}' is not a column linkage compares", field=f"column_map.{column}",
                                    fix=f"use one of {', '.join(PRESET_COLUMNS)}"))
        elif field not in PERSON_FIELDS:
            problems.append(Problem(f"'{field}' is not a person field", field=f"column_map.{column}", value=field,
                                    fix=f"use one of {', '.join(PERSON_FIELDS)}"))
        elif field not in shared:
            problems.append(Problem(f"agreements {agreements} do not share person.{field}",
                                    field=f"column_map.{column}", value=field,
                                    fix=f"map a field they share: {', '.join(shared) or 'none'}"))
    if problems:
        raise InvalidInput(problems)
    columns = {c: column_map.get(c, c) for c in PRESET_COLUMNS}
    columns = {c: f for c, f in columns.items() if f in shared}
    try:
        check_columns(pd.DataFrame(columns=["record_id", *columns]), source=source)
    except InvalidFile as exc:
        unmapped = [f for f in shared if f not in columns.values()]
        problems = []
        for problem in exc.problems:
            missing = problem.field
            how = (f'map a field they do share to it with column_map, e.g. {{"{missing}": "{unmapped[0]}"}}, or '
                   if unmapped else "")
            problems.append(Problem(problem.message, field=missing,
                                    fix=f"agreements {agreements} do not share person.{missing}: {how}"
                                        f"agree a new agreement that names person.{missing}"))
        raise InvalidInput(problems, summary=f"{source} lack columns the linkage preset needs: "
                                             + "; ".join(str(p) for p in problems)) from exc
    return columns


def start_run(session: Session, *, actor: Actor, data: LinkageRunCreate) -> LinkageRun:
    """Check and queue a run; :func:`execute_run` does the work."""
    actor.require(Role.CASEWORKER, "starting a linkage run")
    _expire_stale(session, actor.organisation_id)
    busy = session.scalar(select(LinkageRun).where(
        LinkageRun.organisation_id == actor.organisation_id,
        LinkageRun.status.in_([RunStatus.QUEUED.value, RunStatus.RUNNING.value]),
    ).limit(1))
    if busy is not None:
        raise Conflict(f"linkage run {busy.id} is still {busy.status}; wait until it has finished")
    parameters: dict[str, Any] = {"threshold": data.threshold, "review_from": data.review_from, "seed": data.seed}
    run = LinkageRun(organisation_id=actor.organisation_id, started_by_user_id=actor.user_id, kind=str(data.kind),
                     status=RunStatus.QUEUED.value, progress="queued")
    if data.kind is LinkageKind.LINK:
        assert data.partner is not None
        try:
            partner = get_organisation(session, data.partner)
        except NotFound:
            raise InvalidInput(Problem(f"unknown organisation '{data.partner}'", field="partner",
                                       fix="use a slug from GET /api/v1/organisations")) from None
        if partner.id == actor.organisation_id:
            raise InvalidInput(Problem("that is your own organisation", field="partner",
                                       fix="use kind=dedupe to find duplicates within it"))
        grants = _partner_grants(session, actor, partner)
        agreements = sorted({g.agreement_id for g in grants})
        columns = frame_columns(shared_fields(grants), data.column_map,
                                source=f"{partner.slug}'s records shared under agreements {agreements}",
                                agreements=agreements)
        access = linkage_access(session, actor)
        shared_cases = session.scalar(select(func.count(Case.id)).where(
            access.case_filter, Case.organisation_id == partner.id)) or 0
        if shared_cases == 0:
            raise InvalidInput(Problem(
                f"agreements {agreements} cover none of {partner.slug}'s cases",
                field="partner",
                fix="check the agreements' situations and countries and, where consent is their basis, "
                    "that the persons have consented to deduplication with your organisation"))
        run.partner_organisation_id = partner.id
        run.agreement_ids = [str(a) for a in agreements]
        parameters["column_map"] = dict(data.column_map)
        parameters["columns"] = columns
    else:
        if data.column_map:
            raise InvalidInput(Problem("column_map applies to another organisation's records in a link run",
                                       field="column_map", fix="leave it out for kind=dedupe"))
        persons = session.scalar(select(func.count(Person.id)).join(Case, Case.id == Person.case_id).where(
            Case.organisation_id == actor.organisation_id, Person.erased_at.is_(None))) or 0
        if persons < 2:
            raise InvalidInput(Problem(f"your organisation has {persons} registered persons; deduplication "
                                       "compares at least two", fix="register or import cases first"))
    run.parameters = parameters
    session.add(run)
    session.flush()
    return run


def _expire_stale(session: Session, organisation_id: int) -> None:
    cutoff = utcnow() - STALE_AFTER
    session.execute(
        update(LinkageRun)
        .where(LinkageRun.organisation_id == organisation_id,
               LinkageRun.status.in_([RunStatus.QUEUED.value, RunStatus.RUNNING.value]),
               LinkageRun.created_at < cutoff)
        .values(status=RunStatus.FAILED.value, finished_at=utcnow(), progress="interrupted",
                error={"code": "interrupted", "detail": "the run was interrupted (the server stopped); start it again",
                       "errors": []})
    )


# -- executing -------------------------------------------------------------------------------------------


def execute_run(engine: Engine, run_id: int) -> None:
    """Read the records, run the engine, store the pairs. Never raises: a failure is stored on the run."""
    with transaction(engine) as session:
        run = session.get(LinkageRun, run_id)
        if run is None or run.status != RunStatus.QUEUED.value:
            return
        run.status = RunStatus.RUNNING.value
        run.started_at = utcnow()
        run.progress = "reading records"
    try:
        _execute(engine, run_id)
    except AsylonError as exc:
        problems = [ProblemPublic(message=p.message, field=p.field, row=p.row, value=p.value, fix=p.fix)
                    for p in getattr(exc, "problems", [])]
        _finish_failed(engine, run_id, RunErrorPublic(code=exc.code, detail=exc.message, errors=problems))
    except Exception:  # the run must not stay "running" for ever; the cause goes to the server log
        log.exception("linkage run %s failed", run_id)
        _finish_failed(engine, run_id, RunErrorPublic(
            code="internal", detail="the run failed on our side; it has been logged", errors=[]))


def _finish_failed(engine: Engine, run_id: int, error: RunErrorPublic) -> None:
    with transaction(engine) as session:
        session.execute(update(LinkageRun).where(LinkageRun.id == run_id).values(
            status=RunStatus.FAILED.value, finished_at=utcnow(), progress="failed", error=error.model_dump()))


def _progress(engine: Engine, run_id: int) -> Callable[[str], None]:
    def say(message: str) -> None:
        with transaction(engine) as session:
            session.execute(update(LinkageRun).where(LinkageRun.id == run_id).values(progress=message[:500]))

    return say


def _execute(engine: Engine, run_id: int) -> None:
    from asylon.engines.linkage.probabilistic import dedupe, link  # Splink loads in the run, not at import

    with session_factory(engine, write=False)() as session:
        run = session.get_one(LinkageRun, run_id)
        user = session.scalar(select(User).where(User.id == run.started_by_user_id)
                              .options(selectinload(User.organisation)))
        if user is None:
            raise InvalidInput("the user who started the run no longer exists")
        actor = actor_for(user)
        params = dict(run.parameters)
        kind, partner_id = run.kind, run.partner_organisation_id
        own_slug = actor.organisation_slug
        own = own_frame(session, actor)
        partner_frame: pd.DataFrame | None = None
        partner_slug = ""
        if kind == LinkageKind.LINK.value:
            assert partner_id is not None
            partner = session.get_one(Organisation, partner_id)
            partner_slug = partner.slug
            partner_frame = shared_frame(session, actor, partner, dict(params.get("column_map") or {}))
        # Leaving this block ends the read transaction, which writes the disclosures to the access log.
    options = LinkageOptions(threshold=float(params["threshold"]), keep_from=float(params["review_from"]),
                             seed=int(params["seed"]), memory_limit="2GB")
    say = _progress(engine, run_id)
    result: LinkageResult
    if partner_frame is None:
        result = dedupe(own, options=options, source=own_slug, progress=say)
    else:
        result = link(own, partner_frame, options=options, sources=(own_slug, partner_slug), progress=say)
    with transaction(engine) as session:
        run = session.get_one(LinkageRun, run_id)
        _store(session, run, result, own_slug=own_slug, records_own=len(own),
               records_partner=0 if partner_frame is None else len(partner_frame))


def own_frame(session: Session, actor: Actor) -> pd.DataFrame:
    """The actor's organisation's persons as the engine reads them (erased persons left out)."""
    rows = session.execute(
        select(Person.id, Person.case_id, Person.given_name, Person.family_name, Person.date_of_birth, Person.sex,
               Person.nationality, Person.place_of_birth)
        .join(Case, Case.id == Person.case_id)
        .where(Case.organisation_id == actor.organisation_id, Person.erased_at.is_(None))
        .order_by(Person.id)
    ).all()
    return pd.DataFrame(
        [{"record_id": str(pid), "household_id": str(cid), "given_name": given or "", "family_name": family or "",
          "date_of_birth": dob or "", "sex": _SEX.get(sex or "", ""), "nationality": nat or "",
          "place_of_birth": place or ""}
         for pid, cid, given, family, dob, sex, nat, place in rows],
        columns=["record_id", "household_id", *PRESET_COLUMNS],
    )


def shared_frame(session: Session, actor: Actor, partner: Organisation,
                 column_map: dict[str, str] | None = None) -> pd.DataFrame:
    """``partner``'s persons the actor may read for deduplication now, with only the fields the agreements
    name (read through the visibility check, which logs every disclosure)."""
    grants = _partner_grants(session, actor, partner)
    agreements = sorted({g.agreement_id for g in grants})
    access = linkage_access(session, actor)
    # Checked again: the agreements may have changed since the run was started.
    columns = frame_columns(shared_fields(grants), column_map or {},
                            source=f"{partner.slug}'s records shared under agreements {agreements}",
                            agreements=agreements)
    records: list[dict[str, str]] = []
    last_id = 0
    while True:
        cases = session.scalars(
            select(Case).where(access.case_filter, Case.organisation_id == partner.id, Case.id > last_id)
            .options(selectinload(Case.persons).selectinload(Person.needs), selectinload(Case.organisation),
                     selectinload(Case.situation))
            .order_by(Case.id).limit(500)
        ).all()
        if not cases:
            break
        for case in cases:
            fields = access.fields_for(case)  # the disclosure, logged
            for person in case.persons:
                if person.erased_at is not None or not access.person_visible(case, person):
                    continue
                row = {"record_id": str(person.id), "household_id": str(case.id)}
                for column, field in columns.items():
                    value = getattr(person, field) if f"person.{field}" in fields else None
                    row[column] = _SEX.get(value or "", "") if column == "sex" else (value or "")
                records.append(row)
        last_id = cases[-1].id
    return pd.DataFrame(records, columns=["record_id", "household_id", *columns])


def _store(session: Session, run: LinkageRun, result: LinkageResult, *, own_slug: str, records_own: int,
           records_partner: int) -> None:
    pairs = result.pairs
    organisation_id = run.organisation_id
    settled = _settled_pairs(session, organisation_id)
    together = _merged_together(session, organisation_id)
    rows: list[dict[str, Any]] = []
    skipped = 0
    for index in range(len(pairs)):
        row = pairs.iloc[index]
        left, right = int(row["left_id"]), int(row["right_id"])
        if run.kind == LinkageKind.LINK.value:
            if str(row["left_source"]) != own_slug:
                left, right = right, left
        elif left > right:
            left, right = right, left
        key = frozenset((left, right))
        if key in settled or together.get(left, -1) == together.get(right, -2):
            skipped += 1
            continue
        settled.add(key)
        explanation = result.explain(index)
        rows.append({
            "run_id": run.id, "organisation_id": organisation_id, "left_person_id": left, "right_person_id": right,
            "match_probability": float(row["match_probability"]), "match_weight": float(row["match_weight"]),
            "explanation": {
                "prior_weight": round(explanation.prior_weight, 4),
                "comparisons": [{"comparison": c.comparison, "level": c.level,
                                 "match_weight": round(c.match_weight, 4)} for c in explanation.contributions],
            },
            "status": "pending", "reason": "",
        })
    if rows:
        session.execute(insert(LinkagePair), rows)
    sizes = result.clusters["cluster_id"].value_counts()
    run.records_own = records_own
    run.records_partner = records_partner
    run.pairs = len(rows)
    run.links = int((pairs["match_probability"] >= result.threshold).sum())
    run.clusters = int((sizes > 1).sum())
    run.skipped = skipped
    run.model_summary = model_summary(result.model)
    run.notes = list(result.notes)
    run.status = RunStatus.DONE.value
    run.progress = "done"
    run.finished_at = utcnow()


def _settled_pairs(session: Session, organisation_id: int) -> set[frozenset[int]]:
    """Pairs already in the queue or decided: a new run does not ask about them again."""
    rows = session.execute(select(LinkagePair.left_person_id, LinkagePair.right_person_id)
                           .where(LinkagePair.organisation_id == organisation_id))
    return {frozenset(r) for r in rows}


def _merged_together(session: Session, organisation_id: int) -> dict[int, int]:
    rows = session.execute(
        select(MergedPersonMember.person_id, MergedPersonMember.merged_person_id)
        .join(MergedPerson, MergedPerson.id == MergedPersonMember.merged_person_id)
        .where(MergedPerson.organisation_id == organisation_id, MergedPerson.status == "active",
               MergedPersonMember.left_at.is_(None))
    )
    return dict(rows.all())


def model_summary(model: dict[str, Any]) -> dict[str, Any]:
    """The trained model in brief: the prior and, per comparison level, m, u and the match weight log2(m/u).

    (The engine returns Splink's whole settings document; this keeps what a reviewer reads.)

    >>> s = model_summary({"probability_two_random_records_match": 0.001, "comparisons": [
    ...     {"output_column_name": "sex", "comparison_description": "sex", "comparison_levels": [
    ...         {"is_null_level": True, "label_for_charts": "missing"},
    ...         {"label_for_charts": "same", "m_probability": 0.9, "u_probability": 0.45}]}]})
    >>> s["comparisons"][0]["levels"][0]["match_weight"]
    1.0
    """
    prior = float(model.get("probability_two_random_records_match", 1e-4))
    comparisons = []
    for comparison in model.get("comparisons", []):
        levels = []
        for level in comparison.get("comparison_levels", []):
            if level.get("is_null_level"):
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            weight = math.log2(m / u) if m and u else None
            levels.append(ModelLevelPublic(label=str(level.get("label_for_charts", "")), m_probability=m,
                                           u_probability=u, match_weight=None if weight is None else round(weight, 4)))
        comparisons.append(ModelComparisonPublic(comparison=str(comparison.get("output_column_name", "")),
                                                 description=str(comparison.get("comparison_description", "")),
                                                 levels=levels))
    return ModelSummaryPublic(probability_two_random_records_match=prior,
                              prior_weight=round(math.log2(prior / (1 - prior)), 4),
                              comparisons=comparisons).model_dump()


# -- reading ---------------------------------------------------------------------------------------------


def _load(session: Session, actor: Actor, run_id: int) -> LinkageRun:
    run = session.scalar(select(LinkageRun).where(LinkageRun.id == run_id,
                                                  LinkageRun.organisation_id == actor.organisation_id)
                         .options(selectinload(LinkageRun.organisation), selectinload(LinkageRun.partner),
                                  selectinload(LinkageRun.started_by)))
    if run is None:
        raise NotFound("linkage run", run_id)
    return run


def get_run(session: Session, *, actor: Actor, run_id: int) -> LinkageRunPublic:
    run = _load(session, actor, run_id)
    return to_public(run, _pending_counts(session, [run.id]).get(run.id, 0))


def list_runs(session: Session, *, actor: Actor, limit: int = 50) -> list[LinkageRunPublic]:
    runs = session.scalars(
        select(LinkageRun).where(LinkageRun.organisation_id == actor.organisation_id)
        .options(selectinload(LinkageRun.organisation), selectinload(LinkageRun.partner),
                 selectinload(LinkageRun.started_by))
        .order_by(LinkageRun.id.desc()).limit(limit)
    ).all()
    pending = _pending_counts(session, [r.id for r in runs])
    return [to_public(r, pending.get(r.id, 0)) for r in runs]


def _pending_counts(session: Session, run_ids: list[int]) -> dict[int, int]:
    if not run_ids:
        return {}
    rows = session.execute(select(LinkagePair.run_id, func.count(LinkagePair.id))
                           .where(LinkagePair.run_id.in_(run_ids), LinkagePair.status == "pending")
                           .group_by(LinkagePair.run_id))
    return dict(rows.all())


def to_public(run: LinkageRun, pending: int) -> LinkageRunPublic:
    status = RunStatus(run.status)
    if status in (RunStatus.QUEUED, RunStatus.RUNNING) and run.created_at < utcnow() - STALE_AFTER:
        status = RunStatus.FAILED
    return LinkageRunPublic(
        id=run.id, organisation=run.organisation.slug, kind=LinkageKind(run.kind),
        partner=run.partner.slug if run.partner else None, agreements=[int(a) for a in run.agreement_ids],
        parameters=dict(run.parameters), status=status, progress=run.progress,
        started_by=run.started_by.display_name if run.started_by else None, created_at=run.created_at,
        started_at=run.started_at, finished_at=run.finished_at, records_own=run.records_own,
        records_partner=run.records_partner, pairs=run.pairs, links=run.links, clusters=run.clusters,
        skipped=run.skipped, pending=pending,
        model=ModelSummaryPublic.model_validate(run.model_summary) if run.model_summary else None,
        notes=list(run.notes), error=RunErrorPublic.model_validate(run.error) if run.error else None,
    )


__all__ = ["execute_run", "frame_columns", "get_run", "list_runs", "model_summary", "own_frame", "partners",
           "shared_fields", "shared_frame", "start_run", "to_public"]
