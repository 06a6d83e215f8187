"""Find and load mail templates: deployment overrides first, locale fallback, localised dates.

Templates live in ``<locale>/<name>`` under a deployment's ``templates_dir`` (if configured) and
then in the package's ``templates/``; the HTML shell every locale shares is
``_shared/_layout.html.j2``. A template is looked up for the requested locale, then its language
(zh_TW, then zh_CN: a Traditional reader gets Simplified before English), then the configured
default locale, then ``en``. HTML templates (``*.html.j2``) are autoescaped, text templates are
not. One Environment is built per templates directory and kept for the process, because building
one (and recompiling its templates) for every mail is slow.

Three wordings are shipped: ``en``, ``zh_CN`` (Simplified, mainland usage) and ``zh_TW``
(Traditional, Taiwan usage); :func:`wording` names the one a locale reads, and
:func:`is_chinese` is true for both Chinese ones.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

import opencc
from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
    select_autoescape,
)
from markupsafe import Markup

FALLBACK_LOCALE = "en"

Wording = Literal["en", "zh_CN", "zh_TW"]

# Person locales come in many spellings: Simplified ones read zh_CN, Traditional ones zh_TW
# (Hong Kong and Macau read Traditional characters too, closer to Taiwan's than to the
# mainland's), a bare "zh" reads zh_CN.
_ALIASES = {
    "zh": "zh_CN",
    "zh_Hans": "zh_CN",
    "zh_Hans_CN": "zh_CN",
    "zh_SG": "zh_CN",
    "zh_Hans_SG": "zh_CN",
    "zh_Hant": "zh_TW",
    "zh_Hant_TW": "zh_TW",
    "zh_HK": "zh_TW",
    "zh_Hant_HK": "zh_TW",
    "zh_MO": "zh_TW",
    "zh_Hant_MO": "zh_TW",
}

_EN_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_ZH_WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
# Taiwan writes the short weekday: 2025年3月12日（週三）.
_TW_WEEKDAYS = ("週一", "週二", "週三", "週四", "週五", "週六", "週日")
# Chinese readers name a zone by its city ("伦敦时间"); the IANA name is always shown beside it.
_ZH_ZONES = {
    "Asia/Shanghai": "北京时间",
    "Asia/Chongqing": "北京时间",
    "Asia/Urumqi": "乌鲁木齐时间",
    "Asia/Hong_Kong": "香港时间",
    "Asia/Macau": "澳门时间",
    "Asia/Taipei": "台北时间",
    "Asia/Singapore": "新加坡时间",
    "Asia/Tokyo": "东京时间",
    "Asia/Seoul": "首尔时间",
    "Europe/London": "伦敦时间",
    "Europe/Paris": "巴黎时间",
    "Europe/Berlin": "柏林时间",
    "America/New_York": "纽约时间",
    "America/Los_Angeles": "洛杉矶时间",
    "UTC": "协调世界时",
}
_TW_ZONES = {
    "Asia/Shanghai": "北京時間",
    "Asia/Chongqing": "北京時間",
    "Asia/Urumqi": "烏魯木齊時間",
    "Asia/Hong_Kong": "香港時間",
    "Asia/Macau": "澳門時間",
    "Asia/Taipei": "台北時間",
    "Asia/Singapore": "新加坡時間",
    "Asia/Tokyo": "東京時間",
    "Asia/Seoul": "首爾時間",
    "Europe/London": "倫敦時間",
    "Europe/Paris": "巴黎時間",
    "Europe/Berlin": "柏林時間",
    "America/New_York": "紐約時間",
    "America/Los_Angeles": "洛杉磯時間",
    "UTC": "世界協調時間",
}
# Phrase-level Simplified-to-Taiwan conversion (软件 → 軟體, not 軟件), for the few phrases built
# in code rather than written in a zh_TW template.
_TAIWAN = opencc.OpenCC("s2twp")


def normalise_locale(value: str) -> str:
    """``zh-cn`` → ``zh_CN``, ``zh-hans-cn`` → ``zh_Hans_CN``; anything but letters is dropped."""
    parts = [p for p in re.split(r"[-_]", re.sub(r"[^A-Za-z_-]", "", value)) if p]
    if not parts:
        return ""
    out = [parts[0].lower()]
    out += [p.title() if len(p) == 4 else p.upper() for p in parts[1:]]
    return "_".join(out)


def locale_candidates(requested: str | None, default: str | None) -> list[str]:
    """Template locales to try, best first: the requested one, the default, then ``en``."""
    candidates: list[str] = []
    for value in (requested, default, FALLBACK_LOCALE):
        norm = normalise_locale(value or "")
        if not norm:
            continue
        language = norm.split("_")[0]
        for option in (norm, _ALIASES.get(norm), language, _ALIASES.get(language)):
            if option and option not in candidates:
                candidates.append(option)
    return candidates


def is_chinese(locale: str) -> bool:
    """True for every Chinese locale, Simplified or Traditional."""
    return locale.lower().startswith("zh")


def wording(locale: str | None) -> Wording:
    """The words a locale reads: ``zh_TW`` (Traditional), ``zh_CN`` (other Chinese) or ``en``."""
    if not is_chinese(locale or ""):
        return "en"
    norm = normalise_locale(locale or "")
    if norm == "zh_TW" or _ALIASES.get(norm) == "zh_TW" or norm.startswith("zh_Hant"):
        return "zh_TW"
    return "zh_CN"


def is_traditional(locale: str | None) -> bool:
    return wording(locale) == "zh_TW"


def taiwan(text: str, locale: str | None) -> str:
    """Simplified text built in code, as a zh_TW reader reads it; unchanged for other locales.

    For mailflow's own phrases only (a rule in words, a label), never for what people wrote.
    """
    if not is_traditional(locale) or text.isascii():
        return text
    # In these phrases 周 is always the week, which Taiwan writes 週 (OpenCC keeps 周 as a name).
    converted: str = _TAIWAN.convert(text)
    return converted.replace("周", "週")


def spaced(value: str, left: bool = True, right: bool = True) -> str:
    """``value`` set into Chinese text: a space on each side (``left``, ``right``) where it starts
    or ends with a Latin letter or a digit ("代 Alice Wang 发送", but "代张伟发送")."""
    text = str(value)
    if not text:
        return text
    before = " " if left and text[0].isascii() and text[0].isalnum() else ""
    after = " " if right and text[-1].isascii() and text[-1].isalnum() else ""
    if isinstance(value, Markup):
        return Markup(before) + value + Markup(after)
    return f"{before}{text}{after}"


def zone_label(zone: str, locale: str) -> str:
    """How a zone is named next to a time: ``Asia/Shanghai`` or ``北京时间 / Asia/Shanghai``."""
    names = _TW_ZONES if is_traditional(locale) else _ZH_ZONES
    if is_chinese(locale) and zone in names:
        return f"{names[zone]} / {zone}"
    return zone


def _date(local: datetime, locale: str) -> str:
    if is_traditional(locale):
        return f"{local.year}年{local.month}月{local.day}日（{_TW_WEEKDAYS[local.weekday()]}）"
    if is_chinese(locale):
        return f"{local.year}年{local.month}月{local.day}日（{_ZH_WEEKDAYS[local.weekday()]}）"
    weekday, month = _EN_WEEKDAYS[local.weekday()], _EN_MONTHS[local.month - 1]
    return f"{weekday} {local.day} {month} {local.year}"


def format_when(
    dt: datetime,
    zone: str,
    locale: str,
    end: datetime | None = None,
    *,
    with_zone: bool = True,
) -> str:
    """A date and time (or time range) in ``zone``, written the way ``locale`` writes it.

    en: ``Monday 10 March 2025, 09:30–10:30 (Asia/Shanghai)``;
    zh_CN: ``2025年3月10日（星期一）09:30–10:30（北京时间 / Asia/Shanghai）``;
    zh_TW: ``2025年3月10日（週一）09:30–10:30（北京時間 / Asia/Shanghai）``. A range that ends
    on another day in ``zone`` names both days.
    """
    tz = ZoneInfo(zone)
    start = dt.astimezone(tz)
    zh = is_chinese(locale)
    sep = "" if zh else ", "
    text = f"{_date(start, locale)}{sep}{start:%H:%M}"
    if end is not None:
        stop = end.astimezone(tz)
        if stop.date() == start.date():
            text += f"–{stop:%H:%M}"
        else:
            text += f" – {_date(stop, locale)}{sep}{stop:%H:%M}"
    if with_zone:
        label = zone_label(zone, locale)
        text += f"（{label}）" if zh else f" ({label})"
    return text


def format_short(dt: datetime, zone: str, locale: str) -> str:
    """The compact form used in subjects: ``Mon 10 Mar 09:30`` / ``3月10日 09:30``."""
    local = dt.astimezone(ZoneInfo(zone))
    if is_chinese(locale):
        return f"{local.month}月{local.day}日 {local:%H:%M}"
    weekday, month = _EN_WEEKDAYS[local.weekday()][:3], _EN_MONTHS[local.month - 1][:3]
    return f"{weekday} {local.day} {month} {local:%H:%M}"


@lru_cache(maxsize=8)
def environment(templates_dir: Path | None = None) -> Environment:
    """The (cached) Environment for a deployment's templates directory, or the package's alone."""
    loaders: list[BaseLoader] = []
    if templates_dir is not None:
        loaders.append(FileSystemLoader(str(templates_dir)))
    loaders.append(PackageLoader("mailflow", "templates"))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(
            enabled_extensions=("html.j2", "html"),
            disabled_extensions=("txt.j2", "txt"),
            default_for_string=False,
            default=False,
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["format_when"] = format_when
    env.filters["format_short"] = format_short
    env.filters["zone_label"] = zone_label
    env.filters["spaced"] = spaced
    return env


def get_template(
    env: Environment, name: str, locale: str | None, default_locale: str | None
) -> tuple[Template, str]:
    """The template ``<locale>/<name>`` for the best available locale, and that locale.

    Raises jinja2's TemplateNotFound when no candidate locale has ``name``.
    """
    candidates = locale_candidates(locale, default_locale)
    for candidate in candidates:
        try:
            return env.get_template(f"{candidate}/{name}"), candidate
        except TemplateNotFound:
            continue
    raise TemplateNotFound(name, f"no {name} for locales {candidates}")
