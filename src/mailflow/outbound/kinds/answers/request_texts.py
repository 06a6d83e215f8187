"""The words of collaboration-request (协作需求单) mail, per locale (en, zh_CN, zh_TW).

Kept apart from the logic, like :mod:`mailflow.outbound.kinds.answers.answer_texts`, so a translator
edits one file: the request as its receiver reads it (with the commands to answer it), the
requester's receipt, the answer when nothing could be created, and what the requester (and the
project's coordinator) hear when the request is confirmed or declined. Every function returns a
subject or a list of paragraphs; the ``answer`` renderer lays them out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mailflow.outbound.rendering.templating import wording

_URGENCY = {
    "en": {"urgent": "urgent", "normal": "normal", "low": "low"},
    "zh_CN": {"urgent": "紧急", "normal": "一般", "low": "低"},
    "zh_TW": {"urgent": "緊急", "normal": "一般", "low": "低"},
}


@dataclass(frozen=True)
class RequestView:
    """A request as its mails show it; names are ``Name <address>`` or an address."""

    ref: str
    content: str
    requester: str
    requester_department: str | None
    department: str | None
    owner: str
    urgency: str
    due: str | None
    project: str | None


def urgency_label(locale: str, urgency: str | None) -> str:
    return _URGENCY[wording(locale)].get(urgency or "normal", urgency or "normal")


def _title(content: str) -> str:
    first = content.splitlines()[0] if content else ""
    return first if len(first) <= 60 else first[:59] + "…"


def request_subject(locale: str, view: RequestView, *, reminder: bool = False) -> str:
    urgent = view.urgency == "urgent"
    title = _title(view.content)
    w = wording(locale)
    if w == "zh_TW":
        lead = ("提醒：" if reminder else "") + ("【緊急】" if urgent else "")
        return f"{lead}協作需求 {view.ref}：{title}"
    if w == "zh_CN":
        lead = ("提醒：" if reminder else "") + ("【紧急】" if urgent else "")
        return f"{lead}协作需求 {view.ref}：{title}"
    lead = ("Reminder: " if reminder else "") + ("[URGENT] " if urgent else "")
    return f"{lead}Request {view.ref}: {title}"


def request_to_owner(
    locale: str, view: RequestView, *, passed_on_by: str | None = None, waited: str | None = None
) -> list[str]:
    """To the receiver: the request, and how to confirm, pass it on or decline it.

    ``passed_on_by``: the head who reassigned it to this person; ``waited``: a reminder, how
    long it has waited for an answer.
    """
    w = wording(locale)
    urgency = urgency_label(locale, view.urgency)
    if w in ("zh_CN", "zh_TW"):
        tw = w == "zh_TW"
        asker = view.requester + (
            f"（{view.requester_department}）" if view.requester_department else ""
        )
        lines = []
        if waited:
            lines.append(
                f"此協作需求已等待您的答覆超過 {waited}。"
                if tw
                else f"此协作需求已等待您的答复超过 {waited}。"
            )
        if passed_on_by:
            lines.append(
                f"{passed_on_by} 將此需求轉派給您。" if tw else f"{passed_on_by} 将此需求转派给您。"
            )
        lines += [
            (
                f"{asker} 向{view.department or '您'}提出協作需求 {view.ref}："
                if tw
                else f"{asker} 向{view.department or '您'}提出协作需求 {view.ref}："
            ),
            view.content,
            (f"緊急程度：{urgency}" if tw else f"紧急程度：{urgency}")
            + (f"；期望完成時間：{view.due}" if tw and view.due else "")
            + (f"；期望完成时间：{view.due}" if not tw and view.due else ""),
        ]
        if view.project:
            lines.append(f"項目：{view.project}" if tw else f"项目：{view.project}")
        lines += (
            [
                f"接受請回覆：{view.ref} 確認",
                f"轉派給部門內同事請回覆：{view.ref} 轉派 @同事",
                f"無法承接請回覆：{view.ref} 拒絕 <原因>（將告知需求方與項目協調人）",
            ]
            if tw
            else [
                f"接受请回复：{view.ref} 确认",
                f"转派给部门内同事请回复：{view.ref} 转派 @同事",
                f"无法承接请回复：{view.ref} 拒绝 <原因>（将告知需求方和项目协调人）",
            ]
        )
        return lines
    asker = view.requester + (
        f" ({view.requester_department})" if view.requester_department else ""
    )
    lines = []
    if waited:
        lines.append(f"This request has waited more than {waited} for your answer.")
    if passed_on_by:
        lines.append(f"{passed_on_by} passed this request on to you.")
    lines += [
        f"{asker} asks {view.department or 'you'} for help ({view.ref}):",
        view.content,
        f"Urgency: {urgency}" + (f"; expected by {view.due}" if view.due else ""),
    ]
    if view.project:
        lines.append(f"Project: {view.project}")
    lines += [
        f"To take it on, reply: {view.ref} CONFIRM",
        f"To give it to someone in your department, reply: {view.ref} REASSIGN @colleague",
        f"To decline it, reply: {view.ref} DECLINE <reason> (the requester and the project's "
        "coordinator are told)",
    ]
    return lines


def receipt_subject(locale: str, view: RequestView | None, title: str) -> str:
    w = wording(locale)
    if view is None:
        return {"zh_CN": f"协作需求未创建：{title}", "zh_TW": f"協作需求未建立：{title}"}.get(
            w, f"Request not created: {title}"
        )
    return {
        "zh_CN": f"协作需求已登记 {view.ref}：{_title(view.content)}",
        "zh_TW": f"協作需求已登記 {view.ref}：{_title(view.content)}",
    }.get(w, f"Request recorded {view.ref}: {_title(view.content)}")


def request_receipt(locale: str, view: RequestView, skipped: Sequence[str]) -> list[str]:
    """To the requester: the ref, who owns it, and every field that was not understood."""
    w = wording(locale)
    urgency = urgency_label(locale, view.urgency)
    if w in ("zh_CN", "zh_TW"):
        tw = w == "zh_TW"
        lines = [
            (
                f"您的協作需求已登記為 {view.ref}，已發送給 {view.owner}"
                if tw
                else f"您的协作需求已登记为 {view.ref}，已发送给 {view.owner}"
            )
            + (f"（{view.department}）" if view.department else "")
            + "。",
            (f"緊急程度：{urgency}" if tw else f"紧急程度：{urgency}")
            + (f"；期望完成時間：{view.due}" if tw and view.due else "")
            + (f"；期望完成时间：{view.due}" if not tw and view.due else "")
            + (f"；項目：{view.project}" if tw and view.project else "")
            + (f"；项目：{view.project}" if not tw and view.project else ""),
        ]
        if skipped:
            lines.append("以下內容未能識別，未採用：" if tw else "以下内容未能识别，未采用：")
            lines += [f"- {line}" for line in skipped]
        lines.append(
            "對方確認、轉派或拒絕時會通知您。" if tw else "对方确认、转派或拒绝时会通知您。"
        )
        return lines
    lines = [
        f"Your request is recorded as {view.ref} and was sent to {view.owner}"
        + (f" ({view.department})" if view.department else "")
        + ".",
        f"Urgency: {urgency}"
        + (f"; expected by {view.due}" if view.due else "")
        + (f"; project: {view.project}" if view.project else ""),
    ]
    if skipped:
        lines.append("These were not understood and were not used:")
        lines += [f"- {line}" for line in skipped]
    lines.append("You will hear when it is confirmed, passed on or declined.")
    return lines


def request_not_created(locale: str, problems: Sequence[str]) -> list[str]:
    """To the requester: nothing was created, and what to fix."""
    w = wording(locale)
    if w == "zh_TW":
        head = "協作需求未建立，請修改後重新發送："
        example = (
            "範例：主旨「協作需求：<標題>」，內文「需求內容：…」「接收部門：財務部」"
            "「緊急程度：緊急」「期望完成時間：12月10日前」"
        )
    elif w == "zh_CN":
        head = "协作需求未创建，请修改后重新发送："
        example = (
            "示例：主题“协作需求：<标题>”，正文“需求内容：…”“接收部门：财务部”"
            "“紧急程度：紧急”“期望完成时间：12月10日前”"
        )
    else:
        head = "The request was not created. Please fix this and send it again:"
        example = (
            "Example: subject “REQUEST: <title>”, body lines “Content: …”, “To department: "
            "Finance”, “Urgency: urgent”, “Expected by: 2026-12-10”"
        )
    return [head, *(f"- {p}" for p in problems), example]


def outcome_subject(locale: str, ref: str, verb: str) -> str:
    w = wording(locale)
    table = {
        "zh_CN": {"confirm": "已确认", "decline": "被拒绝", "reassign": "已转派", "done": "已完成"},
        "zh_TW": {"confirm": "已確認", "decline": "被拒絕", "reassign": "已轉派", "done": "已完成"},
        "en": {
            "confirm": "confirmed",
            "decline": "declined",
            "reassign": "passed on",
            "done": "done",
        },
    }
    if w == "en":
        return f"Request {ref} {table['en'][verb]}"
    return (
        f"协作需求 {ref} {table[w][verb]}" if w == "zh_CN" else f"協作需求 {ref} {table[w][verb]}"
    )


def request_outcome(
    locale: str, view: RequestView, verb: str, actor: str, detail: str | None
) -> list[str]:
    """To the requester (and, on a decline, the coordinator): what happened to the request:
    ``verb`` confirm, reassign, decline or done.

    ``detail`` is the reason of a decline, or the new owner of a reassigned request.
    """
    w = wording(locale)
    what = _title(view.content)
    if w in ("zh_CN", "zh_TW"):
        tw = w == "zh_TW"
        q = f"「{what}」" if tw else f"“{what}”"
        if verb == "confirm":
            return [
                f"{actor} 已確認承接協作需求 {view.ref}{q}。"
                if tw
                else f"{actor} 已确认承接协作需求 {view.ref}{q}。"
            ]
        if verb == "done":
            return [
                f"{actor} 已完成協作需求 {view.ref}{q}。"
                if tw
                else f"{actor} 已完成协作需求 {view.ref}{q}。"
            ]
        if verb == "reassign":
            return [
                f"{actor} 已將協作需求 {view.ref}{q}轉派給 {detail}。"
                if tw
                else f"{actor} 已将协作需求 {view.ref}{q}转派给 {detail}。"
            ]
        return [
            f"{actor} 拒絕了 {view.requester} 的協作需求 {view.ref}{q}，此需求已取消。"
            if tw
            else f"{actor} 拒绝了 {view.requester} 的协作需求 {view.ref}{q}，此需求已取消。",
            f"原因：{detail}",
            "如仍需協作，請與對方溝通後重新提出。"
            if tw
            else "如仍需协作，请与对方沟通后重新提出。",
        ]
    if verb == "confirm":
        return [f'{actor} confirmed request {view.ref} "{what}" and takes it on.']
    if verb == "done":
        return [f'{actor} has done request {view.ref} "{what}".']
    if verb == "reassign":
        return [f'{actor} passed request {view.ref} "{what}" on to {detail}.']
    return [
        f'{actor} declined {view.requester}\'s request {view.ref} "{what}"; it is cancelled.',
        f"Reason: {detail}",
        "If the work is still needed, talk to them and send a new request.",
    ]


def waited_label(locale: str, hours: int | None) -> str:
    """How long a request waited: ``4 hours`` / ``4 小时``, or ``1 business day`` (None)."""
    w = wording(locale)
    if hours is None:
        return {"zh_CN": "1 个工作日", "zh_TW": "1 個工作天"}.get(w, "1 business day")
    unit = {"zh_CN": "小时", "zh_TW": "小時"}.get(w)
    return f"{hours} {unit}" if unit else f"{hours} hour{'' if hours == 1 else 's'}"
