"""Charts as server-rendered SVG: no script, no download, readable without JavaScript, printable.

Each chart carries a <title> and <desc>, and the page shows the same numbers in a table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cchc.core.numbers import format_percent

PALETTE = ("#1f5fa8", "#d9822b", "#2e8b57", "#8e44ad", "#c0392b")


def _pct(value: float | None) -> str:
    return format_percent(value, 1, ratio=True, empty="—")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # 0..1
    href: str = ""


def bar_chart(
    bars: Sequence[Bar], *, title: str, target: float | None = None, target_label: str = "", width: int = 640
) -> SafeString:
    """Horizontal bars of rates (0..1), worst first as given; an optional target line."""
    row, left, right, top = 22, 210, 60, 24
    height = top + row * len(bars) + 26
    plot = width - left - right

    def x(v: float) -> float:
        return left + plot * max(0.0, min(1.0, v))

    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'xmlns="http://www.w3.org/2000/svg" aria-labelledby="t d">',
        f'<title id="t">{escape(title)}</title><desc id="d">{escape(title)}: '
        + escape("; ".join(f"{b.label} {_pct(b.value)}" for b in bars))
        + "</desc>",
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        parts.append(
            f'<line x1="{x(tick):.1f}" y1="{top - 4}" x2="{x(tick):.1f}" y2="{height - 22}" class="grid"/>'
            f'<text x="{x(tick):.1f}" y="{height - 8}" class="tick" text-anchor="middle">{int(tick * 100)}%</text>'
        )
    for i, bar in enumerate(bars):
        y = top + i * row
        label = escape(bar.label if len(bar.label) <= 32 else bar.label[:31] + "…")
        text = f'<text x="{left - 6}" y="{y + 14}" class="label" text-anchor="end">{label}</text>'
        if bar.href:
            text = f'<a href="{escape(bar.href)}">{text}</a>'
        parts.append(text)
        if bar.value is not None:
            below = target is not None and bar.value < target
            parts.append(
                f'<rect x="{left}" y="{y + 3}" width="{x(bar.value) - left:.1f}" height="{row - 7}" '
                f'class="bar{" below" if below else ""}"><title>{escape(bar.label)}: {_pct(bar.value)}</title></rect>'
                f'<text x="{x(bar.value) + 4:.1f}" y="{y + 14}" class="value">{_pct(bar.value)}</text>'
            )
    if target is not None:
        parts.append(
            f'<line x1="{x(target):.1f}" y1="{top - 10}" x2="{x(target):.1f}" y2="{height - 22}" class="target"/>'
            f'<text x="{x(target):.1f}" y="{top - 12}" class="tick" text-anchor="middle">'
            f"{escape(target_label or _pct(target))}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # 0..1, one per label


def line_chart(
    labels: Sequence[str], series: Sequence[Series], *, title: str, width: int = 640
) -> SafeString:
    """Rates over months, 0–100%, one line per series with a legend."""
    height, left, right, top, bottom = 240, 40, 12, 16, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(1, len(labels) - 1)

    def pos(i: int, v: float) -> tuple[float, float]:
        return left + plot_w * i / n, top + plot_h * (1 - max(0.0, min(1.0, v)))

    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'xmlns="http://www.w3.org/2000/svg" aria-labelledby="lt ld">',
        f'<title id="lt">{escape(title)}</title><desc id="ld">'
        + escape(
            " | ".join(
                f"{s.name}: " + ", ".join(f"{lab} {_pct(v)}" for lab, v in zip(labels, s.values, strict=True))
                for s in series
            )
        )
        + "</desc>",
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        y = top + plot_h * (1 - tick)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" class="tick" text-anchor="end">{int(tick * 100)}%</text>'
        )
    for i, label in enumerate(labels):
        x, _ = pos(i, 0)
        parts.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 14}" class="tick" text-anchor="middle">{escape(label)}</text>'
        )
    for k, s in enumerate(series):
        colour = PALETTE[k % len(PALETTE)]
        points = [pos(i, v) for i, v in enumerate(s.values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for i, v in enumerate(s.values):
            if v is not None:
                x, y = pos(i, v)
                parts.append(
                    f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                    f"<title>{escape(s.name)} {escape(labels[i])}: {_pct(v)}</title></circle>"
                )
        lx = left + (k % 3) * 200
        ly = height - 22 + (k // 3) * 14
        parts.append(
            f'<rect x="{lx}" y="{ly - 9}" width="12" height="4" fill="{colour}"/>'
            f'<text x="{lx + 16}" y="{ly - 4}" class="legend">{escape(s.name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
