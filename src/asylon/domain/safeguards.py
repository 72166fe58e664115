"""Protection safeguards as hard rules. Each refusal names its rule.

=================================  ====================================================================
rule                               refuses
=================================  ====================================================================
``non-refoulement.nationality``    a transfer (resettlement, relocation, complementary pathway) to the
                                   country of nationality of any member
``non-refoulement.fled``           a transfer to a country the case is recorded as fleeing
``non-refoulement.unsafe``         a transfer to a country flagged unsafe for the profile of any member
``family-unity.split``             members of one case sent to different destinations without a
                                   recorded family-unity decision
``voluntariness.declaration``      a voluntary repatriation moving past ``intention`` before every adult
                                   member (or, when no age is known, the principal applicant) has a
                                   recorded individual voluntariness declaration
``return.unsafe``                  an organisation-initiated return to a country flagged unsafe for the
                                   profile of any member — at any step, whatever was declared
=================================  ====================================================================

These functions are pure: the service layer gathers the facts from storage and calls them inside the
transaction that makes the change, so a change and its check cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from asylon.errors import SafeguardRefused

ADULT_AGE = 18


@dataclass(frozen=True, slots=True)
class UnsafeFlag:
    """``country`` is unsafe for people matching ``applies_to``: ``"all"``, a nationality (ISO3) or a need code."""

    country: str
    applies_to: str = "all"
    reason: str = ""

    def matches(self, member: MemberFacts) -> bool:
        return self.applies_to in {"all", member.nationality} or self.applies_to in member.needs


@dataclass(frozen=True, slots=True)
class MemberFacts:
    ref: str
    nationality: str | None = None
    age: int | None = None
    needs: frozenset[str] = field(default_factory=frozenset)
    is_principal: bool = False
    voluntariness_declared: bool = False
    destination: str | None = None


def _unsafe_for(country: str, members: Iterable[MemberFacts], flags: Iterable[UnsafeFlag]) -> list[str]:
    reasons = []
    for flag in flags:
        if flag.country != country:
            continue
        for member in members:
            if flag.matches(member):
                why = f" ({flag.reason})" if flag.reason else ""
                reasons.append(f"{member.ref}: {country} is flagged unsafe for '{flag.applies_to}'{why}")
                break
    return reasons


def check_transfer(
    *,
    destination: str,
    members: Sequence[MemberFacts],
    fled: Iterable[str],
    unsafe: Iterable[UnsafeFlag],
    family_unity_decision: bool,
) -> None:
    """Refuse a transfer of a case that any safeguard forbids.

    >>> check_transfer(destination="SYR", members=[MemberFacts("P1", nationality="SYR")], fled=[],
    ...                unsafe=[], family_unity_decision=False)
    Traceback (most recent call last):
    ...
    asylon.errors.SafeguardRefused: a transfer to SYR would return P1 to their country of nationality (rule: non-refoulement.nationality)
    """
    for member in members:
        target = member.destination or destination
        if member.nationality and member.nationality == target:
            raise SafeguardRefused(
                "non-refoulement.nationality",
                f"a transfer to {target} would return {member.ref} to their country of nationality",
            )
    fled_set = set(fled)
    targets = {m.destination or destination for m in members} or {destination}
    for target in sorted(targets & fled_set):
        raise SafeguardRefused(
            "non-refoulement.fled", f"the case is recorded as fleeing {target}; it cannot be transferred there"
        )
    for target in sorted(targets):
        reasons = _unsafe_for(target, members, unsafe)
        if reasons:
            raise SafeguardRefused("non-refoulement.unsafe", "; ".join(reasons))
    if len(targets) > 1 and not family_unity_decision:
        raise SafeguardRefused(
            "family-unity.split",
            f"members would go to {', '.join(sorted(targets))}; record a family-unity decision before splitting a case",
        )


def check_repatriation(
    *,
    target_state: str,
    return_country: str | None,
    members: Sequence[MemberFacts],
    initiated_by: str,
    unsafe: Iterable[UnsafeFlag],
) -> None:
    """Refuse a voluntary-repatriation step that a safeguard forbids.

    ``initiated_by`` is ``"person"`` or ``"organisation"``. States before and at ``intention`` need no
    declaration (a person may express an intention at any time); withdrawal is always allowed.
    """
    if target_state in {"identified", "intention", "withdrawn"}:
        pass
    else:
        adults = [m for m in members if m.age is not None and m.age >= ADULT_AGE]
        needing = adults or [m for m in members if m.is_principal] or list(members[:1])
        missing = [m.ref for m in needing if not m.voluntariness_declared]
        if missing:
            raise SafeguardRefused(
                "voluntariness.declaration",
                f"no individual voluntariness declaration is recorded for {', '.join(missing)}; "
                "record one for each adult before the return can go past 'intention'",
            )
    if initiated_by == "organisation" and return_country is not None and target_state != "withdrawn":
        reasons = _unsafe_for(return_country, members, unsafe)
        if reasons:
            raise SafeguardRefused(
                "return.unsafe",
                "an organisation-initiated return to a country flagged unsafe is not possible: " + "; ".join(reasons),
            )
