"""The words of project close, the retrospective (复盘) and the archive (归档), per locale.

en, zh_CN and zh_TW: subjects, paragraphs, the MEETING: draft for the 复盘会, the labels of the
复盘报告 and of the archive pages, and the answers to CLOSE PROJECT / 项目结束 / 專案結束. Kept
apart from the logic, as :mod:`answer_texts` is, so a translator edits one file.
"""

from __future__ import annotations

from collections.abc import Sequence

from mailflow.domain.delay_categories import LABELS as DELAY_LABELS
from mailflow.outbound.rendering.templating import wording

RETRO_BUSINESS_DAYS = 5

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "report": "Retrospective report",
        "archive": "Cross-department project archive",
        "overall": "Overall",
        "department": "Department",
        "no_department": "(no department)",
        "items": "Items",
        "actions": "Action items",
        "requests": "Collaboration requests",
        "issues": "Issues",
        "on_time": "On time",
        "late": "Late",
        "overdue": "Overdue (open)",
        "open": "Open",
        "cancelled": "Cancelled",
        "rework": "Rework",
        "delays": "Delays by reason",
        "at_risk": "At-risk episodes",
        "escalations": "Escalations",
        "accepted": "Accepted",
        "rejected": "Rejected",
        "acceptance": "Acceptance",
        "generated": "Prepared on",
        "coordinator": "Coordinator",
        "meetings": "Meetings",
        "meeting": "Meeting",
        "when": "When",
        "where": "Where",
        "organiser": "Organiser",
        "attendees": "Attendees",
        "agenda": "Agenda",
        "minutes": "Official minutes",
        "version": "Version",
        "correction": "correction",
        "no_minutes": "No minutes were recorded.",
        "ref": "Ref",
        "task": "Task",
        "owner": "Owner",
        "due": "Due",
        "status": "Status",
        "history": "History",
        "acceptance_record": "Acceptance record (验收确认单)",
        "verdict": "Verdict",
        "by": "By",
        "at": "At",
        "what": "What",
        "exports": "Exports",
        "index": "Index",
        "closed": "Closed",
        "none": "None.",
        "deliverable": "Deliverable",
        "acceptor": "Acceptor",
        "who": "Who",
        "decisions": "Decisions",
        "old": "Before",
        "new": "After",
        "delay_reason": "Delay reason",
    },
    "zh_CN": {
        "report": "复盘报告",
        "archive": "跨部门协作项目归档",
        "overall": "合计",
        "department": "部门",
        "no_department": "（未填部门）",
        "items": "事项",
        "actions": "行动项",
        "requests": "协作需求单",
        "issues": "问题",
        "on_time": "按时完成",
        "late": "延误完成",
        "overdue": "逾期未完成",
        "open": "进行中",
        "cancelled": "已取消",
        "rework": "返工次数",
        "delays": "延期原因",
        "at_risk": "风险预警次数",
        "escalations": "升级次数",
        "accepted": "验收通过",
        "rejected": "验收不通过",
        "acceptance": "验收",
        "generated": "生成日期",
        "coordinator": "协调人",
        "meetings": "会议",
        "meeting": "会议",
        "when": "时间",
        "where": "地点",
        "organiser": "组织者",
        "attendees": "参会人",
        "agenda": "议程",
        "minutes": "正式会议纪要",
        "version": "版本",
        "correction": "更正",
        "no_minutes": "没有会议纪要。",
        "ref": "编号",
        "task": "事项",
        "owner": "负责人",
        "due": "截止日期",
        "status": "状态",
        "history": "变更记录",
        "acceptance_record": "验收确认单",
        "verdict": "结论",
        "by": "验收人",
        "at": "时间",
        "what": "内容",
        "exports": "导出",
        "index": "目录",
        "closed": "结束日期",
        "none": "无。",
        "deliverable": "交付成果",
        "acceptor": "验收人",
        "who": "操作人",
        "decisions": "决议",
        "old": "原值",
        "new": "新值",
        "delay_reason": "延期原因",
    },
    "zh_TW": {
        "report": "復盤報告",
        "archive": "跨部門協作專案歸檔",
        "overall": "合計",
        "department": "部門",
        "no_department": "（未填部門）",
        "items": "事項",
        "actions": "行動項",
        "requests": "協作需求單",
        "issues": "問題",
        "on_time": "如期完成",
        "late": "延誤完成",
        "overdue": "逾期未完成",
        "open": "進行中",
        "cancelled": "已取消",
        "rework": "重工次數",
        "delays": "延期原因",
        "at_risk": "風險預警次數",
        "escalations": "升級次數",
        "accepted": "驗收通過",
        "rejected": "驗收不通過",
        "acceptance": "驗收",
        "generated": "產生日期",
        "coordinator": "協調人",
        "meetings": "會議",
        "meeting": "會議",
        "when": "時間",
        "where": "地點",
        "organiser": "召集人",
        "attendees": "與會者",
        "agenda": "議程",
        "minutes": "正式會議紀錄",
        "version": "版本",
        "correction": "更正",
        "no_minutes": "沒有會議紀錄。",
        "ref": "編號",
        "task": "事項",
        "owner": "負責人",
        "due": "截止日期",
        "status": "狀態",
        "history": "變更紀錄",
        "acceptance_record": "驗收確認單",
        "verdict": "結論",
        "by": "驗收人",
        "at": "時間",
        "what": "內容",
        "exports": "匯出",
        "index": "目錄",
        "closed": "結束日期",
        "none": "無。",
        "deliverable": "交付成果",
        "acceptor": "驗收人",
        "who": "操作人",
        "decisions": "決議",
        "old": "原值",
        "new": "新值",
        "delay_reason": "延期原因",
    },
}


