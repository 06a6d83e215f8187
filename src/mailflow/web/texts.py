"""The board's words in its three wordings (en, zh_CN, zh_TW), and choosing one for a request.

The templates under ``templates/_shared/web/`` are shared by the three wordings and take their
words from here (as the archive's pages do), so a page cannot differ between languages in
anything but its words. The language is the ``lang`` query parameter, else the ``mf_lang``
cookie the switch sets, else the best of ``Accept-Language``, else English.
"""

from __future__ import annotations

from mailflow.outbound.rendering.templating import Wording, wording

LANGS: tuple[Wording, ...] = ("zh_CN", "zh_TW", "en")
LANG_NAMES = {"zh_CN": "简体中文", "zh_TW": "繁體中文", "en": "English"}
HTML_LANG = {"zh_CN": "zh-Hans", "zh_TW": "zh-Hant", "en": "en"}

# The board's five columns, in order, each with the item status it shows.
COLUMNS = ("not_started", "in_progress", "awaiting_acceptance", "done", "delayed")

_EN = {
    "coordinator": "Coordinator",
    "mstatus.draft": "draft",
    "mstatus.scheduled": "scheduled",
    "mstatus.cancelled": "cancelled",
    "mstatus.done": "held",
    "title": "mailflow board",
    "col.not_started": "Not started",
    "col.in_progress": "In progress",
    "col.awaiting_acceptance": "Awaiting acceptance",
    "col.done": "Done",
    "col.delayed": "Delayed",
    "projects": "Projects",
    "no_projects": "No project to show.",
    "my_items": "My items",
    "my_meetings": "My meetings",
    "items_of": "Items",
    "meetings_of": "Meetings",
    "board": "Board",
    "timeline": "Timeline",
    "timeline_note": "Showing the {shown} open items due soonest of {total}.",
    "by_department": "By department",
    "department": "Department",
    "owner": "Owner",
    "all": "All",
    "filter": "Filter",
    "items_word": "Items",
    "open": "Open",
    "done_count": "Done",
    "overdue": "Overdue",
    "at_risk": "At risk",
    "on_time_rate": "On time",
    "more": "{count} more: filter by department or owner to see them.",
    "due": "Due",
    "no_due": "no due date",
    "progress": "Progress",
    "status": "Status",
    "none": "None.",
    "meeting": "Meeting",
    "project": "Project",
    "when": "When",
    "where": "Where",
    "organiser": "Organiser",
    "agenda": "Agenda",
    "attendees": "Attendees",
    "rsvp": "Answer",
    "minutes": "Official minutes",
    "version": "Version {n}",
    "correction": "correction",
    "sent": "sent",
    "not_sent": "not sent yet",
    "received": "received",
    "items_created": "Items created",
    "history": "History",
    "at": "When",
    "by": "By",
    "change": "Change",
    "mail": "Mail",
    "deliverable": "Deliverable",
    "acceptor": "Acceptor",
    "requester": "Requested by",
    "delay_reason": "Delay reason",
    "escalation": "Escalation level",
    "home": "My board",
    "calendar": "Calendar feed",
    "calendar_hint": "Subscribe to this address in your calendar app:",
    "language": "Language",
    "forbidden.title": "This link does not open this page",
    "forbidden.body": "The link is not valid, or it is someone else's, or it does not reach this "
    "page. Ask mailflow for a fresh link: reply to any mail mailflow sent you.",
    "expired.title": "This link has expired",
    "expired.body": "Links to the board last {days} days. Ask mailflow for a fresh link: reply to "
    "any mail mailflow sent you.",
    "missing.title": "Nothing here",
    "missing.body": "This page does not exist, or you may not see it.",
    "limited.title": "Too many requests",
    "limited.body": "Please wait a minute and try again.",
    "partstat.NEEDS-ACTION": "no answer yet",
    "partstat.ACCEPTED": "accepted",
    "partstat.DECLINED": "declined",
    "partstat.TENTATIVE": "tentative",
    "partstat.DELEGATED": "delegated",
    "kind.created": "created",
    "kind.update": "changed",
    "kind.status": "status",
    "kind.acceptance": "acceptance",
    "kind.escalated": "escalated",
    "kind.escalation": "escalated",
    "kind.at_risk": "at risk",
    "kind.confirmed": "confirmed",
    "kind.declined": "declined",
    "kind.reassigned": "reassigned",
    "kind.reminded": "reminded",
    "kind.comment": "comment",
    "kind.note": "note",
}

