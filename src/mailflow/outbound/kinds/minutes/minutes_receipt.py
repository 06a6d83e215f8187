"""Outbox kind ``minutes_receipt``: the answer to the scribe once their minutes were applied.

It says what was recorded (decisions, action items with their refs, disputes), lists every line
that could not be used with why and what to write instead (the rest of the minutes still apply),
every item made without something it needs (a due date, a second owner), and which version this
is, with the changes when it corrects an earlier one. Held minutes (``held``: nothing applied or
sent yet) say why and how to release them: PUBLISH / 发布, or corrected minutes. It answers the
scribe's mail: ``Auto-Submitted: auto-replied`` (RFC 3834), in the meeting's thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage
from typing import Any

from mailflow.domain.minutes import Problem
from mailflow.outbound.kinds.answers.answer_texts import held_reason_text
from mailflow.outbound.kinds.answers.issue_texts import issue_view
from mailflow.outbound.kinds.minutes.minutes_data import MinutesReceipt
from mailflow.outbound.kinds.minutes.minutes_parts import (
    Threading,
    assemble,
    item_view,
    namer,
    one_line,
    re_subject,
    recipient_name,
    render_bodies,
    valid_zone,
)
from mailflow.outbound.rendering.compose import RenderContext
from mailflow.outbound.rendering.items_export import ItemRow
from mailflow.outbound.rendering.templating import is_chinese


def _problem(problem: Problem) -> dict[str, str]:
    return {"line": problem.line, "reason": problem.reason, "hint": problem.hint or ""}


_SUBJECTS = {
    "en": {
        "applied": "Minutes applied: {title}",
        "correction": "Corrected minutes applied: {title}",
        "held": "Minutes held, reply PUBLISH or correct them: {title}",
    },
    "zh": {
        "applied": "会议纪要已登记：{title}",
        "correction": "更正后的会议纪要已登记：{title}",
        "held": "会议纪要暂未发布，请回复“发布”或更正：{title}",
    },
}


def minutes_receipt_payload(
    *,
    title: str,
    decisions: Sequence[str],
    actions: Sequence[ItemRow],
    disputes: Sequence[ItemRow] = (),
    problems: Sequence[Problem] = (),
    version: int = 1,
    correction: bool = False,
    changes: Sequence[str] = (),
    created: int | None = None,
    locale: str | None,
    timezone: str | None = None,
    in_reply_to: str | None = None,
    subject: str | None = None,
    thread_root: str | None = None,
    held: str | None = None,
) -> MinutesReceipt:
    """The receipt for the scribe's mail ``in_reply_to`` (whose ``subject`` it answers).

    ``actions`` and ``disputes`` are the items as recorded, with their refs; ``created`` is how
    many action items are new (default: all of them); ``changes`` lists what a correction changed
    from the previous version; ``held`` is why nothing was applied yet (see
    :func:`~mailflow.domain.minutes.hold_reason`).
    """
    if version < 1:
        raise ValueError(f"minutes versions start at 1, not {version}")
    return MinutesReceipt(
        title=title,
        decisions=tuple(str(text) for text in decisions),
        actions=tuple(actions),
        disputes=tuple(disputes),
        problems=tuple(problems),
        counts={
            "decisions": len(decisions),
            "actions": len(actions) if created is None else created,
            "disputes": len(disputes),
        },
        version=version,
        correction=correction,
        changes=tuple(str(change) for change in changes),
        locale=locale,
        timezone=timezone,
        in_reply_to=in_reply_to,
        subject=subject,
        thread_root=thread_root,
        held=held,
    )


def render_minutes_receipt_row(
    ctx: RenderContext, recipients: Sequence[str], payload: MinutesReceipt
) -> EmailMessage:
    """The receipt (text and HTML with the same content) to the scribe in ``recipients``."""
    wanted, title, decisions = payload.locale, one_line(payload.title), list(payload.decisions)
    actions, disputes, problems = payload.actions, payload.disputes, payload.problems
    counts = dict(payload.counts)
    version, correction, held = payload.version, payload.correction, payload.held
    changes = list(payload.changes)
    zone = valid_zone(payload.timezone, ctx.config.schedule.timezone)
    original = payload.subject
    threading = Threading(thread_root=payload.thread_root, in_reply_to=payload.in_reply_to)
    name = namer(ctx)

    def values(locale: str) -> dict[str, Any]:
        return {
            "locale": locale,
            "title": title,
            "recipient_name": recipient_name(recipients, name),
            "counts": counts,
            "decisions": decisions,
            "actions": [item_view(item, locale, name, zone) for item in actions],
            "disputes": [issue_view(item_view(i, locale, name, zone), locale) for i in disputes],
            "problems": [_problem(p) for p in problems if not p.kept],
            "incomplete": [_problem(p) for p in problems if p.kept],
            "held": held,
            "held_why": held_reason_text(locale, held) if held else "",
            "version": version,
            "correction": correction,
            "changes": changes,
        }

    bodies = render_bodies(ctx, "minutes_receipt", wanted, values)
    words = _SUBJECTS["zh" if is_chinese(bodies[2]) else "en"]
    state = "held" if held else "correction" if correction else "applied"
    fallback = words[state].format(title=title)
    # A held receipt says so in its subject: a "Re:" would hide that nothing went out.
    subject = re_subject(original, fallback) if threading.in_reply_to and not held else fallback
    return assemble(
        ctx, recipients, subject=subject, bodies=bodies, threading=threading, answer=True
    )
