"""The words of at-risk mail (进度滞后), en / zh_CN / zh_TW: the prompt to the coordinator to talk
to the owner (约谈), the confirmation of a recorded talk, and the note to the owner's executive
when no talk was recorded in time."""

from __future__ import annotations

from mailflow.domain.at_risk import Risk
from mailflow.outbound.kinds.answers.answer_texts import words


def prompt_subject(locale: str, ref: str, task: str) -> str:
    return {
        "zh_CN": f"进度滞后，请约谈负责人：{ref} {task}",
        "zh_TW": f"進度落後，請約談負責人：{ref} {task}",
    }.get(words(locale), f"At risk, please talk to the owner: {ref} {task}")


def prompt(
    locale: str, ref: str, task: str, owner: str, risk: Risk, due: str, hours: int
) -> list[str]:
    """To the coordinator: the item lags; talk to its owner within ``hours`` and record it."""
    wording = words(locale)
    if wording == "zh_TW":
        return [
            f"行動項 {ref}「{task}」（負責人 {owner}，{due} 到期）進度落後："
            f"時間已過 {risk.elapsed}%，進度僅 {risk.progress}%。",
            f"請在 {hours} 小時內約談負責人，並回覆記錄：{ref} 已約談 <談了什麼、下一步>",
            f"{hours} 小時內沒有約談記錄，將通知負責人的主管。",
        ]
    if wording == "zh_CN":
        return [
            f"行动项 {ref}“{task}”（负责人 {owner}，{due} 到期）进度滞后："
            f"时间已过 {risk.elapsed}%，进度仅 {risk.progress}%。",
            f"请在 {hours} 小时内约谈负责人，并回复记录：{ref} 已约谈 <谈了什么、下一步>",
            f"{hours} 小时内没有约谈记录，将通知负责人的上级。",
        ]
    return [
        f'Action item {ref} "{task}" ({owner}, due {due}) is at risk: {risk.elapsed}% of its '
        f"time has passed, its progress is {risk.progress}%.",
        f"Please talk to its owner within {hours} hours and record it by replying: "
        f"{ref} TALKED <what you agreed>",
        f"Without a record within {hours} hours, the owner's executive is told.",
    ]


def unheard_subject(locale: str, ref: str) -> str:
    return {
        "zh_CN": f"进度滞后且未约谈：{ref}",
        "zh_TW": f"進度落後且未約談：{ref}",
    }.get(words(locale), f"At risk and no talk recorded: {ref}")


def unheard(
    locale: str, ref: str, task: str, owner: str, coordinator: str, risk: Risk, hours: int
) -> list[str]:
    """To the owner's executive: the item lags and nobody recorded a talk in time."""
    wording = words(locale)
    if wording == "zh_TW":
        return [
            f"行動項 {ref}「{task}」（負責人 {owner}）進度落後：時間已過 {risk.elapsed}%，"
            f"進度 {risk.progress}%。",
            f"協調人 {coordinator} 在 {hours} 小時內沒有約談記錄，請您跟進。",
        ]
    if wording == "zh_CN":
        return [
            f"行动项 {ref}“{task}”（负责人 {owner}）进度滞后：时间已过 {risk.elapsed}%，"
            f"进度 {risk.progress}%。",
            f"协调人 {coordinator} 在 {hours} 小时内没有约谈记录，请您跟进。",
        ]
    return [
        f'Action item {ref} "{task}" ({owner}) is at risk: {risk.elapsed}% of its time has '
        f"passed, its progress is {risk.progress}%.",
        f"Its coordinator {coordinator} recorded no talk with the owner within {hours} hours; "
        "please follow it up.",
    ]
