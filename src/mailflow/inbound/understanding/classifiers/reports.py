"""Reports mail systems and clients send back: feedback (ARF and kin) and read receipts (MDN).

Runs after the bounce classifier, so a ``multipart/report`` of delivery status that reaches it
names no failed recipient (a "delivered" or "relayed" notice): that one, and any other report
type, is filed as ``auto_reply`` — machine mail, never answered. Read receipts are found at any
depth (a ``message/disposition-notification`` part inside a ``multipart/mixed``, or on its own),
but only in messages whose raw bytes mention such a part, so ordinary mail is not parsed here.
"""

from __future__ import annotations

import re

from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.reading.mailtext import body_text
from mailflow.inbound.understanding.classification import Classification
from mailflow.inbound.understanding.machine.bounce_dsn import parse_report
from mailflow.inbound.understanding.machine.feedback import read_arf, read_jmrp, read_mdn
from mailflow.inbound.understanding.machine.ses import SENDER_DOMAINS, ses_event
from mailflow.inbound.understanding.machine.signs import readable_subject

_MARKERS = re.compile(
    rb"message/(?:global-)?disposition-notification|message/feedback-report", re.IGNORECASE
)
_JMRP_SUBJECT = re.compile(r"^\s*complaint about message from\b", re.IGNORECASE)
_SES_SUBJECT = "AWS Notification Message"


def _report(mail: InboundMail) -> Classification | None:
    """A report by its MIME structure: a multipart/report or an MDN/ARF part inside the message."""
    content_type = mail.content_type
    report_type = ""
    if content_type == "multipart/report":
        report_type = str(mail.headers.get_param("report-type", "") or "").lower()
    elif not (content_type.startswith(("multipart/", "message/")) and _MARKERS.search(mail.raw)):
        return None
    message = parse_report(mail.raw)
    receipt = read_mdn(message)
    if receipt is not None:
        return Classification("read_receipt", "a disposition notification", receipt.details())
    feedback = read_arf(message)
    if feedback is not None:
        return Classification("feedback_report", "an ARF feedback report", feedback.details())
    if report_type == "disposition-notification":
        return Classification("read_receipt", "multipart/report; report-type=" + report_type)
    if report_type == "feedback-report":
        return Classification("feedback_report", "multipart/report; report-type=" + report_type)
    if report_type:
        # Delivery-status reports reach here only without a failure ("delivered", "relayed").
        return Classification("auto_reply", f"multipart/report; report-type={report_type}")
    return None


def classify(mail: InboundMail) -> Classification | None:
    found = _report(mail)
    if found is not None:
        return found
    subject = readable_subject(mail)
    if _JMRP_SUBJECT.match(subject) and b"X-HmXmrOriginalRecipient" in mail.raw:
        report = read_jmrp(mail.raw)
        return Classification("feedback_report", "a Microsoft JMRP complaint", report.details())
    if mail.header("X-Apple-Unsubscribe").lower() == "true":
        details: dict[str, object] = {
            "feedback_type": "opt-out",
            "recipients": [mail.sender] if mail.sender else [],
        }
        return Classification("feedback_report", "an Apple Mail unsubscribe request", details)
    if subject == _SES_SUBJECT and mail.sender.endswith(SENDER_DOMAINS):
        event = ses_event(body_text(mail.message))
        if event is not None and event.kind == "Complaint":
            details = {"feedback_type": event.feedback_type, "recipients": list(event.recipients)}
            return Classification("feedback_report", "an Amazon SES complaint event", details)
    return None
