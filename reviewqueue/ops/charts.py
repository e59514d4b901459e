"""Server-rendered SVG charts: geometry computed here, drawn by `ops/_bar_chart.html`,
`ops/_stacked_chart.html`, `ops/_line_chart.html` and `ops/_time_series.html`, each with
a title, axis labels and the same figures as a table for screen readers. No JavaScript.

A time series repeats one element per point and one table row per bucket (the SLA page draws
ten of them, 31 points by 3 lines each): that markup is joined here, escaped, rather than by
template loops, whose per-variable cost (resolution, localisation) was most of the page's time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

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
    plot_w = WIDTH - LABEL_W - 150  # room on the right for the value beside a full bar
    bars = []
    for n, (label, value, text) in enumerate(rows):
        y = TOP + n * (BAR_H + GAP)
        width = 0 if value is None or maximum <= 0 else round(plot_w * min(value, maximum) / maximum)
        bars.append(Bar(label, value, text, y, width, LABEL_W + width + 6, y + BAR_H - 6))
    axis_y = TOP + len(rows) * (BAR_H + GAP)
    ticks = [Tick(LABEL_W + round(plot_w * f), f"{round(maximum * f, 2):g}") for f in (0, 0.25, 0.5, 0.75, 1)]
    return BarChart(id, title, x_label, y_label, bars, ticks, WIDTH, axis_y + BOTTOM, LABEL_W, plot_w, axis_y)


@dataclass(frozen=True)
class Segment:
    series: str  # also the CSS class suffix (chart-seg-<series>)
    value: int
    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class Column:
    label: str
    total: int
    segments: list[Segment]
    label_x: int
    show_label: bool


@dataclass(frozen=True)
class StackedChart:
    id: str
    title: str
    x_label: str
    y_label: str
    series: list[tuple[str, str]]  # (key, legend text)
    columns: list[Column]
    ticks: list[Tick]  # on the y axis: x is the y position here
    width: int
    height: int
    plot_x: int
    plot_y: int
    plot_w: int
    plot_h: int
    axis_y: int


def stacked_columns(
    *,
    id: str,
    title: str,
    x_label: str,
    y_label: str,
    series: list[tuple[str, str]],
    columns: list[tuple[str, dict[str, int]]],
    label_every: int = 1,
) -> StackedChart:
    """One column per time bucket, stacked by series, on a count axis from 0 to the tallest."""
    plot_x, plot_y, plot_w, plot_h = 48, 16, WIDTH - 48 - 10, 180
    top = max([sum(values.values()) for _, values in columns] + [1])
    step = plot_w / max(len(columns), 1)
    bar_w = max(1, int(step * 0.8))
    out = []
    for n, (label, values) in enumerate(columns):
        x = plot_x + int(n * step + (step - bar_w) / 2)
        y = plot_y + plot_h
        segments = []
        for key, _ in series:
            value = values.get(key, 0)
            height = round(plot_h * value / top)
            y -= height
            segments.append(Segment(key, value, x, y, bar_w, height))
        out.append(Column(label, sum(values.values()), segments, x + bar_w // 2, n % label_every == 0))
    ticks = [Tick(plot_y + plot_h - round(plot_h * f), f"{round(top * f):d}") for f in (0, 0.5, 1)]
    axis_y = plot_y + plot_h
    return StackedChart(
        id, title, x_label, y_label, series, out, ticks, WIDTH, axis_y + 46, plot_x, plot_y, plot_w, plot_h, axis_y
    )


@dataclass(frozen=True)
class Point:
    x: int
    y: int
    label: str  # the point's figures, for the data table
    data_x: float
    data_y: float


@dataclass(frozen=True)
class Series:
    key: str  # also the CSS class suffix (chart-line-<key>)
    name: str
    points: list[Point]

    @property
    def path(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)


@dataclass(frozen=True)
class LineChart:
    id: str
    title: str
    x_label: str
    y_label: str
    series: list[Series]
    x_ticks: list[Tick]
    y_ticks: list[Tick]  # x is the y position here, as in StackedChart
    diagonal: tuple[int, int, int, int] | None  # x1, y1, x2, y2: "perfectly calibrated"
    width: int
    height: int
    plot_x: int
    plot_y: int
    plot_w: int
    plot_h: int
    axis_y: int


def line_chart(
    *,
    id: str,
    title: str,
    x_label: str,
    y_label: str,
    series: list[tuple[str, str, list[tuple[float, float]]]],
    x_max: float = 1.0,
    y_max: float = 1.0,
    diagonal: bool = False,
    percent: bool = False,
) -> LineChart:
    """Lines through (x, y) points on numeric axes from 0 to x_max / y_max (values beyond are
    clipped to the edge): curves such as a reliability diagram or a trade-off. `series`: (key,
    legend text, points); `diagonal` draws y = x. Values over time buckets or runs are a
    `time_series` instead."""
    plot_x, plot_y, plot_w, plot_h = 56, 16, WIDTH - 56 - 36, 240  # room for the last x tick
    x_max, y_max = x_max if x_max > 0 else 1.0, y_max if y_max > 0 else 1.0

    def fmt(value: float) -> str:
        return f"{value * 100:.1f}%" if percent else f"{value:.2f}"

    def sx(value: float) -> int:
        return plot_x + round(plot_w * min(max(value, 0.0), x_max) / x_max)

    def sy(value: float) -> int:
        return plot_y + plot_h - round(plot_h * min(max(value, 0.0), y_max) / y_max)

    out = [
        Series(key, name, [Point(sx(x), sy(y), f"{fmt(x)} → {fmt(y)}", x, y) for x, y in points])
        for key, name, points in series
    ]
    x_ticks = [Tick(sx(x_max * f), fmt(x_max * f)) for f in (0, 0.25, 0.5, 0.75, 1)]
    y_ticks = [Tick(sy(y_max * f), fmt(y_max * f)) for f in (0, 0.5, 1)]
    top = min(x_max, y_max)
    line = (sx(0), sy(0), sx(top), sy(top)) if diagonal else None
    axis_y = plot_y + plot_h
    return LineChart(
        id,
        title,
        x_label,
        y_label,
        out,
        x_ticks,
        y_ticks,
        line,
        WIDTH,
        axis_y + 46,
        plot_x,
        plot_y,
        plot_w,
        plot_h,
        axis_y,
    )


@dataclass(frozen=True)
class SeriesPoint:
    x: int
    y: int
    text: str


@dataclass(frozen=True)
class SeriesLine:
    series: str  # also the CSS class suffix (chart-line-<series>)
    label: str
    runs: list[str]  # SVG polyline `points`, one per run of two or more buckets with a value (none across a gap)
    points: list[SeriesPoint]

    @property
    def dots(self) -> SafeString:
        """A circle per point (the template draws them as they are)."""
        series = escape(self.series)
        dots = (
            f'<circle class="chart-dot chart-dot-{series}" cx="{p.x}" cy="{p.y}" r="2.5"></circle>' for p in self.points
        )
        return mark_safe("".join(dots))  # noqa: S308 - the one text is escaped, the rest are ints


@dataclass(frozen=True)
class SeriesChart:
    id: str
    title: str
    x_label: str
    y_label: str
    series: list[tuple[str, str]]  # (key, legend text)
    lines: list[SeriesLine]
    empty: bool  # no value in any bucket
    x_ticks: list[Tick]
    y_ticks: list[Tick]  # x is the y position here, as in StackedChart
    columns: list[str]  # the data table's header after the x label
    rows: list[tuple[str, list[str]]]  # the data table: x label, then one text per column
    width: int
    height: int
    plot_x: int
    plot_y: int
    plot_w: int
    plot_h: int
    axis_y: int

    @property
    def table_body(self) -> SafeString:
        """The data table's rows (the template puts them in its `tbody`)."""
        rows = (
            f'<tr><th scope="row">{escape(label)}</th>{"".join(f"<td>{escape(cell)}</td>" for cell in cells)}</tr>'
            for label, cells in self.rows
        )
        return mark_safe("".join(rows))  # noqa: S308 - every text in it is escaped


