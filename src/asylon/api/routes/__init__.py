"""One module per resource, each with a ``router``.

:func:`modules` finds them, so a new capability adds its routes by adding a module here and nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

# Mounted first, in this order (the OpenAPI document lists them so); any other module follows by name.
_FIRST = ("health", "accounts", "cases")


def modules() -> list[ModuleType]:
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    ordered = [n for n in _FIRST if n in names] + [n for n in names if n not in _FIRST]
    return [importlib.import_module(f"{__name__}.{name}") for name in ordered]
