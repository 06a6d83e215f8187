"""Find and load mail templates: deployment overrides first, locale fallback, localised dates.

Templates live in ``<locale>/<name>`` under a deployment's ``templates_dir`` (if configured) and
then in the package's ``templates/``. A template is looked up for the requested locale, then the
configured default locale, then ``en``. HTML templates (``*.html.j2``) are autoescaped, text
templates are not. One Environment is built per templates directory and kept for the process,
because building one (and recompiling its templates) for every mail is slow.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

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

FALLBACK_LOCALE = "en"

# Person locales come in many spellings; the package ships zh_CN for every Chinese variant.
_ALIASES = {"zh": "zh_CN", "zh_Hans": "zh_CN", "zh_Hans_CN": "zh_CN"}

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
    return locale.lower().startswith("zh")


def zone_label(zone: str, locale: str) -> str:
    """How a zone is named next to a time: ``Asia/Shanghai`` or ``北京时间 / Asia/Shanghai``."""
    if is_chinese(locale) and zone in _ZH_ZONES:
        return f"{_ZH_ZONES[zone]} / {zone}"
    return zone


def _date(local: datetime, locale: str) -> str:
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
    zh: ``2025年3月10日（星期一）09:30–10:30（北京时间 / Asia/Shanghai）``. A range that ends on
    another day in ``zone`` names both days.
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
