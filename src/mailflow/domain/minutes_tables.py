"""Find the tables in minutes text and read the ones that list actions, by what their columns mean.

Pure: lines or rows of cells in, :class:`Table` values and rows by meaning out. Scribes paste
tables from Word, Excel and 飞书 far more often than they type keyword lines; the company's own
templates (会议纪要模板, 行动项跟踪表) are tables with the columns 序号 | 事项 | 责任人 |
责任部门 | 完成时间 | 状态.

Where tables come from:

- HTML tables (Word/Outlook, OWA, Gmail, Foxmail, webmails) reach this module as tab-separated
  rows: :func:`mailflow.inbound.understanding.replies.reply_html.html_reply_text` with
  ``table_rows=True`` keeps the grid (merged cells spread to their columns);
- plain text: tab-separated rows (an Excel paste), ``|`` or ``｜`` rows (Markdown, 飞书; the
  ``|---|`` line is skipped), and columns aligned with spaces under a header that names them
  (split at two or more spaces, else at the header's columns by display width);
- ``.xlsx`` and ``.csv`` attachments (:mod:`mailflow.inbound.reading.attachments`) as rows of cells.

A table lists actions when a header row (one of its first rows; a title row above it and a second
header row under merged cells are read too) names a task column and an owner column — a person
(责任人/负责人/Owner/…) or a department (责任部门/牵头部门/Dept, meaning its head). Agenda,
attendance and budget tables name neither and are left alone. Header words, zh_CN, zh_TW and en,
are in :data:`COLUMNS`; a cell means a column when it is one of the words or starts or ends with
one (``责任人（部门）``, ``计划完成时间``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from mailflow.text_forms import simplified

COLUMNS: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号", "#", "no", "no.", "s/n", "sn", "item no", "项次", "序"),
    "task": (
        *("事项", "任务", "工作内容", "行动项", "待办", "待办事项", "工作事项", "行动", "具体工作"),
        *("工作项目", "行动项目", "任务名称", "事项名称", "工作任务及要求"),
        *("工作任务", "任务内容", "事项内容", "行动事项", "具体事项", "跟进事项", "主要工作"),
        *("工作安排", "改进措施", "措施", "内容", "议定事项", "落实事项", "任务描述", "问题"),
        *("描述", "风险描述", "风险事项", "issue", "risk"),
        *("action", "action item", "action items", "task", "tasks", "item", "to do", "todo"),
        *("what", "description", "activity", "next step", "next steps", "follow-up", "topic"),
    ),
    "owner": (
        *("责任人", "负责人", "执行人", "跟进人", "承办人", "经办人", "主责人", "牵头人", "对接人"),
        *("完成人", "落实人", "处理人"),
        *("owner", "owners", "assignee", "assigned to", "who", "pic", "responsible"),
        *("person in charge", "action owner", "responsible person", "lead"),
    ),
    "dept": (
        *("责任部门", "牵头部门", "负责部门", "主责部门", "承办部门", "责任单位", "牵头单位"),
        *("部门", "dept", "department", "team", "function", "owner dept"),
    ),
    "support": ("配合部门", "协助部门", "配合人", "协办部门", "配合单位", "协作部门", "support"),
    "due": (
        *(
            "完成时间",
            "截止时间",
            "计划完成时间",
            "完成期限",
            "期限",
            "时限",
            "截止日期",
            "完成日期",
        ),
        *("时间节点", "计划完成日期", "要求完成时间", "截止", "完成时限", "预计完成时间", "时间"),
        *("due", "due date", "deadline", "by when", "target date", "eta", "when", "date"),
        *("target", "due by", "completion date", "timeline"),
    ),
    "deliverable": (
        *("交付物", "输出物", "成果", "产出", "输出", "交付成果", "成果形式", "输出成果"),
        *("deliverable", "deliverables", "output", "outputs"),
    ),
    "status": (
        *("状态", "进度", "完成情况", "进展", "当前状态", "进展情况", "执行情况"),
        *("status", "progress", "state"),
    ),
    "notes": ("备注", "说明", "notes", "note", "remarks", "remark", "comments", "comment"),
    # Whether a row is an action or an issue/risk (类型: 问题/风险, see domain.minutes_issues).
    "kind": ("类型", "类别", "事项类型", "分类", "type", "category", "item type"),
}
_BY_WORD = {word: meaning for meaning, words in COLUMNS.items() for word in words}
_LONGEST_FIRST = [w for w in sorted(_BY_WORD, key=len, reverse=True) if len(w) >= 2]
_SQUEEZED = {word.replace(" ", ""): _BY_WORD[word] for word in _LONGEST_FIRST}
_STARTS = re.compile("|".join(re.escape(w.replace(" ", "")) for w in _LONGEST_FIRST))
_ENDS = re.compile("(?:" + "|".join(re.escape(w.replace(" ", "")) for w in _LONGEST_FIRST) + ")$")
_PIPE = re.compile(r"[|｜]")
_LIST_MARK = re.compile(
    r"^(?:\d{1,3}[.)、．]|[(（]\s*(?:\d{1,3}|[一二三四五六七八九十]{1,3})\s*[)）]"
    r"|[一二三四五六七八九十]{1,3}[、.．]|[-•·*o§▪◦●○■□➢➤►▶]|[①-⑳]|[a-zA-Z][.)])$"
)
_RULE = re.compile(r"^[\s|｜:：\-—–=+]+$")
_ALIGNED = re.compile(r"\s{2,}|\u3000+")
_PUNCT = re.compile(r"[\s*_:：()（）\[\]【】/／.。]+")
STATUS_WORDS: dict[str, str] = dict.fromkeys(
    ("未开始", "未启动", "待开始", "not started", "open", "new", "to do", "todo"), "not_started"
)
STATUS_WORDS |= dict.fromkeys(
    ("进行中", "进展中", "跟进中", "处理中", "推进中", "in progress", "ongoing", "wip"),
    "in_progress",
)
STATUS_WORDS |= dict.fromkeys(
    ("已完成", "完成", "已结束", "已关闭", "done", "completed", "closed", "finished"), "done"
)
STATUS_WORDS |= dict.fromkeys(("延期", "已延期", "逾期", "delayed", "overdue", "late"), "delayed")


@dataclass(frozen=True)
class Table:
    """Rows of cells as written, and for each row the line a scribe would recognise it by."""

    rows: tuple[tuple[str, ...], ...]
    lines: tuple[str, ...]
    source: str = ""  # "" for the mail's text, else the attachment's name


@dataclass(frozen=True)
class ActionTable:
    """An action table: which column means what, and its data rows (cells by meaning)."""

    table: Table
    columns: dict[int, str]
    rows: tuple[tuple[dict[str, str], str], ...]  # (cells by meaning, the row as written)


@lru_cache(maxsize=4096)
def column_meaning(cell: str) -> str | None:
    """What a header cell names (see :data:`COLUMNS`), or None."""
    word = _PUNCT.sub(" ", simplified(unicodedata.normalize("NFKC", cell)).casefold()).strip()
    if not word or len(word) > 24:
        return None
    if word in _BY_WORD:
        return _BY_WORD[word]
    squeezed = word.replace(" ", "")
    found = _STARTS.match(squeezed) or _ENDS.search(squeezed)
    return _SQUEEZED[found.group()] if found is not None else None


def cells_of(line: str) -> list[str] | None:
    """The cells of one line of a plain-text table (tabs or pipes), or None if it is not one."""
    stripped = line.strip()
    if "\t" in stripped:
        cells = [cell.strip() for cell in stripped.split("\t")]
        if len(cells) == 2 and _LIST_MARK.match(cells[0]):
            return None  # "1.<tab>…": Word's numbered paragraph, not a row
        return cells
    # ``stripped[:1] in "|｜"`` is also true of "": a blank line would join two tables.
    edged = bool(stripped) and stripped[:1] in "|｜" and stripped[-1:] in "|｜"
    if len(_PIPE.findall(stripped)) >= 2 or edged:
        inner = stripped
        if inner[:1] in "|｜":
            inner = inner[1:]
        if inner[-1:] in "|｜":
            inner = inner[:-1]
        return [cell.strip() for cell in _PIPE.split(inner)]
    return None


def find_tables(lines: list[str]) -> list[tuple[int, int, Table]]:
    """The tables among ``lines``: (first line, line after the last, table), in order."""
    found: list[tuple[int, int, Table]] = []
    index = 0
    while index < len(lines):
        end, table = _table_at(lines, index)
        if table is not None:
            found.append((index, end, table))
            index = end
        else:
            index += 1
    return found


def _table_at(lines: list[str], start: int) -> tuple[int, Table | None]:
    first = lines[start]
    if first.lstrip().startswith(">"):
        return start, None
    rows: list[tuple[str, ...]] = []
    written: list[str] = []
    index = start
    while index < len(lines):
        cells = cells_of(lines[index]) if not lines[index].lstrip().startswith(">") else None
        if cells is None:
            break
        if not _RULE.match(lines[index]):
            rows.append(tuple(cells))
            written.append(lines[index].strip())
        index += 1
    if len(rows) >= 2:
        return index, Table(tuple(rows), tuple(written))
    aligned = _aligned_table(lines, start)
    if aligned is not None:
        return aligned
    return start, None


def _aligned_table(lines: list[str], start: int) -> tuple[int, Table] | None:
    """A table whose columns are aligned with spaces, under a header that names them."""
    header = _ALIGNED.split(lines[start].strip())
    meanings = [column_meaning(cell) for cell in header]
    if len(header) < 3 or sum(m is not None for m in meanings) < 2:
        return None
    if not {"task", "owner", "dept"} & set(filter(None, meanings)):
        return None
    stops = _column_stops(lines[start])
    rows = [tuple(header)]
    written = [lines[start].strip()]
    index = start + 1
    while index < len(lines) and lines[index].strip():
        if _RULE.match(lines[index]):
            index += 1  # the dashes under the header
            continue
        cells = _ALIGNED.split(lines[index].strip())
        if len(cells) != len(header):
            cells = _by_stops(lines[index], stops)
        rows.append(tuple(cells))
        written.append(lines[index].strip())
        index += 1
    while index < len(lines) and _RULE.match(lines[index]) and lines[index].strip():
        index += 1
    return (index, Table(tuple(rows), tuple(written))) if len(rows) >= 2 else None


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _column_stops(line: str) -> list[int]:
    """The display columns where the header's cells start."""
    stops: list[int] = []
    for match in re.finditer(r"\S+(?:\s\S+)*", line.rstrip()):
        stops.append(_width(line[: match.start()]))
    return stops


