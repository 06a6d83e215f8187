"""The words of short answers, per locale (en, zh_CN, zh_TW): subject and paragraphs, nothing else.

Kept apart from the logic that decides to answer, so a translator edits one file. :func:`words`
names the wording a locale reads (zh_TW: Traditional characters and Taiwan usage); :func:`lang`
is the older two-way choice (any Chinese reads zh_CN) for texts that have no zh_TW wording yet.
In Chinese, a space separates Chinese from Latin letters and digits ("由 Alice Wang 提交"), and
titles are quoted “…” in zh_CN and 「…」 in zh_TW, as each writes them.
"""

from __future__ import annotations

from collections.abc import Sequence

from mailflow.outbound.rendering.templating import spaced, wording

# What an RSVP means, as the end of the sentence that confirms it.
_ANSWERED = {
    "en": {
        "ACCEPTED": "you will attend",
        "DECLINED": "you will not attend",
        "TENTATIVE": "you might attend (tentative)",
        "DELEGATED": "you have asked someone else to attend in your place",
        "NEEDS-ACTION": "you have not said yet whether you will attend",
    },
    "zh_CN": {
        "ACCEPTED": "您将参加",
        "DECLINED": "您不参加",
        "TENTATIVE": "您可能参加（待定）",
        "DELEGATED": "您已委托他人代为参加",
        "NEEDS-ACTION": "您尚未确定是否参加",
    },
    "zh_TW": {
        "ACCEPTED": "您將出席",
        "DECLINED": "您不克出席",
        "TENTATIVE": "您可能出席（待定）",
        "DELEGATED": "您已委託他人代為出席",
        "NEEDS-ACTION": "您尚未決定是否出席",
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
        "DELEGATED": "委托他人",
        "NEEDS-ACTION": "未回复",
    },
    "zh_TW": {
        "ACCEPTED": "參加",
        "DECLINED": "不參加",
        "TENTATIVE": "待定",
        "DELEGATED": "委託他人",
        "NEEDS-ACTION": "未回覆",
    },
}


def words(locale: str | None) -> str:
    """The wording ``locale`` reads: ``en``, ``zh_CN`` or ``zh_TW``."""
    return wording(locale)


def lang(locale: str | None) -> str:
    """``zh_CN`` for every Chinese locale, else ``en``: for texts written in those two only."""
    return "zh_CN" if (locale or "").lower().startswith("zh") else "en"


def partstat_label(locale: str | None, partstat: str) -> str:
    """An RSVP as a table cell shows it: ``accepted`` / ``参加`` / ``參加``."""
    return PARTSTAT_LABEL[words(locale)].get(partstat, partstat)


def re_subject(subject: str) -> str:
    replied = ("re:", "回复：", "回复:", "回覆：", "回覆:")
    return subject if subject.lower().startswith(replied) else f"Re: {subject}"


def _quoted(title: str, locale: str | None) -> str:
    return f"「{title}」" if words(locale) == "zh_TW" else f"“{title}”"


def rsvp_recorded(locale: str, title: str, partstat: str, comment: str | None) -> list[str]:
    variant = words(locale)
    answered = _ANSWERED[variant].get(partstat)
    if variant == "zh_TW":
        text = [f"已記錄您對會議「{title}」的回覆：{answered or partstat}。"]
        if comment:
            text.append(f"您的留言：{comment}")
        return text
    if variant == "zh_CN":
        text = [f"已记录您对会议“{title}”的回复：{answered or partstat}。"]
        if comment:
            text.append(f"您的留言：{comment}")
        return text
    text = [f'Your answer to "{title}" is recorded: {answered or "your answer is " + partstat}.']
    if comment:
        text.append(f"Your comment: {comment}")
    return text


