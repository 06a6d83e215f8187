"""The words of the daily rhythm (当日进展 + 明日计划), en / zh_CN / zh_TW: the request to a
project's people and the receipt of their report."""

from __future__ import annotations

from collections.abc import Sequence

from mailflow.outbound.kinds.answers.answer_texts import words


def request_subject(locale: str, project: str, day: str) -> str:
    return {
        "zh_CN": f"【{project}】{day} 当日进展与明日计划",
        "zh_TW": f"【{project}】{day} 當日進展與明日計畫",
    }.get(words(locale), f"[{project}] Daily update for {day}")


def request(locale: str, project: str, refs: Sequence[str]) -> list[str]:
    """To one of the project's people: report today's progress and tomorrow's plan."""
    first = refs[0] if refs else "MF-0001"
    wording = words(locale)
    if wording == "zh_TW":
        return [
            f"請回覆專案「{project}」今天的進展和明天的計畫（表格中是您的未完成待辦事項）：",
            "今日進展：<今天完成了什麼>",
            "明日計畫：<明天要做什麼>",
            "問題：<需要協助的地方，沒有可不寫>",
            f"有多項時，每行以編號開頭，例如：{first} 今日進展：…",
            f"進度可一併回覆：{first} 進度 60%",
        ]
    if wording == "zh_CN":
        return [
            f"请回复项目“{project}”今天的进展和明天的计划（表格中是您的未完成行动项）：",
            "今日进展：<今天完成了什么>",
            "明日计划：<明天要做什么>",
            "问题：<需要协助的地方，没有可不写>",
            f"有多项时，每行以编号开头，例如：{first} 今日进展：…",
            f"进度可一并回复：{first} 进度 60%",
        ]
    return [
        f"Please reply with today's progress and tomorrow's plan for \"{project}\" (your open "
        "items are in the table):",
        "Today: <what you got done>",
        "Tomorrow: <what you will do>",
        "Blockers: <if any>",
        f"With several items, start each line with its ref, e.g. {first} Today: …; progress "
        f"too: {first} 60%",
    ]


def table_headers(locale: str) -> list[str]:
    return {
        "zh_CN": ["编号", "任务", "截止日期", "进度"],
        "zh_TW": ["編號", "任務", "完成期限", "進度"],
    }.get(words(locale), ["Ref", "Task", "Due", "Progress"])


def receipt_subject(locale: str) -> str:
    return {"zh_CN": "已记录您的日报", "zh_TW": "已記錄您的日報"}.get(
        words(locale), "Your daily update is recorded"
    )


def recorded(locale: str, ref: str, today: str, tomorrow: str, issues: str) -> str:
    wording = words(locale)
    if wording in ("zh_CN", "zh_TW"):
        labels = (
            ("今日进展", "明日计划", "问题")
            if wording == "zh_CN"
            else ("今日進展", "明日計畫", "問題")
        )
    else:
        labels = ("Today", "Tomorrow", "Blockers")
    said = [
        f"{label}：{text}" if wording != "en" else f"{label}: {text}"
        for label, text in zip(labels, (today, tomorrow, issues), strict=True)
        if text
    ]
    return f"{ref} — " + ("；".join(said) if wording != "en" else "; ".join(said))


def not_recorded(locale: str, reason: str) -> str:
    return {"zh_CN": f"未能记录：{reason}", "zh_TW": f"未能記錄：{reason}"}.get(
        words(locale), f"Not recorded: {reason}"
    )
