"""Template lookup (overrides, locale fallback, escaping) and localised date formatting."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from jinja2 import TemplateNotFound, UndefinedError

from mailflow.outbound.rendering.templating import (
    environment,
    format_short,
    format_when,
    get_template,
    locale_candidates,
    normalise_locale,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2025, 3, 10, 9, 30, tzinfo=SHANGHAI)
END = datetime(2025, 3, 10, 10, 30, tzinfo=SHANGHAI)


def test_english_date_range() -> None:
    assert (
        format_when(START, "Asia/Shanghai", "en", END)
        == "Monday 10 March 2025, 09:30–10:30 (Asia/Shanghai)"
    )


def test_chinese_date_range_names_beijing_time() -> None:
    assert (
        format_when(START, "Asia/Shanghai", "zh_CN", END)
        == "2025年3月10日（星期一）09:30–10:30（北京时间 / Asia/Shanghai）"
    )


def test_times_are_shown_in_the_requested_zone() -> None:
    assert format_when(START, "Europe/London", "en", END) == (
        "Monday 10 March 2025, 01:30–02:30 (Europe/London)"
    )
    assert format_when(START, "America/Denver", "zh_CN", END) == (
        "2025年3月9日（星期日）19:30–20:30（America/Denver）"
    )


def test_range_across_midnight_names_both_days() -> None:
    late = datetime(2025, 3, 10, 23, 30, tzinfo=SHANGHAI)
    text = format_when(late, "Asia/Shanghai", "en", late.replace(day=11, hour=0))
    assert text == "Monday 10 March 2025, 23:30 – Tuesday 11 March 2025, 00:30 (Asia/Shanghai)"


def test_short_forms_for_subjects() -> None:
    assert format_short(START, "Asia/Shanghai", "en") == "Mon 10 Mar 09:30"
    assert format_short(START, "Asia/Shanghai", "zh_CN") == "3月10日 09:30"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("zh-cn", "zh_CN"), ("zh_CN", "zh_CN"), ("EN", "en"), ("zh-hans-cn", "zh_Hans_CN")],
)
def test_locale_spellings_are_normalised(value: str, expected: str) -> None:
    assert normalise_locale(value) == expected


def test_locale_names_cannot_leave_the_templates_directory() -> None:
    assert normalise_locale("../../etc") == "etc"


def test_locale_fallback_order() -> None:
    assert locale_candidates("zh-TW", "en") == ["zh_TW", "zh", "zh_CN", "en"]
    assert locale_candidates(None, "zh_CN") == ["zh_CN", "zh", "en"]
    assert locale_candidates("fr_FR", "zh_CN")[:3] == ["fr_FR", "fr", "zh_CN"]


def test_unknown_locale_falls_back_to_the_default_then_english() -> None:
    env = environment(None)
    _, locale = get_template(env, "notice.txt.j2", "fr", "zh_CN")
    assert locale == "zh_CN"
    _, locale = get_template(env, "notice.txt.j2", "fr", "de")
    assert locale == "en"
    with pytest.raises(TemplateNotFound):
        get_template(env, "no_such.txt.j2", "en", "en")


def test_one_environment_per_templates_directory(tmp_path: Path) -> None:
    assert environment(None) is environment(None)
    assert environment(tmp_path) is environment(tmp_path)
    assert environment(tmp_path) is not environment(None)


def test_deployment_override_wins_and_the_rest_comes_from_the_package(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "notice.txt.j2").write_text("Our own notice: {{ title }}\n", "utf-8")
    env = environment(tmp_path)

    template, _ = get_template(env, "notice.txt.j2", "en", "en")
    assert template.render(title="Q2") == "Our own notice: Q2\n"
    html, _ = get_template(env, "notice.html.j2", "en", "en")
    assert html.filename is not None and str(tmp_path) not in html.filename


def test_html_is_autoescaped_and_text_is_not(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "probe.html.j2").write_text("<p>{{ title }}</p>", "utf-8")
    (tmp_path / "en" / "probe.txt.j2").write_text("{{ title }}", "utf-8")
    env = environment(tmp_path)
    title = "<script>alert(1)</script>"

    html, _ = get_template(env, "probe.html.j2", "en", "en")
    text, _ = get_template(env, "probe.txt.j2", "en", "en")
    assert html.render(title=title) == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    assert text.render(title=title) == title


def test_a_missing_variable_is_an_error_not_an_empty_string(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "probe.txt.j2").write_text("{{ titel }}", "utf-8")
    template, _ = get_template(environment(tmp_path), "probe.txt.j2", "en", "en")
    with pytest.raises(UndefinedError):
        template.render(title="Q2")


def test_date_filters_are_available_to_templates(tmp_path: Path) -> None:
    (tmp_path / "zh_CN").mkdir()
    (tmp_path / "zh_CN" / "probe.txt.j2").write_text(
        "{{ start | format_when('Asia/Shanghai', 'zh_CN', end) }}", "utf-8"
    )
    template, _ = get_template(environment(tmp_path), "probe.txt.j2", "zh_CN", "en")
    assert template.render(start=START, end=END).startswith("2025年3月10日（星期一）09:30–10:30")
