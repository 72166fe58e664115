"""The review queue: candidate pairs with the weight of every comparison, and the caseworker's decision.

Accepting a pair merges its two persons (:func:`asylon.services.linkage.merges.merge_persons`); rejecting it
records why, and later runs do not ask about the same two persons again.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from asylon.db.base import utcnow
from asylon.db.models import LinkagePair
from asylon.domain.organisations import Role
from asylon.errors import Conflict, NotFound
from asylon.schemas.linkage import ComparisonPublic, LinkagePairPublic, PairDecision, PairStatus
from asylon.services.actors import Actor
from asylon.services.caseviews import Page
from asylon.services.linkage.merges import group_of, merge_persons
from asylon.services.linkage.records import RecordReader


def list_pairs(session: Session, *, actor: Actor, run_id: int | None = None, status: PairStatus | None =
               PairStatus.PENDING, limit: int = 50, offset: int = 0) -> Page[LinkagePairPublic]:
    """Pairs of the actor's organisation's runs, most likely matches first."""
    query = select(LinkagePair).where(LinkagePair.organisation_id == actor.organisation_id)
    if run_id is not None:
        query = query.where(LinkagePair.run_id == run_id)
    if status is not None:
        query = query.where(LinkagePair.status == status.value)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pairs = session.scalars(query.options(selectinload(LinkagePair.decided_by))
                            .order_by(LinkagePair.match_probability.desc(), LinkagePair.id)
                            .limit(limit).offset(offset)).all()
    reader = RecordReader(session, actor)
    reader.prefetch([p.left_person_id for p in pairs] + [p.right_person_id for p in pairs])
    return Page([to_public(p, reader) for p in pairs], total, limit, offset)


def get_pair(session: Session, *, actor: Actor, pair_id: int) -> LinkagePairPublic:
    return to_public(_load(session, actor, pair_id), RecordReader(session, actor))


def _load(session: Session, actor: Actor, pair_id: int) -> LinkagePair:
    pair = session.scalar(select(LinkagePair).where(LinkagePair.id == pair_id,
                                                    LinkagePair.organisation_id == actor.organisation_id)
                          .options(selectinload(LinkagePair.decided_by)))
    if pair is None:
        raise NotFound("linkage pair", pair_id)
    return pair


def decide_pair(session: Session, *, actor: Actor, data: PairDecision) -> LinkagePair:
    """Accept (merge the two persons) or reject a pending pair, with the reviewer's reason."""
    actor.require(Role.CASEWORKER, "deciding on a linkage pair")
    pair = _load(session, actor, data.pair_id)
    if pair.status != PairStatus.PENDING.value:
        who = pair.decided_by.display_name if pair.decided_by else "someone"
        when = f" on {pair.decided_at:%Y-%m-%d}" if pair.decided_at else ""
        raise Conflict(f"pair {pair.id} was already {pair.status} by {who}{when}")
    if data.decision == "accept":
        left, right = group_of(session, actor, pair.left_person_id), group_of(session, actor, pair.right_person_id)
        if left is not None and right is not None and left.id == right.id:
            pair.merged_person_id = left.id  # already one person through other accepted pairs
        else:
            pair.merged_person_id = merge_persons(session, actor=actor, left_id=pair.left_person_id,
                                                  right_id=pair.right_person_id, reason=data.reason,
                                                  pair_id=pair.id).id
    pair.status = PairStatus.ACCEPTED.value if data.decision == "accept" else PairStatus.REJECTED.value
    pair.decided_by_user_id = actor.user_id
    pair.decided_at = utcnow()
    pair.reason = data.reason
    session.flush()
    return pair


def to_public(pair: LinkagePair, reader: RecordReader) -> LinkagePairPublic:
    explanation = pair.explanation or {}
    return LinkagePairPublic(
        id=pair.id, run_id=pair.run_id, status=PairStatus(pair.status),
        match_probability=pair.match_probability, match_weight=pair.match_weight,
        prior_weight=float(explanation.get("prior_weight", 0.0)),
        comparisons=[ComparisonPublic.model_validate(c) for c in explanation.get("comparisons", [])],
        left=reader.record(pair.left_person_id), right=reader.record(pair.right_person_id),
        decided_by=pair.decided_by.display_name if pair.decided_by else None, decided_at=pair.decided_at,
        reason=pair.reason, merged_person_id=pair.merged_person_id,
    )
