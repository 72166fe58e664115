"""Small charts drawn on the server as inline SVG: no script, no library, a few hundred bytes each.

Colours come from one colour-blind-safe sequential palette; every chart carries a text alternative
(``aria-label``) and sits next to the numbers it draws, so nothing is only visible.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

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
