"""Word the problems of minutes lines and item commands: why a line was not used, what to write.

Pure: a problem code and values in, a :class:`~mailflow.domain.minutes.Problem` out. The wording
follows the line: a line with Chinese characters gets a Chinese reason and hint, any other line
an English one, so the receipt answers the scribe in the language they wrote in.
"""

from __future__ import annotations

import re

from mailflow.domain.minutes import Problem

_CJK = re.compile(r"[\u3400-\u9fff]")
_EXAMPLE_EN = "ACTION: @bob Prepare the budget; deliverable: spreadsheet; due: 2025-03-08"
_EXAMPLE_ZH = "行动项：@zhangwei 准备预算 交付物：预算表 截止：3月8日前"
_DATES_EN = "2025-03-08, 3/8, by Friday, next Wednesday, in 3 business days, end of month"
_DATES_ZH = "2025-03-08、3月8日前、本周五前、下周三、3个工作日内、月底前"

# Each code: (English reason, English hint, Chinese reason, Chinese hint).
_TEXTS: dict[str, tuple[str, str, str, str]] = {
    "no_owner": (
        "no owner",
        f"Start the item with its owner (@alias, email or name), e.g. {_EXAMPLE_EN}",
        "没有负责人",
        f"请在事项开头写负责人（@别名、邮箱或姓名），例如：{_EXAMPLE_ZH}",
    ),
    "ownerless": (
        "something to do, but nobody named to do it",
        f"If it should be tracked, name the owner (@alias, email or name) and reply with the line "
        f"corrected, e.g. {_EXAMPLE_EN}",
        "有待办事项，但没有写负责人",
        f"如需跟踪，请写明负责人（@别名、邮箱或姓名）并回复更正后的这一行，例如：{_EXAMPLE_ZH}",
    ),
    "unknown_owner": (
        "unknown owner {name}",
        "{suggest}Write the owner as @alias, an email address or a name from the people directory.",
        "找不到负责人 {name}",
        "{suggest}请写人员名录中的 @别名、邮箱或姓名。",
    ),
    "ambiguous_owner": (
        "{name} could be {candidates}",
        "Write the @alias or the email address of the one you mean.",
        "{name} 可能是 {candidates}",
        "请写明其中一位的 @别名或邮箱。",
    ),
    "two_owners": (
        "more than one owner: {names}",
        "One owner per item: write one line per owner, or name only the lead owner.",
        "负责人不止一位：{names}",
        "每个事项只能有一位负责人：请每人写一行，或只写牵头人。",
    ),
    "no_task": (
        "no task after the owner",
        f"Write what is to be done, e.g. {_EXAMPLE_EN}",
        "负责人后面没有任务内容",
        f"请写明要做的事，例如：{_EXAMPLE_ZH}",
    ),
    "bad_due": (
        "unreadable due date {raw}",
        f"Write the due date like one of: {_DATES_EN}.",
        "无法识别截止日期 {raw}",
        f"请按以下格式写截止日期：{_DATES_ZH}。",
    ),
    "two_dues": (
        "two due dates: {raws}",
        "Give one due date per item.",
        "有两个截止日期：{raws}",
        "每个事项只写一个截止日期。",
    ),
    "due_before_meeting": (
        "due date {day} is before the meeting ({meeting})",
        "Write a due date on or after the meeting day.",
        "截止日期 {day} 早于会议日期（{meeting}）",
        "请写会议当天或之后的日期。",
    ),
    "unknown_attendee": (
        "unknown attendee {name}",
        "{suggest}Write attendees as @alias, email or name, separated by commas.",
        "找不到出席人 {name}",
        "{suggest}出席人请写 @别名、邮箱或姓名，用顿号或逗号分隔。",
    ),
    "ambiguous_attendee": (
        "attendee {name} could be {candidates}",
        "Write the @alias or the email address of the one you mean.",
        "出席人 {name} 可能是 {candidates}",
        "请写明其中一位的 @别名或邮箱。",
    ),
    "bad_next": (
        "unreadable date of the next meeting {raw}",
        "Write e.g. NEXT: 2025-03-14 10:00; place: Room 301; topic: budget review",
        "无法识别下次会议时间 {raw}",
        "例如：下次会议：3月14日 上午10点；地点：301会议室；议题：预算评审",
    ),
    "next_before_meeting": (
        "the next meeting ({day}) is before this one ({meeting})",
        "Write a date after this meeting.",
        "下次会议（{day}）早于本次会议（{meeting}）",
        "请写本次会议之后的日期。",
    ),
    "two_next": (
        "a second next meeting",
        "Give one NEXT line; the first one was used.",
        "下次会议写了两次",
        "只写一行下次会议；已采用第一行。",
    ),
}
# Lines that still became an item: what is missing, and how to complete it.
_TEXTS |= {
    "no_due": (
        "no due date",
        f"The item was created without a due date. To add one, reply with the line corrected, "
        f"e.g. …; due: 2025-03-08 (dates like: {_DATES_EN}).",
        "没有截止日期",
        f"已创建事项，但没有截止日期。如需补充，请回复更正后的这一行，例如：…截止：3月8日前"
        f"（日期格式：{_DATES_ZH}）。",
    ),
    "due_unreadable": (
        "unreadable due date {raw}",
        f"The item was created without a due date. Reply with the line corrected; write dates "
        f"like: {_DATES_EN}.",
        "无法识别截止日期 {raw}",
        f"已创建事项，但未设截止日期。请回复更正后的这一行，日期格式：{_DATES_ZH}。",
    ),
    "due_in_past": (
        "due date {day} is before the meeting ({meeting})",
        "The item was created without a due date. Reply with the line corrected to a date on or "
        "after the meeting day.",
        "截止日期 {day} 早于会议日期（{meeting}）",
        "已创建事项，但未设截止日期。请回复更正后的这一行，写会议当天或之后的日期。",
    ),
    "due_ambiguous": (
        "two due dates: {raws}",
        "The first one, {first}, was used. Reply with the line corrected if that is wrong.",
        "有两个截止日期：{raws}",
        "已采用第一个：{first}。如有误，请回复更正后的这一行。",
    ),
    "co_owners": (
        "more than one owner: {names}",
        "{owner} owns the item (one owner per item, the first named). Write a line of its own "
        "for anyone else who has a task.",
        "负责人不止一位：{names}",
        "已由第一位 {owner} 负责（每个事项一位负责人）。其他人如有各自任务，请分行写。",
    ),
    "department_owner": (
        "{department} has no head in the people directory",
        "Name a person as owner, or set a head (role = head) for {department} in the directory.",
        "{department} 在人员名录中没有负责人",
        "请写具体负责人，或在人员名录中为 {department} 设置负责人（role = 负责人）。",
    ),
    "table_no_owner": (
        "a table row without an owner",
        "Fill in the owner column (a name, @alias or email from the people directory) and reply "
        "with the table again.",
        "表格中的这一行没有负责人",
        "请填写负责人一栏（人员名录中的姓名、@别名或邮箱），然后回复更正后的表格。",
    ),
    "attachment_unread": (
        "the attachment {name} could not be read ({why})",
        "Attach the table as .xlsx or .csv, or paste it into the mail.",
        "附件 {name} 无法读取（{why}）",
        "请以 .xlsx 或 .csv 附件发送表格，或直接粘贴到邮件正文中。",
    ),
}
_COMMANDS_EN = "CONFIRM, DONE, 60%, DELAY 2025-03-20 <reason>, DECLINE <reason>, NOTE <text>"
_COMMANDS_ZH = "确认、完成、进度 60%、延期 3月20日 <原因>、拒绝 <原因>、备注 <内容>"
_TEXTS |= {
    "delay_no_date": (
        "DELAY without a readable new date",
        f"Write DELAY <new date> <reason>; dates like: {_DATES_EN}.",
        "延期没有可识别的新日期",
        f"请写：延期 <新日期> <原因>；日期如：{_DATES_ZH}。",
    ),
    "delay_no_reason": (
        "DELAY needs a reason",
        "Write DELAY <new date> <reason>, e.g. DELAY 2025-03-20 waiting for the vendor's quote.",
        "延期需要写明原因",
        "请写：延期 <新日期> <原因>，例如：延期 3月20日 等待供应商报价。",
    ),
    "delay_in_past": (
        "the new date {day} is in the past",
        "Write a date from today on.",
        "新日期 {day} 已经过去",
        "请写今天或之后的日期。",
    ),
    "reject_no_reason": (
        "REJECT needs a reason",
        "Write REJECT <what is missing>, e.g. REJECT the report lacks the Q2 figures; the owner "
        "gets it back with the reason.",
        "验收不通过需要写明原因",
        "请写：验收不通过 <原因>，例如：验收不通过 报告缺少二季度数据；负责人会收到原因并返工。",
    ),
    "escalate_no_reason": (
        "ESCALATE needs a reason",
        "Write ESCALATE <reason>, e.g. MF-0042 ESCALATE the vendor will not commit to a date; "
        "the owner's executive gets the issue with the reason.",
        "需升级需要写明原因",
        "请写：需升级 <原因>，例如：MF-0042 需升级 供应商无法承诺交期；"
        "负责人的主管会收到问题和原因。",
    ),
    "decline_no_reason": (
        "DECLINE needs a reason",
        "Write DECLINE <reason>, e.g. DECLINE not my department; the organiser will reassign it.",
        "拒绝需要写明原因",
        "请写：拒绝 <原因>，例如：拒绝 不属于本部门职责；组织者会重新分配。",
    ),
    "bad_progress": (
        "progress {value} is not a percentage from 0 to 100",
        "Write the progress as a percentage, e.g. 60% or PROGRESS 60%.",
        "进度 {value} 不是 0 到 100 之间的百分比",
        "请写百分比，例如：进度 60%。",
    ),
    "no_new_owner": (
        "REASSIGN without a new owner",
        "Write REASSIGN @alias (or an email address).",
        "转交没有写新负责人",
        "请写：转交 @别名（或邮箱）。",
    ),
    "empty_note": (
        "NOTE without text",
        "Write NOTE <text>.",
        "备注没有内容",
        "请写：备注 <内容>。",
    ),
    "unknown_command": (
        "unknown command {word}",
        f"Valid commands: {_COMMANDS_EN}, REASSIGN @alias.",
        "无法识别的指令 {word}",
        f"可用指令：{_COMMANDS_ZH}、转交 @别名。",
    ),
}


def is_chinese(text: str) -> bool:
    """Whether ``text`` has Chinese characters, which decides the language of its problem."""
    return _CJK.search(text) is not None


KEPT = frozenset({"no_due", "due_unreadable", "due_in_past", "due_ambiguous", "co_owners"})


def problem(code: str, line: str, **values: str) -> Problem:
    """The problem ``code`` for ``line``, worded in the line's language with ``values`` filled in.

    ``suggest`` defaults to nothing; pass e.g. "Did you mean @bob? " to offer close matches.
    The codes in :data:`KEPT` describe an item that was still made (``Problem.kept``).
    """
    en_reason, en_hint, zh_reason, zh_hint = _TEXTS[code]
    reason, hint = (zh_reason, zh_hint) if is_chinese(line) else (en_reason, en_hint)
    filled = {"suggest": ""} | values
    return Problem(line, reason.format(**filled), hint.format(**filled), code, code in KEPT)
