"""The words of short answers, per locale (en, zh_CN): subject and paragraphs, nothing else.

Kept apart from the logic that decides to answer, so a translator edits one file.
"""

from __future__ import annotations

from collections.abc import Sequence

_PARTSTAT = {
    "en": {
        "ACCEPTED": "accept",
        "DECLINED": "decline",
        "TENTATIVE": "are tentative for",
        "DELEGATED": "delegated",
        "NEEDS-ACTION": "have not answered",
    },
    "zh_CN": {
        "ACCEPTED": "参加",
        "DECLINED": "不参加",
        "TENTATIVE": "待定",
        "DELEGATED": "已委托他人",
        "NEEDS-ACTION": "尚未回复",
    },
}
PARTSTAT_LABEL = {
    "en": {
        "ACCEPTED": "accepted",
        "DECLINED": "declined",
        "TENTATIVE": "tentative",
        "DELEGATED": "delegated",
        "NEEDS-ACTION": "no answer",
    },
    "zh_CN": {
        "ACCEPTED": "参加",
        "DECLINED": "不参加",
        "TENTATIVE": "待定",
        "DELEGATED": "委托",
        "NEEDS-ACTION": "未回复",
    },
}


def lang(locale: str | None) -> str:
    return "zh_CN" if (locale or "").lower().startswith("zh") else "en"


def re_subject(subject: str) -> str:
    return subject if subject.lower().startswith(("re:", "回复：", "回复:")) else f"Re: {subject}"


def rsvp_recorded(locale: str, title: str, partstat: str, comment: str | None) -> list[str]:
    if lang(locale) == "zh_CN":
        text = [f"已记录您对会议「{title}」的回复：{_PARTSTAT['zh_CN'].get(partstat, partstat)}。"]
        if comment:
            text.append(f"您的留言：{comment}")
        return text
    text = [f'Recorded: you {_PARTSTAT["en"].get(partstat, partstat)} "{title}".']
    if comment:
        text.append(f"Your comment: {comment}")
    return text


def rsvp_summary(locale: str, title: str, counts: dict[str, int]) -> list[str]:
    labels = PARTSTAT_LABEL[lang(locale)]
    figures = ", ".join(f"{labels.get(k, k)} {v}" for k, v in counts.items())
    if lang(locale) == "zh_CN":
        return [f"会议「{title}」的回复情况：{figures}。"]
    return [f'Answers for "{title}": {figures}.']


def summary_headers(locale: str) -> Sequence[str]:
    if lang(locale) == "zh_CN":
        return ("参会人", "回复", "备注")
    return ("Attendee", "Answer", "Comment")


def refused(locale: str, reason: str) -> list[str]:
    if lang(locale) == "zh_CN":
        return [f"您的邮件未被执行：{reason}", "如有疑问，请联系会议组织者。"]
    return [f"Your mail was not acted on: {reason}", "If this is unexpected, ask the organiser."]


def help_text(locale: str, title: str | None) -> list[str]:
    about = f"「{title}」" if title else ""
    if lang(locale) == "zh_CN":
        return [
            f"未能识别您关于{about}的回复中的指令。",
            "回复会议通知时，请在第一行写：参加 / 不参加 / 待定（可在后面附上说明），"
            "组织者可写 STATUS 查看回复情况。",
        ]
    about = f' about "{title}"' if title else ""
    return [
        f"Your reply{about} had no command mailflow understands.",
        "To answer a meeting notice, write on the first line: Accept / Decline / Tentative "
        "(a comment may follow); organisers can write STATUS for the RSVP summary.",
    ]


def counter_forward(
    locale: str, title: str, attendee: str, proposal: str, comment: str | None
) -> list[str]:
    if lang(locale) == "zh_CN":
        text = [f"{attendee} 建议将会议「{title}」改到：{proposal}。"]
        if comment:
            text.append(f"说明：{comment}")
        text.append("如同意，请在您的日历中修改会议时间并重新发送邀请。")
        return text
    text = [f'{attendee} proposes a new time for "{title}": {proposal}.']
    if comment:
        text.append(f"Comment: {comment}")
    text.append("To accept it, change the meeting in your calendar and send the update.")
    return text


def bounce_notice(locale: str, address: str, reason: str, titles: Sequence[str]) -> list[str]:
    listed = "、".join(titles) if lang(locale) == "zh_CN" else "; ".join(titles)
    if lang(locale) == "zh_CN":
        return [
            f"发往 {address} 的邮件被退回（{reason}），该地址可能已失效。",
            f"受影响的会议：{listed}。请核实地址或更换参会人。",
        ]
    return [
        f"Mail to {address} bounced ({reason}); the address may no longer work.",
        f"Meetings affected: {listed}. Please check the address or replace the attendee.",
    ]


def reminders_stopped(locale: str) -> list[str]:
    if lang(locale) == "zh_CN":
        return [
            "已为您停止提醒和每周进度请求。",
            "会议通知、会议纪要、任务分配和升级通知仍会照常发送。",
        ]
    return [
        "Reminders and weekly progress requests are stopped for you.",
        "Meeting notices, minutes, assignments and escalations still reach you.",
    ]