_ZH_CN = {
    "coordinator": "协调人",
    "mstatus.draft": "草稿",
    "mstatus.scheduled": "已安排",
    "mstatus.cancelled": "已取消",
    "mstatus.done": "已召开",
    "title": "mailflow 看板",
    "col.not_started": "未开始",
    "col.in_progress": "进行中",
    "col.awaiting_acceptance": "待验收",
    "col.done": "已完成",
    "col.delayed": "延期",
    "projects": "项目",
    "no_projects": "没有可显示的项目。",
    "my_items": "我的事项",
    "my_meetings": "我的会议",
    "items_of": "事项",
    "meetings_of": "会议",
    "board": "看板",
    "timeline": "时间线",
    "timeline_note": "共 {total} 个事项，显示最先到期的 {shown} 个未完成事项。",
    "by_department": "按部门",
    "department": "部门",
    "owner": "负责人",
    "all": "全部",
    "filter": "筛选",
    "items_word": "事项",
    "open": "未完成",
    "done_count": "已完成",
    "overdue": "已逾期",
    "at_risk": "进度滞后",
    "on_time_rate": "按时完成率",
    "more": "还有 {count} 个：按部门或负责人筛选以查看。",
    "due": "截止",
    "no_due": "无截止日期",
    "progress": "进度",
    "status": "状态",
    "none": "无。",
    "meeting": "会议",
    "project": "项目",
    "when": "时间",
    "where": "地点",
    "organiser": "组织者",
    "agenda": "议程",
    "attendees": "参会人",
    "rsvp": "回复",
    "minutes": "正式纪要",
    "version": "第 {n} 版",
    "correction": "更正",
    "sent": "已发送",
    "not_sent": "尚未发送",
    "received": "收到",
    "items_created": "产生的事项",
    "history": "变更记录",
    "at": "时间",
    "by": "操作人",
    "change": "变更",
    "mail": "邮件",
    "deliverable": "交付物",
    "acceptor": "验收人",
    "requester": "提出人",
    "delay_reason": "延期原因",
    "escalation": "升级级别",
    "home": "我的看板",
    "calendar": "日历订阅",
    "calendar_hint": "在日历应用中订阅此地址：",
    "language": "语言",
    "forbidden.title": "此链接无法打开本页",
    "forbidden.body": "链接无效、属于他人，或无权查看本页。请向 mailflow 索取新链接："
    "回复 mailflow 发给您的任意一封邮件即可。",
    "expired.title": "此链接已过期",
    "expired.body": "看板链接的有效期为 {days} 天。请向 mailflow 索取新链接："
    "回复 mailflow 发给您的任意一封邮件即可。",
    "missing.title": "页面不存在",
    "missing.body": "此页面不存在，或您无权查看。",
    "limited.title": "请求过于频繁",
    "limited.body": "请稍等一分钟后再试。",
    "partstat.NEEDS-ACTION": "尚未回复",
    "partstat.ACCEPTED": "接受",
    "partstat.DECLINED": "拒绝",
    "partstat.TENTATIVE": "暂定",
    "partstat.DELEGATED": "已委托",
    "kind.created": "创建",
    "kind.update": "更新",
    "kind.status": "状态",
    "kind.acceptance": "验收",
    "kind.escalated": "升级",
    "kind.escalation": "升级",
    "kind.at_risk": "进度滞后",
    "kind.confirmed": "确认",
    "kind.declined": "拒绝",
    "kind.reassigned": "转派",
    "kind.reminded": "提醒",
    "kind.comment": "备注",
    "kind.note": "备注",
}

