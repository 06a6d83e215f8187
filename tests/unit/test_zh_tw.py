"""zh_TW, Traditional Chinese as Taiwan writes it: every mail kind, its dates, its lookup.

The mails come from the same sample payloads the layout check draws (``tests.screenshots``), in
a Taiwanese reader's locale, with Traditional titles and tasks, so any Simplified character in a
body is mailflow's own wording leaking through.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from email.message import EmailMessage
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import opencc
import pytest

import mailflow
from mailflow.outbound.kinds.answers import answer_texts
from mailflow.outbound.kinds.minutes.minutes_parts import format_day, status_label
from mailflow.outbound.rendering.templating import (
    environment,
    format_short,
    format_when,
    get_template,
    is_chinese,
    locale_candidates,
    taiwan,
    wording,
)
from tests.screenshots import sample_mails

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2025, 3, 12, 9, 30, tzinfo=SHANGHAI)
END = datetime(2025, 3, 12, 10, 30, tzinfo=SHANGHAI)
KINDS = sorted(sample_mails("en"))
# Characters OpenCC would write otherwise but Taiwan writes so: 台 (台北, not 臺北), 划 (划算),
# 准 (核准).
TAIWAN_AS_WRITTEN = set("台划准")
_TO_TRADITIONAL = opencc.OpenCC("s2t")


@cache
def mails() -> dict[str, EmailMessage]:
    return sample_mails("zh_TW")


def bodies(kind: str) -> tuple[str, str]:
    msg = mails()[kind]
    text, markup = msg.get_body(("plain",)), msg.get_body(("html",))
    assert text is not None and markup is not None
    return text.get_content(), markup.get_content()


def simplified_only(text: str) -> set[str]:
    """The Chinese characters of ``text`` that Traditional writes differently."""
    return {
        ch
        for ch in text
        if "\u4e00" <= ch <= "\u9fff"
        and ch not in TAIWAN_AS_WRITTEN
        and _TO_TRADITIONAL.convert(ch) != ch
    }


@pytest.mark.parametrize("kind", KINDS)
def test_every_mail_kind_is_written_in_traditional_chinese(kind: str) -> None:
    text, markup = bodies(kind)

    assert mails()[kind]["Content-Language"] == "zh-TW"
    assert 'lang="zh-TW"' in markup
    # The zh_TW templates, not the zh_CN ones they would fall back to.
    assert "PingFang TC" in markup and "PingFang SC" not in markup
    assert simplified_only(text) == set(), text
    assert simplified_only(markup) == set()


@pytest.mark.parametrize(
    ("kind", "heading", "words"),
    [
        ("notice", "會議通知", ["召集人", "行事曆", "「參加」「不參加」或「待定」", "線上會議"]),
        ("notice_update", "會議變更通知", ["變更後的會議安排如下"]),
        ("notice_cancel", "會議取消通知", ["請聯絡召集人 Alice Wang <alice@example.com>"]),
        ("receipt", "已收到會議", ["與會者將在會議開始前 1 個工作日", "請注意"]),
        ("answer", "", ["的回覆情形：參加 1 人，待定 1 人，不參加 1 人。"]),
        ("minutes_skeleton", "請提交會議紀錄", ["待辦事項：", "完成期限：", "交付成果："]),
        ("minutes_reminder", "會議紀錄逾期未交", ["請您以會議召集人的身分儘快提交"]),
        ("minutes_receipt", "會議紀錄已登錄", ["決議 2 條，待辦事項 2 項，問題與風險 0 項"]),
        ("official_minutes", "會議紀錄", ["出席人員", "待辦事項", "下次會議"]),
        ("item_assignment", "請確認您的待辦事項", ["以下 2 項待辦事項的負責人"]),
        ("item_receipt", "待辦事項已更新", ["已執行您郵件中的以下指令", "英文指令同樣有效"]),
        ("item_reminder", "待辦事項逾期提醒", ["已逾期 3 天", "今天到期", "還有 3 個工作日到期"]),
        ("weekly_progress", "每週進度更新", ["您有 3 項未完成的待辦事項"]),
        ("weekly_nudge", "尚未收到您的進度更新", ["請直接回覆本郵件，每項一行"]),
        ("escalation", "逾期通報：待辦事項逾期", ["第一級通報：負責人", "將通知 Bob Li 的主管"]),
        ("digest", "每週管理摘要", ["第 2 級（召集人）", "已超過期限 66 小時", "合計"]),
        ("digest_details", "詳細清單：研發部", ["共有 3 項待辦事項"]),
    ],
)
def test_taiwan_words_in_both_bodies(kind: str, heading: str, words: list[str]) -> None:
    text, markup = bodies(kind)
    seen = " ".join(html_text(markup).split())
    assert heading in seen
    for word in words:
        assert word in text, word
        assert word in seen, word


def html_text(markup: str) -> str:
    """What a reader sees of an HTML body: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]*>", "", markup))


