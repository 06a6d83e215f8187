"""Inbound handler for the coordinator's project commands: CLOSE PROJECT / 项目结束 / 專案結束.

Only the project's coordinator (or the organiser of one of its meetings) may close it. Every
such mail is answered once: closed (the retrospective follows), already closed, or not done and
why — no name, an unknown name (with the open projects' names), not the coordinator — with how
to write it; a refused command changes nothing.
"""

from __future__ import annotations

from mailflow.domain.project_command import name_from_body
from mailflow.errors import MessageError
from mailflow.inbound.handlers.apply import ApplyContext, Outcome
from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.reading.mailtext import body_text
from mailflow.inbound.understanding.classify import Classification
from mailflow.inbound.understanding.replies.reply_trim import trim_reply
from mailflow.outbound.kinds.projects import retro_texts as texts
from mailflow.services.archive import find_project
from mailflow.services.project_close import close_project, may_close
from mailflow.services.replies import answer, locale_of
from mailflow.tracker import repo
from mailflow.tracker.project_repo import open_project_names

_LISTED = 10


def take_project_command(ctx: ApplyContext, mail: InboundMail, found: Classification) -> Outcome:
    if not mail.sender:
        raise MessageError("a project command without a From address cannot be answered")
    locale = locale_of(ctx.config, mail.sender)
    name = str(found.details.get("close") or "") or name_from_body(
        trim_reply(body_text(mail.message))
    )
    project = find_project(ctx.session, name) if name else None

    def tell(paragraphs: list[str]) -> None:
        answer(
            ctx.session,
            ctx.config,
            mail,
            key=f"project-close:{repo.message_key(mail.message_id, mail.raw)}",
            to=mail.sender,
            paragraphs=paragraphs,
            now=ctx.now,
        )

    if project is None:
        reason = f"unknown:{name}" if name else "no_name"
        tell(texts.close_refused(locale, reason, _open_projects(ctx)))
        why = f"no project called {name!r}" if name else "no project named"
        return Outcome("refused", "quarantine", why)
    if not may_close(ctx.session, project, mail.sender):
        reason = f"not_coordinator:{project.name}:{project.coordinator_email}"
        tell(texts.close_refused(locale, reason, ()))
        return Outcome("refused", "quarantine", f"{mail.sender} may not close {project.name}")
    if project.closed_at is not None:
        tell(texts.already_closed(locale, project.name))
        return Outcome("ignored", "processed", f"project {project.name} was already closed")
    close_project(ctx.session, ctx.config, project, ctx.now, by=mail.sender)
    tell(texts.closed_answer(locale, project.name))
    return Outcome("applied", "processed", f"project {project.name} closed")


def _open_projects(ctx: ApplyContext) -> list[str]:
    return open_project_names(ctx.session, _LISTED)
