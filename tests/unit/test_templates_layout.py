"""The shared HTML design, checked in the markup of every mail kind in every locale, and the copy
rules every template follows (the browser's measurements are in
``tests/integration/test_screenshots.py``).
"""

from __future__ import annotations

import re
from functools import cache

import pytest
from icalendar import Calendar

from mailflow.outbound.kinds.answers import answer_texts
from tests.screenshots import LOCALES, catalogue, sample_mails

KINDS = sorted(catalogue("en"))
CASES = [(kind, locale) for locale in LOCALES for kind in KINDS]
_MSO = re.compile(r"<!--\[if mso\]>.*?<!\[endif\]-->", re.S)


@cache
def pages(locale: str) -> dict[str, str]:
    return catalogue(locale)


def markup(kind: str, locale: str) -> str:
    return pages(locale)[kind]


@pytest.mark.parametrize(("kind", "locale"), CASES)
def test_one_fluid_shell_with_a_fixed_width_only_for_outlook(kind: str, locale: str) -> None:
    page = markup(kind, locale)
    outside_mso = _MSO.sub("", page)

    assert page.count("max-width:640px") == 1
    # Outlook for Windows ignores max-width: an MSO-only table holds the card at 640 px.
    assert re.search(r'<!--\[if mso\]><table[^>]*width="640"', page)
    assert 'width="640"' not in outside_mso
    assert not re.search(r"(?<!max-)width:640px", outside_mso)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert '<meta name="color-scheme" content="light dark">' in page
    assert '<meta name="supported-color-schemes" content="light dark">' in page
    # Long links and long Chinese strings wrap instead of widening the page.
    assert "word-break:break-word;overflow-wrap:anywhere;" in page


@pytest.mark.parametrize(("kind", "locale"), CASES)
def test_mail_safe_and_dark_mode_safe(kind: str, locale: str) -> None:
    page = markup(kind, locale).lower()

    for banned in ("<img", "<script", "<style", "<link", "<iframe", "class=", "javascript:"):
        assert banned not in page, banned
    # No white text on a coloured band: dark mode inverts such a band badly.
    assert not re.search(r"[;\"]color:#fff(?:fff)?\b", page)


@pytest.mark.parametrize(("kind", "locale"), CASES)
def test_no_text_under_14_px(kind: str, locale: str) -> None:
    page = markup(kind, locale)

    sizes = [int(size) for size in re.findall(r"font-size:(\d+)px", page)]
    # The only smaller size is 1 px on the empty cells that draw the chart's bars and keys.
    assert all(size >= 14 or size == 1 for size in sizes), sorted(set(sizes))
    for cell in re.findall(r"<td[^>]*font-size:1px[^>]*>(.*?)</td>", page):
        assert cell == "&nbsp;"


@pytest.mark.parametrize(("kind", "locale"), CASES)
def test_text_colours_reach_4_5_to_1_on_white(kind: str, locale: str) -> None:
    page = markup(kind, locale)

    colours = set(re.findall(r"[;\"]color:(#[0-9a-fA-F]{6})", page))
    for colour in colours:
        assert contrast(colour, "#ffffff") >= 4.5, colour
    # The footer grey was #777 (4.48:1) in the short answers.
    assert "#777" not in page


def contrast(one: str, other: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_calendar_description_has_no_empty_lines_or_trailing_spaces(locale: str) -> None:
    msg = sample_mails(locale)["notice"]
    [part] = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    [event] = Calendar.from_ical(payload).walk("VEVENT")
    description = str(event["DESCRIPTION"])

    lines = description.split("\n")
    assert all(line.strip() for line in lines), lines
    assert all(line == line.rstrip() for line in lines), lines
    assert len(lines) >= 6


@pytest.mark.parametrize(
    ("locale", "footer"),
    [
        ("zh_CN", "本通知由 mailflow 代 Alice Wang 发送。"),
        ("zh_TW", "本通知由 mailflow 代 Alice Wang 寄送。"),
    ],
)
def test_latin_names_in_chinese_text_are_set_off_by_spaces(locale: str, footer: str) -> None:
    msg = sample_mails(locale)["notice"]
    text = msg.get_body(("plain",))
    assert text is not None
    assert footer in text.get_content()
    assert footer in markup("notice", locale)


@pytest.mark.parametrize(
    ("locale", "partstat", "sentence"),
    [
        ("en", "ACCEPTED", 'Your answer to "Q2 review" is recorded: you will attend.'),
        ("en", "DECLINED", 'Your answer to "Q2 review" is recorded: you will not attend.'),
        (
            "en",
            "TENTATIVE",
            'Your answer to "Q2 review" is recorded: you might attend (tentative).',
        ),
        (
            "en",
            "DELEGATED",
            'Your answer to "Q2 review" is recorded: you have asked someone else to attend in '
            "your place.",
        ),
        (
            "en",
            "NEEDS-ACTION",
            'Your answer to "Q2 review" is recorded: you have not said yet whether you will '
            "attend.",
        ),
        ("zh_CN", "ACCEPTED", "已记录您对会议“Q2 review”的回复：您将参加。"),
        ("zh_CN", "DECLINED", "已记录您对会议“Q2 review”的回复：您不参加。"),
        ("zh_CN", "TENTATIVE", "已记录您对会议“Q2 review”的回复：您可能参加（待定）。"),
        ("zh_CN", "DELEGATED", "已记录您对会议“Q2 review”的回复：您已委托他人代为参加。"),
        ("zh_CN", "NEEDS-ACTION", "已记录您对会议“Q2 review”的回复：您尚未确定是否参加。"),
        ("zh_TW", "ACCEPTED", "已記錄您對會議「Q2 review」的回覆：您將出席。"),
        ("zh_TW", "DECLINED", "已記錄您對會議「Q2 review」的回覆：您不克出席。"),
        ("zh_TW", "TENTATIVE", "已記錄您對會議「Q2 review」的回覆：您可能出席（待定）。"),
        ("zh_TW", "DELEGATED", "已記錄您對會議「Q2 review」的回覆：您已委託他人代為出席。"),
        ("zh_TW", "NEEDS-ACTION", "已記錄您對會議「Q2 review」的回覆：您尚未決定是否出席。"),
    ],
)
def test_every_rsvp_is_confirmed_in_a_whole_sentence(
    locale: str, partstat: str, sentence: str
) -> None:
    assert answer_texts.rsvp_recorded(locale, "Q2 review", partstat, None) == [sentence]


def test_help_without_a_title_reads_as_a_sentence() -> None:
    assert answer_texts.help_text("zh_CN", None)[0] == "未能识别您回复中的指令。"
    assert answer_texts.help_text("zh_TW", None)[0] == "未能辨識您回覆中的指令。"
    assert answer_texts.help_text("zh_CN", "Q2")[0] == "未能识别您关于会议“Q2”的回复中的指令。"
