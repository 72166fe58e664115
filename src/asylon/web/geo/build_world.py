"""Build ``world.json``, the world map the dashboard draws, from Natural Earth's 1:110m countries.

Run once when the geometry should change (needs the dev dependency ``pyshp``)::

    python -m asylon.web.geo.build_world path/to/naturalearth_lowres.shp

The input is the public-domain Natural Earth "Admin 0 – Countries" 1:110m layer as shipped in
geopandas 0.14.4 (``geopandas/datasets/naturalearth_lowres``; see ``PROVENANCE.md`` beside this file).
The output holds one SVG path per ISO 3166 alpha-3 code, already projected (Equal Earth) and rounded to
whole units of a 1000-wide canvas, so the server only writes colours around ready-made paths.
"""

from __future__ import annotations

import itertools
import json
import math
import sys
from pathlib import Path
from typing import Any

WIDTH = 1000.0
# Equal Earth constants (Šavrič, Patterson & Jenny 2018).
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2
# Natural Earth marks a few codes "-99"; these are the ISO (or UNHCR) codes for them.
CODE_FIXES = {"Kosovo": "XKX", "N. Cyprus": "CYP", "Somaliland": "SOM"}
SKIP = {"ATA"}  # Antarctica: no cases there, and it takes a fifth of the height


def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    """Project degrees to Equal Earth in unit-sphere coordinates.

    >>> equal_earth(0.0, 0.0)
    (0.0, 0.0)
    """
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


def _extent() -> tuple[float, float, float, float]:
    xs = [equal_earth(lon, 0)[0] for lon in (-180.0, 180.0)]
    ys = [equal_earth(0, lat)[1] for lat in (-60.0, 84.0)]
    return min(xs), max(xs), min(ys), max(ys)


def ring_path(points: list[tuple[float, float]], scale: float, x0: float, y1: float) -> str:
    """One closed ring as relative SVG commands on the integer grid; empty when it shrinks to nothing."""
    grid: list[tuple[int, int]] = []
    for lon, lat in points:
        x, y = equal_earth(lon, max(lat, -60.0))
        cell = (round((x - x0) * scale), round((y1 - y) * scale))
        if not grid or grid[-1] != cell:
            grid.append(cell)
    if len(grid) < 4:
        return ""
    area = sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(grid, grid[1:] + grid[:1], strict=True))
    if abs(area) < 4:  # islands below ~2 px² vanish at this scale anyway
        return ""
    parts = [f"M{grid[0][0]} {grid[0][1]}l"]
    deltas = [f"{b[0] - a[0]} {b[1] - a[1]}" for a, b in itertools.pairwise(grid)]
    return parts[0] + " ".join(deltas) + "z"


def build(shp: Path) -> dict[str, Any]:
    import shapefile  # type: ignore[import-untyped,import-not-found,unused-ignore]  # dev-only

    x0, x1, y0, y1 = _extent()
    scale = WIDTH / (x1 - x0)
    height = round((y1 - y0) * scale)
    countries: dict[str, dict[str, str]] = {}
    with shapefile.Reader(str(shp)) as reader:
        for shape_record in reader.iterShapeRecords():
            record = shape_record.record
            code = str(record["iso_a3"])
            name = str(record["name"])
            code = CODE_FIXES.get(name, code)
            if code in SKIP or code == "-99":
                continue
            shape = shape_record.shape
            bounds = [*shape.parts, len(shape.points)]
            rings = [
                ring_path([(p[0], p[1]) for p in shape.points[a:b]], scale, x0, y1)
                for a, b in itertools.pairwise(bounds)
            ]
            d = "".join(r for r in rings if r)
            if not d:
                continue
            if code in countries:  # N. Cyprus and Somaliland join their states
                countries[code]["d"] += d
            else:
                countries[code] = {"name": name, "d": d}
    return {
        "width": int(WIDTH),
        "height": height,
        "projection": "Equal Earth",
        "source": "Natural Earth 1:110m Admin 0 - Countries (public domain), via geopandas 0.14.4",
        "countries": dict(sorted(countries.items())),
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m asylon.web.geo.build_world path/to/naturalearth_lowres.shp", file=sys.stderr)
        return 2
    out = Path(__file__).with_name("world.json")
    out.write_text(json.dumps(build(Path(argv[0])), separators=(",", ":"), ensure_ascii=False) + "\n")
    print(f"wrote {out} ({out.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
