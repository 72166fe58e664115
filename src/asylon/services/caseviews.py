"""Reading cases: lists with filters and search, one case, its history. Every read passes through
:func:`asylon.services.visibility.access_for`, and what leaves is redacted to the fields it allows."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import BindParameter, Connection, Integer, Select, any_, bindparam, exists, func, or_, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, selectinload

from asylon.db.models import Case, CaseEvent, Organisation, Person, PersonNeed, Situation
from asylon.errors import NotFound
from asylon.schemas.agreements import ALWAYS_SHARED
from asylon.schemas.cases import CaseEventPublic, CasePublic, PersonPublic
from asylon.services.actors import Actor
from asylon.services.names import query_terms
from asylon.services.registry import load_case
from asylon.services.visibility import ALL_FIELDS, Access, access_for

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CaseFilters:
    q: str | None = None
    legal_status: str | None = None
    pathway: str | None = None
    pathway_state: str | None = None
    country_of_asylum: str | None = None
    origin_country: str | None = None
    need: str | None = None
    situation: str | None = None
    updated_since: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


def _filtered(access: Access, filters: CaseFilters, base: Select[Any] | None = None) -> Select[Any]:
    """The visible cases that pass ``filters``, as rows of ``base`` (default :data:`_CASE_ROWS`, the view's
    columns)."""
    query = (_CASE_ROWS if base is None else base).where(access.case_filter)
    if filters.legal_status:
        query = query.where(Case.legal_status == filters.legal_status)
    if filters.pathway:
        query = query.where(Case.pathway == filters.pathway)
    if filters.pathway_state:
        query = query.where(Case.pathway_state == filters.pathway_state)
    if filters.country_of_asylum:
        query = query.where(Case.country_of_asylum == filters.country_of_asylum.upper())
    if filters.origin_country:
        query = query.where(Case.origin_country == filters.origin_country.upper())
    if filters.updated_since:
        query = query.where(Case.updated_at >= filters.updated_since)
    if filters.situation:
        query = query.where(Case.situation.has(Situation.code == filters.situation))
    if filters.need:
        query = query.where(exists().where(PersonNeed.case_id == Case.id, PersonNeed.code == filters.need))
    if filters.q:
        text = filters.q.strip()
        conditions = [Case.case_number == text]
        terms = query_terms(text)
        if terms:
            # Every word of the query must match one of the same person's name forms: as the start of a
            # written word, or as a whole transliteration-aware key.
            person_match = [Person.case_id == Case.id]
            for start, key in terms:
                options = [Person.search_key.contains(start, autoescape=True)]
                if key:
                    options.append(Person.search_key.contains(key, autoescape=True))
                person_match.append(or_(*options))
            conditions.append(exists().where(*person_match))
        query = query.where(or_(*conditions))
    return query


def list_cases(
    session: Session, *, actor: Actor, filters: CaseFilters, limit: int = 50, offset: int = 0
) -> Page[CasePublic]:
    access = access_for(session, actor)
    page, count = _page_statements(access, filters)
    connection = session.connection()
    rows = connection.execute(page, {"page_limit": limit, "page_offset": offset},
                              execution_options=_BY_POSITION).all()
    # Past the last page (or with nothing to show) the count is asked alone.
    total = rows[0][-1] if rows else connection.scalar(count, execution_options=_BY_POSITION) or 0
    views = _views_of(connection, [row[:-1] for row in rows])
    return Page([to_public(access, v) for v in views], total, limit, offset)


def _literal(name: str) -> BindParameter[int]:
    """A value written into the statement when it runs, not sent as a parameter (the statement stays cached).

    PostgreSQL plans a prepared statement once for all parameter values only when that plan looks no dearer than
    planning each execution anew; a LIMIT it cannot see it takes for a tenth of the rows, so the page query was
    planned again on every request (database CPU per list request 0.73 -> 0.58 ms).
    """
    return bindparam(name, type_=Integer, literal_execute=True)


# Page statements by what decides them: who may see what (organisation, purpose, agreements) and the filters.
# Building one and computing its cache key cost 0.5 ms of 3.2 ms CPU of a list request; the same few are asked
# again and again.
_PAGES: OrderedDict[tuple[Any, ...], tuple[Select[Any], Select[Any]]] = OrderedDict()
_PAGES_KEPT = 512
_pages_lock = threading.Lock()


def _page_statements(access: Access, filters: CaseFilters) -> tuple[Select[Any], Select[Any]]:
    """The page statement (its count riding along) and the count alone, for ``access`` and ``filters``."""
    key = (access.actor.organisation_id, access.purpose, access.grants, filters)
    with _pages_lock:
        found = _PAGES.get(key)
        if found is not None:
            _PAGES.move_to_end(key)
            return found
    # The count rides along with the page as a subquery the database evaluates once (counted without the joins
    # the page needs; a window count over the page query cost 4x more on SQLite): one statement, not two.
    count = _filtered(access, filters, select(func.count(Case.id)))
    page = (_filtered(access, filters).add_columns(count.scalar_subquery().correlate(None))
            .order_by(Case.id).limit(_literal("page_limit")).offset(_literal("page_offset")))
    with _pages_lock:
        _PAGES[key] = (page, count)
        if len(_PAGES) > _PAGES_KEPT:
            _PAGES.popitem(last=False)
    return page, count


def iter_cases(session: Session, *, actor: Actor, filters: CaseFilters, batch: int = 500) -> Iterator[CasePublic]:
    """Every visible case, in id order, in batches (for exports of any size)."""
    access = access_for(session, actor)
    last_id = 0
    while True:
        views = _views(session, _filtered(access, filters).where(Case.id > last_id).order_by(Case.id).limit(batch))
        if not views:
            return
        for view in views:
            yield to_public(access, view)
        last_id = views[-1].id


def get_case(session: Session, *, actor: Actor, case_id: int) -> CasePublic:
    access = access_for(session, actor)
    views = _views(session, _CASE_ROWS.where(Case.id == case_id, access.case_filter))
    if not views:
        raise NotFound("case", case_id)
    return to_public(access, views[0])


# Reads build light views from rows instead of ORM objects: loading 20 cases with their persons and needs as
# objects cost ~8 ms, almost all of it in the ORM's identity map and attribute instrumentation; rows cost ~1 ms.
@dataclass(slots=True)
class PersonView:
    id: int
    person_ref: str
    relationship_: str
    given_name: str | None
    family_name: str | None
    name_original: str | None
    name_script: str | None
    sex: str
    date_of_birth: str | None
    dob_precision: str | None
    nationality: str | None
    place_of_birth: str | None
    languages: list[str]
    education: str | None
    occupation: str | None
    destination: str | None
    voluntariness_declared_at: dt.datetime | None
    erased_at: dt.datetime | None
    needs: list[str] = field(default_factory=list)


@dataclass(slots=True)
class CaseView:
    id: int
    organisation_id: int
    case_number: str
    situation_id: int | None
    country_of_asylum: str
    origin_country: str | None
    fled_countries: list[str]
    legal_status: str
    pathway: str
    pathway_state: str
    pathway_destination: str | None
    pathway_initiated_by: str
    family_unity_decision: str | None
    registered_on: dt.date
    size: int
    version: int
    updated_at: dt.datetime
    organisation_slug: str
    situation_code: str | None
    persons: list[PersonView] = field(default_factory=list)


_PERSON_NAMES = tuple(name for name in PersonView.__dataclass_fields__ if name != "needs")
_PERSON_COLUMNS = tuple(getattr(Person, name) for name in _PERSON_NAMES)
_CASE_NAMES = tuple(n for n in CaseView.__dataclass_fields__ if n not in ("organisation_slug", "situation_code", "persons"))
_CASE_COLUMNS = tuple(getattr(Case, name) for name in _CASE_NAMES)
# _views builds views from rows by position: stored columns first, then the joined ones, then what it fills in.
assert tuple(CaseView.__dataclass_fields__)[len(_CASE_NAMES):] == ("organisation_slug", "situation_code", "persons")


# Built once: constructing statements (coercing columns, computing cache keys) cost as much as running them.
_CASE_ROWS = (
    select(*_CASE_COLUMNS, Organisation.slug, Situation.code)
    .join(Organisation, Organisation.id == Case.organisation_id)
    .outerjoin(Situation, Situation.id == Case.situation_id)
)
_PERSONS = select(
    Person.case_id,
    *_PERSON_COLUMNS,
    select(func.aggregate_strings(PersonNeed.code, ",")).where(PersonNeed.person_id == Person.id).scalar_subquery(),
).order_by(Person.id)
# The persons of a page of cases: a list of parameters, or on PostgreSQL one array. A list is rewritten into the
# statement on every run (0.1 ms of a list request) and makes a statement for each length of page.
_PERSON_ROWS = _PERSONS.where(Person.case_id.in_(bindparam("case_ids", expanding=True)))
_PERSON_ROWS_ARRAY = _PERSONS.where(Person.case_id == any_(bindparam("case_ids", type_=postgresql.ARRAY(Integer))))


# Rows of statements built per request are read by position only. A statement built anew whose compiled form
# comes from the cache otherwise has its result columns matched to the cached ones, comparing column objects
# with SQL ``==`` (~0.2 ms of a list request). The ORM sets this option on its own queries for the same reason;
# an engine that did not know it would only be slower.
_BY_POSITION = {"_result_disable_adapt_to_context": True}


def _views(session: Session, query: Select[Any]) -> list[CaseView]:
    """The cases ``query`` selects (from :data:`_CASE_ROWS`, with filters, order and limit), as views, in its
    order: two queries whatever the number of cases (cases with organisation and situation; persons with needs).

    Executed on the session's connection: these are plain rows, and the ORM's execution path cost more than the
    queries themselves.
    """
    connection = session.connection()
    return _views_of(connection, connection.execute(query, execution_options=_BY_POSITION).all())


def _views_of(connection: Connection, rows: Sequence[Sequence[Any]]) -> list[CaseView]:
    """Views of case rows of :data:`_CASE_ROWS`, with their persons (one query)."""
    if not rows:
        return []
    # Rows hold the views' fields in their declared order (see _CASE_ROWS and _PERSON_ROWS).
    cases = [CaseView(*row) for row in rows]
    by_id = {c.id: c for c in cases}
    persons = _PERSON_ROWS_ARRAY if connection.dialect.name == "postgresql" else _PERSON_ROWS
    for row in connection.execute(persons, {"case_ids": list(by_id)}).all():
        person = PersonView(*row[1:-1])
        if row[-1]:
            person.needs = sorted(row[-1].split(","))
        by_id[row[0]].persons.append(person)
    return cases


def view_of(case: Case) -> CaseView:
    """A stored case (with persons and needs loaded) as a view."""
    return CaseView(
        **{name: getattr(case, name) for name in _CASE_NAMES},
        organisation_slug=case.organisation.slug,
        situation_code=case.situation.code if case.situation else None,
        persons=[PersonView(**{name: getattr(p, name) for name in _PERSON_NAMES}, needs=[n.code for n in p.needs])
                 for p in case.persons],
    )


def case_history(session: Session, *, actor: Actor, case_id: int) -> list[CaseEventPublic]:
    case = load_case(session, actor, case_id)
    # Another organisation sees that and when the case changed, never what changed or who changed it:
    # event data is not among the fields an agreement can name.
    own = case.organisation_id == actor.organisation_id
    events = session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id)
        .options(selectinload(CaseEvent.organisation), selectinload(CaseEvent.actor))
        .order_by(CaseEvent.id)
    ).all()
    return [
        CaseEventPublic(
            id=e.id,
            at=e.at,
            kind=e.kind,
            organisation=e.organisation.slug,
            actor=e.actor.display_name if e.actor and own else None,
            data=e.data if own else {},
            reason=e.reason if own else "",
        )
        for e in events
    ]


def to_public(access: Access, case: Case | CaseView) -> CasePublic:
    view = case if isinstance(case, CaseView) else view_of(case)
    fields = access.fields_for(view)
    shown_all = fields == ALL_FIELDS
    persons = [
        PersonPublic(
            person_ref=p.person_ref,
            relationship=p.relationship_,
            given_name=p.given_name,
            family_name=p.family_name,
            name_original=p.name_original,
            name_script=p.name_script,
            sex=p.sex,
            date_of_birth=p.date_of_birth,
            dob_precision=p.dob_precision,
            nationality=p.nationality,
            place_of_birth=p.place_of_birth,
            languages=list(p.languages),
            education=p.education,
            occupation=p.occupation,
            needs=p.needs,
            destination=p.destination,
            voluntariness_declared_at=p.voluntariness_declared_at,
            erased=p.erased_at is not None,
        )
        for p in view.persons
        if shown_all or access.person_visible(view, p)
    ]
    public = CasePublic(
        id=view.id,
        organisation=view.organisation_slug,
        case_number=view.case_number,
        situation=view.situation_code,
        country_of_asylum=view.country_of_asylum,
        origin_country=view.origin_country,
        fled_countries=list(view.fled_countries),
        legal_status=view.legal_status,
        pathway=view.pathway,
        pathway_state=view.pathway_state,
        pathway_destination=view.pathway_destination,
        pathway_initiated_by=view.pathway_initiated_by,
        family_unity_decision=view.family_unity_decision,
        registered_on=view.registered_on,
        size=view.size,
        version=view.version,
        updated_at=view.updated_at,
        persons=persons,
    )
    return public if fields == ALL_FIELDS else redact(public, fields)


def redact(public: CasePublic, fields: frozenset[str]) -> CasePublic:
    """Keep only ``fields`` (``case.<name>`` or ``person.<name>``); identifiers and structure always stay."""
    keep_always = ALWAYS_SHARED
    data: dict[str, Any] = public.model_dump()
    for key in list(data):
        if key not in keep_always and f"case.{key}" not in fields:
            data[key] = [] if isinstance(data[key], list) else None
    for person in data["persons"]:
        for key in list(person):
            if key not in keep_always and f"person.{key}" not in fields:
                person[key] = [] if isinstance(person[key], list) else None
    return CasePublic.model_validate(data)
