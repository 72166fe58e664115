from __future__ import annotations

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
