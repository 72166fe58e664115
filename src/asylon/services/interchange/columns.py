"""The caseload file layout: one row per person, case columns repeated on each member's row.

Each column has a plain CSV name and an HXL hashtag with attributes. HXL's core dictionary has no
individual-level hashtags, so we use core hashtags (``#group`` for the case as a group of people,
``#beneficiary`` for the person, ``#country``, ``#date``, ``#status``, ``#need``, ``#loc``, ``#crisis``,
``#meta``) qualified by attributes; a reader matches a column when the column carries at least the
attributes listed here, so extra attributes (``+en``, ``+v_unhcr``) are harmless. Lists (``+list``) are
separated by semicolons.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    hxl: str
    level: str  # "case" or "person"
    required: bool = False
    is_list: bool = False
    help: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("case_number", "#group+case+id", "case", True, help="The organisation's own case number"),
    Column("situation", "#crisis+code", "case", help="Situation code"),
    Column("country_of_asylum", "#country+asylum+code", "case", True, help="ISO 3166 alpha-3"),
    Column("origin_country", "#country+origin+code", "case", help="ISO 3166 alpha-3"),
    Column("fled_countries", "#country+fled+code+list", "case", is_list=True, help="Countries fled, ISO3; ISO3"),
    Column("legal_status", "#status+legal", "case", help="asylum-seeker, refugee, ..."),
    Column("pathway", "#status+pathway+type", "case", help="none, resettlement, ..."),
    Column("pathway_state", "#status+pathway+state", "case", help="State within the pathway"),
    Column("pathway_destination", "#country+destination+code", "case", help="ISO 3166 alpha-3"),
    Column("registered_on", "#date+registered", "case", help="YYYY-MM-DD"),
    Column("person_ref", "#beneficiary+id", "person", True, help="Person reference within the case"),
    Column("relationship", "#beneficiary+relationship", "person", True, help="principal, spouse, child, ..."),
    Column("given_name", "#beneficiary+name+given", "person"),
    Column("family_name", "#beneficiary+name+family", "person"),
    Column("name_original", "#beneficiary+name+original", "person", help="Full name in its original script"),
    Column("name_script", "#beneficiary+name+script+code", "person", help="ISO 15924, e.g. Arab"),
    Column("sex", "#beneficiary+sex", "person", help="F, M, X or U"),
    Column("date_of_birth", "#date+birth", "person", help="YYYY-MM-DD, YYYY-MM, YYYY or ~YYYY"),
    Column("nationality", "#country+nationality+code", "person", help="ISO3, STA or UNK"),
    Column("place_of_birth", "#loc+birth+name", "person"),
    Column("languages", "#meta+language+code+list", "person", is_list=True, help="ISO 639-3; ..."),
    Column("education", "#beneficiary+education", "person"),
    Column("occupation", "#beneficiary+occupation", "person"),
    Column("needs", "#need+code+list", "person", is_list=True, help="Specific-need codes; ..."),
)

BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}
CASE_COLUMNS = tuple(c.name for c in COLUMNS if c.level == "case")
PERSON_COLUMNS = tuple(c.name for c in COLUMNS if c.level == "person")
REQUIRED = tuple(c.name for c in COLUMNS if c.required)
LIST_SEPARATOR = ";"
