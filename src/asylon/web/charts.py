"""Small charts drawn on the server as inline SVG: no script, no library, a few hundred bytes each.

Colours come from one colour-blind-safe sequential palette; every chart carries a text alternative
(``aria-label``) and sits next to the numbers it draws, so nothing is only visible.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from markupsafe import Markup, escape

from asylon.web import worldmap

INK = "#1d4e89"
MUTED = "#c9d3df"


def bar(value: int, largest: int, *, width: int = 120, height: int = 12) -> Markup:
    """A horizontal bar scaled to ``largest`` (decorative: the number is printed beside it).

    >>> 'width="60"' in bar(5, 10)
    True
    """
    length = 0 if largest <= 0 else max(1, round(width * value / largest)) if value else 0
    return Markup(
        f'<svg class="bar" width="{width}" height="{height}" viewBox="0 0 {width} {height}" aria-hidden="true" '
        f'focusable="false"><rect width="{width}" height="{height}" fill="#eef2f7"/>'
        f'<rect width="{length}" height="{height}" fill="{INK}"/></svg>'
    )


def sparkline(series: Sequence[int], *, label: str, width: int = 96, height: int = 22) -> Markup:
    """Weekly counts as columns, oldest first; ``label`` describes it for screen readers."""
    if not series:
        return Markup("")
    top = max(max(series), 1)
    step = width / len(series)
    gap = 1 if step > 3 else 0
    rects = []
    for i, value in enumerate(series):
        h = 0 if value == 0 else max(2, round((height - 2) * value / top))
        colour = INK if i == len(series) - 1 else "#5b84b8"
        rects.append(f'<rect x="{i * step:.1f}" y="{height - h}" width="{step - gap:.1f}" height="{h}" '
                     f'fill="{colour}"/>')
    baseline = f'<rect x="0" y="{height - 1}" width="{width}" height="1" fill="{MUTED}"/>'
    text = escape(f"{label}: {', '.join(str(v) for v in series)}")
    return Markup(f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
                  f'role="img" aria-label="{text}">{baseline}{"".join(rects)}</svg>')


def columns(series: Sequence[int], ticks: Sequence[str], *, label: str, width: int = 560,
            height: int = 160) -> Markup:
    """A column chart of counts per period, each labelled by ``ticks`` (e.g. ``"03/26"``)."""
    if not series:
        return Markup("")
    top = max(max(series), 1)
    left, bottom, pad = 34, 22, 6
    plot_w, plot_h = width - left - pad, height - bottom - pad
    step = plot_w / len(series)
    parts = [f'<svg class="columns" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(label)}: {escape(", ".join(str(v) for v in series))}">']
    for fraction in ((0.0, 0.5, 1.0) if top >= 2 else (0.0, 1.0)):
        y = pad + plot_h * (1 - fraction)
        parts.append(f'<line x1="{left}" x2="{width - pad}" y1="{y:.1f}" y2="{y:.1f}" stroke="{MUTED}"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">'
                     f'{round(top * fraction)}</text>')
    for i, value in enumerate(series):
        h = plot_h * value / top
        x = left + i * step + 2
        parts.append(f'<rect x="{x:.1f}" y="{pad + plot_h - h:.1f}" width="{step - 4:.1f}" height="{h:.1f}" '
                     f'fill="{INK}"><title>{escape(ticks[i])}: {value}</title></rect>')
        if i % 2 == len(series) % 2 or len(series) <= 6:
            parts.append(f'<text x="{x + (step - 4) / 2:.1f}" y="{height - 6}" text-anchor="middle" class="tick">'
                         f'{escape(ticks[i])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


# ---------------------------------------------------------------- fair share and funding (paired bars, ratio map)
# Two measures side by side per row (fair share vs effort, required vs funded), and a world map of the
# effort-to-fair-share ratio. Text in these drawings is laid out left to right whatever the page direction
# (``direction="ltr"`` on the root); in a right-to-left page ``mirror=True`` puts the names on the right and
# grows the bars leftwards instead, so the chart reads the way the page does.

FIRST = "#9ecae1"  # the reference measure (fair share, requirement): light
SECOND = INK  # what was done (effort, funding): dark; the two differ in lightness, so they read in grey too


@dataclass(frozen=True, slots=True)
class BarPair:
    """One row of a paired bar chart: ``first`` and ``second`` drawn to one scale; ``None`` draws no bar."""

    key: str
    label: str
    first: float | None
    second: float | None
    first_text: str = ""
    second_text: str = ""
    note: str = ""


def _clip(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def paired_bars(pairs: Sequence[BarPair], *, label: str, first_label: str, second_label: str,
                mirror: bool = False, width: int = 560) -> Markup:
    """Two horizontal bars per row (``first`` light above ``second`` dark), one scale for all, a note after.

    ``label`` is the chart's text alternative; each bar also carries a ``<title>`` with its figure, and the page
    shows the same figures in a table.

    >>> svg = paired_bars([BarPair("DEU", "Germany", 0.2, 0.1, note="×0.50")], label="Shares",
    ...                   first_label="fair share", second_label="effort")
    >>> 'data-key="DEU"' in svg and 'width="346.0"' in svg and 'width="173.0"' in svg
    True
    """
    if not pairs:
        return Markup("")
    name_w, note_w, bar_h, gap = 150, 64, 9, 8
    row_h = 2 * bar_h + gap
    plot_w = width - name_w - note_w
    height = len(pairs) * row_h + gap
    top = max([v for p in pairs for v in (p.first, p.second) if v is not None and v > 0] or [1.0])

    def span(start: float, length: float) -> float:  # the left edge of a bar of ``length`` from ``start``
        return width - start - length if mirror else start

    parts = [f'<svg class="pairs" viewBox="0 0 {width} {height}" role="img" direction="ltr" '
             f'aria-label="{escape(label)}">']
    name_x, name_anchor = (width - 4, "end") if mirror else (4, "start")
    note_x, note_anchor = (note_w - 6, "end") if mirror else (width - note_w + 6, "start")
    parts.append(f'<line x1="{span(name_w, 0):.1f}" x2="{span(name_w, 0):.1f}" y1="0" y2="{height}" '
                 f'stroke="{MUTED}"/>')
    for i, p in enumerate(pairs):
        y = gap / 2 + i * row_h
        parts.append(f'<g class="pair" data-key="{escape(p.key)}">')
        parts.append(f'<text x="{name_x}" y="{y + bar_h + 4:.1f}" text-anchor="{name_anchor}" class="name">'
                     f'{escape(_clip(p.label, 24))}<title>{escape(p.label)}</title></text>')
        for j, (value, colour, text, what) in enumerate(((p.first, FIRST, p.first_text, first_label),
                                                         (p.second, SECOND, p.second_text, second_label))):
            length = 0.0 if value is None else round(plot_w * max(value, 0.0) / top, 1)
            if length <= 0:
                continue  # nothing to draw; the figure is in the table beside the chart
            parts.append(f'<rect class="{"first" if j == 0 else "second"}" x="{span(name_w, length):.1f}" '
                         f'y="{y + j * bar_h:.1f}" width="{length:.1f}" height="{bar_h}" fill="{colour}">'
                         f'<title>{escape(p.label)} — {escape(what)}: {escape(text or str(value))}</title></rect>')
        if p.note:
            parts.append(f'<text x="{note_x}" y="{y + bar_h + 4:.1f}" text-anchor="{note_anchor}" class="note">'
                         f'{escape(p.note)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


# ColorBrewer PuOr, 6 classes (colour-blind safe): orange below the fair share, purple above, symmetric around
# a ratio of 1 on a log scale. "No figure" and "not compared" are two greys, never a colour of the scale.
RATIO_BOUNDS: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0, 4.0)
RATIO_COLOURS: tuple[str, ...] = ("#b35806", "#f1a340", "#fee0b6", "#d8daeb", "#998ec3", "#542788")
NO_FIGURE = "#a8b0ba"
NOT_COMPARED = "#eceff3"


def ratio_class(ratio: float) -> int:
    """The colour class (0-5) of an effort-to-fair-share ratio.

    >>> [ratio_class(r) for r in (0.0, 0.3, 0.99, 1.0, 3.9, 12.0)]
    [0, 1, 2, 3, 4, 5]
    """
    for index, upper in enumerate(RATIO_BOUNDS):
        if ratio < upper:
            return index
    return len(RATIO_BOUNDS)


def ratio_legend() -> list[tuple[str, str]]:
    """(colour, range) for each class, lowest first (the range in plain figures: ``0.5–1``)."""
    out = [(RATIO_COLOURS[0], f"< {RATIO_BOUNDS[0]:g}")]
    for i in range(1, len(RATIO_BOUNDS)):
        out.append((RATIO_COLOURS[i], f"{RATIO_BOUNDS[i - 1]:g}–{RATIO_BOUNDS[i]:g}"))
    out.append((RATIO_COLOURS[-1], f"≥ {RATIO_BOUNDS[-1]:g}"))
    return out


@cache
def _boxes(code: str) -> tuple[tuple[float, float, float, float], tuple[float, float, float, float]]:
    """A country's whole bounding box, and that of its largest part (France without Guiana)."""
    d = worldmap.geometry().paths[code][1]
    main = _extent(d)
    parts = [_extent("M" + sub) for sub in d.split("M")[1:]]
    whole = (min(p[0] for p in parts), min(p[1] for p in parts), max(p[2] for p in parts), max(p[3] for p in parts))
    return whole, main


