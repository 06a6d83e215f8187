"""Outbox kinds ``retro_request``, ``retro_report`` and ``archive_ready``, and the 复盘报告 page.

The report is one standalone HTML page (inline CSS, nothing remote) built from the pack's JSON in
the payload: attached to the retrospective mails, and written into the project archive. The mail
body repeats the figures per department in a three-column table, which a phone shows without
scrolling; the draft of the 复盘会 keeps its lines in a box, ready to be sent on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any, ClassVar, Self

from jinja2 import TemplateError

from mailflow.domain.delay_categories import CATEGORIES
from mailflow.domain.retro_counts import NO_DEPARTMENT, Pack, Tally
from mailflow.outbound.kinds.projects.retro_texts import labels
from mailflow.outbound.rendering.compose import RenderContext, RenderError, base_message
from mailflow.outbound.rendering.payload_fields import (
    JSONObject,
    PayloadError,
    StoredJSON,
    flag,
    obj,
    opt_text,
    text,
    texts,
    version,
)
from mailflow.outbound.rendering.templating import environment, get_template, wording


@dataclass(frozen=True)
class RetroReport:
    """Outbox kind ``retro_report``: the retrospective's figures to one reader, the report page
    attached (built from ``pack`` when the mail is rendered)."""

    KIND: ClassVar[str] = "retro_report"
    VERSION: ClassVar[int] = 1

    locale: str
    subject: str
    paragraphs: tuple[str, ...]
    project: str
    pack: Pack
    coordinator: str = ""
    prepared_on: str = ""
    draft: str | None = None

    def to_json(self) -> JSONObject:
        return {
            "v": self.VERSION,
            "locale": self.locale,
            "subject": self.subject,
            "paragraphs": list(self.paragraphs),
            "project": self.project,
            "coordinator": self.coordinator,
            "pack": self.pack.as_json(),
            "prepared_on": self.prepared_on,
            "draft": self.draft,
        }

    @classmethod
    def from_json(cls, data: StoredJSON) -> Self:
        version(data, cls.VERSION)
        try:
            pack = Pack.from_json(obj(data.get("pack"), "pack"))
        except (KeyError, TypeError, ValueError) as exc:
            raise PayloadError(f"pack: {exc}") from exc
        return cls(
            locale=text(data, "locale"),
            subject=text(data, "subject"),
            paragraphs=texts(data.get("paragraphs"), "paragraphs"),
            project=text(data, "project"),
            pack=pack,
            coordinator=opt_text(data, "coordinator") or "",
            prepared_on=opt_text(data, "prepared_on") or "",
            draft=opt_text(data, "draft"),
        )


@dataclass(frozen=True)
class RetroRequest(RetroReport):
    """Outbox kind ``retro_request``: the coordinator is asked to hold the 复盘会, with the
    ``draft`` of its invitation and the report attached."""

    KIND: ClassVar[str] = "retro_request"


@dataclass(frozen=True)
class ArchiveReady:
    """Outbox kind ``archive_ready``: where the project's archive is; attached when ``attach``
    (read from ``path`` at send time, so the outbox row holds no file)."""

    KIND: ClassVar[str] = "archive_ready"
    VERSION: ClassVar[int] = 1

    locale: str
    subject: str
    paragraphs: tuple[str, ...]
    path: str
    attach: bool

    def to_json(self) -> JSONObject:
        return {
            "v": self.VERSION,
            "locale": self.locale,
            "subject": self.subject,
            "paragraphs": list(self.paragraphs),
            "path": self.path,
            "attach": self.attach,
        }

    @classmethod
    def from_json(cls, data: StoredJSON) -> ArchiveReady:
        version(data, cls.VERSION)
        return cls(
            locale=text(data, "locale"),
            subject=text(data, "subject"),
            paragraphs=texts(data.get("paragraphs"), "paragraphs"),
            path=opt_text(data, "path") or "",
            attach=flag(data, "attach", False),
        )


def report_page(
    templates_dir: Path | None,
    *,
    locale: str,
    project: str,
    coordinator: str,
    pack: Pack,
    prepared_on: str,
    home: str = "",
) -> str:
    """The 复盘报告 as a standalone HTML page, in ``locale``'s wording."""
    words = labels(locale)
    env = environment(templates_dir)
    colon = "：" if wording(locale) != "en" else ": "
    headers = [
        words["department"],
        *(words[k] for k in ("items", "on_time", "late", "overdue", "open", "rework")),
        *(f"{words['delays']} · {words['delay_' + c]}" for c in CATEGORIES),
        *(words[k] for k in ("at_risk", "escalations", "accepted", "rejected")),
        *(words[k] for k in ("requests", "issues")),
    ]
    rows = [
        [_department(name, words), *_numbers(tally)] for name, tally in pack.sorted_departments()
    ]
    rows.append([words["overall"], *_numbers(pack.overall)])
    overall = [
        [label, value] for label, value in zip(headers[1:], _numbers(pack.overall), strict=True)
    ]
    try:
        return env.get_template("_shared/archive/report.html.j2").render(
            lang=locale.replace("_", "-"),
            heading=f"{words['report']}{colon}{project}",
            home=home,
            home_label=words["index"],
            L=words,
            project=project,
            coordinator=coordinator,
            prepared_on=prepared_on,
            overall=overall,
            department_headers=headers,
            department_rows=rows,
        )
    except TemplateError as exc:
        raise RenderError(f"cannot render the retrospective report: {exc}") from exc


