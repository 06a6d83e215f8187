"""Bounces: standard DSNs and the common non-standard failure notices, with the failed addresses.

Header signs are checked first
(:func:`~mailflow.inbound.understanding.machine.bounces.bounce_signal`); only a message that shows
one pays for the full parse that reads the recipients.
"""

from __future__ import annotations

from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.classification import Classification
from mailflow.inbound.understanding.machine.bounces import bounce_signal, read_bounce


def classify(mail: InboundMail) -> Classification | None:
    signal = bounce_signal(mail)
    if signal is None:
        return None
    strength, why = signal
    report = read_bounce(mail, strength)
    if report is None:
        return None
    return Classification("bounce", f"{why}; read from the {report.source}", report.details())