def time_series(
    *,
    id: str,
    title: str,
    x_label: str,
    y_label: str,
    series: list[tuple[str, str]],
    labels: list[str],
    values: dict[str, list[float | None]],
    text: Callable[[float | None], str],
    counts: tuple[str, list[int]] | None = None,
    label_every: int = 1,
) -> SeriesChart:
    """One line per series over evenly spaced buckets, on an axis from 0 to the highest value;
    a bucket without a value breaks the line (drawn as a gap, said as "—" in the table).
    `counts` adds a column to the table (for example how many items each point is made of)."""
    plot_x, plot_y, plot_w, plot_h = 64, 16, WIDTH - 64 - 16, 180
    present = [v for key, _ in series for v in values[key] if v is not None]
    top = max([*present, 0.0]) or 1.0
    n = len(labels)
    step = plot_w / max(n - 1, 1)

    def x_of(i: int) -> int:
        return plot_x + round(i * step) if n > 1 else plot_x + plot_w // 2

    def y_of(v: float) -> int:
        return plot_y + plot_h - round(plot_h * v / top)

    lines = []
    for key, legend in series:
        runs: list[str] = []
        run: list[str] = []
        points = []
        # A lone point has no line (its dot shows it).
        for i, v in enumerate(values[key]):
            if v is None:
                if len(run) > 1:
                    runs.append(" ".join(run))
                run = []
                continue
            run.append(f"{x_of(i)},{y_of(v)}")
            points.append(SeriesPoint(x_of(i), y_of(v), text(v)))
        if len(run) > 1:
            runs.append(" ".join(run))
        lines.append(SeriesLine(key, legend, runs, points))
    x_ticks = [Tick(x_of(i), label) for i, label in enumerate(labels) if i % label_every == 0]
    # No value at all: only the zero line (the table and the empty plot say there is no data).
    y_ticks = [Tick(y_of(top * f), text(top * f)) for f in ((0, 0.5, 1) if present else (0,))]
    columns = [legend for _, legend in series] + ([counts[0]] if counts else [])
    rows = [
        (label, [text(values[key][i]) for key, _ in series] + ([str(counts[1][i])] if counts else []))
        for i, label in enumerate(labels)
    ]
    axis_y = plot_y + plot_h
    return SeriesChart(
        id,
        title,
        x_label,
        y_label,
        series,
        lines,
        not present,
        x_ticks,
        y_ticks,
        columns,
        rows,
        WIDTH,
        axis_y + 46,
        plot_x,
        plot_y,
        plot_w,
        plot_h,
        axis_y,
    )