_ZH_TW = {
    "coordinator": "協調人",
    "mstatus.draft": "草稿",
    "mstatus.scheduled": "已排定",
    "mstatus.cancelled": "已取消",
    "mstatus.done": "已召開",
    "title": "mailflow 看板",
    "col.not_started": "未開始",
    "col.in_progress": "進行中",
    "col.awaiting_acceptance": "待驗收",
    "col.done": "已完成",
    "col.delayed": "延期",
    "projects": "專案",
    "no_projects": "沒有可顯示的專案。",
    "my_items": "我的事項",
    "my_meetings": "我的會議",
    "items_of": "事項",
    "meetings_of": "會議",
    "board": "看板",
    "timeline": "時間軸",
    "timeline_note": "共 {total} 個事項，顯示最先到期的 {shown} 個未完成事項。",
    "by_department": "依部門",
    "department": "部門",
    "owner": "負責人",
    "all": "全部",
    "filter": "篩選",
    "items_word": "事項",
    "open": "未完成",
    "done_count": "已完成",
    "overdue": "已逾期",
    "at_risk": "進度落後",
    "on_time_rate": "如期完成率",
    "more": "還有 {count} 個：依部門或負責人篩選以查看。",
    "due": "截止",
    "no_due": "無截止日期",
    "progress": "進度",
    "status": "狀態",
    "none": "無。",
    "meeting": "會議",
    "project": "專案",
    "when": "時間",
    "where": "地點",
    "organiser": "召集人",
    "agenda": "議程",
    "attendees": "與會者",
    "rsvp": "回覆",
    "minutes": "正式紀錄",
    "version": "第 {n} 版",
    "correction": "更正",
    "sent": "已寄出",
    "not_sent": "尚未寄出",
    "received": "收到",
    "items_created": "產生的事項",
    "history": "變更紀錄",
    "at": "時間",
    "by": "操作人",
    "change": "變更",
    "mail": "郵件",
    "deliverable": "交付物",
    "acceptor": "驗收人",
    "requester": "提出人",
    "delay_reason": "延期原因",
    "escalation": "升級層級",
    "home": "我的看板",
    "calendar": "行事曆訂閱",
    "calendar_hint": "在行事曆應用程式中訂閱此網址：",
    "language": "語言",
    "forbidden.title": "此連結無法開啟本頁",
    "forbidden.body": "連結無效、屬於他人，或無權檢視本頁。請向 mailflow 索取新連結："
    "回覆 mailflow 寄給您的任何一封郵件即可。",
    "expired.title": "此連結已過期",
    "expired.body": "看板連結的有效期為 {days} 天。請向 mailflow 索取新連結："
    "回覆 mailflow 寄給您的任何一封郵件即可。",
    "missing.title": "頁面不存在",
    "missing.body": "此頁面不存在，或您無權檢視。",
    "limited.title": "請求過於頻繁",
    "limited.body": "請稍候一分鐘再試。",
    "partstat.NEEDS-ACTION": "尚未回覆",
    "partstat.ACCEPTED": "接受",
    "partstat.DECLINED": "拒絕",
    "partstat.TENTATIVE": "暫定",
    "partstat.DELEGATED": "已委派",
    "kind.created": "建立",
    "kind.update": "更新",
    "kind.status": "狀態",
    "kind.acceptance": "驗收",
    "kind.escalated": "升級",
    "kind.escalation": "升級",
    "kind.at_risk": "進度落後",
    "kind.confirmed": "確認",
    "kind.declined": "拒絕",
    "kind.reassigned": "轉派",
    "kind.reminded": "提醒",
    "kind.comment": "備註",
    "kind.note": "備註",
}

TEXTS: dict[str, dict[str, str]] = {"en": _EN, "zh_CN": _ZH_CN, "zh_TW": _ZH_TW}


def words(lang: str) -> dict[str, str]:
    return TEXTS[wording(lang)]


def choose_lang(query: str | None, cookie: str | None, accept_language: str | None) -> Wording:
    """The wording for a request: ``?lang=``, the cookie, Accept-Language, else English."""
    for explicit in (query, cookie):
        if explicit and explicit in LANGS:
            return wording(explicit)
    for tag in _accepted(accept_language or ""):
        lower = tag.lower()
        if lower.startswith("zh"):
            return wording(tag.replace("-", "_"))
        if lower.startswith("en") or lower == "*":
            return "en"
    return "en"


def _accepted(header: str) -> list[str]:
    """The language tags of an Accept-Language header, best first (q=0 dropped)."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, index, tag.strip()))
    return [tag for _, _, tag in sorted(ranked)]
