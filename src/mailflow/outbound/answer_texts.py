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


_HELD_WHY = {
    "en": {
        "no_items": "lines were written as actions, but not one item could be made of them",
        "summary": "they are another system's notes (an OA notice or a meeting tool's AI summary)",
    },
    "zh_CN": {
        "no_items": "纪要中有行动项内容，但一个行动项也未能登记",
        "summary": "这是其他系统的记录（OA 通知或会议软件的 AI 纪要），转发而来",
    },
}


def minutes_held_for_organiser(
    locale: str, title: str, scribe: str, reason: str, unresolved: int
) -> list[str]:
    """To the organiser: the scribe's minutes wait for PUBLISH; nothing went out yet."""
    if lang(locale) == "zh_CN":
        why = _HELD_WHY["zh_CN"].get(reason, reason)
        return [
            f"{scribe} 提交的会议「{title}」纪要暂未发布：{why}。",
            f"未能登记的行数：{unresolved}。已请记录人更正，或回复“发布”按原样发布。"
            "在此之前，正式会议纪要不会发送给参会人，也不会创建行动项。",
        ]
    why = _HELD_WHY["en"].get(reason, reason)
    return [
        f'The minutes of "{title}" from {scribe} are held: {why}.',
        f"Lines not used: {unresolved}. The scribe has been asked to correct them or to reply "
        "PUBLISH to send them as they are. Until then no official minutes go to the attendees "
        "and no item is created.",
    ]


def held_reason_text(locale: str, reason: str) -> str:
    """Why minutes are held, in a sentence for the scribe's receipt."""
    return _HELD_WHY[lang(locale)].get(reason, reason)


def nothing_held(locale: str, title: str) -> list[str]:
    if lang(locale) == "zh_CN":
        return [f"会议「{title}」没有待发布的纪要，无需“发布”。如需更正，请回复完整的会议纪要。"]
    return [
        f'There are no held minutes of "{title}" to publish. To correct the minutes, reply with '
        "the complete corrected minutes."
    ]


def minutes_which_meeting(locale: str, meetings: Sequence[tuple[str, str]]) -> list[str]:
    """Minutes that fit none (or several) of the sender's meetings: ask which, never guess."""
    if lang(locale) == "zh_CN":
        text = ["未能确定这份会议纪要对应哪次会议，因此尚未登记。"]
        if meetings:
            listed = "；".join(f"{title}（{when}）" for title, when in meetings)
            text.append(f"您最近30天内组织或记录的会议：{listed}。")
            text.append("请直接回复该会议的纪要模板邮件，或在主题中写明会议名称后重新发送。")
        else:
            text.append(
                "最近30天内没有您组织或担任记录人的会议；只有组织者或记录人可以提交会议纪要。"
            )
        return text
    text = ["These minutes could not be matched to one meeting, so nothing was recorded."]
    if meetings:
        listed = "; ".join(f"{title} ({when})" for title, when in meetings)
        text.append(f"Your meetings of the last 30 days (as organiser or scribe): {listed}.")
        text.append(
            "Reply to that meeting's minutes skeleton, or send them again with the meeting's "
            "title in the subject."
        )
    else:
        text.append(
            "You organised or took notes for no meeting in the last 30 days; only a meeting's "
            "organiser or scribe may submit its minutes."
        )
    return text


def intrusion_subject(locale: str, title: str) -> str:
    if lang(locale) == "zh_CN":
        return f"已拒绝：他人试图修改您的会议「{title}」"
    return f'Refused: someone else tried to change "{title}"'


def intrusion(locale: str, title: str, sender: str, action: str) -> list[str]:
    """To the real organiser: what was tried on their meeting, and that nothing changed."""
    if lang(locale) == "zh_CN":
        verb = "取消" if action == "cancel" else "修改"
        return [
            f"{sender} 发来了{verb}您的会议「{title}」的日历邮件。"
            "只有组织者（或其指定的代理人）可以修改或取消会议，因此该请求已被拒绝，会议保持不变。",
            "如果这是您授权的代理人，请让管理员在配置的 [meetings.delegates] 中加入此人。",
        ]
    verb = "cancel" if action == "cancel" else "change"
    return [
        f'{sender} sent a calendar message to {verb} your meeting "{title}". Only the '
        "organiser (or a delegate they named) may change or cancel a meeting, so it was "
        "refused and the meeting is unchanged.",
        "If this person acts for you, ask an administrator to add them under "
        "[meetings.delegates] in mailflow's configuration.",
    ]