def rsvp_summary(locale: str, title: str, counts: dict[str, int]) -> list[str]:
    variant = words(locale)
    labels = PARTSTAT_LABEL[variant]
    if variant == "zh_TW":
        figures = "，".join(f"{labels.get(k, k)} {v} 人" for k, v in counts.items())
        return [f"會議「{title}」的回覆情形：{figures}。"]
    if variant == "zh_CN":
        figures = "，".join(f"{labels.get(k, k)} {v} 人" for k, v in counts.items())
        return [f"会议“{title}”的回复情况：{figures}。"]
    figures = ", ".join(f"{labels.get(k, k)} {v}" for k, v in counts.items())
    return [f'Answers for "{title}": {figures}.']


def summary_headers(locale: str) -> Sequence[str]:
    return {
        "en": ("Attendee", "Answer", "Comment"),
        "zh_CN": ("参会人", "回复", "备注"),
        "zh_TW": ("與會者", "回覆", "備註"),
    }[words(locale)]


def refused(locale: str, reason: str) -> list[str]:
    variant = words(locale)
    if variant == "zh_TW":
        return [f"您的郵件未被執行：{reason}", "如有疑問，請聯絡會議召集人。"]
    if variant == "zh_CN":
        return [f"您的邮件未被执行：{reason}", "如有疑问，请联系会议组织者。"]
    return [f"Your mail was not acted on: {reason}", "If this is unexpected, ask the organiser."]


def help_text(locale: str, title: str | None) -> list[str]:
    variant = words(locale)
    if variant == "zh_TW":
        about = f"關於會議「{title}」的" if title else ""
        return [
            f"未能辨識您{about}回覆中的指令。",
            "回覆會議通知時，請在第一行寫：參加 / 不參加 / 待定（後面可附上說明）；"
            "召集人可寫 STATUS 查看回覆情形。",
        ]
    if variant == "zh_CN":
        about = f"关于会议“{title}”的" if title else ""
        return [
            f"未能识别您{about}回复中的指令。",
            "回复会议通知时，请在第一行写：参加 / 不参加 / 待定（后面可附上说明）；"
            "组织者可写 STATUS 查看回复情况。",
        ]
    about_en = f' about "{title}"' if title else ""
    return [
        f"Your reply{about_en} had no command mailflow understands.",
        "To answer a meeting notice, write on the first line: Accept / Decline / Tentative "
        "(a comment may follow); organisers can write STATUS for the RSVP summary.",
    ]


def counter_forward(
    locale: str, title: str, attendee: str, proposal: str, comment: str | None
) -> list[str]:
    variant = words(locale)
    if variant == "zh_TW":
        text = [f"{spaced(attendee, left=False)}建議將會議「{title}」改到：{proposal}。"]
        if comment:
            text.append(f"說明：{comment}")
        text.append("如同意，請在您的行事曆中修改會議時間並重新寄出邀請。")
        return text
    if variant == "zh_CN":
        text = [f"{spaced(attendee, left=False)}建议将会议“{title}”改到：{proposal}。"]
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
    variant = words(locale)
    if variant == "zh_TW":
        listed = "、".join(f"「{t}」" for t in titles)
        return [
            f"寄往 {address} 的郵件遭到退回（{reason}），該地址可能已失效。",
            f"受影響的會議：{listed}。請確認地址，或更換與會者。",
        ]
    if variant == "zh_CN":
        listed = "、".join(f"“{t}”" for t in titles)
        return [
            f"发往 {address} 的邮件被退回（{reason}），该地址可能已失效。",
            f"受影响的会议：{listed}。请核实地址或更换参会人。",
        ]
    listed = "; ".join(titles)
    return [
        f"Mail to {address} bounced ({reason}); the address may no longer work.",
        f"Meetings affected: {listed}. Please check the address or replace the attendee.",
    ]


