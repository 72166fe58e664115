"""Fair-share engine: distribution keys, apportionment of whole persons, fair share versus effort,
pledge lifecycle rules and funding coverage. Pure computation: no database, no web.

Start with :func:`fair_share`::

    >>> result = fair_share("pact-2024", total=30_000, states=["DEU", "FRA", "ITA"], year=2023)
    >>> sum(result.allocation.as_dict().values())
    30000

Modules: ``model`` (dataclasses), ``key`` (criteria, caps, redistribution), ``presets`` (EU keys with
sources), ``apportion`` (Hamilton, D'Hondt, Sainte-Laguë, independent rounding and their paradoxes),
``inputs`` (shipped data or a user's CSV), ``keyfile`` (JSON keys), ``allocation`` (end to end),
``corrective`` (Dublin 2016 corrective allocation), ``effort`` (fair share versus effort), ``pledges``
(pledge state machine), ``funding`` (coverage, gaps, FTS-style and HXL flows).
"""

from asylon.engines.fairshare.allocation import (
    FairShare,
    allocate,
    build_table,
    fair_share,
    resolve_key,
    states_with_data,
)
from asylon.engines.fairshare.apportion import apportion, dhondt, hamilton, independent, sainte_lague
from asylon.engines.fairshare.corrective import CorrectiveResult, corrective_allocation
from asylon.engines.fairshare.effort import EffortRecord, EffortRow, chart_rows, compare, records_from_facts
from asylon.engines.fairshare.funding import (
    CoverageRow,
    Flow,
    Requirement,
    coverage,
    flows_from_csv,
    flows_from_fts,
    flows_to_csv,
    flows_to_fts,
)
from asylon.engines.fairshare.inputs import SHIPPED_COLUMNS, read_inputs_csv, table_from_facts
from asylon.engines.fairshare.key import compute_key
from asylon.engines.fairshare.keyfile import read_key_file, spec_from_mapping, spec_to_mapping
from asylon.engines.fairshare.model import (
    METHODS,
    Allocation,
    Cap,
    Criterion,
    KeyResult,
    KeySpec,
    Method,
    StateTable,
)
from asylon.engines.fairshare.pledges import Pledge, PledgeEvent, allowed_events, apply, new_pledge, replay
from asylon.engines.fairshare.presets import PRESETS, PactPool, Preset, pact_2024_pool, preset

__all__ = [
    "METHODS",
    "PRESETS",
    "SHIPPED_COLUMNS",
    "Allocation",
    "Cap",
    "CorrectiveResult",
    "CoverageRow",
    "Criterion",
    "EffortRecord",
    "EffortRow",
    "FairShare",
    "Flow",
    "KeyResult",
    "KeySpec",
    "Method",
    "PactPool",
    "Pledge",
    "PledgeEvent",
    "Preset",
    "Requirement",
    "StateTable",
    "allocate",
    "allowed_events",
    "apply",
    "apportion",
    "build_table",
    "chart_rows",
    "compare",
    "compute_key",
    "corrective_allocation",
    "coverage",
    "dhondt",
    "fair_share",
    "flows_from_csv",
    "flows_from_fts",
    "flows_to_csv",
    "flows_to_fts",
    "hamilton",
    "independent",
    "new_pledge",
    "pact_2024_pool",
    "preset",
    "read_inputs_csv",
    "read_key_file",
    "records_from_facts",
    "replay",
    "resolve_key",
    "sainte_lague",
    "spec_from_mapping",
    "spec_to_mapping",
    "states_with_data",
    "table_from_facts",
]