def publish_ignored(locale: str, title: str, bot: str) -> list[str]:
    if lang(locale) == "zh_CN":
        return [
            f"收到一个日历事件「{title}」（发布型 PUBLISH，不是会议邀请），未创建会议。",
            f"如需由 mailflow 管理此会议，请在日历中将 {bot} 添加为参会人并发送邀请。",
        ]
    return [
        f'A calendar event "{title}" arrived as a published event (PUBLISH), not an '
        "invitation, so no meeting was created.",
        f"To have mailflow run this meeting, add {bot} as an attendee in your calendar "
        "and send the invitation.",
    ]


def rsvp_stale(locale: str, title: str, partstat: str, recorded: str) -> list[str]:
    labels = PARTSTAT_LABEL[lang(locale)]
    if lang(locale) == "zh_CN":
        return [
            f"您对会议「{title}」的回复（{labels.get(partstat, partstat)}）早于已记录的回复"
            f"（{labels.get(recorded, recorded)}），因此未更改。",
            "如需更改，请在日历中重新回复，或直接回复本邮件：参加 / 不参加 / 待定。",
        ]
    return [
        f'Your answer to "{title}" ({labels.get(partstat, partstat)}) is older than the one '
        f"already recorded ({labels.get(recorded, recorded)}), so it was not changed.",
        "To change it, answer again from your calendar, or reply to this mail with one word: "
        "Accept, Decline or Tentative.",
    ]


def rsvp_without_answer(locale: str, title: str) -> list[str]:
    if lang(locale) == "zh_CN":
        return [
            f"您的日历就会议「{title}」发来了回复，但其中没有“参加/不参加/待定”的答复，未作记录。",
            "请在日历中重新回复，或直接回复本邮件：参加 / 不参加 / 待定。",
        ]
    return [
        f'Your calendar sent an answer about "{title}" that does not say whether you attend, '
        "so nothing was recorded.",
        "Please answer again from your calendar, or reply to this mail with one word: "
        "Accept, Decline or Tentative.",
    ]


def rsvp_comment_subject(locale: str, title: str) -> str:
    if lang(locale) == "zh_CN":
        return f"参会回复留言：{title}"
    return f"A note with an answer: {title}"


def rsvp_comment(locale: str, title: str, who: str, partstat: str, comment: str) -> list[str]:
    """To the organiser: an attendee's note sent with their answer."""
    labels = PARTSTAT_LABEL[lang(locale)]
    if lang(locale) == "zh_CN":
        return [
            f"{who} 回复会议「{title}」：{labels.get(partstat, partstat)}，并留言：",
            comment,
        ]
    return [f'{who} answered "{title}": {labels.get(partstat, partstat)}, and wrote:', comment]


def loop_subject(locale: str, address: str) -> str:
    if lang(locale) == "zh_CN":
        return f"已停止自动回复 {address}"
    return f"Stopped answering {address}"


def loop_stopped(locale: str, address: str, title: str) -> list[str]:
    """To the organiser: an address that answers every answer (an auto-responder) is ignored."""
    if lang(locale) == "zh_CN":
        return [
            f"{address} 在短时间内就会议「{title}」发来多封主题相同的邮件，像是自动回复。"
            "为避免邮件循环，mailflow 暂停回复该地址 30 分钟；其邮件仍会照常读取。",
            "如果这是真人，请联系对方确认。",
        ]
    return [
        f'{address} sent many mails with one subject about "{title}" in a short time, as an '
        "auto-responder does. To stop a mail loop, mailflow does not answer that address for "
        "30 minutes; its mails are still read.",
        "If a person is behind it, please get in touch with them.",
    ]


def undelivered_subject(locale: str, title: str) -> str:
    if lang(locale) == "zh_CN":
        return f"邮件无法送达：{title}"
    return f"Undeliverable: {title}"


def undelivered(
    locale: str, title: str, recipients: Sequence[str], kind: str, error: str
) -> list[str]:
    """To the organiser: a mail about their meeting could not be delivered, for good."""
    who = ("、" if lang(locale) == "zh_CN" else ", ").join(recipients)
    if lang(locale) == "zh_CN":
        return [
            f"关于会议「{title}」发给 {who} 的邮件（{kind}）无法送达，已停止重试。",
            f"邮件服务器的答复：{error[:300]}",
            "请核实地址，或通过其他方式通知对方。",
        ]
    return [
        f'A mail ({kind}) about "{title}" to {who} could not be delivered; it will not be retried.',
        f"The mail server said: {error[:300]}",
        "Please check the address, or reach them another way.",
    ]
