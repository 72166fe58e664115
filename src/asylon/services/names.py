"""Search keys for names, so a search finds a person under any transliteration the record holds."""

from __future__ import annotations

import unicodedata


def search_key(*parts: str | None) -> str:
    """A space-separated, case- and accent-folded key over every name form of a person.

    >>> search_key("Muḥammad", "AL-HASSAN", None)
    'muhammad al-hassan'
    """
    words: list[str] = []
    for part in parts:
        if not part:
            continue
        folded = unicodedata.normalize("NFKD", part.casefold())
        words.append("".join(ch for ch in folded if not unicodedata.combining(ch)))
    return " ".join(" ".join(words).split())
