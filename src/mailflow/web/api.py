"""The board's read-only JSON API, ``/api/v1/{token}/...``: the pages' data, the same scoping.

Described by FastAPI's OpenAPI document at ``/api/openapi.json`` from the typed response models
below. A wrong, expired or other person's link is a 403 or 410 with ``{"detail": ...}``.
"""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel

from mailflow.domain.board_access import Viewer
from mailflow.tracker import board_repo
from mailflow.tracker.board_rows import BoardItem, MeetingRow, ProjectRow
from mailflow.web import views
from mailflow.web.access import NotVisibleError, may_see_person
from mailflow.web.pages import lang_of
from mailflow.web.reads import (
    item_seen,
    meeting_seen,
    person_seen,
    project_seen,
    state_of,
    viewer_of,
)

router = APIRouter(prefix="/api/v1/{token}", tags=["board"])


class ItemOut(BaseModel):
    ref: str
    kind: str
    description: str
    owner: str
    department: str
    status: str
    progress: int
    due: date | None
    at_risk: bool
    overdue: bool
    meeting_id: int | None
    project_id: int | None


class MeetingOut(BaseModel):
    id: int
    title: str
    organiser: str
    starts_at: datetime
    ends_at: datetime
    tzid: str
    location: str
    status: str
    rrule: str


class ProjectOut(BaseModel):
    id: int
    name: str
    coordinator: str
    lead_department: str
    end_date: date | None
    closed: bool


class ColumnOut(BaseModel):
    status: str
    count: int
    items: list[ItemOut]


class DepartmentOut(BaseModel):
    department: str
    items: int
    open: int
    done: int
    overdue: int
    at_risk: int
    on_time_rate: float | None


class BoardOut(BaseModel):
    project: ProjectOut
    columns: list[ColumnOut]
    departments: list[DepartmentOut]
    meetings: list[MeetingOut]


class AgendaOut(BaseModel):
    position: int
    topic: str
    owner: str
    minutes: int | None
    conclusion: str


class AttendeeOut(BaseModel):
    email: str
    name: str
    role: str
    partstat: str


class MinutesOut(BaseModel):
    version: int
    submitted_by: str
    received_at: datetime
    official_sent_at: datetime | None
    is_correction: bool
    text: str


class MeetingDetailOut(BaseModel):
    meeting: MeetingOut
    agenda: list[AgendaOut]
    attendees: list[AttendeeOut]
    minutes: list[MinutesOut]
    items: list[ItemOut]


class HistoryOut(BaseModel):
    at: datetime
    actor: str
    kind: str
    field: str
    old: str
    new: str
    message_id: str
    mail_subject: str


class ItemDetailOut(BaseModel):
    item: ItemOut
    deliverable: str
    acceptor: str
    requester: str
    delay_reason: str
    escalation_level: int
    history: list[HistoryOut]


class PersonOut(BaseModel):
    email: str
    name: str
    executive: bool
    items: list[ItemOut]
    meetings: list[MeetingOut]
    projects: list[ProjectOut]


def _item(item: BoardItem, today: date) -> ItemOut:
    return ItemOut(
        ref=item.ref,
        kind=item.kind,
        description=item.description,
        owner=item.owner,
        department=item.department,
        status=item.status,
        progress=item.progress,
        due=item.due,
        at_risk=item.at_risk,
        overdue=views.overdue(item, today),
        meeting_id=item.meeting_id,
        project_id=item.project_id,
    )


def _meeting(m: MeetingRow) -> MeetingOut:
    return MeetingOut(
        id=m.id,
        title=m.title,
        organiser=m.organiser,
        starts_at=m.starts_at,
        ends_at=m.ends_at,
        tzid=m.tzid,
        location=m.location,
        status=m.status,
        rrule=m.rrule,
    )


def _project(p: ProjectRow) -> ProjectOut:
    return ProjectOut(**p.__dict__)


