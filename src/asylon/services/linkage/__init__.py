"""Linkage on the platform: runs over stored persons, the review queue, merges and unmerges.

- :mod:`.runs` — start a run (deduplication of the organisation's own persons, or linkage with another
  organisation's persons under an active agreement for deduplication), execute it (Splink through
  :mod:`asylon.engines.linkage.probabilistic`), store its pairs and model summary.
- :mod:`.review` — the queue of candidate pairs with each comparison's weight; accept (merge) or reject.
- :mod:`.merges` — merged persons: merge and unmerge through :mod:`asylon.engines.linkage.merge`, never
  changing a stored person, each step written as a case event.
- :mod:`.records` — one side of a pair or a member of a merged person as the caller may see it now.

Another organisation's persons are read only through :func:`asylon.services.visibility.access_for` with
``purpose="deduplication"`` and ``channel="linkage"``: only the cases its agreements cover, only the fields
they name, only consented persons where consent is the basis; each read is written to the access log.
The linkage routes declare that purpose themselves: a linkage request is, by what it does, for deduplication.
"""

from __future__ import annotations

from asylon.services.linkage.merges import get_merged, list_merged, merge_persons, unmerge
from asylon.services.linkage.records import CHANNEL, PURPOSE
from asylon.services.linkage.review import decide_pair, get_pair, list_pairs
from asylon.services.linkage.runs import (
    execute_run,
    get_run,
    list_runs,
    partners,
    start_run,
)

__all__ = [
    "CHANNEL",
    "PURPOSE",
    "decide_pair",
    "execute_run",
    "get_merged",
    "get_pair",
    "get_run",
    "list_merged",
    "list_pairs",
    "list_runs",
    "merge_persons",
    "partners",
    "start_run",
    "unmerge",
]