def _by_stops(line: str, stops: list[int]) -> list[str]:
    """``line`` cut at the display columns ``stops``; a word across a stop goes to its start."""
    cells = [""] * len(stops)
    column = 0
    for match in re.finditer(r"\S+(?:\s\S+)*", line.rstrip()):
        where = _width(line[: match.start()])
        while column + 1 < len(stops) and where >= stops[column + 1] - 1:
            column += 1
        cells[column] = f"{cells[column]} {match.group()}".strip()
    return cells


def read_table(table: Table) -> ActionTable | None:
    """The action rows of ``table``, or None when it does not list actions (see the docstring)."""
    for index, row in enumerate(table.rows[:4]):
        columns = {i: m for i, m in enumerate(map(column_meaning, row)) if m is not None}
        if len(columns) < 2 or "task" not in columns.values():
            continue
        following = table.rows[index + 1] if index + 1 < len(table.rows) else ()
        below = {i: m for i, m in enumerate(map(column_meaning, following)) if m is not None}
        data_from = index + 1
        if below and len(below) >= 1 and not _is_data(following, below):
            # A second header row under merged cells ("责任" over 责任人 | 责任部门).
            columns = {**columns, **below}
            data_from += 1
        if not {"owner", "dept"} & set(columns.values()):
            return None
        columns = _numbering_is_not_a_task(columns, table.rows[data_from:])
        if _is_agenda(columns, table.rows[data_from:]):
            return None
        rows = []
        for row_index in range(data_from, len(table.rows)):
            row = table.rows[row_index]
            cells = _by_meaning(row, columns)
            if not any(cells.values()) or _repeats_header(row, columns):
                continue
            rows.append((cells, table.lines[row_index]))
        return ActionTable(table, columns, tuple(rows))
    return None


