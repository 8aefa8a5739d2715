"""Inline SVG bar charts (no script): each bar carries its figure as text, and the two series
of the months chart differ by fill and outline as well as colour, so colour is never the only
signal. Every chart has a title and sits beside a table with the same figures."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from markupsafe import Markup

from termline.domain.values.money import fmt


def _scale(values: Sequence[Decimal]) -> Decimal:
    top = max(values, default=Decimal(0))
    return top if top > 0 else Decimal(1)


def bars(title: str, rows: Sequence[tuple[str, Decimal]], currency: str) -> Markup:
    """One bar per (label, amount), labelled with its amount."""
    width, height, pad, label_h = 560, 220, 10, 34
    top = _scale([v for _, v in rows])
    step = (width - 2 * pad) / max(len(rows), 1)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-labelledby="{_id(title)}"><title id="{_id(title)}">{escape(title)}</title>']
    for i, (label, value) in enumerate(rows):
        h = float(value / top) * (height - label_h - 30)
        x = pad + i * step + step * 0.15
        y = height - label_h - h
        parts.append(f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" '
                     f'height="{h:.1f}"/>')
        parts.append(f'<text x="{x + step * 0.35:.1f}" y="{y - 4:.1f}" text-anchor="middle">'
                     f'{escape(fmt(value))}</text>')
        parts.append(f'<text x="{x + step * 0.35:.1f}" y="{height - 14}" '
                     f'text-anchor="middle">{escape(label)}</text>')
    parts.append(f'<text x="{pad}" y="14" class="unit">{escape(currency)}</text></svg>')
    return Markup("".join(parts))


def paired(title: str, months: Sequence[str], first: Sequence[Decimal],
           second: Sequence[Decimal], names: tuple[str, str], currency: str) -> Markup:
    """Two bars per month: the first filled, the second outlined, with a legend."""
    width, height, pad, label_h = 720, 240, 10, 30
    top = _scale([*first, *second])
    step = (width - 2 * pad) / max(len(months), 1)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-labelledby="{_id(title)}"><title id="{_id(title)}">{escape(title)}</title>']
    for i, month in enumerate(months):
        for j, value in enumerate((first[i], second[i])):
            h = float(value / top) * (height - label_h - 40)
            x = pad + i * step + step * (0.1 + 0.4 * j)
            klass = "bar" if j == 0 else "bar outline"
            parts.append(f'<rect class="{klass}" x="{x:.1f}" y="{height - label_h - h:.1f}" '
                         f'width="{step * 0.38:.1f}" height="{h:.1f}"/>')
        parts.append(f'<text x="{pad + i * step + step / 2:.1f}" y="{height - 12}" '
                     f'text-anchor="middle">{escape(month[2:])}</text>')
    parts.append(f'<rect class="bar" x="{width - 250}" y="6" width="12" height="12"/>'
                 f'<text x="{width - 234}" y="16">{escape(names[0])}</text>'
                 f'<rect class="bar outline" x="{width - 140}" y="6" width="12" height="12"/>'
                 f'<text x="{width - 124}" y="16">{escape(names[1])}</text>'
                 f'<text x="{pad}" y="16" class="unit">{escape(currency)}</text></svg>')
    return Markup("".join(parts))


def _id(title: str) -> str:
    return "chart-" + "".join(ch if ch.isalnum() else "-" for ch in title.lower())