def labels(locale: str | None) -> dict[str, str]:
    """The report's and archive's labels, with the delay categories as ``delay_<category>``."""
    variant = wording(locale)
    found = dict(LABELS[variant])
    found.update({f"delay_{k}": v for k, v in DELAY_LABELS[variant].items()})
    return found


def request_subject(locale: str, project: str) -> str:
    return {
        "zh_CN": f"项目“{project}”已结束：请在 {RETRO_BUSINESS_DAYS} 个工作日内召开复盘会",
        "zh_TW": f"專案「{project}」已結束：請於 {RETRO_BUSINESS_DAYS} 個工作天內召開復盤會",
    }.get(wording(locale), f"Project {project} has ended: please hold its retrospective")


def request_paragraphs(locale: str, project: str, by: str, bot: str, why: str) -> list[str]:
    """To the coordinator: hold the 复盘会 by ``by``; the draft below can be sent on as it is."""
    variant = wording(locale)
    if variant == "zh_TW":
        return [
            f"專案「{project}」已結束（{why}）。請於 {by} 前召開復盤會。",
            "復盤報告已寄給專案成員與各部門主管，並附在本郵件中。",
            f"下方是會議草稿：確認時間與與會者後，以新郵件寄給 {bot}（主旨照抄），"
            "會議即歸入本專案；會議紀錄中的改進措施會照常成為行動項。",
        ]
    if variant == "zh_CN":
        return [
            f"项目“{project}”已结束（{why}）。请在 {by} 前召开复盘会。",
            "复盘报告已发送给项目成员和各部门负责人，并附在本邮件中。",
            f"下面是会议草稿：确认时间和参会人后，以新邮件发给 {bot}（主题照抄），"
            "会议即归入本项目；会议纪要中的改进措施会照常成为行动项。",
        ]
    return [
        f"Project {project} has ended ({why}). Please hold its retrospective by {by}.",
        "The retrospective report went to the project's people and their executives, and is "
        "attached here.",
        f"Below is a meeting draft: check the time and attendees, then send it as a new mail to "
        f"{bot} (keep the subject). The meeting joins the project, and the improvement measures "
        "in its minutes become action items as usual.",
    ]


def why_closed(locale: str, by: str | None, end: str | None) -> str:
    variant = wording(locale)
    if by is not None:
        return {"zh_CN": f"由 {by} 宣布结束", "zh_TW": f"由 {by} 宣布結束"}.get(
            variant, f"closed by {by}"
        )
    return {"zh_CN": f"结束日期 {end} 已过", "zh_TW": f"結束日期 {end} 已過"}.get(
        variant, f"its end date {end} has passed"
    )


def draft(locale: str, project: str, day: str, coordinator: str, people: Sequence[str]) -> str:
    """A MEETING: mail the coordinator can send on: subject line first, then its fields."""
    variant = wording(locale)
    if variant == "zh_TW":
        return (
            f"主旨：MEETING: 復盤會：{project}\n\n時間：{day} 10:00-11:30\n專案：{project}\n"
            f"參會人：{', '.join(people)}\n議程：\n1. 專案數據回顧 | {coordinator} | 20\n"
            "2. 問題與原因分析 | | 40\n3. 改進措施與負責人 | | 30 | 形成改進行動項\n"
        )
    if variant == "zh_CN":
        return (
            f"主题：MEETING: 复盘会：{project}\n\n时间：{day} 10:00-11:30\n项目：{project}\n"
            f"参会人：{', '.join(people)}\n议程：\n1. 项目数据回顾 | {coordinator} | 20\n"
            "2. 问题与原因分析 | | 40\n3. 改进措施与负责人 | | 30 | 形成改进行动项\n"
        )
    return (
        f"Subject: MEETING: Retrospective: {project}\n\nWhen: {day} 10:00-11:30\n"
        f"Project: {project}\nAttendees: {', '.join(people)}\nAgenda:\n"
        f"1. Review of the project's figures | {coordinator} | 20\n"
        "2. What went wrong and why | | 40\n"
        "3. Improvement measures and owners | | 30 | improvement action items\n"
    )


def report_subject(locale: str, project: str) -> str:
    return {
        "zh_CN": f"复盘报告：{project}",
        "zh_TW": f"復盤報告：{project}",
    }.get(wording(locale), f"Retrospective report: {project}")


