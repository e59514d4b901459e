"""Server-rendered SVG charts: geometry computed here, drawn by `ops/_bar_chart.html`, each with
a title, axis labels and the same figures as a table for screen readers. No JavaScript."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, LABEL_W, BAR_H, GAP, TOP, BOTTOM = 640, 180, 22, 10, 10, 44


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: no data (drawn as an empty row, said in the table)
    text: str
    y: int
    width: int
    text_x: int
    text_y: int


@dataclass(frozen=True)
class Tick:
    x: int
    text: str


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    x_label: str
    y_label: str
    bars: list[Bar]
    ticks: list[Tick]
    width: int
    height: int
    plot_x: int
    plot_w: int
    axis_y: int


def horizontal_bars(
    *, id: str, title: str, x_label: str, y_label: str, rows: list[tuple[str, float | None, str]], maximum: float
) -> BarChart:
    """rows: (label, value, text shown beside the bar); bars scale to `maximum`."""
    plot_w = WIDTH - LABEL_W - 60
    bars = []
    for n, (label, value, text) in enumerate(rows):
        y = TOP + n * (BAR_H + GAP)
        width = 0 if value is None or maximum <= 0 else round(plot_w * min(value, maximum) / maximum)
        bars.append(Bar(label, value, text, y, width, LABEL_W + width + 6, y + BAR_H - 6))
    axis_y = TOP + len(rows) * (BAR_H + GAP)
    ticks = [Tick(LABEL_W + round(plot_w * f), f"{round(maximum * f, 2):g}") for f in (0, 0.25, 0.5, 0.75, 1)]
    return BarChart(id, title, x_label, y_label, bars, ticks, WIDTH, axis_y + BOTTOM, LABEL_W, plot_w, axis_y)