def _extent(d: str) -> tuple[float, float, float, float]:
    """Bounding box of the largest part of a path (France without Guiana, Norway without Svalbard)."""
    best = (0.0, 0.0, 0.0, 0.0)
    best_area = -1.0
    for sub in d.split("M")[1:]:
        head, _, tail = sub.partition("l")
        x, y = (float(v) for v in head.split())
        xs, ys = [x], [y]
        steps = [float(v) for v in tail.rstrip("z").split()]
        for dx, dy in zip(steps[::2], steps[1::2], strict=False):
            x, y = x + dx, y + dy
            xs.append(x)
            ys.append(y)
        box = (min(xs), min(ys), max(xs), max(ys))
        area = (box[2] - box[0]) * (box[3] - box[1])
        if area > best_area:
            best, best_area = box, area
    return best


def _view_box(codes: Sequence[str]) -> tuple[float, float, float, float]:
    geo = worldmap.geometry()
    boxes = [_boxes(c)[1] for c in codes if c in geo.paths]
    if not boxes or len(boxes) > 60:
        return 0.0, 0.0, float(geo.width), float(geo.height)
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    # At least a sixth of the world wide, in the map's own proportions, with a margin around the states.
    w = max(x1 - x0, geo.width / 6) * 1.15
    h = max(y1 - y0, w * geo.height / geo.width) * 1.1
    w = max(w, h * geo.width / geo.height)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    left = min(max(cx - w / 2, 0.0), max(geo.width - w, 0.0))
    top = min(max(cy - h / 2, 0.0), max(geo.height - h, 0.0))
    return left, top, min(w, geo.width), min(h, geo.height)


