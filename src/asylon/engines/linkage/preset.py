"""Splink model settings: our preset for registration data, and Splink's out-of-the-box settings.

The registration preset compares the columns :func:`asylon.engines.linkage.records.prepare` derives:

================  ===========================================================================================
comparison        levels (most to least specific)
================  ===========================================================================================
given             same romanisation · same name key (any script/transliteration) · equals the other's family
                  name (swapped) · a shared word · Jaro-Winkler ≥ 0.92 on romanisation · ≥ 0.85 on key
family            same as given, mirrored
dob               same exact date · both 1 January of the same year · same year where either side is year
                  only, estimated or 1 January · day and month transposed · same year and month · one
                  character apart · within 1 year where either side is coarse · within 1 year · within 3
                  years where either side is coarse (estimates drift)
sex, nationality  equal
place             same key · Jaro-Winkler ≥ 0.85
household         other members' given names shared: ≥ 2 · ≥ 1
================  ===========================================================================================

Term-frequency adjustments on names make "Mohammed" weaker evidence than a rare name. Blocking rules
pair records that share name keys or a name key and birth year, and swapped names, so transliteration
variants and coarse dates are still compared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on

__all__ = ["SCALABLE_FROM", "Preset", "out_of_the_box", "out_of_the_box_table", "registration"]

LinkType = Literal["dedupe_only", "link_only"]


@dataclass(frozen=True, slots=True)
class Preset:
    """A Splink model recipe: settings, the blocking rules EM trains on, and the deterministic rules
    used to estimate how many pairs match (with their assumed recall)."""

    name: str
    settings: SettingsCreator
    em_blocking: tuple[tuple[Any, ...], ...]
    deterministic_rules: tuple[str, ...]
    deterministic_recall: float
    required: tuple[str, ...]


def _null(col: str) -> dict[str, Any]:
    return {
        "sql_condition": f"{col}_l IS NULL OR {col}_r IS NULL",
        "label_for_charts": f"{col} missing",
        "is_null_level": True,
    }


def _name_comparison(own: str, other: str) -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name=own,
        comparison_description=f"{own} name",
        comparison_levels=[
            _null(f"{own}_key"),
            {
                "sql_condition": f"{own}_rom_l = {own}_rom_r",
                "label_for_charts": "same spelling",
                "tf_adjustment_column": f"{own}_rom",
                "tf_adjustment_weight": 1.0,
            },
            {
                "sql_condition": f"{own}_key_l = {own}_key_r",
                "label_for_charts": "same name, other spelling or script",
                "tf_adjustment_column": f"{own}_key",
                "tf_adjustment_weight": 1.0,
            },
            {
                "sql_condition": f"{own}_key_l = {other}_key_r OR {other}_key_l = {own}_key_r",
                "label_for_charts": f"equals the other's {other} name (swapped)",
            },
            cll.ArrayIntersectLevel(f"{own}_tokens", 1).configure(label_for_charts="a word in common"),
            cll.JaroWinklerLevel(f"{own}_rom", 0.92).configure(label_for_charts="spelling close (typo)"),
            cll.JaroWinklerLevel(f"{own}_key", 0.85).configure(label_for_charts="name key close"),
            cll.ElseLevel(),
        ],
    )


_COARSE = "(dob_coarse_l OR dob_coarse_r)"
_DOB_APART_M = 0.01
_YEAR_GAP = "abs(dob_year_l - dob_year_r)"


def _dob_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="dob",
        comparison_description="date of birth with its precision",
        comparison_levels=[
            _null("dob_year"),
            {"sql_condition": "dob_text_l = dob_text_r", "label_for_charts": "same exact date"},
            {
                "sql_condition": "dob_precision_l = 'jan1' AND dob_precision_r = 'jan1' AND dob_year_l = dob_year_r",
                "label_for_charts": "both 1 January of the same year",
            },
            {
                "sql_condition": f"dob_year_l = dob_year_r AND {_COARSE}",
                "label_for_charts": "same year; one is year only, estimated or 1 January",
            },
            {
                "sql_condition": "dob_year_l = dob_year_r AND dob_day_l = dob_month_r AND dob_month_l = dob_day_r",
                "label_for_charts": "day and month transposed",
            },
            {
                "sql_condition": "dob_year_l = dob_year_r AND dob_month_l = dob_month_r",
                "label_for_charts": "same year and month",
            },
            cll.DamerauLevenshteinLevel("dob_text", 1).configure(label_for_charts="one character apart"),
            {
                "sql_condition": f"{_YEAR_GAP} <= 1 AND {_COARSE}",
                "label_for_charts": "within a year; one side coarse",
            },
            {"sql_condition": f"{_YEAR_GAP} <= 1", "label_for_charts": "within a year"},
            {
                "sql_condition": f"{_YEAR_GAP} <= 3 AND {_COARSE}",
                "label_for_charts": "within 3 years; one side coarse",
            },
            # Fixed, not trained: EM's training block (same given name, same household) also holds a
            # parent and child of one name, and learnt that a third of people's dates differ by years
            # (m 0.34); in registration data with its coarse dates it is nearer 1 in 100.
            cll.ElseLevel().configure(m_probability=_DOB_APART_M, fix_m_probability=True),
        ],
    )


def _exact(col: str) -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name=col,
        comparison_levels=[
            _null(col),
            {"sql_condition": f"{col}_l = {col}_r", "label_for_charts": f"same {col}"},
            cll.ElseLevel(),
        ],
    )


Scale = Literal["thorough", "scalable"]

# Above this many records, "thorough" blocking compares too many pairs (blocks on a common name and a
# birth year grow with the register, so comparisons grow with its square); see benchmarks/linkage_scale.py.
SCALABLE_FROM = 250_000


def _blocking(scale: Scale) -> list[Any]:
    swapped = "l.given_key = r.family_key AND l.family_key = r.given_key"
    if scale == "thorough":
        return [
            block_on("given_key", "family_key"),
            block_on("family_key", "dob_year"),
            block_on("given_key", "dob_year"),
            block_on("given_first", "family_key"),
            block_on("given_key", "household_sig"),
            {"blocking_rule": swapped},
            block_on("dob_text", "nationality"),
            block_on("dob_year", "sex", "substr(given_key, 1, 1)", "substr(family_key, 1, 1)"),
            block_on("family_key", "sex", "place_key"),
        ]
    # Every rule pairs on a name key plus something that keeps blocks small as registers grow (birth
    # year, sex, household), so comparisons stay near-linear in the number of records.
    return [
        block_on("given_key", "family_key", "dob_year"),
        block_on("given_key", "family_key", "place_key"),
        block_on("given_key", "household_sig"),
        block_on("family_key", "dob_year", "sex"),
        block_on("given_key", "dob_year", "sex", "substr(family_key, 1, 1)"),
        block_on("given_first", "family_key", "dob_year"),
        {"blocking_rule": f"{swapped} AND l.dob_year = r.dob_year"},
        block_on("dob_text", "nationality"),
        block_on("dob_year", "sex", "substr(given_key, 1, 2)", "substr(family_key, 1, 2)"),
        block_on("family_key", "sex", "place_key", "substr(given_key, 1, 1)"),
    ]


def registration(
    link_type: LinkType,
    *,
    scale: Scale = "thorough",
    extra_comparisons: Sequence[Any] = (),
    extra_blocking: Sequence[Any] = (),
) -> Preset:
    """Our preset for refugee registration data (columns from :func:`~.records.prepare`).

    ``scale`` picks the blocking rules: "thorough" (more candidate pairs, best recall) or "scalable"
    (near-linear, for registers beyond :data:`SCALABLE_FROM` records). ``extra_comparisons`` and
    ``extra_blocking`` add Splink comparisons and blocking rules for other
    columns a register carries (an address, a phone number, an identifier shared under agreement).

    >>> registration("dedupe_only").name
    'registration'
    """
    settings = SettingsCreator(
        link_type=link_type,
        unique_id_column_name="unique_id",
        comparisons=[
            _name_comparison("given", "family"),
            _name_comparison("family", "given"),
            _dob_comparison(),
            _exact("sex"),
            _exact("nationality"),
            cl.CustomComparison(
                output_column_name="place",
                comparison_levels=[
                    _null("place_key"),
                    {"sql_condition": "place_key_l = place_key_r", "label_for_charts": "same place"},
                    cll.JaroWinklerLevel("place_key", 0.85).configure(label_for_charts="place close"),
                    cll.ElseLevel(),
                ],
            ),
            *extra_comparisons,
            cl.CustomComparison(
                output_column_name="household",
                comparison_levels=[
                    {
                        # household_sig is named here so that EM blocked on it does not train this comparison
                        "sql_condition": "household_keys_l IS NULL OR household_keys_r IS NULL "
                        "OR household_sig_l IS NULL OR household_sig_r IS NULL",
                        "label_for_charts": "household unknown",
                        "is_null_level": True,
                    },
                    {
                        "sql_condition": "array_contains(household_keys_l, given_first_r) "
                        "OR array_contains(household_keys_r, given_first_l)",
                        "label_for_charts": "the other is named like another member of this household",
                        # Fixed, not trained: one person is almost never named like a co-member of their
                        # own household, and EM (which sees siblings in one training block) would blur it.
                        "m_probability": 0.002,
                        "fix_m_probability": True,
                    },
                    cll.ArrayIntersectLevel("household_keys", 2).configure(
                        label_for_charts="2+ household members' names shared"
                    ),
                    cll.ArrayIntersectLevel("household_keys", 1).configure(
                        label_for_charts="a household member's name shared"
                    ),
                    cll.ElseLevel(),
                ],
            ),
        ],
        blocking_rules_to_generate_predictions=[*_blocking(scale), *extra_blocking],
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
        max_iterations=25,
        em_convergence=0.001,
    )
    return Preset(
        name="registration",
        settings=settings,
        # Each entry lists alternatives, the first that trains is used. Blocking on names alone lets EM
        # mistake households for people (members share family name, place and household); so dates and
        # the rest are learnt from "same given name, same household" pairs where households are known.
        em_blocking=(
            (block_on("given_key", "household_sig"), block_on("given_key", "family_key")),
            (block_on("dob_text"),),
        ),
        # Exact dates only: in a large register many different people share a common name and a birth
        # year, and counting them as matches inflates the prior (precision fell to 0.37 at 1M records).
        deterministic_rules=(
            "l.given_key = r.given_key AND l.family_key = r.family_key AND l.dob_text = r.dob_text",
        ),
        deterministic_recall=0.25,
        required=("given_key", "family_key", "dob_year"),
    )


def out_of_the_box(
    link_type: LinkType,
    *,
    comparisons: Sequence[Any] | None = None,
    blocking: Sequence[Any] = (),
) -> Preset:
    """Splink's standard comparisons on the columns as written (the baseline our preset is measured against).

    Expects ``given_name``, ``family_name``, ``dob_iso`` (year-only and estimated dates written as
    1 January, the usual convention), ``sex``, ``nationality``, ``place_of_birth``. ``comparisons``
    replaces the comparisons after the name and date ones (for registers with other columns, such as
    addresses); ``blocking`` adds blocking rules. Training is the same as ours.

    >>> [c.output_column_name for c in out_of_the_box("link_only").settings.get_settings("duckdb").comparisons][:3]
    ['given_name', 'family_name', 'dob_iso']
    """
    others = (
        [cl.ExactMatch("sex"), cl.ExactMatch("nationality"), cl.ExactMatch("place_of_birth")]
        if comparisons is None
        else list(comparisons)
    )
    settings = SettingsCreator(
        link_type=link_type,
        unique_id_column_name="unique_id",
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("family_name"),
            cl.DateOfBirthComparison("dob_iso", input_is_string=True),
            *others,
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "family_name"),
            block_on("family_name", "dob_iso"),
            block_on("given_name", "dob_iso"),
            *blocking,
        ],
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
    )
    return Preset(
        name="splink-out-of-the-box",
        settings=settings,
        em_blocking=((block_on("given_name", "family_name"),), (block_on("dob_iso"),)),
        deterministic_rules=(
            "l.given_name = r.given_name AND l.family_name = r.family_name AND l.dob_iso = r.dob_iso",
        ),
        deterministic_recall=0.6,
        required=("given_name", "family_name", "dob_iso"),
    )


def out_of_the_box_table(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """The columns as a generic pipeline would hold them: blanks as NULL, partial dates as 1 January.

    >>> out_of_the_box_table(pd.DataFrame({"record_id": ["1"], "given_name": ["Ali"], "family_name": [""],
    ...     "date_of_birth": ["~1990"]}), "a").loc[0, "dob_iso"]
    '1990-01-01'
    """

    def text(col: str) -> pd.Series:
        if col not in frame.columns:
            return pd.Series([None] * len(frame), dtype=object)
        s = frame[col].fillna("").astype(str).str.strip()
        return s.where(s != "", None).astype(object)

    dob = text("date_of_birth").str.lstrip("~")
    dob = dob.where(dob.str.len() != 4, dob + "-01-01")
    dob = dob.where(dob.str.len() != 7, dob + "-01")
    return pd.DataFrame(
        {
            "unique_id": frame["record_id"].astype(str).to_numpy(),
            "given_name": text("given_name").to_numpy(),
            "family_name": text("family_name").to_numpy(),
            "dob_iso": dob.to_numpy(),
            "sex": text("sex").to_numpy(),
            "nationality": text("nationality").to_numpy(),
            "place_of_birth": text("place_of_birth").to_numpy(),
            "source_dataset": source,
        }
    )
