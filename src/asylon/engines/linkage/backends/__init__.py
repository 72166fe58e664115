"""Where Splink runs the preset's SQL: DuckDB in-process (the default) or Spark (local mode or a cluster).

Splink builds the SQL from the preset; a backend only registers the input tables, executes, and is
released at the end of a run. Both take the same prepared pandas tables and give the same pairs:
the preset's SQL is written in the subset DuckDB and Spark SQL share, and the similarity functions
(Jaro-Winkler, Damerau-Levenshtein) are Splink's own on both (DuckDB built-ins; Splink's Scala UDF jar
on Spark). Name keys and dates are derived in Python by :func:`~..records.prepare` before either sees
them, so no custom SQL function needs a second implementation.

>>> open_backend("duckdb").name
'duckdb'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, Protocol

import pandas as pd

from asylon.errors import InvalidInput, Problem

__all__ = ["BACKENDS", "Backend", "SqlBackend", "check_backend", "open_backend"]

Backend = Literal["duckdb", "spark"]
BACKENDS: tuple[Backend, ...] = ("duckdb", "spark")


class SqlBackend(Protocol):
    """One run's connection to a SQL engine Splink drives."""

    @property
    def name(self) -> Backend:
        """Which engine this is."""

    @property
    def db_api(self) -> Any:
        """Splink's API object for it (``DuckDBAPI``, ``SparkAPI``)."""

    def register(self, table: pd.DataFrame, name: str) -> Any:
        """Make ``table`` available to Splink as ``name``; returns Splink's handle on it."""

    def select(self, linker: Any, table: str, columns: Sequence[str]) -> pd.DataFrame:
        """``columns`` of Splink's ``table`` as a pandas frame."""

    def close(self) -> None:
        """Release what the run held (connection, cached and spilled tables)."""


def check_backend(name: str) -> Backend:
    """``name`` if it is a backend, else an error naming the choices.

    >>> check_backend("spark")
    'spark'
    """
    if name not in BACKENDS:
        raise InvalidInput(
            Problem(
                f"unknown linkage backend {name!r}", field="backend", fix=f"use one of {', '.join(BACKENDS)}"
            )
        )
    return name


def open_backend(
    name: str,
    *,
    memory_limit: str | None = None,
    spark_master: str = "local[2]",
    spark_session: Any = None,
    records: int | None = None,
) -> SqlBackend:
    """Open ``name`` for one run over about ``records`` records. ``memory_limit`` caps DuckDB (it spills
    to disk beyond it) and sizes the Spark driver when this call starts Spark; ``spark_master`` or
    ``spark_session`` choose where Spark runs."""
    if check_backend(name) == "spark":
        from asylon.engines.linkage.backends.spark import SparkBackend

        return SparkBackend.open(
            master=spark_master, memory_limit=memory_limit, session=spark_session, records=records
        )
    from asylon.engines.linkage.backends.duckdb import DuckDBBackend

    return DuckDBBackend.open(memory_limit=memory_limit)
