"""Inbound handlers for machine-generated mail: recorded, never answered.

A hard bounce also marks the failed addresses and tells the organisers concerned, once.
"""

from __future__ import annotations

from mailflow.inbound.handlers.apply import ApplyContext, Outcome
from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.classify import Classification
from mailflow.services.bounces import record_hard_bounce


def take_bounce(ctx: ApplyContext, mail: InboundMail, found: Classification) -> Outcome:
    recipients = [str(r) for r in found.details.get("recipients", ())]
    if not found.details.get("permanent") or not recipients:
        return Outcome("ignored", "processed", "temporary failure or no failed address")
    status = found.details.get("status") or "permanent failure"
    told = record_hard_bounce(
        ctx.session, ctx.config, recipients=recipients, reason=str(status), now=ctx.now
    )
    return Outcome(
        "applied", "processed", f"{', '.join(recipients)} failing; {told} organiser(s) told"
    )
