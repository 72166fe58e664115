from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pandas as pd
import pytest

FEBRL = Path(__file__).parent / "data" / "febrl"


def registration_frame(rows: list[tuple[str, ...]]) -> pd.DataFrame:
    cols = [
        "record_id",
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "nationality",
        "place_of_birth",
        "household_id",
    ]
    return pd.DataFrame([dict(zip(cols, r, strict=False)) for r in rows]).fillna("")


@pytest.fixture
def secret() -> bytes:
    return b"0123456789abcdef0123456789abcdef"


@pytest.fixture(scope="session")
def spark_ready() -> None:
    """Skip Spark tests where Spark cannot start (no Java, no pyspark), saying why; with
    ``ASYLON_REQUIRE_SPARK=1`` (set by ``.ci/run``) that is a failure instead."""
    from asylon.engines.linkage.backends.spark import java_available

    reason = None
    if importlib.util.find_spec("pyspark") is None:
        reason = "pyspark is not installed (pip install pyspark)"
    elif not java_available():
        reason = "no Java runtime for Spark (no JAVA_HOME, no java on the PATH); apt-get install default-jre-headless"
    if reason:
        if os.environ.get("ASYLON_REQUIRE_SPARK") == "1":
            pytest.fail(reason + " — ASYLON_REQUIRE_SPARK=1 makes this a failure")
        pytest.skip(reason)
