"""Importing a caseload file: validate everything first, then write all of it or nothing.

Re-importing a file is idempotent: cases are keyed by the organisation's own case number, so a case that
is already stored with the same content is left alone, and one whose content changed is updated (with an
event, and only through legal status and pathway moves). Persons stored but absent from the file are kept
— an import never deletes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session, selectinload

from asylon.config import get_settings
from asylon.db import statistics
from asylon.db.base import utcnow
from asylon.db.ids import allocate_ids
from asylon.db.models import Case, CaseEvent, ImportBatch, Person, PersonNeed, Situation
from asylon.domain.organisations import Role
from asylon.domain.pathways import PATHWAY_MACHINES, PathwayKind
from asylon.domain.status import STATUS_MACHINE
from asylon.errors import AsylonError, InvalidFile, InvalidInput, Problem
from asylon.schemas.cases import CaseCreate
from asylon.services.actors import Actor
from asylon.services.interchange.reader import Format, ParsedCase, detect_format, read_cases
from asylon.services.registry import (
    apply_person,
    case_snapshot,
    case_values,
    check_new_case,
    new_person,
    new_person_values,
    person_snapshot,
    person_values,
    record_event,
    set_needs,
)
from asylon.services.safeguards import check_case_transfer, unsafe_flags

Progress = Callable[[str, int, int], None]
WRITE_BATCH = 2000


@dataclass(slots=True)
class ImportReport:
    filename: str
    format: str
    rows: int
    cases: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    batch_id: int | None = None
    warnings: list[str] = field(default_factory=list)


class UploadTooLarge(InvalidInput):
    code = "upload-too-large"


def import_cases(
    session: Session,
    *,
    actor: Actor,
    content: bytes,
    filename: str = "upload",
    fmt: Format | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate ``content`` whole; if anything is wrong raise :class:`InvalidFile` listing every problem and
    write nothing; otherwise create and update cases in the caller's transaction and return what changed."""
    actor.require(Role.CASEWORKER, "importing cases")
    limit = get_settings().max_upload_bytes
    if len(content) > limit:
        raise UploadTooLarge(Problem(f"the file is {len(content):,} bytes; the limit is {limit:,}",
                                     fix="split the file, or raise ASYLON_MAX_UPLOAD_BYTES"))
    fmt = fmt or detect_format(content, filename)
    step = (lambda done, total: progress("validating", done, total)) if progress else None
    parsed = read_cases(content, filename=filename, fmt=fmt, progress=step)
    return apply_drafts(session, actor=actor, parsed=parsed, filename=filename, fmt=fmt,
                        sha256=hashlib.sha256(content).hexdigest(), dry_run=dry_run, progress=progress)


