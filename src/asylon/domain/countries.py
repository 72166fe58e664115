"""Countries: ISO 3166-1 alpha-3 codes, checked against pycountry."""

from __future__ import annotations

from functools import lru_cache

import pycountry

# Codes in use in refugee statistics that ISO 3166-1 does not list (UNHCR uses them for unknown origin,
# stateless persons, and Kosovo).
EXTRA_CODES: dict[str, str] = {"UNK": "Unknown", "STA": "Stateless", "XKX": "Kosovo"}


class CountryError(ValueError):
    pass


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    names = {c.alpha_3: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    names.update(EXTRA_CODES)
    return names


def country_name(code: str) -> str:
    return _names()[code]


def all_codes() -> list[str]:
    return sorted(c for c in _names() if c not in EXTRA_CODES)


def normalise_country(text: str, *, allow_unknown: bool = False) -> str:
    """Return the alpha-3 code for ``text`` (an alpha-3 or alpha-2 code, any case).

    >>> normalise_country("syr")
    'SYR'
    >>> normalise_country("DE")
    'DEU'
    """
    code = text.strip().upper()
    if len(code) == 2:
        found = pycountry.countries.get(alpha_2=code)
        if found is not None:
            return str(found.alpha_3)
    if code in _names() and (allow_unknown or code not in {"UNK", "STA"}):
        return code
    raise CountryError(f"'{text}' is not an ISO 3166-1 alpha-3 country code (for example SYR, AFG, DEU)")
