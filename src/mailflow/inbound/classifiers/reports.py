"""``multipart/report`` (RFC 6522): delivery status, feedback (ARF), read receipts (MDN)."""

from __future__ import annotations

from mailflow.inbound.classify import Classification
from mailflow.inbound.mail import InboundMail

_REPORT_KINDS = {
    "delivery-status": "bounce",
    "feedback-report": "feedback_report",
    "disposition-notification": "read_receipt",
}


def classify(mail: InboundMail) -> Classification | None:
    if mail.content_type != "multipart/report":
        return None
    report_type = str(mail.headers.get_param("report-type", "") or "").lower()
    kind = _REPORT_KINDS.get(report_type)
    if kind is None:
        return None
    return Classification(kind, f"multipart/report; report-type={report_type}")  # type: ignore[arg-type]