def report_paragraphs(
    locale: str, project: str, items: int, on_time: int, late: int, overdue: int = 0
) -> list[str]:
    """The report's opening: items on time, finished late, and still open past their due date."""
    variant = wording(locale)
    if variant == "zh_TW":
        return [
            f"專案「{project}」已結束。共 {items} 個事項：如期完成 {on_time} 個，"
            f"延誤完成 {late} 個，逾期未完成 {overdue} 個。",
            "各部門的數據如下；完整報告見附件（可離線開啟）。",
        ]
    if variant == "zh_CN":
        return [
            f"项目“{project}”已结束。共 {items} 个事项：按时完成 {on_time} 个，延误完成 {late} 个，"
            f"逾期未完成 {overdue} 个。",
            "各部门的数据如下；完整报告见附件（可离线打开）。",
        ]
    return [
        f"Project {project} has ended. {items} item(s): {on_time} finished on time, {late} "
        f"finished late, {overdue} still open past their due date.",
        "The figures per department follow; the full report is attached (it opens offline).",
    ]


def archive_subject(locale: str, project: str) -> str:
    return {
        "zh_CN": f"项目归档：{project}",
        "zh_TW": f"專案歸檔：{project}",
    }.get(wording(locale), f"Project archive: {project}")


def archive_paragraphs(locale: str, project: str, path: str, attached: bool) -> list[str]:
    variant = wording(locale)
    if variant == "zh_TW":
        where = "已附在本郵件中" if attached else f"檔案較大，未附上，存放於：{path}"
        return [
            f"專案「{project}」的歸檔（會議、紀錄、行動項、驗收確認單、復盤報告）{where}。",
            "解壓縮後開啟 index.html 即可離線瀏覽。",
        ]
    if variant == "zh_CN":
        where = "已附在本邮件中" if attached else f"文件较大，未附上，保存在：{path}"
        return [
            f"项目“{project}”的归档（会议、纪要、行动项、验收确认单、复盘报告）{where}。",
            "解压后打开 index.html 即可离线浏览。",
        ]
    where = "is attached" if attached else f"is too large to attach; it is at {path}"
    return [
        f"The archive of project {project} (meetings, minutes, items, acceptance records, "
        f"retrospective report) {where}.",
        "Unzip it and open index.html; it needs no network.",
    ]


def closed_answer(locale: str, project: str) -> list[str]:
    variant = wording(locale)
    if variant == "zh_TW":
        return [
            f"專案「{project}」已結束。復盤報告與復盤會草稿將隨後寄給您，歸檔完成後也會通知您。"
        ]
    if variant == "zh_CN":
        return [f"项目“{project}”已结束。复盘报告和复盘会草稿随后发给您，归档完成后也会通知您。"]
    return [
        f"Project {project} is closed. The retrospective report and a draft for the "
        "retrospective meeting follow, and you will hear when the archive is written."
    ]


def already_closed(locale: str, project: str) -> list[str]:
    variant = wording(locale)
    if variant == "zh_TW":
        return [f"專案「{project}」先前已結束，未做任何變更。"]
    if variant == "zh_CN":
        return [f"项目“{project}”此前已结束，未做任何更改。"]
    return [f"Project {project} was already closed; nothing changed."]


def close_refused(locale: str, reason: str, known: Sequence[str]) -> list[str]:
    """A close that was not done: why, and how to write it right. ``reason`` is one of
    ``no_name``, ``unknown:<name>``, ``not_coordinator:<name>:<coordinator>``."""
    variant = wording(locale)
    what, _, rest = reason.partition(":")
    name, _, lead = rest.partition(":")
    names = "、".join(known) if variant != "en" else ", ".join(known)
    if variant == "zh_TW":
        why = {
            "no_name": "未寫明要結束哪個專案。",
            "unknown": f"找不到名為「{name}」的專案。",
            "not_coordinator": f"只有專案「{name}」的協調人（{lead}）或其會議的召集人可以結束它。",
        }[what]
        return [
            f"未執行：{why}未做任何變更。",
            "寫法：主旨寫「專案結束：<專案名稱>」（或 CLOSE PROJECT <名稱>）。"
            + (f"現有專案：{names}" if names and what != "not_coordinator" else ""),
        ]
    if variant == "zh_CN":
        why = {
            "no_name": "没有写明要结束哪个项目。",
            "unknown": f"找不到名为“{name}”的项目。",
            "not_coordinator": f"只有项目“{name}”的协调人（{lead}）或其会议的组织者可以结束它。",
        }[what]
        return [
            f"未执行：{why}未做任何更改。",
            "写法：主题写“项目结束：<项目名称>”（或 CLOSE PROJECT <名称>）。"
            + (f"现有项目：{names}" if names and what != "not_coordinator" else ""),
        ]
    why = {
        "no_name": "it does not say which project to close.",
        "unknown": f"there is no project called {name}.",
        "not_coordinator": f"only the coordinator of {name} ({lead}) or the organiser of one of "
        "its meetings can close it.",
    }[what]
    return [
        f"Not done: {why} Nothing changed.",
        "Write the subject as: CLOSE PROJECT <name> (or 项目结束：<名称>)."
        + (f" Projects: {names}" if names and what != "not_coordinator" else ""),
    ]


def close_subject(locale: str) -> str:
    return {"zh_CN": "项目结束", "zh_TW": "專案結束"}.get(wording(locale), "Close project")