def reminders_stopped(locale: str) -> list[str]:
    variant = words(locale)
    if variant == "zh_TW":
        return [
            "已為您停止提醒和每週進度詢問。",
            "會議通知、會議紀錄、待辦事項指派和逾期通報仍會照常寄送。",
        ]
    if variant == "zh_CN":
        return [
            "已为您停止提醒和每周进度询问。",
            "会议通知、会议纪要、行动项分配和升级提醒仍会照常发送。",
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
    "zh_TW": {
        "no_items": "紀錄中有待辦事項的內容，但一項待辦事項也無法登錄",
        "summary": "這是其他系統的紀錄（公文系統通知或會議軟體的 AI 摘要），轉寄而來",
    },
}


def minutes_held_for_organiser(
    locale: str, title: str, scribe: str, reason: str, unresolved: int
) -> list[str]:
    """To the organiser: the scribe's minutes wait for PUBLISH; nothing went out yet."""
    variant = words(locale)
    why = _HELD_WHY[variant].get(reason, reason)
    if variant == "zh_TW":
        return [
            f"{spaced(scribe, left=False)}提交的會議「{title}」紀錄暫未發布：{why}。",
            f"無法登錄的行數：{unresolved}。已請記錄人更正，或回覆「發布」照原樣發布。"
            "在此之前，正式會議紀錄不會寄給與會者，也不會建立待辦事項。",
        ]
    if variant == "zh_CN":
        return [
            f"{spaced(scribe, left=False)}提交的会议“{title}”纪要暂未发布：{why}。",
            f"未能登记的行数：{unresolved}。已请记录人更正，或回复“发布”按原样发布。"
            "在此之前，正式会议纪要不会发送给参会人，也不会创建行动项。",
        ]
    return [
        f'The minutes of "{title}" from {scribe} are held: {why}.',
        f"Lines not used: {unresolved}. The scribe has been asked to correct them or to reply "
        "PUBLISH to send them as they are. Until then no official minutes go to the attendees "
        "and no item is created.",
    ]


def held_reason_text(locale: str, reason: str) -> str:
    """Why minutes are held, in a sentence for the scribe's receipt."""
    return _HELD_WHY[words(locale)].get(reason, reason)


def nothing_held(locale: str, title: str) -> list[str]:
    variant = words(locale)
    if variant == "zh_TW":
        return [
            f"會議「{title}」沒有待發布的紀錄，不需要「發布」。如需更正，請回覆完整的會議紀錄。"
        ]
    if variant == "zh_CN":
        return [f"会议“{title}”没有待发布的纪要，无需“发布”。如需更正，请回复完整的会议纪要。"]
    return [
        f'There are no held minutes of "{title}" to publish. To correct the minutes, reply with '
        "the complete corrected minutes."
    ]


