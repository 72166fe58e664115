"""Spark: the same preset on a Spark session, local (``local[2]``) or a cluster's.

A session already active in the process is used as it is: to run on a cluster, start the session there
first, with Splink's similarity-function jar (``splink.backends.spark.similarity_jar_location()``) on its
class path and a checkpoint location all workers share. Otherwise asylon starts a local session on
``spark_master`` once per process (Java 17+ needed: ``JAVA_HOME`` or ``java`` on the PATH) with the jar.
Intermediate tables are written as Parquet under a temporary directory (Splink's "parquet" lineage
breaking, which keeps Spark's query plans short), removed when the run ends.

Input tables go to Spark through Arrow with an explicit schema (names as strings, name words and
household names as arrays of strings, years as 64-bit integers), so both backends compare the same values.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from asylon.errors import ConfigurationError

__all__ = ["SparkBackend", "java_available", "spark_session"]

_SESSIONS: dict[str, Any] = {}


def java_available() -> bool:
    """Whether a Java runtime for Spark can be found (``JAVA_HOME`` or ``java`` on the PATH)."""
    home = os.environ.get("JAVA_HOME")
    if home and os.path.exists(os.path.join(home, "bin", "java")):
        return True
    return shutil.which("java") is not None


def _spark_memory(limit: str | None) -> str | None:
    """DuckDB's "6GB" as Spark's "6g"."""
    if not limit:
        return None
    m = re.fullmatch(r"\s*(\d+)\s*([KMGT])i?B?\s*", limit, flags=re.IGNORECASE)
    return f"{m.group(1)}{m.group(2).lower()}" if m else None


def spark_session(master: str = "local[2]", *, memory_limit: str | None = None) -> Any:
    """A Spark session with Splink's similarity functions, started once per process and reused
    (starting the JVM takes seconds). A session already active in this process is used as it is.

    >>> spark_session().version  # doctest: +SKIP
    '4.3.0'
    """
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
    except ImportError as exc:
        raise ConfigurationError(
            "the Spark backend needs the 'pyspark' package; pip install pyspark (or use --backend duckdb)"
        ) from exc
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    if master in _SESSIONS:
        return _SESSIONS[master]
    if not java_available():
        raise ConfigurationError(
            "the Spark backend needs Java 17 or newer and none was found (no JAVA_HOME, no java on the PATH); "
            "install it (Debian: apt-get install default-jre-headless) or use --backend duckdb"
        )
    cores = re.fullmatch(r"local\[(\d+)\]", master)
    builder = (
        SparkSession.builder.master(master)
        .appName("asylon-linkage")
        .config("spark.jars", similarity_jar_location())
        # Spark's default of 200 shuffle partitions is for clusters; on a few local cores it is overhead.
        .config("spark.sql.shuffle.partitions", cores.group(1) if cores else "200")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    driver_memory = _spark_memory(memory_limit)
    if driver_memory and master.startswith("local"):
        builder = builder.config("spark.driver.memory", driver_memory)
    try:
        with warnings.catch_warnings():
            # pyspark warns at start-up that it does not fully support pandas 3; tables cross to and from
            # Spark through Arrow here, never through pyspark's pandas conversion.
            warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas", FutureWarning)
            session = builder.getOrCreate()
    except Exception as exc:  # pyspark raises its own runtime errors when the JVM does not start
        raise ConfigurationError(
            f"Spark did not start ({exc}); check that Java 17 or newer is installed, or use --backend duckdb"
        ) from exc
    session.sparkContext.setLogLevel("ERROR")
    _SESSIONS[master] = session
    return session


def _arrow_type(series: pd.Series) -> Any:
    import pyarrow as pa

    if pd.api.types.is_bool_dtype(series):
        return pa.bool_()
    if pd.api.types.is_integer_dtype(series):
        return pa.int64()
    if pd.api.types.is_float_dtype(series):
        return pa.float64()
    sample = next((v for v in series if not _missing(v)), None)
    if isinstance(sample, (list, tuple)) or hasattr(sample, "tolist"):
        return pa.list_(pa.string())
    if isinstance(sample, bool):
        return pa.bool_()
    return pa.string()


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA


def _to_arrow(table: pd.DataFrame) -> Any:
    import pyarrow as pa

    columns = {}
    for name in table.columns:
        series = table[name]
        kind = _arrow_type(series)
        if pa.types.is_list(kind):
            values = [None if _missing(v) else [str(x) for x in v] for v in series]
        else:
            values = [None if _missing(v) else v for v in series.astype(object)]
        columns[str(name)] = pa.array(values, type=kind)
    return pa.table(columns)


@dataclass(slots=True)
class SparkBackend:
    db_api: Any
    session: Any
    checkpoints: str
    views: list[str] = field(default_factory=list)
    name: Literal["spark"] = "spark"

    @classmethod
    def open(
        cls, *, master: str, memory_limit: str | None, session: Any = None, records: int | None = None
    ) -> SparkBackend:
        spark = session if session is not None else spark_session(master, memory_limit=memory_limit)
        if records is not None and any(spark is own for own in _SESSIONS.values()):
            # A session asylon started is sized to the run: a shuffle partition per ~25,000 records, at
            # least one per core. Spark's fixed cost per task dominates small runs (a 300-record test
            # took 43 s with 8 partitions, 23 s with 2), large ones need the parallelism.
            cores = int(spark.sparkContext.defaultParallelism)
            spark.conf.set("spark.sql.shuffle.partitions", str(min(200, max(cores, records // 25_000))))
        from splink import SparkAPI

        checkpoints = tempfile.mkdtemp(prefix="asylon-spark-")
        spark.sparkContext.setCheckpointDir(checkpoints)
        db_api = SparkAPI(spark_session=spark, break_lineage_method="parquet")  # type: ignore[no-untyped-call]
        return cls(db_api=db_api, session=spark, checkpoints=checkpoints)

    def register(self, table: pd.DataFrame, name: str) -> Any:
        frame = self.session.createDataFrame(_to_arrow(table))
        self.views.append(name)
        return self.db_api.register(frame, table_name=name)

    def select(self, linker: Any, table: str, columns: Sequence[str]) -> pd.DataFrame:
        # Through Arrow rather than pyspark's pandas conversion, which does not support pandas 3 yet.
        sql = "SELECT " + ", ".join(f"`{c}`" for c in columns) + f" FROM {table}"
        frame: pd.DataFrame = (
            linker.misc.query_sql(sql, output_type="splink_df").as_pyarrow_table().to_pandas()
        )
        return frame

    def close(self) -> None:
        catalog = self.session.catalog
        for table in catalog.listTables():
            if table.isTemporary and (table.name.startswith("__splink") or table.name in self.views):
                catalog.dropTempView(table.name)
        shutil.rmtree(self.checkpoints, ignore_errors=True)