def _department(name: str, words: Mapping[str, str]) -> str:
    return name if name != NO_DEPARTMENT else words["no_department"]


def _numbers(t: Tally) -> list[str]:
    return [
        str(n)
        for n in (
            t.items,
            t.on_time,
            t.late,
            t.overdue,
            t.open,
            t.rework,
            *(t.delays.get(c, 0) for c in CATEGORIES),
            t.at_risk,
            t.escalations,
            t.accepted,
            t.rejected,
            t.requests,
            t.issues,
        )
    ]


def mail_table(pack: Pack, locale: str) -> dict[str, Any]:
    """Three columns per department: timeliness, delays and risk, acceptance."""
    w = labels(locale)
    sep = "，" if wording(locale) != "en" else ", "
    rows = []
    for name, t in [*pack.sorted_departments(), (w["overall"], pack.overall)]:
        delays = sep.join(f"{w['delay_' + c]} {t.delays.get(c, 0)}" for c in CATEGORIES)
        rows.append(
            [
                f"{_department(name, w)} ({t.items})",
                f"{w['on_time']} {t.on_time}{sep}{w['late']} {t.late}{sep}"
                f"{w['overdue']} {t.overdue}{sep}{w['rework']} {t.rework}",
                f"{delays}{sep}{w['at_risk']} {t.at_risk}{sep}{w['escalations']} "
                f"{t.escalations}{sep}{w['accepted']} {t.accepted}{sep}{w['rejected']} "
                f"{t.rejected}",
            ]
        )
    return {
        "headers": [w["department"], w["items"], f"{w['delays']} / {w['acceptance']}"],
        "rows": rows,
    }


def _body(
    ctx: RenderContext,
    recipients: Sequence[str],
    payload: RetroReport | ArchiveReady,
    table: dict[str, Any] | None,
) -> tuple[EmailMessage, str]:
    locale, subject = payload.locale, payload.subject
    env = environment(ctx.config.templates_dir)
    values = {
        "subject": subject,
        "heading": subject,
        "paragraphs": list(payload.paragraphs),
        "draft": payload.draft if isinstance(payload, RetroReport) else None,
        "table": table,
        "bot_name": ctx.config.mail.bot_name,
        "bot_address": ctx.config.mail.bot_address,
        "lang": locale.replace("_", "-"),
    }
    default = ctx.config.mail.default_locale
    try:
        text_template, chosen = get_template(env, "retro_mail.txt.j2", locale, default)
        html_template, _ = get_template(env, "retro_mail.html.j2", chosen, default)
        text, html = text_template.render(values), html_template.render(values)
    except TemplateError as exc:
        raise RenderError(f"cannot render a retrospective mail: {exc}") from exc
    msg = base_message(ctx, recipients=recipients, subject=subject)
    msg["X-Auto-Response-Suppress"] = "OOF, AutoReply"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg, chosen


def render_retro_row(
    ctx: RenderContext, recipients: Sequence[str], payload: RetroReport
) -> EmailMessage:
    """``retro_request`` and ``retro_report``: the body, and the report attached as a page."""
    locale, project, pack = payload.locale, payload.project, payload.pack
    msg, chosen = _body(ctx, recipients, payload, mail_table(pack, locale))
    page = report_page(
        ctx.config.templates_dir,
        locale=locale,
        project=project,
        coordinator=payload.coordinator,
        pack=pack,
        prepared_on=payload.prepared_on,
    )
    name = f"{labels(locale)['report']}-{project}.html"
    msg.add_attachment(page, subtype="html", filename=name)
    # Set last: the move to multipart/mixed drops or relocates Content-* headers.
    msg["Content-Language"] = chosen.replace("_", "-")
    return msg


def render_archive_ready_row(
    ctx: RenderContext, recipients: Sequence[str], payload: ArchiveReady
) -> EmailMessage:
    """``archive_ready``: the coordinator hears where the archive is; small ones come attached
    (read from the path at send time, so the outbox row holds no file)."""
    msg, chosen = _body(ctx, recipients, payload, None)
    path = Path(payload.path)
    if payload.attach and path.is_file():
        msg.add_attachment(
            path.read_bytes(), maintype="application", subtype="zip", filename=path.name
        )
    msg["Content-Language"] = chosen.replace("_", "-")
    return msg
