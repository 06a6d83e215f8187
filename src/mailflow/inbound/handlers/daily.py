"""Replies that carry a daily report (当日进展 / 明日计划): folded into the writer's items.

A reply's daily lines are recorded (``services/daily``); its other lines — ``进度 60%``,
``MF-0042 DONE`` — are item commands as anywhere else, with their own receipt. The writer always
hears what was recorded and what was not (and how to fix it).
"""

from __future__ import annotations

from mailflow.domain.daily_report import split_daily
from mailflow.inbound.handlers.apply import ApplyContext, Outcome
from mailflow.inbound.handlers.minutes import take_item_commands
from mailflow.inbound.reading.mail import InboundMail
from mailflow.outbound.kinds.answers import daily_texts as texts
from mailflow.services.daily import record_daily
from mailflow.services.replies import answer, locale_of
from mailflow.tracker import repo


def take_daily(ctx: ApplyContext, mail: InboundMail, text: str) -> Outcome | None:
    """Record the daily report in ``text``; None when it holds none."""
    entries, rest = split_daily(text)
    if not entries:
        return None
    result = record_daily(
        ctx.session, entries, sender=mail.sender, now=ctx.now, source=mail.message_id
    )
    locale = locale_of(ctx.config, mail.sender)
    lines = [
        texts.recorded(locale, item.ref, entry.today, entry.tomorrow, entry.issues)
        for item, entry in result.recorded
    ] + [texts.not_recorded(locale, problem) for problem in result.problems]
    answer(
        ctx.session,
        ctx.config,
        mail,
        key=f"daily-receipt:{repo.message_key(mail.message_id, mail.raw)}",
        to=mail.sender,
        subject=texts.receipt_subject(locale),
        paragraphs=lines,
        now=ctx.now,
    )
    # Progress or other commands in the same reply are applied too (their own receipt).
    take_item_commands(ctx, mail, None, rest)
    if not result.recorded:
        # Answered with what was wrong and how to fix it; nothing was changed.
        return Outcome(
            "applied", "processed", "daily report not recorded: " + "; ".join(result.problems)
        )
    refs = ", ".join(item.ref for item, _ in result.recorded)
    return Outcome("applied", "processed", f"daily report recorded on {refs}")
