"""Issues and risks in the minutes (问题与风险): which table rows are one, and reading them.

Pure. The collaboration guides ask the minutes to list open disputes, issues and risks with an
owner and a status (进行中 → 已解决, or 需升级 to the executive). People write them three ways:

- a keyword line — ``DISPUTE:`` / ``ISSUE:`` / ``RISK:`` / ``争议：`` / ``问题：`` / ``风险：`` (and
  ``爭議：`` / ``風險：``, read through :func:`~mailflow.text_forms.simplified`) — or a line
  under a heading such as 遗留问题 / 问题与风险 / Open issues / Risks: those are ``dispute``
  entries of :mod:`mailflow.domain.minutes_lines`;
- a row of an action table whose type column (类型/类别/Type/Category) says 问题/风险/争议/
  Issue/Risk, or any row of an action table under such a heading: :func:`is_issue_row`;
- either of them with the owner and due date written as for an action (``@bob``, ``负责人：``,
  由X负责…前, ``due:``), read by the same :func:`~mailflow.domain.minutes_actions.parse_item`.

Unlike an action, an issue needs no owner: it is still tracked, owned by the meeting's organiser
until someone is named (decided where the items are made, :mod:`mailflow.services.issues`, since
the parser does not know the organiser). A name that is written must resolve, as for an action.
A row a tracking sheet already marks resolved (已解决/Resolved/Closed) is history, not tracked.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from mailflow.domain.minutes_actions import ParsedItem
from mailflow.domain.problem_messages import is_chinese
from mailflow.text_forms import simplified

# What a type cell says when the row is an issue or a risk (Simplified, case-folded).
ISSUE_TYPES = frozenset(
    {"问题", "风险", "争议", "风险点", "问题点", "隐患", "风险/问题", "问题/风险", "待决事项"}
    | {"issue", "issues", "risk", "risks", "dispute", "open issue", "open question", "blocker"}
)
# What a status cell says when the issue is already closed.
_RESOLVED = frozenset(
    {"已解决", "解决", "已关闭", "关闭", "已完成", "完成", "resolved", "closed", "done"}
)
# What people put in an owner cell when nobody owns the issue yet.
_NOBODY = re.compile(r"^(?:待定|待确认|未定|暂无|无|待分配|tbd|tbc|n/?a|none|-+|—+|/)$", re.I)

ItemReader = Callable[[str, str], ParsedItem]  # (body, line as written) -> the parsed issue


def _word(cell: str) -> str:
    return simplified(unicodedata.normalize("NFKC", cell)).casefold().strip(" .。:：")


def is_issue_row(cells: dict[str, str], section: str | None) -> bool:
    """Whether a row of an action table is an issue: its type column says so, or (without a
    type column) the table sits under an issues heading."""
    kind = cells.get("kind")
    if kind is not None:
        return _word(kind) in ISSUE_TYPES
    return section == "dispute"


def read_issue_row(cells: dict[str, str], line: str, read: ItemReader) -> ParsedItem | None:
    """One issue row read as the line ``描述；负责人：X；截止：Y`` would be, so that owner and due
    date follow the rules of a written line; None for a row with nothing in it."""
    task = cells.get("task", "").strip()
    if not task:
        return None
    if _word(cells.get("status", "")) in _RESOLVED:
        note = (
            f"{task}：表格中已标记为已解决，未新建问题"
            if is_chinese(line)
            else f"{task}: marked resolved in the table, not tracked as a new issue"
        )
        return ParsedItem(None, [], [note])
    owner = cells.get("owner", "").strip()
    if not owner or _NOBODY.match(owner):
        owner = cells.get("dept", "").strip()
    parts = [task]
    if owner and not _NOBODY.match(owner):
        parts.append(f"负责人：{owner}")
    if cells.get("due", "").strip():
        parts.append(f"截止：{cells['due'].strip()}")
    if cells.get("deliverable", "").strip():
        parts.append(f"交付物：{cells['deliverable'].strip()}")
    return read("; ".join(parts), line)
