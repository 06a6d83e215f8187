"""Projects (跨部门协作项目): found or made by name, linked to meetings and their items.

A meeting names its project in a "Project:" / "项目：" line of its MEETING: mail, in its calendar
invite's CATEGORIES (Outlook) or a "Project:" line of the invite's description. The first person to
name a project becomes its coordinator; a meeting may name the project's acceptor (验收人) too, and
items made from that meeting's minutes are accepted by that person before they close.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mailflow.tracker.models import ActionItem, Meeting, Project


def project_named(session: Session, name: str, *, coordinator: str, now: datetime) -> Project:
    """The project called ``name`` (case and spacing aside), made when new."""
    clean = " ".join(name.split())[:200]
    found = session.scalar(select(Project).where(func.lower(Project.name) == clean.lower()))
    if found is not None:
        return found
    project = Project(
        name=clean, coordinator_email=coordinator.lower(), created_at=now, updated_at=now
    )
    session.add(project)
    session.flush()
    return project


def link_meeting(
    session: Session, meeting: Meeting, extra: dict[str, str], *, now: datetime
) -> Project | None:
    """Put ``meeting`` in the project its spec names (``extra["project"]``), with the acceptor
    it names (``extra["acceptor"]``) when the project has none yet."""
    name = extra.get("project")
    if not name:
        return None
    project = project_named(session, name, coordinator=meeting.organiser_email, now=now)
    meeting.project_id = project.id
    acceptor = extra.get("acceptor")
    if acceptor and not project.acceptor_email:
        project.acceptor_email = acceptor.lower()
        project.updated_at = now
    return project


def place_item(session: Session, item: ActionItem, meeting: Meeting | None) -> None:
    """A new item joins its meeting's project; the acceptor the meeting named, else the
    project's, accepts it."""
    if meeting is None:
        return
    extra = (meeting.spec or {}).get("extra") or {}
    named = extra.get("acceptor") if isinstance(extra, dict) else None
    project = session.get(Project, meeting.project_id) if meeting.project_id else None
    if project is not None:
        item.project_id = project.id
    acceptor = named or (project.acceptor_email if project is not None else None)
    if acceptor and not item.acceptor_email:
        item.acceptor_email = str(acceptor).lower()
