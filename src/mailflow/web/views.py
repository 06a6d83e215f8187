"""What the board's pages show, computed from the tracker's rows: columns, figures, timeline.

Pure: rows of :mod:`mailflow.tracker.board_repo` and ``today`` in, plain values out, which the
HTML pages and the JSON API both use. The per-department bar is the digest's
(:func:`mailflow.outbound.kinds.digest.digest_chart.chart_rows`), drawn as SVG rather than table
cells.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from mailflow.domain.item_status import OPEN_STATUS_NAMES
from mailflow.outbound.kinds.digest.digest_chart import (
    BAR_PX,
    COLOURS,
    chart_rows,
    department_label,
)
from mailflow.tracker.board_rows import BoardData, BoardItem
from mailflow.web.texts import COLUMNS

# Cards shown per column; the rest are counted, and filters narrow the board to them.
PER_COLUMN = 50
# Meetings listed on a project's board, the latest first.
MEETINGS_SHOWN = 30
# Rows of the timeline: the open items due soonest.
TIMELINE_ROWS = 40
_OPEN = frozenset(OPEN_STATUS_NAMES)


def overdue(item: BoardItem, today: date) -> bool:
    """Still the owner's to do and past its due date."""
    return item.status in _OPEN and item.due is not None and item.due < today


def on_time(item: BoardItem) -> bool | None:
    """Whether a done item was finished by its due date; None when it is not done or has none."""
    if item.status != "done" or item.due is None or item.finished_at is None:
        return None
    return item.finished_at.date() <= item.due


@dataclass
class DepartmentFigures:
    department: str
    items: int = 0
    open: int = 0
    done: int = 0
    overdue: int = 0
    at_risk: int = 0
    on_time: int = 0
    late: int = 0

    @property
    def on_time_rate(self) -> float | None:
        """Done on time over everything that came due: on time, late and overdue."""
        counted = self.on_time + self.late + self.overdue
        return None if counted == 0 else self.on_time / counted


@dataclass
class Board:
    """One board: its columns (capped), the filters' choices, figures and timeline."""

    columns: list[dict[str, Any]]
    departments: list[str]
    owners: list[str]
    figures: list[DepartmentFigures]
    chart: list[dict[str, Any]]
    timeline: dict[str, Any]
    total: int


def figures_by_department(data: BoardData) -> list[DepartmentFigures]:
    """Per department: items, open, done, overdue, at risk, and done on time or late."""
    per: dict[str, DepartmentFigures] = {}

    def of(department: str) -> DepartmentFigures:
        return per.setdefault(department, DepartmentFigures(department))

    for row in data.counts:
        figures = of(row.department)
        figures.items += row.count
        if row.status in _OPEN:
            figures.open += row.count
            figures.at_risk += row.count if row.at_risk else 0
        if row.status == "done":
            figures.done += row.count
        figures.overdue += row.count if row.overdue else 0
        figures.on_time += row.count if row.timing == "on_time" else 0
        figures.late += row.count if row.timing == "late" else 0
    return sorted(per.values(), key=lambda f: (f.department == "", f.department))


def board(data: BoardData, *, today: date, lang: str) -> Board:
    """The board the tracker answered (:func:`mailflow.tracker.board_project.project_board`)."""
    counts: dict[str, Counter[str]] = {}
    for row in data.counts:
        counts.setdefault(row.department, Counter())[row.status] += row.count
    by_status = Counter[str]()
    for per in counts.values():
        by_status.update(per)
    columns = [
        {
            "status": status,
            "count": by_status[status],
            "cards": data.columns.get(status, []),
            "hidden": max(0, by_status[status] - len(data.columns.get(status, []))),
        }
        for status in COLUMNS
    ]
    figures = figures_by_department(data)
    chart = chart_rows([f.department for f in figures], counts, lang)
    for bar, fig in zip(chart, figures, strict=True):
        bar["figures"] = fig
        bar["label"] = department_label(fig.department, lang)
    return Board(
        columns=columns,
        departments=data.departments,
        owners=data.owners,
        figures=figures,
        chart=chart,
        timeline=timeline(data.timeline, today, total=sum(by_status.values()) - by_status["done"]),
        total=sum(by_status.values()),
    )


def timeline(items: Sequence[BoardItem], today: date, *, total: int) -> dict[str, Any]:
    """A Gantt-style chart's geometry: one bar per open item, from its creation to its due date,
    the soonest due first, on a day scale from the earliest start to the latest due (and today).

    Coordinates are in a 1000-unit-wide viewBox the SVG scales to any width.
    """
    picked = [i for i in items if i.due is not None]
    width, label, row_h = 1000, 190, 22
    if not picked:
        return {"rows": [], "width": width, "height": 0, "total": total, "ticks": []}
    starts = [min(i.created_at.date(), i.due or today) for i in picked]
    first = min([*starts, today])
    last = max([*(i.due or today for i in picked), today]) + timedelta(days=1)
    span = max((last - first).days, 1)
    scale = (width - label - 10) / span

    def x(day: date) -> float:
        return round(label + (day - first).days * scale, 1)

    bars = []
    for n, (item, start) in enumerate(zip(picked, starts, strict=True)):
        assert item.due is not None
        left, right = x(start), x(item.due + timedelta(days=1))
        bars.append(
            {
                "item": item,
                "y": 24 + n * row_h,
                "x": left,
                "w": max(right - left, 3.0),
                "colour": COLOURS.get(item.status, COLOURS["not_started"]),
                "overdue": overdue(item, today),
                "text_y": 24 + n * row_h + 14,
            }
        )
    step = max(1, span // 6)
    ticks = [
        {"x": x(first + timedelta(days=d)), "label": (first + timedelta(days=d)).strftime("%m-%d")}
        for d in range(0, span, step)
    ]
    return {
        "rows": bars,
        "width": width,
        "height": 24 + len(bars) * row_h + 6,
        "today_x": x(today),
        "ticks": ticks,
        "total": total,
        "label_x": 4,
    }


def chart_scale() -> int:
    """The width of the digest's widest bar: the department chart's viewBox."""
    return BAR_PX


def names_of(people: Mapping[str, str], email: str) -> str:
    return people.get(email.lower(), "") or email
