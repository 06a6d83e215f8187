"""The words of the mails about issues and risks (问题与风险), per locale (en, zh_CN, zh_TW).

Kept apart from the logic, as :mod:`mailflow.outbound.kinds.answers.answer_texts` is, so a
translator edits one file: the escalation to the owner's executive (需升级), the confirmation to
whoever escalated, and the status labels an issue shows in the minutes (进行中 / 已解决).
"""

from __future__ import annotations

from typing import Any

from mailflow.outbound.rendering.templating import wording

# An issue's status as the official minutes and the receipt show it; an issue that is "done"
# is resolved, not completed.
STATUS = {
    "en": {"not_started": "open", "in_progress": "open", "delayed": "open", "done": "resolved"},
    "zh_CN": {"not_started": "进行中", "in_progress": "进行中", "delayed": "进行中"},
    "zh_TW": {"not_started": "進行中", "in_progress": "進行中", "delayed": "進行中"},
}
STATUS["zh_CN"]["done"] = "已解决"
STATUS["zh_TW"]["done"] = "已解決"


def issue_view(view: dict[str, Any], locale: str) -> dict[str, Any]:
    """An item's view (``minutes_parts.item_view``) as an issue shows it: 进行中 / 已解决."""
    label = STATUS[wording(locale)].get(str(view.get("status")))
    return {**view, "status_label": label} if label else view


def escalation_subject(locale: str, ref: str, task: str) -> str:
    return {
        "zh_CN": f"问题需升级：{ref} {task}",
        "zh_TW": f"問題需升級：{ref} {task}",
    }.get(wording(locale), f"Issue escalated to you: {ref} {task}")


def escalation(
    locale: str,
    *,
    ref: str,
    task: str,
    owner: str,
    by: str,
    reason: str,
    meeting: str | None,
    due: str | None,
) -> list[str]:
    """To the owner's executive (else the organiser): what the issue is, who escalated it and
    why, and how to act on it by reply."""
    variant = wording(locale)
    if variant == "zh_TW":
        return [
            f"{by} 將問題 {ref}「{task}」升級給您（需升級）"
            + (f"，來自會議「{meeting}」" if meeting else "")
            + "。",
            f"負責人：{owner}" + (f"；完成期限：{due}" if due else ""),
            f"升級原因：{reason}",
            f"問題解決後請回覆：{ref} 已解決 <說明>；改派他人請回覆：{ref} 轉交 @別名",
        ]
    if variant == "zh_CN":
        return [
            f"{by} 将问题 {ref}“{task}”升级给您（需升级）"
            + (f"，来自会议“{meeting}”" if meeting else "")
            + "。",
            f"负责人：{owner}" + (f"；截止日期：{due}" if due else ""),
            f"升级原因：{reason}",
            f"问题解决后请回复：{ref} 已解决 <说明>；改派他人请回复：{ref} 转交 @别名",
        ]
    return [
        f'{by} escalated issue {ref} "{task}" to you'
        + (f' (from the meeting "{meeting}")' if meeting else "")
        + ".",
        f"Owner: {owner}" + (f"; due {due}" if due else ""),
        f"Reason: {reason}",
        f"When it is resolved, reply: {ref} RESOLVED <note>; to give it to someone else, reply: "
        f"{ref} REASSIGN @alias",
    ]


def escalated_subject(locale: str, ref: str) -> str:
    return {"zh_CN": f"{ref} 已升级", "zh_TW": f"{ref} 已升級"}.get(
        wording(locale), f"{ref} escalated"
    )


def escalated(locale: str, *, ref: str, task: str, to: str, organiser: bool) -> list[str]:
    """To whoever escalated: who was told. ``organiser``: the owner has no executive in the
    people directory, so the meeting's organiser was told instead."""
    variant = wording(locale)
    if variant == "zh_TW":
        who = (
            f"會議組織者 {to}（負責人在人員名錄中沒有主管）" if organiser else f"負責人的主管 {to}"
        )
        return [f"問題 {ref}「{task}」已升級（需升級），已通知{who}。"]
    if variant == "zh_CN":
        who = (
            f"会议组织者 {to}（负责人在人员名录中没有主管）" if organiser else f"负责人的主管 {to}"
        )
        return [f"问题 {ref}“{task}”已升级（需升级），已通知{who}。"]
    who = (
        f"the meeting's organiser, {to} (the owner has no executive in the people directory)"
        if organiser
        else f"the owner's executive, {to}"
    )
    return [f'Issue {ref} "{task}" is escalated; {who} has been told.']


def owner_defaulted(locale: str, organiser: str, ref: str) -> tuple[str, str]:
    """The receipt's reason and hint for an issue written without an owner."""
    variant = wording(locale)
    if variant == "zh_TW":
        return (
            f"未寫負責人：{ref} 暫由會議組織者 {organiser} 負責",
            f"指定負責人請回覆：{ref} 轉交 @別名，或在該行寫「負責人：姓名」。",
        )
    if variant == "zh_CN":
        return (
            f"未写负责人：{ref} 暂由会议组织者 {organiser} 负责",
            f"指定负责人请回复：{ref} 转交 @别名，或在该行写“负责人：姓名”。",
        )
    return (
        f"no owner written: the meeting's organiser, {organiser}, owns {ref} for now",
        f"To name one, reply {ref} REASSIGN @alias, or write owner: <name> on the line.",
    )