def apply_drafts(
    session: Session,
    *,
    actor: Actor,
    parsed: list[ParsedCase],
    filename: str,
    fmt: str,
    sha256: str,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Check validated drafts against what is stored and the safeguards; then create and update cases,
    or raise :class:`InvalidFile` listing every problem having changed nothing."""
    problems: list[Problem] = []
    _check_duplicates(parsed, problems)
    situations = _situations(session, parsed, problems)
    existing = _existing(session, actor, [p.draft.case_number for p in parsed])
    report = ImportReport(filename, fmt, sum(len(p.draft.persons) for p in parsed), len(parsed), dry_run=dry_run)

    flags = unsafe_flags(session)
    new_cases: list[ParsedCase] = []
    for index, item in enumerate(parsed):
        try:
            stored = existing.get(item.draft.case_number)
            if stored is None:
                check_new_case(session, item.draft, flags)
                new_cases.append(item)
            elif _update(session, actor, stored, item.draft, situations, report):
                report.updated += 1
            else:
                report.unchanged += 1
        except AsylonError as exc:
            problems.append(Problem(exc.message, row=item.first_row, field="case_number", value=item.draft.case_number))
        if progress and index % 500 == 0:
            progress("checking", index, len(parsed))
    if problems:
        raise InvalidFile(filename, problems)
    report.created = len(new_cases)
    if dry_run:
        session.rollback()
        return report

    for start in range(0, len(new_cases), WRITE_BATCH):
        if progress:
            progress("writing", start, len(new_cases))
        _insert(session, actor, [p.draft for p in new_cases[start:start + WRITE_BATCH]], situations, filename)
    batch = ImportBatch(
        organisation_id=actor.organisation_id,
        actor_user_id=actor.user_id,
        sha256=sha256,
        filename=filename[:300],
        format=fmt,
        rows=report.rows,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
    )
    session.add(batch)
    session.flush()
    report.batch_id = batch.id
    if report.rows >= statistics.BULK_ROWS:
        statistics.refresh_after_commit(session)
    if progress:
        progress("writing", len(new_cases), len(new_cases))
    return report


def _table(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _insert(session: Session, actor: Actor, drafts: list[CaseCreate], situations: dict[str, int], filename: str) -> None:
    """Insert new cases with their persons, needs and registration events as bulk statements.

    The ORM's unit of work costs more than the database for tens of thousands of rows, so new cases go in
    as multi-row INSERTs built from the same column mapping single registrations use (``case_values``,
    ``new_person_values``), in the caller's transaction.
    """
    now = utcnow()
    session.flush()
    case_ids = allocate_ids(session, Case, len(drafts))
    case_rows = []
    for case_id, draft in zip(case_ids, drafts, strict=True):
        row = case_values(draft, organisation_id=actor.organisation_id,
                          situation_id=situations.get(draft.situation or ""))
        case_rows.append(row | {"id": case_id, "version": 1, "created_at": now, "updated_at": now})
    # Core statements on the tables (not ORM bulk inserts): plain executemany, nothing tracked.
    session.execute(insert(_table(Case)), case_rows)
    person_ids = allocate_ids(session, Person, sum(len(d.persons) for d in drafts))
    person_rows: list[dict[str, Any]] = []
    need_rows: list[dict[str, Any]] = []
    ids = iter(person_ids)
    for case_id, draft in zip(case_ids, drafts, strict=True):
        for person in draft.persons:
            person_id = next(ids)
            values = new_person_values(person)
            values["relationship"] = values.pop("relationship_")  # the column behind the attribute
            person_rows.append(values | {"id": person_id, "case_id": case_id})
            need_rows.extend({"person_id": person_id, "case_id": case_id, "code": code}
                             for code in sorted({str(n) for n in person.needs}))
    session.execute(insert(_table(Person)), person_rows)
    if need_rows:
        session.execute(insert(_table(PersonNeed)), need_rows)
    event_rows = [
        {"case_id": case_id, "organisation_id": actor.organisation_id, "actor_user_id": actor.user_id, "at": now,
         "kind": "case.registered", "reason": "",
         "data": {"source": "import", "file": filename, "case": _draft_snapshot(draft)}}
        for case_id, draft in zip(case_ids, drafts, strict=True)
    ]
    session.execute(insert(_table(CaseEvent)), event_rows)


def _check_duplicates(parsed: list[ParsedCase], problems: list[Problem]) -> None:
    seen: dict[str, int] = {}
    for item in parsed:
        number = item.draft.case_number
        if number in seen:
            problems.append(Problem(f"case {number} appears again (first at row {seen[number]})",
                                    field="case_number", row=item.first_row, fix="list each case once"))
        else:
            seen[number] = item.first_row


def _situations(session: Session, parsed: list[ParsedCase], problems: list[Problem]) -> dict[str, int]:
    codes = {p.draft.situation for p in parsed if p.draft.situation}
    rows = session.execute(select(Situation.code, Situation.id).where(Situation.code.in_(sorted(codes))))
    known = {code: situation_id for code, situation_id in rows}
    for item in parsed:
        if item.draft.situation and item.draft.situation not in known:
            problems.append(Problem(f"unknown situation '{item.draft.situation}'", field="situation",
                                    row=item.first_row, fix="create the situation first, or leave the cell empty"))
    return known


def _existing(session: Session, actor: Actor, numbers: list[str]) -> dict[str, Case]:
    found: dict[str, Case] = {}
    for start in range(0, len(numbers), 500):
        chunk = numbers[start:start + 500]
        rows = session.scalars(
            select(Case)
            .where(Case.organisation_id == actor.organisation_id, Case.case_number.in_(chunk))
            .options(selectinload(Case.persons).selectinload(Person.needs), selectinload(Case.situation))
        )
        found.update({c.case_number: c for c in rows})
    return found


def _draft_snapshot(draft: CaseCreate) -> dict[str, Any]:
    persons = []
    for p in draft.persons:
        values = p.model_dump(mode="json")
        persons.append({
            "person_ref": p.person_ref,
            "relationship": str(p.relationship),
            **{k: values[k] for k in ("given_name", "family_name", "name_original", "name_script", "sex",
                                      "date_of_birth", "nationality", "place_of_birth", "languages",
                                      "education", "occupation")},
            "needs": sorted({str(n) for n in p.needs}),
        })
    return {
        "case_number": draft.case_number,
        "situation": draft.situation,
        "country_of_asylum": draft.country_of_asylum,
        "origin_country": draft.origin_country,
        "fled_countries": sorted(set(draft.fled_countries)),
        "legal_status": str(draft.legal_status),
        "pathway": str(draft.pathway),
        "pathway_state": draft.pathway_state,
        "pathway_destination": draft.pathway_destination,
        "registered_on": draft.registered_on.isoformat() if draft.registered_on else None,
        "persons": persons,
    }


def _update(
    session: Session, actor: Actor, case: Case, draft: CaseCreate, situations: dict[str, int], report: ImportReport
) -> bool:
    """Bring ``case`` in line with ``draft``; return whether anything changed."""
    stored = case_snapshot(case)
    wanted = _draft_snapshot(draft)
    if wanted["registered_on"] is None:
        wanted["registered_on"] = stored["registered_on"]
    stored_persons = {p["person_ref"]: p for p in stored["persons"]}
    if {k: v for k, v in wanted.items() if k != "persons"} == {k: v for k, v in stored.items() if k != "persons"} and all(
        stored_persons.get(p["person_ref"]) == p for p in wanted["persons"]
    ):
        return False
    changes: dict[str, Any] = {}
    if wanted["legal_status"] != case.legal_status:
        STATUS_MACHINE.check(case.legal_status, wanted["legal_status"])
    if (wanted["pathway"], wanted["pathway_state"]) != (case.pathway, case.pathway_state):
        current = PATHWAY_MACHINES[PathwayKind(case.pathway)]
        if wanted["pathway"] == case.pathway:
            current.check(case.pathway_state, wanted["pathway_state"])
        elif case.pathway != PathwayKind.NONE and not current.is_final(case.pathway_state):
            raise InvalidInput(f"the case is on pathway '{case.pathway}' ({case.pathway_state}); "
                               "withdraw or finish it before importing another pathway")
    for key in ("country_of_asylum", "origin_country", "fled_countries", "legal_status", "pathway",
                "pathway_state", "pathway_destination"):
        if wanted[key] != stored[key]:
            changes[key] = [stored[key], wanted[key]]
            setattr(case, key, wanted[key])
    if wanted["registered_on"] != stored["registered_on"]:
        changes["registered_on"] = [stored["registered_on"], wanted["registered_on"]]
        case.registered_on = draft.registered_on or case.registered_on
    if wanted["situation"] != stored["situation"]:
        changes["situation"] = [stored["situation"], wanted["situation"]]
        case.situation_id = situations.get(wanted["situation"] or "")
    by_ref = {p.person_ref: p for p in case.persons}
    for person_draft, person_wanted in zip(draft.persons, wanted["persons"], strict=True):
        person = by_ref.get(person_draft.person_ref)
        if person is None:
            case.persons.append(new_person(case, person_draft))
            changes.setdefault("persons_added", []).append(person_draft.person_ref)
        elif person_snapshot(person) != person_wanted:
            if person.erased_at is not None:
                raise InvalidInput(f"person {person.person_ref} was erased; the import cannot restore their data")
            if person.relationship_ != person_wanted["relationship"]:
                person.relationship_ = person_wanted["relationship"]
            apply_person(person, person_values(person_draft))
            set_needs(person, case, person_wanted["needs"])
            changes.setdefault("persons_corrected", []).append(person_draft.person_ref)
    missing = sorted(set(by_ref) - {p.person_ref for p in draft.persons})
    if missing:
        report.warnings.append(f"case {case.case_number}: persons {', '.join(missing)} are stored but not in the file; kept")
    case.size = len(case.persons)
    if case.pathway_destination and case.pathway != PathwayKind.VOLUNTARY_REPATRIATION:
        check_case_transfer(session, case, case.pathway_destination)
    case.updated_at = utcnow()
    record_event(session, actor, case, "case.updated", {"source": "import", "changes": changes})
    return True
