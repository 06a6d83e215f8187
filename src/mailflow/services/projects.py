"""Projects (跨部门协作项目): found or made by name, linked to meetings and their items.

A meeting names its project in a "Project:" / "项目：" line of its MEETING: mail, in its calendar
invite's CATEGORIES (Outlook) or a "Project:" line of the invite's description. The first person to
name a project becomes its coordinator; a meeting may name the project's acceptor (验收人) too, and
items made from that meeting's minutes are accepted by that person before they close.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from mailflow.tracker.models import ActionItem, Meeting, Project
from mailflow.tracker.project_repo import (
    ProjectTally,
    item_tallies,
    project_by_name,
    projects_by_name,
)


def project_named(session: Session, name: str, *, coordinator: str, now: datetime) -> Project:
    """The project called ``name`` (case and spacing aside), made when new."""
    clean = " ".join(name.split())[:200]
    found = project_by_name(session, clean)
    if found is not None:
        return found
    project = Project(
        name=clean, coordinator_email=coordinator.lower(), created_at=now, updated_at=now
    )
    session.add(project)
    session.flush()
    return project


def link_meeting(
    session: Session,
    meeting: Meeting,
    extra: dict[str, str],
    *,
    now: datetime,
    notes: list[str] | None = None,
) -> Project | None:
    """Put ``meeting`` in the project its spec names (``extra["project"]``), with the acceptor
    it names (``extra["acceptor"]``) when the project has none yet.

    The project's settings the mail names — coordinator (协调人), lead department (牵头部门), end
    date (项目结束) — are taken when the project is new or the organiser is its coordinator;
    otherwise they are left as they are and ``notes`` (the receipt's) says so and who may.
    """
    name = extra.get("project")
    if not name:
        return None
    organiser = meeting.organiser_email.lower()
    coordinator = extra.get("coordinator") or organiser
    project = project_named(session, name, coordinator=coordinator, now=now)
    meeting.project_id = project.id
    acceptor = extra.get("acceptor")
    if acceptor and not project.acceptor_email:
        project.acceptor_email = acceptor.lower()
        project.updated_at = now
    settings = {
        key: extra[key]
        for key in ("coordinator", "lead_department", "project_end", "daily_update_at")
        if extra.get(key)
    }
    if not settings:
        return project
    may = project.created_at == now or organiser == project.coordinator_email.lower()
    if not may:
        if notes is not None:
            notes.append(
                f"project “{project.name}”: only its coordinator "
                f"({project.coordinator_email}) may change its coordinator, lead department, "
                "end date or daily update time; they were left unchanged"
            )
        return project
    if "coordinator" in settings:
        project.coordinator_email = settings["coordinator"].lower()
    if "lead_department" in settings:
        project.lead_department = settings["lead_department"]
    if "project_end" in settings:
        project.end_date = date.fromisoformat(settings["project_end"])
    if "daily_update_at" in settings:
        daily = settings["daily_update_at"]
        project.daily_update_at = None if daily == "off" else daily
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


@dataclass(frozen=True)
class ProjectStatus:
    """One project at a glance: its people and dates, and its items by state."""

    name: str
    coordinator: str
    lead_department: str | None
    end_date: date | None
    closed: bool
    open: int
    overdue: int
    at_risk: int
    awaiting: int
    done: int


def project_statuses(session: Session, today: date) -> list[ProjectStatus]:
    """Every project with its item counts: one grouped query, however many items there are."""
    counts = item_tallies(session, today)
    found = []
    for project in projects_by_name(session):
        tally = counts.get(project.id, ProjectTally())
        found.append(
            ProjectStatus(
                project.name,
                project.coordinator_email,
                project.lead_department,
                project.end_date,
                project.closed_at is not None,
                tally.open,
                tally.overdue,
                tally.at_risk,
                tally.awaiting,
                tally.done,
            )
        )
    return found
