"""Choropleth world maps drawn on the server from the shipped Natural Earth geometry (``geo/world.json``)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup, escape

# ColorBrewer "Blues" (colour-blind safe, prints in grey); index 0 is "none".
PALETTE = ("#e4e7eb", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")


@dataclass(frozen=True, slots=True)
class Geometry:
    width: int
    height: int
    source: str
    paths: dict[str, tuple[str, str]]  # ISO3 -> (name, SVG path)


@cache
def geometry() -> Geometry:
    data: dict[str, Any] = json.loads(resources.files("asylon.web.geo").joinpath("world.json").read_text("utf-8"))
    paths = {code: (c["name"], c["d"]) for code, c in data["countries"].items()}
    return Geometry(int(data["width"]), int(data["height"]), str(data["source"]), paths)


def breaks(values: list[int], classes: int = 5) -> list[int]:
    """Upper bounds of ``classes`` classes on a logarithmic scale up to the largest value.

    >>> breaks([1, 10, 100, 1000, 10000])
    [7, 40, 252, 1585, 10000]
    """
    top = max(values, default=0)
    if top <= 0:
        return []
    if top <= classes:
        return list(range(1, top + 1))
    bounds = [math.ceil(10 ** (math.log10(top) * (i + 1) / classes)) for i in range(classes)]
    bounds[-1] = top
    out: list[int] = []
    for b in bounds:
        if not out or b > out[-1]:
            out.append(b)
    return out


def _class_of(value: int, bounds: list[int]) -> int:
    for index, upper in enumerate(bounds):
        if value <= upper:
            return index + 1
    return len(bounds)


def choropleth(counts: dict[str, int], *, title: str, link_field: str, names: dict[str, str],
               unit: str) -> Markup:
    """An SVG map shading each country by ``counts``; countries with data link to the filtered case list.

    ``names`` gives country names to show; ``unit`` is the translated word for what is counted.
    """
    geo = geometry()
    bounds = breaks([v for v in counts.values() if v > 0])
    shift = len(PALETTE) - 1 - len(bounds)
    parts = [f'<svg class="map" viewBox="0 0 {geo.width} {geo.height}" role="img" aria-label="{escape(title)}">']
    parts.append(f'<rect width="{geo.width}" height="{geo.height}" fill="#f7fafc"/>')
    for code, (name, d) in geo.paths.items():
        value = counts.get(code, 0)
        if value > 0:
            fill = PALETTE[_class_of(value, bounds) + shift]
            label = f"{names.get(code, name)}: {value:,} {unit}"
            href = "/cases?" + urlencode({link_field: code})
            parts.append(f'<a href="{escape(href)}"><path d="{d}" fill="{fill}" stroke="#fff" stroke-width=".5">'
                         f'<title>{escape(label)}</title></path></a>')
        else:
            parts.append(f'<path d="{d}" fill="{PALETTE[0]}" stroke="#fff" stroke-width=".5"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def legend(counts: dict[str, int]) -> list[tuple[str, str]]:
    """(colour, range text) for each class in use, lowest first."""
    bounds = breaks([v for v in counts.values() if v > 0])
    shift = len(PALETTE) - 1 - len(bounds)
    out = []
    lower = 1
    for index, upper in enumerate(bounds):
        text = f"{lower:,}" if lower == upper else f"{lower:,}–{upper:,}"
        out.append((PALETTE[index + 1 + shift], text))
        lower = upper + 1
    return out
