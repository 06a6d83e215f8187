"""A coordinator's project command by its subject: ``CLOSE PROJECT <name>`` / ``项目结束：<name>``
/ ``專案結束：<name>`` (see :mod:`mailflow.domain.project_command`).

Minutes titled after the event ("项目结束 会议纪要") are minutes, not a command: the minutes
classifier, next in line, reads them."""

from __future__ import annotations

from mailflow.domain.project_command import close_command
from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.classification import Classification
from mailflow.inbound.understanding.classifiers.minutes import is_minutes_subject


def classify(mail: InboundMail) -> Classification | None:
    name = close_command(mail.subject)
    if name is None or (name and is_minutes_subject(name)):
        return None
    return Classification("project_command", "subject closes a project", {"close": name})