_CODE = re.compile(r"^[A-Za-z]{0,3}[-#]?\d{1,4}[.)]?$")
_CLOCK = re.compile(r"^\d{1,2}[:：]\d{2}")


def _numbering_is_not_a_task(
    columns: dict[int, str], rows: tuple[tuple[str, ...], ...]
) -> dict[int, str]:
    """With two task columns ("Item" and "Action"), one holding only numbers is the numbering."""
    tasks = [i for i, m in columns.items() if m == "task"]
    if len(tasks) < 2:
        return columns
    for index in tasks:
        values = [row[index].strip() for row in rows if index < len(row) and row[index].strip()]
        if values and all(_CODE.match(v) for v in values):
            columns = {**columns, index: "seq"}
    return columns


def _is_agenda(columns: dict[int, str], rows: tuple[tuple[str, ...], ...]) -> bool:
    """An agenda (时间 | 内容 | 负责人) names times of day where a list of actions has dates."""
    dues = [i for i, m in columns.items() if m == "due"]
    values = [row[i].strip() for row in rows for i in dues if i < len(row) and row[i].strip()]
    return bool(values) and sum(bool(_CLOCK.match(v)) for v in values) * 2 > len(values)


def _is_data(row: tuple[str, ...], meanings: dict[int, str]) -> bool:
    """Whether a row that has some header words is data after all (most cells are not words)."""
    filled = [cell for cell in row if cell.strip()]
    return len(meanings) < max(1, len(filled) // 2)


def _repeats_header(row: tuple[str, ...], columns: dict[int, str]) -> bool:
    return sum(column_meaning(row[i]) == m for i, m in columns.items() if i < len(row)) >= 2


def _by_meaning(row: tuple[str, ...], columns: dict[int, str]) -> dict[str, str]:
    cells: dict[str, str] = {}
    for index, meaning in columns.items():
        if index < len(row) and row[index].strip():
            value = " ".join(row[index].split())
            cells[meaning] = f"{cells[meaning]}：{value}" if meaning in cells else value
    return cells


def status_of(text: str) -> str | None:
    """The item status a tracking table's status cell names (已完成 → done), or None."""
    word = simplified(unicodedata.normalize("NFKC", text)).casefold().strip(" .。")
    if word in STATUS_WORDS:
        return STATUS_WORDS[word]
    if re.fullmatch(r"\d{1,3}\s*%", word):
        return "done" if word.startswith("100") else ("not_started" if word[0] == "0" else None)
    return None