def minutes_which_meeting(locale: str, meetings: Sequence[tuple[str, str]]) -> list[str]:
    """Minutes that fit none (or several) of the sender's meetings: ask which, never guess."""
    variant = words(locale)
    if variant == "zh_TW":
        text = ["無法確定這份會議紀錄屬於哪一場會議，因此尚未登錄。"]
        if meetings:
            listed = "；".join(f"「{title}」（{when}）" for title, when in meetings)
            text.append(f"您最近 30 天內召集或記錄的會議：{listed}。")
            text.append("請直接回覆該會議的紀錄範本郵件，或在主旨中寫明會議名稱後重新寄出。")
        else:
            text.append(
                "最近 30 天內沒有您召集或擔任記錄人的會議；只有召集人或記錄人可以提交會議紀錄。"
            )
        return text
    if variant == "zh_CN":
        text = ["未能确定这份会议纪要对应哪次会议，因此尚未登记。"]
        if meetings:
            listed = "；".join(f"“{title}”（{when}）" for title, when in meetings)
            text.append(f"您最近 30 天内组织或记录的会议：{listed}。")
            text.append("请直接回复该会议的纪要模板邮件，或在主题中写明会议名称后重新发送。")
        else:
            text.append(
                "最近 30 天内没有您组织或担任记录人的会议；只有组织者或记录人可以提交会议纪要。"
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
    if words(locale) == "zh_TW":
        return f"已拒絕：他人試圖修改您的會議「{title}」"
    if lang(locale) == "zh_CN":
        return f"已拒绝：他人试图修改您的会议「{title}」"
    return f'Refused: someone else tried to change "{title}"'


def intrusion(locale: str, title: str, sender: str, action: str) -> list[str]:
    """To the real organiser: what was tried on their meeting, and that nothing changed."""
    variant = words(locale)
    if variant == "zh_TW":
        verb = "取消" if action == "cancel" else "修改"
        return [
            f"{spaced(sender, left=False)}寄來了{verb}您的會議「{title}」的行事曆郵件。"
            "只有召集人（或其指定的代理人）可以修改或取消會議，因此該要求已被拒絕，會議維持不變。",
            "如果這是您授權的代理人，請管理員在設定檔的 [meetings.delegates] 中加入此人。",
        ]
    if variant == "zh_CN":
        verb = "取消" if action == "cancel" else "修改"
        return [
            f"{spaced(sender, left=False)}发来了{verb}您的会议“{title}”的日历邮件。"
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
    variant = words(locale)
    if variant == "zh_TW":
        return [
            f"收到一個行事曆事件「{title}」（發布型 PUBLISH，不是會議邀請），未建立會議。",
            f"如需由 mailflow 管理此會議，請在行事曆中將 {bot} 加為與會者並寄出邀請。",
        ]
    if variant == "zh_CN":
        return [
            f"收到一个日历事件“{title}”（发布型 PUBLISH，不是会议邀请），未创建会议。",
            f"如需由 mailflow 管理此会议，请在日历中将 {bot} 添加为参会人并发送邀请。",
        ]
    return [
        f'A calendar event "{title}" arrived as a published event (PUBLISH), not an '
        "invitation, so no meeting was created.",
        f"To have mailflow run this meeting, add {bot} as an attendee in your calendar "
        "and send the invitation.",
    ]


def rsvp_stale(locale: str, title: str, partstat: str, recorded: str) -> list[str]:
    variant = words(locale)
    labels = PARTSTAT_LABEL[variant]
    if variant == "zh_TW":
        return [
            f"您對會議「{title}」的回覆（{labels.get(partstat, partstat)}）早於已記錄的回覆"
            f"（{labels.get(recorded, recorded)}），因此未變更。",
            "如需變更，請在行事曆中重新回覆，或直接回覆本郵件：參加 / 不參加 / 待定。",
        ]
    if variant == "zh_CN":
        return [
            f"您对会议“{title}”的回复（{labels.get(partstat, partstat)}）早于已记录的回复"
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
    variant = words(locale)
    if variant == "zh_TW":
        return [
            f"您的行事曆就會議「{title}」寄來了回覆，但其中沒有「參加 / 不參加 / 待定」的答覆，"
            "因此未記錄。",
            "請在行事曆中重新回覆，或直接回覆本郵件：參加 / 不參加 / 待定。",
        ]
    if variant == "zh_CN":
        return [
            f"您的日历就会议“{title}”发来了回复，但其中没有“参加 / 不参加 / 待定”的答复，"
            "因此未作记录。",
            "请在日历中重新回复，或直接回复本邮件：参加 / 不参加 / 待定。",
        ]
    return [
        f'Your calendar sent an answer about "{title}" that does not say whether you attend, '
        "so nothing was recorded.",
        "Please answer again from your calendar, or reply to this mail with one word: "
        "Accept, Decline or Tentative.",
    ]


def rsvp_comment_subject(locale: str, title: str) -> str:
    if words(locale) == "zh_TW":
        return f"出席回覆附言：{title}"
    if lang(locale) == "zh_CN":
        return f"参会回复留言：{title}"
    return f"A note with an answer: {title}"


def rsvp_comment(locale: str, title: str, who: str, partstat: str, comment: str) -> list[str]:
    """To the organiser: an attendee's note sent with their answer."""
    variant = words(locale)
    labels = PARTSTAT_LABEL[variant]
    if variant == "zh_TW":
        return [
            f"{spaced(who, left=False)}回覆會議「{title}」：{labels.get(partstat, partstat)}，"
            "並留言：",
            comment,
        ]
    if variant == "zh_CN":
        return [
            f"{spaced(who, left=False)}回复会议“{title}”：{labels.get(partstat, partstat)}，"
            "并留言：",
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


def acceptance_subject(locale: str, ref: str, task: str) -> str:
    return {
        "zh_CN": f"请验收：{ref} {task}",
        "zh_TW": f"請驗收：{ref} {task}",
    }.get(words(locale), f"Please accept: {ref} {task}")


def acceptance_request(
    locale: str, ref: str, task: str, owner: str, deliverable: str | None, meeting: str | None
) -> list[str]:
    """To the acceptor: the owner says the item is done; check it and answer with a verdict."""
    given = deliverable or ""
    wording = words(locale)
    if wording == "zh_TW":
        return [
            f"{owner} 表示行動項 {ref}「{task}」已完成"
            + (f"（會議「{meeting}」）" if meeting else "")
            + "，請您驗收。",
            f"交付成果：{given}" if given else "負責人未附交付成果說明。",
            f"驗收通過請回覆：{ref} 驗收通過",
            f"驗收不通過請回覆：{ref} 驗收不通過 <缺少什麼>（將退回負責人返工）",
        ]
    if wording == "zh_CN":
        return [
            f"{owner} 表示行动项 {ref}“{task}”已完成"
            + (f"（会议“{meeting}”）" if meeting else "")
            + "，请您验收。",
            f"交付成果：{given}" if given else "负责人未附交付成果说明。",
            f"验收通过请回复：{ref} 验收通过",
            f"验收不通过请回复：{ref} 验收不通过 <缺少什么>（将退回负责人返工）",
        ]
    return [
        f'{owner} says action item {ref} "{task}" is done'
        + (f' (meeting "{meeting}")' if meeting else "")
        + ". Please check the deliverable.",
        f"Deliverable: {given}" if given else "The owner described no deliverable.",
        f"To accept it, reply: {ref} ACCEPT",
        f"To send it back, reply: {ref} REJECT <what is missing> (the owner reworks it)",
    ]


def verdict_subject(locale: str, ref: str, accepted: bool) -> str:
    wording = words(locale)
    if wording == "zh_TW":
        return f"{ref} 驗收通過" if accepted else f"{ref} 驗收不通過，請返工"
    if wording == "zh_CN":
        return f"{ref} 验收通过" if accepted else f"{ref} 验收不通过，请返工"
    return f"{ref} accepted" if accepted else f"{ref} sent back for rework"


def verdict(
    locale: str, ref: str, task: str, acceptor: str, reason: str | None, due: str | None
) -> list[str]:
    """To the owner: the acceptor's verdict on their deliverable."""
    wording = words(locale)
    if reason is None:
        if wording == "zh_TW":
            return [f"{acceptor} 已驗收通過行動項 {ref}「{task}」，此項已結案。"]
        if wording == "zh_CN":
            return [f"{acceptor} 已验收通过行动项 {ref}“{task}”，此项已关闭。"]
        return [f'{acceptor} accepted action item {ref} "{task}"; it is closed.']
    if wording == "zh_TW":
        return [
            f"{acceptor} 驗收行動項 {ref}「{task}」未通過，原因：{reason}",
            f"請返工，新的完成時間：{due}。" if due else "請返工。",
            f"完成後請回覆：{ref} 完成 <交付成果說明>",
        ]
    if wording == "zh_CN":
        return [
            f"{acceptor} 验收行动项 {ref}“{task}”未通过，原因：{reason}",
            f"请返工，新的完成时间：{due}。" if due else "请返工。",
            f"完成后请回复：{ref} 完成 <交付成果说明>",
        ]
    return [
        f'{acceptor} did not accept action item {ref} "{task}": {reason}',
        f"Please rework it; it is now due {due}." if due else "Please rework it.",
        f"When it is done, reply: {ref} DONE <what you deliver>",
    ]


def acceptance_overdue(locale: str, ref: str, task: str, acceptor: str, days: int) -> list[str]:
    """To the acceptor (a reminder) and then the coordinator: a verdict is overdue."""
    wording = words(locale)
    if wording in ("zh_CN", "zh_TW"):
        return [
            f"行动项 {ref}“{task}”已等待 {acceptor} 验收 {days} 个工作日。"
            if wording == "zh_CN"
            else f"行動項 {ref}「{task}」已等待 {acceptor} 驗收 {days} 個工作天。",
            f"请回复：{ref} 验收通过，或 {ref} 验收不通过 <原因>"
            if wording == "zh_CN"
            else f"請回覆：{ref} 驗收通過，或 {ref} 驗收不通過 <原因>",
        ]
    return [
        f'Action item {ref} "{task}" has waited {days} business days for {acceptor} to accept it.',
        f"Reply {ref} ACCEPT, or {ref} REJECT <what is missing>.",
    ]


def minutes_response_subject(locale: str, title: str, objection: bool) -> str:
    wording = words(locale)
    if wording == "zh_TW":
        return f"會議紀錄有異議：{title}" if objection else f"會議紀錄確認：{title}"
    if wording == "zh_CN":
        return f"会议纪要有异议：{title}" if objection else f"会议纪要确认：{title}"
    return f"Objection to the minutes: {title}" if objection else f"Minutes confirmed: {title}"


def minutes_objection(
    locale: str, title: str, who: str, text: str, confirmed: int, objected: int, late: bool
) -> list[str]:
    """To the organiser and the scribe: an attendee objects to the official minutes."""
    wording = words(locale)
    if wording in ("zh_CN", "zh_TW"):
        lines = [
            f"{who} 对会议“{title}”的会议纪要提出异议：",
            text or "（未写明具体内容）",
            f"目前：{confirmed} 人确认无异议，{objected} 人有异议。",
            "如需更正，请回复会议纪要邮件并附上更正后的纪要，将作为新版本发送给全体参会人。",
        ]
        if late:
            lines.insert(2, "（该异议在确认期限之后提出。）")
        return lines
    lines = [
        f'{who} objects to the minutes of "{title}":',
        text or "(no details given)",
        f"So far: {confirmed} confirmed, {objected} objected.",
        "To correct them, reply to the minutes mail with the corrected minutes: everyone gets "
        "the new version.",
    ]
    if late:
        lines.insert(2, "(This objection came after the confirmation window.)")
    return lines


def minutes_response_recorded(locale: str, title: str, objection: bool) -> list[str]:
    """To the attendee: their answer to the minutes is recorded."""
    wording = words(locale)
    if wording in ("zh_CN", "zh_TW"):
        return [
            f"已记录您对会议“{title}”会议纪要的异议，并已转交组织者和记录人。"
            if objection
            else f"已记录：您确认会议“{title}”的会议纪要无异议。"
        ]
    return [
        f'Your objection to the minutes of "{title}" is recorded and was passed to the '
        "organiser and the scribe."
        if objection
        else f'Recorded: you confirm the minutes of "{title}".'
    ]


def files_too_big(locale: str, names: Sequence[str]) -> str:
    """In an acceptance request: files the owner attached that were too large to forward."""
    listed = ", ".join(names)
    wording = words(locale)
    if wording == "zh_TW":
        return f"附件過大未能轉寄：{listed}，請在負責人的原郵件中查看。"
    if wording == "zh_CN":
        return f"附件过大未能转发：{listed}，请在负责人的原邮件中查看。"
    return f"Too large to forward: {listed}; please open them in the owner's own mail."