@router.get("/me", response_model=PersonOut, summary="The viewer's items, meetings, projects")
def me(request: Request, token: str) -> PersonOut:
    return _person(request, viewer_of(request, token), None)


@router.get("/people/{email}", response_model=PersonOut, summary="A person's items and meetings")
def person(request: Request, token: str, email: str) -> PersonOut:
    viewer = viewer_of(request, token)
    if not may_see_person(viewer, email):
        raise NotVisibleError()
    return _person(request, viewer, email.strip().lower())


def _person(request: Request, viewer: Viewer, email: str | None) -> PersonOut:
    state = state_of(request)
    who = email or viewer.email
    today = state.today()
    seen = person_seen(request, viewer, who, home=email is None)
    return PersonOut(
        email=who,
        name=state.names().get(who, ""),
        executive=viewer.everything if email is None else False,
        items=[_item(i, today) for i in seen.items],
        meetings=[_meeting(m) for m in seen.meetings],
        projects=[_project(p) for p in seen.projects],
    )


@router.get("/projects", response_model=list[ProjectOut], summary="The projects the viewer sees")
def projects(request: Request, token: str) -> list[ProjectOut]:
    viewer = viewer_of(request, token)
    with state_of(request).sessions() as session:
        return [_project(p) for p in board_repo.projects(session, viewer)]


@router.get("/projects/{project_id}", response_model=BoardOut, summary="A project's board")
def project_board(
    request: Request,
    token: str,
    project_id: int,
    department: str | None = None,
    owner: str | None = None,
) -> BoardOut:
    # Every item of each column: the API has no page to keep short.
    seen = project_seen(
        request, token, project_id, department=department, owner=owner, per_column=None
    )
    today = seen.today
    board = views.board(seen.board, today=today, lang=lang_of(request))
    return BoardOut(
        project=_project(seen.project),
        columns=[
            ColumnOut(
                status=c["status"], count=c["count"], items=[_item(i, today) for i in c["cards"]]
            )
            for c in board.columns
        ],
        departments=[
            DepartmentOut(
                department=f.department,
                items=f.items,
                open=f.open,
                done=f.done,
                overdue=f.overdue,
                at_risk=f.at_risk,
                on_time_rate=f.on_time_rate,
            )
            for f in board.figures
        ],
        meetings=[_meeting(m) for m in seen.meetings],
    )


@router.get("/meetings/{meeting_id}", response_model=MeetingDetailOut, summary="A meeting")
def meeting(request: Request, token: str, meeting_id: int) -> MeetingDetailOut:
    state = state_of(request)
    _, detail = meeting_seen(request, token, meeting_id)
    today = state.today()
    return MeetingDetailOut(
        meeting=_meeting(detail.meeting),
        agenda=[AgendaOut(**a.__dict__) for a in detail.agenda],
        attendees=[
            AttendeeOut(email=a.email, name=a.name, role=a.role, partstat=a.partstat)
            for a in detail.attendees
        ],
        minutes=[MinutesOut(**m.__dict__) for m in detail.minutes],
        items=[_item(i, today) for i in detail.items],
    )


@router.get("/items/{ref}", response_model=ItemDetailOut, summary="An item and its history")
def item(request: Request, token: str, ref: str) -> ItemDetailOut:
    state = state_of(request)
    _, detail = item_seen(request, token, ref)
    return ItemDetailOut(
        item=_item(detail.item, state.today()),
        deliverable=detail.deliverable,
        acceptor=detail.acceptor,
        requester=detail.requester,
        delay_reason=detail.delay_reason,
        escalation_level=detail.escalation_level,
        history=[
            HistoryOut(
                at=h.at,
                actor=h.actor,
                kind=h.kind,
                field=h.field,
                old=h.old,
                new=h.new,
                message_id=h.message_id,
                mail_subject=h.mail_subject,
            )
            for h in detail.history
        ],
    )
