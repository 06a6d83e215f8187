"""Why an item is late, in the categories the collaboration guides count: 资源不足 (resources),
需求变更 (scope change), 外部风险 (external), 其他 (other).

Pure. A delay's reason is free text ("供应商延迟交货", "waiting for legal", "人手不够"); the
category is read from its words (Simplified, Traditional and English), else "other". The reason
itself is always kept as written.
"""

from __future__ import annotations

import re
from typing import Literal

from mailflow.text_forms import simplified

DelayCategory = Literal["resources", "scope", "external", "other"]
CATEGORIES: tuple[DelayCategory, ...] = ("resources", "scope", "external", "other")
LABELS = {
    "en": {
        "resources": "resources",
        "scope": "scope change",
        "external": "external",
        "other": "other",
    },
    "zh_CN": {
        "resources": "资源不足",
        "scope": "需求变更",
        "external": "外部风险",
        "other": "其他",
    },
    "zh_TW": {
        "resources": "資源不足",
        "scope": "需求變更",
        "external": "外部風險",
        "other": "其他",
    },
}
_WORDS: dict[DelayCategory, re.Pattern[str]] = {
    # Said first wins: "需求变更导致人手不足" is a scope change.
    "scope": re.compile(
        r"需求变更|需求变化|需求调整|范围变更|变更|改需求|新需求|scope|requirement|change request|"
        r"re-?scop|spec change",
        re.I,
    ),
    "external": re.compile(
        r"外部|供应商|厂商|客户|甲方|第三方|政府|审批|物流|疫情|天气|vendor|supplier|customer|client|"
        r"third[- ]party|external|legal|regulator|approval|shipping|partner",
        re.I,
    ),
    "resources": re.compile(
        r"资源不足|人手|人力|人员不足|没人|预算不足|资金|设备|排期|太忙|工作量|资源|staff|people|"
        r"resourc|capacity|bandwidth|budget|headcount|workload|busy|sick|leave|vacation",
        re.I,
    ),
}
_NAMED: dict[str, DelayCategory] = {
    "资源不足": "resources",
    "需求变更": "scope",
    "外部风险": "external",
    "其他": "other",
    "resources": "resources",
    "scope change": "scope",
    "external": "external",
    "other": "other",
}


def delay_category(reason: str) -> DelayCategory:
    """The category ``reason`` belongs to; a reason that names one ("需求变更：…") is that one."""
    text = simplified(reason).strip()
    for name, category in _NAMED.items():
        if text.lower().startswith(name):
            return category
    for category, words in _WORDS.items():
        if words.search(text):
            return category
    return "other"


def delay_label(category: str, wording: str) -> str:
    """How ``category`` reads in ``wording`` (en, zh_CN, zh_TW); an unknown one as stored."""
    table = LABELS.get(wording) or LABELS["zh_CN" if wording.lower().startswith("zh") else "en"]
    return table.get(category, category)