def ratio_map(ratios: Mapping[str, float | None], *, title: str,
              describe: Callable[[str, float | None], str], link: Callable[[str], str] | None = None) -> Markup:
    """A world map shading each compared state by its effort-to-fair-share ratio, zoomed to them.

    ``ratios`` holds every compared state (``None`` = no figure); ``describe(code, ratio)`` gives each state's
    tooltip (translated by the caller); ``link(code)`` makes the state a link.
    """
    geo = worldmap.geometry()
    x, y, w, h = _view_box(list(ratios))
    parts = [f'<svg class="map ratio-map" viewBox="{x:.0f} {y:.0f} {w:.0f} {h:.0f}" role="img" '
             f'aria-label="{escape(title)}">',
             f'<rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}" fill="#f7fafc"/>']
    stroke = max(0.15, 0.5 * w / geo.width)
    for code, (_, d) in geo.paths.items():
        if code not in ratios:
            box = _boxes(code)[0]
            if box[2] < x or box[0] > x + w or box[3] < y or box[1] > y + h:
                continue  # outside the zoomed view: leave it out of the page
            parts.append(f'<path d="{d}" fill="{NOT_COMPARED}" stroke="#fff" stroke-width="{stroke:.2f}"/>')
            continue
        ratio = ratios[code]
        fill = NO_FIGURE if ratio is None else RATIO_COLOURS[ratio_class(ratio)]
        data = "" if ratio is None else f' data-ratio="{ratio:.4f}"'
        path = (f'<path d="{d}" fill="{fill}" stroke="#fff" stroke-width="{stroke:.2f}" data-iso="{code}"{data}>'
                f'<title>{escape(describe(code, ratio))}</title></path>')
        parts.append(f'<a href="{escape(link(code))}">{path}</a>' if link else path)
    parts.append("</svg>")
    return Markup("".join(parts))
