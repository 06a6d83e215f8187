"""Outbox kinds ``retro_request``, ``retro_report`` and ``archive_ready``, and the 复盘报告 page.

The report is one standalone HTML page (inline CSS, nothing remote) built from the pack's JSON in
the payload: attached to the retrospective mails, and written into the project archive. The mail
body repeats the figures per department in a three-column table, which a phone shows without
scrolling; the draft of the 复盘会 keeps its lines in a box, ready to be sent on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from jinja2 import TemplateError

from mailflow.domain.delay_categories import CATEGORIES
from mailflow.domain.retro_counts import NO_DEPARTMENT, Pack, Tally
from mailflow.outbound.compose import RenderContext, RenderError, base_message
from mailflow.outbound.retro_texts import labels
from mailflow.outbound.templating import environment, get_template, wording


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
    payload: Mapping[str, Any],
    table: dict[str, Any] | None,
) -> tuple[EmailMessage, str]:
    try:
        locale = str(payload["locale"])
        subject = str(payload["subject"])
        paragraphs = [str(p) for p in payload["paragraphs"]]
    except (KeyError, TypeError) as exc:
        raise RenderError(f"retrospective payload is malformed: {exc}") from exc
    env = environment(ctx.config.templates_dir)
    values = {
        "subject": subject,
        "heading": subject,
        "paragraphs": paragraphs,
        "draft": payload.get("draft"),
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
    ctx: RenderContext, recipients: Sequence[str], payload: Mapping[str, Any]
) -> EmailMessage:
    """``retro_request`` and ``retro_report``: the body, and the report attached as a page."""
    try:
        pack = Pack.from_json(payload["pack"])
        project = str(payload["project"])
        locale = str(payload["locale"])
    except (KeyError, TypeError, ValueError) as exc:
        raise RenderError(f"retrospective payload is malformed: {exc}") from exc
    msg, chosen = _body(ctx, recipients, payload, mail_table(pack, locale))
    page = report_page(
        ctx.config.templates_dir,
        locale=locale,
        project=project,
        coordinator=str(payload.get("coordinator", "")),
        pack=pack,
        prepared_on=str(payload.get("prepared_on", "")),
    )
    name = f"{labels(locale)['report']}-{project}.html"
    msg.add_attachment(page, subtype="html", filename=name)
    # Set last: the move to multipart/mixed drops or relocates Content-* headers.
    msg["Content-Language"] = chosen.replace("_", "-")
    return msg


def render_archive_ready_row(
    ctx: RenderContext, recipients: Sequence[str], payload: Mapping[str, Any]
) -> EmailMessage:
    """``archive_ready``: the coordinator hears where the archive is; small ones come attached
    (read from the path at send time, so the outbox row holds no file)."""
    msg, chosen = _body(ctx, recipients, payload, None)
    path = Path(str(payload.get("path", "")))
    if payload.get("attach") and path.is_file():
        msg.add_attachment(
            path.read_bytes(), maintype="application", subtype="zip", filename=path.name
        )
    msg["Content-Language"] = chosen.replace("_", "-")
    return msg
