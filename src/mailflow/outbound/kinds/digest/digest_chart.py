"""The digest's numbers as both bodies show them: status totals with change, and the bar chart.

Pure arithmetic and labels, computed once per mail so the HTML chart (nested tables with
pixel-wide coloured cells, which Outlook, Gmail and Apple Mail all draw) and the ASCII chart of
the text body are cut from the same figures.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from mailflow.domain.item_status import OPEN_STATUS_NAMES
from mailflow.outbound.kinds.digest.digest_data import StatusCounts
from mailflow.outbound.kinds.minutes.minutes_parts import status_label
from mailflow.outbound.rendering.items_export import ITEM_STATUSES
from mailflow.outbound.rendering.templating import wording

# The widest HTML bar in pixels and the widest text bar in characters; the department with the
# most items gets the full width, the others a proportional share.
BAR_PX = 380
BAR_CHARS = 32
# A segment narrower than this shows no number inside: two digits do not fit.
_NUMBER_PX = 22
# Colours a reader with red-green colour blindness can still tell apart, with white text on all.
COLOURS = {
    "not_started": "#6e7781",
    "in_progress": "#0969da",
    "awaiting_acceptance": "#8250df",
    "done": "#1a7f37",
    "delayed": "#bc4c00",
    "cancelled": "#afb8c1",
}
# The statuses of items still being worked on, counted as "open".
OPEN_STATUSES = OPEN_STATUS_NAMES
SYMBOLS = {
    "not_started": ".",
    "in_progress": "=",
    "awaiting_acceptance": "?",
    "done": "#",
    "delayed": "!",
    "cancelled": "x",
}


def split(counts: Sequence[int], width: int, minimum: int) -> list[int]:
    """``width`` shared out in proportion to ``counts``, each non-zero count getting at least
    ``minimum`` (the width grows when the minimums need more). The parts add up exactly.
    """
    total = sum(counts)
    if total == 0:
        return [0] * len(counts)
    shown = sum(1 for count in counts if count)
    spare = max(width, shown * minimum) - shown * minimum
    exact = [count * spare / total for count in counts]
    parts = [int(share) for share in exact]
    # Largest remainder: the pixels lost to rounding down go to the largest fractions.
    order = sorted(range(len(counts)), key=lambda i: (parts[i] - exact[i], i))
    for i in order[: spare - sum(parts)]:
        parts[i] += 1
    return [part + (minimum if count else 0) for part, count in zip(parts, counts, strict=True)]


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospaced font: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def department_label(department: str, locale: str) -> str:
    if department:
        return department
    return {"zh_CN": "（未指定部门）", "zh_TW": "（未指定部門）"}.get(
        wording(locale), "(no department)"
    )


def ordered(departments: Sequence[str], present: Iterable[str]) -> list[str]:
    """The executive's departments in their order, then any other department present, sorted."""
    extra = sorted(set(present) - set(departments))
    return [*dict.fromkeys(departments), *extra]


def totals(counts: StatusCounts) -> dict[str, int]:
    return {s: sum(by.get(s, 0) for by in counts.values()) for s in ITEM_STATUSES}


def change(now: int, before: int | None) -> str:
    """``+2``, ``-1``, ``0``; ``—`` when there is no earlier digest to compare with."""
    if before is None:
        return "—"
    return f"{now - before:+d}" if now != before else "0"


def status_rows(
    counts: StatusCounts, previous: StatusCounts | None, locale: str
) -> list[dict[str, Any]]:
    """One row per status and a last one for all items: label, count and change."""
    now = totals(counts)
    before = totals(previous) if previous is not None else None
    rows: list[dict[str, Any]] = [
        {
            "status": status,
            "label": status_label(status, locale),
            "count": now[status],
            "change": change(now[status], before[status] if before else None),
            "colour": COLOURS[status],
        }
        for status in ITEM_STATUSES
    ]
    rows.append(
        {
            "status": "total",
            "label": {"zh_CN": "合计", "zh_TW": "合計"}.get(wording(locale), "All items"),
            "count": sum(now.values()),
            "change": change(sum(now.values()), sum(before.values()) if before else None),
            "colour": "",
        }
    )
    # The text body lines the counts up in a column, whatever the labels' script.
    width = max(display_width(str(row["label"])) for row in rows)
    for row in rows:
        row["padded"] = pad(str(row["label"]), width)
    return rows


def legend(locale: str) -> list[dict[str, str]]:
    return [
        {"label": status_label(s, locale), "colour": COLOURS[s], "symbol": SYMBOLS[s]}
        for s in ITEM_STATUSES
    ]


def chart_rows(
    departments: Sequence[str], counts: StatusCounts, locale: str
) -> list[dict[str, Any]]:
    """Per department: its label, total, HTML segments (pixels) and the text bar."""
    names = ordered(departments, counts)
    labels = [department_label(name, locale) for name in names]
    label_width = max((display_width(label) for label in labels), default=0)
    per = [[counts.get(name, {}).get(s, 0) for s in ITEM_STATUSES] for name in names]
    biggest = max((sum(row) for row in per), default=0) or 1
    rows = []
    for label, values in zip(labels, per, strict=True):
        total = sum(values)
        pixels = split(values, round(total * BAR_PX / biggest), 6)
        chars = split(values, round(total * BAR_CHARS / biggest), 1)
        segments = [
            {
                "status": status,
                "label": status_label(status, locale),
                "count": count,
                "colour": COLOURS[status],
                "px": px,
                "number": px >= _NUMBER_PX,
            }
            for status, count, px in zip(ITEM_STATUSES, values, pixels, strict=True)
            if count
        ]
        bar = "".join(SYMBOLS[s] * n for s, n in zip(ITEM_STATUSES, chars, strict=True))
        rows.append(
            {
                "department": label,
                "total": total,
                "segments": segments,
                "bar_px": sum(pixels),
                "text": f"{pad(label, label_width)}  {pad(bar, max(BAR_CHARS, len(bar)))}  {total}",
                "indent": " " * label_width,
            }
        )
    return rows


def by_department(
    entries: Sequence[Mapping[str, Any]], departments: Sequence[str], locale: str
) -> list[dict[str, Any]]:
    """Entries (each with a ``department``) grouped: the executive's departments first."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for entry in entries:
        groups.setdefault(str(entry["department"]), []).append(entry)
    return [
        {"department": department_label(name, locale), "items": groups[name]}
        for name in ordered(departments, groups)
        if name in groups
    ]
