"""check_pair: one case at one destination, every reason, in agreement with the optimiser's rules."""

from __future__ import annotations

import pytest

from asylon.engines.placement import check_pair
from asylon.engines.placement.eligibility import allowed_pairs, refusal
from asylon.engines.placement.model import Case, Destination, PlacementProblem, ScoreTable
from asylon.errors import InvalidInput

from .instances import random_problem


@pytest.mark.parametrize("seed", range(30))
def test_agrees_with_the_vectorised_rules(seed: int) -> None:
    problem = random_problem(3000 + seed, 6, 4, pins=False)
    elig = allowed_pairs(problem)
    allowed = set(zip(elig.case.tolist(), elig.destination.tolist(), strict=True))
    for i, case in enumerate(problem.cases):
        for j, dest in enumerate(problem.destinations):
            check = check_pair(problem, case.case_id, dest.destination_id)
            alone = (i, j) in allowed
            if check.allowed:
                assert alone and check.score is not None and check.uses
            elif alone:  # only a family member can block an allowed pair
                assert case.family_group is not None and any("family group" in r for r in check.reasons)
            else:
                first = refusal(case, dest)
                assert (first in check.reasons) if first else check.score is None


def _problem() -> PlacementProblem:
    cases = [Case("a", 2, nationality="SY", family_group="F"), Case("b", 7, nationality="SY", family_group="F",
                                                                    fled=frozenset({"DE"})),
             Case("c", 1, nationality="AF", needs=frozenset({"medical"}))]
    dests = [Destination("berlin", "DE", 5), Destination("lyon", "FR", 20, {"medical": 1})]
    t = ScoreTable.from_pairs([("a", "berlin", 1.0), ("b", "berlin", 1.0), ("a", "lyon", 0.5), ("b", "lyon", 0.4),
                               ("c", "berlin", 0.9), ("c", "lyon", 0.7)],
                              case_ids=["a", "b", "c"], destination_ids=["berlin", "lyon"])
    return PlacementProblem(cases, dests, t, quotas={"FR": 10})


def test_family_member_blocks_the_group_and_every_reason_is_given() -> None:
    p = _problem()
    a = check_pair(p, "a", "berlin")
    assert not a.allowed and a.score == 1.0
    assert a.reasons == ("family group 'F': b (non-refoulement: the case fled DE) may not go there",)
    b = check_pair(p, "b", "berlin")
    assert b.reasons[0] == "non-refoulement: the case fled DE"
    assert any("7 persons" in n and "5 places" in n for n in b.notes)
    c = check_pair(p, "c", "berlin")
    assert c.reasons == ("berlin does not offer service 'medical'",)


def test_allowed_pair_lists_what_it_uses() -> None:
    c = check_pair(_problem(), "c", "lyon")
    assert c.allowed and c.reasons == () and c.score == 0.7
    assert c.uses == ("capacity of lyon (1 person)", "service medical at lyon (1)", "quota of FR (1 person)")
    assert "allowed" in str(c)


def test_unknown_ids_are_named() -> None:
    with pytest.raises(InvalidInput) as err:
        check_pair(_problem(), "zz", "nowhere")
    text = str(err.value)
    assert "unknown case 'zz'" in text and "unknown destination 'nowhere'" in text
