"""DuckDB in-process: the default backend, one in-memory database per run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from asylon.errors import ConfigurationError

__all__ = ["DuckDBBackend"]


@dataclass(slots=True)
class DuckDBBackend:
    db_api: Any
    connection: Any
    name: Literal["duckdb"] = "duckdb"

    @classmethod
    def open(cls, *, memory_limit: str | None) -> DuckDBBackend:
        try:
            import duckdb
            from splink import DuckDBAPI
        except ImportError as exc:  # pragma: no cover - duckdb is a dependency
            raise ConfigurationError(
                "the DuckDB backend needs the 'duckdb' package; pip install duckdb"
            ) from exc
        connection = duckdb.connect(":memory:")
        if memory_limit:
            # DuckDB spills to disk beyond this rather than growing without bound
            connection.execute(f"SET memory_limit = '{memory_limit}'")
        connection.execute("SET preserve_insertion_order = false")
        return cls(db_api=DuckDBAPI(connection=connection), connection=connection)

    def register(self, table: pd.DataFrame, name: str) -> Any:
        return self.db_api.register(table, table_name=name)

    def select(self, linker: Any, table: str, columns: Sequence[str]) -> pd.DataFrame:
        sql = "SELECT " + ", ".join(f'"{c}"' for c in columns) + f" FROM {table}"
        frame: pd.DataFrame = linker.misc.query_sql(sql, output_type="pandas")
        return frame

    def close(self) -> None:
        self.connection.close()