def test_dates_name_the_weekday_as_taiwan_does() -> None:
    assert format_when(START, "Asia/Taipei", "zh_TW", END) == (
        "2025年3月12日（週三）09:30–10:30（台北時間 / Asia/Taipei）"
    )
    assert format_when(START, "Asia/Shanghai", "zh_TW") == (
        "2025年3月12日（週三）09:30（北京時間 / Asia/Shanghai）"
    )
    assert format_short(START, "Asia/Taipei", "zh_TW") == "3月12日 09:30"
    assert format_day(START.date(), "zh_TW") == "2025年3月12日（週三）"
    # zh_CN keeps its own forms.
    assert format_when(START, "Asia/Shanghai", "zh_CN").startswith("2025年3月12日（星期三）")
    assert format_day(START.date(), "zh_CN") == "2025年3月12日（周三）"


def test_labels_built_in_code_are_traditional() -> None:
    assert status_label("in_progress", "zh_TW") == "進行中"
    assert status_label("not_started", "zh_TW") == "未開始"
    assert answer_texts.partstat_label("zh_TW", "NEEDS-ACTION") == "未回覆"
    assert taiwan("每2周的周一、周三，共10次", "zh_TW") == "每2週的週一、週三，共10次"
    assert taiwan("每周一", "zh_CN") == "每周一"


@pytest.mark.parametrize("spelling", ["zh_TW", "zh-TW", "zh-tw", "zh_Hant", "zh-Hant-TW", "zh_HK"])
def test_traditional_spellings_read_zh_tw(spelling: str) -> None:
    assert wording(spelling) == "zh_TW"
    assert is_chinese(spelling)
    _, chosen = get_template(environment(None), "notice.txt.j2", spelling, "en")
    assert chosen == "zh_TW"


@pytest.mark.parametrize("spelling", ["zh", "zh_CN", "zh-Hans-CN", "zh_SG"])
def test_simplified_spellings_read_zh_cn(spelling: str) -> None:
    assert wording(spelling) == "zh_CN"


def test_a_missing_zh_tw_template_falls_back_to_zh_cn_then_english(tmp_path: Path) -> None:
    for locale, text in (("zh_CN", "简体"), ("en", "English")):
        (tmp_path / locale).mkdir()
        (tmp_path / locale / "only_cn.txt.j2").write_text(text, "utf-8")
    (tmp_path / "en" / "only_en.txt.j2").write_text("English", "utf-8")
    env = environment(tmp_path)

    assert locale_candidates("zh_TW", "en") == ["zh_TW", "zh", "zh_CN", "en"]
    template, chosen = get_template(env, "only_cn.txt.j2", "zh_TW", "en")
    assert (chosen, template.render()) == ("zh_CN", "简体")
    _, chosen = get_template(env, "only_en.txt.j2", "zh_TW", "en")
    assert chosen == "en"
    # A template that exists in zh_TW is never replaced by the zh_CN one.
    _, chosen = get_template(env, "notice.html.j2", "zh_TW", "zh_CN")
    assert chosen == "zh_TW"


def test_every_zh_cn_template_has_a_zh_tw_one() -> None:
    templates = Path(mailflow.__file__).parent / "templates"
    cn = {p.name for p in (templates / "zh_CN").iterdir()}
    tw = {p.name for p in (templates / "zh_TW").iterdir()}
    assert cn == tw
