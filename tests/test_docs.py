"""The reference docs list every setting and every file column, so they cannot drift from the code."""

from __future__ import annotations

from pathlib import Path

from asylon.config import Settings
from asylon.services.interchange.columns import COLUMNS

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_every_setting_is_documented() -> None:
    text = (DOCS / "settings.md").read_text()
    for name, field in Settings.model_fields.items():
        assert f"`ASYLON_{name.upper()}`" in text, f"document ASYLON_{name.upper()} in docs/settings.md"
        assert field.description, f"give the setting {name} a description"


def test_every_column_and_hashtag_is_documented() -> None:
    text = (DOCS / "interchange.md").read_text()
    for column in COLUMNS:
        assert f"| `{column.name}` | `{column.hxl}` |" in text, f"document {column.name} in docs/interchange.md"
