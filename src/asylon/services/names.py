"""Search keys for names, so a search finds a person under any transliteration the record holds.

A person's key holds two kinds of words: each name word case- and accent-folded (so a search by the
beginning of a name as written works), and each word's transliteration-aware key from
:func:`asylon.domain.names.name_key` (so "Mohamed" finds "Mhd" and "محمد"). The key is padded with spaces
so a query can ask for a word start (`" moh"`) or a whole key word (`" mhmd "`).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from asylon.domain.names import name_key as _name_key

# Names repeat a great deal across a caseload, and computing a key is the costly part of an import.
name_key = lru_cache(maxsize=65536)(_name_key)


def fold(text: str) -> str:
    """Case- and accent-folded text.

    >>> fold("Muḥammad AL-HASSAN")
    'muhammad al-hassan'
    """
    folded = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(ch for ch in folded if not unicodedata.combining(ch)).split())


def search_key(*parts: str | None) -> str:
    """The stored search key over every name form of a person.

    >>> search_key("Mohammed", "Haddad", "محمد حداد")
    ' mohammed haddad محمد حداد mhmd hd2 '
    """
    words: list[str] = []
    for part in parts:
        if part:
            words.extend(fold(part).split())
    for part in parts:
        if part:
            words.extend(name_key(part).split())
    unique = list(dict.fromkeys(w for w in words if w))
    return f" {' '.join(unique)} " if unique else ""


def query_terms(text: str) -> list[tuple[str, str]]:
    """For each word of a query: (folded word start, whole transliteration key) to match against keys.

    >>> query_terms("Mohamed")
    [(' mohamed', ' mhmd ')]
    """
    terms = []
    for word in fold(text).split():
        key = name_key(word).replace(" ", "")
        terms.append((f" {word}", f" {key} " if key else ""))
    return terms
