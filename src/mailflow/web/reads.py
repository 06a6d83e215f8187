"""What a page and its JSON twin read for one request: the viewer and what they may see.

The HTML pages (:mod:`mailflow.web.pages`) and the API (:mod:`mailflow.web.api`) answer the same
questions for the same viewer, so the reading and the refusal (:class:`NotVisibleError`, also for
what does not exist: ids cannot be probed) are written once, here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fastapi import Request

from mailflow.domain.board_access import Viewer
from mailflow.tracker import board_project, board_repo
from mailflow.tracker.board_rows import (
    BoardData,
    BoardItem,
    ItemDetail,
    MeetingDetail,
    MeetingRow,
    ProjectRow,
)
from mailflow.web.access import NotVisibleError, WebState
from mailflow.web.texts import COLUMNS


def state_of(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def viewer_of(request: Request, token: str) -> Viewer:
    """The viewer a board link stands for; raises if the link is expired, tampered or foreign."""
    return state_of(request).viewer(token, "board", dict(request.headers))


def meeting_seen(request: Request, token: str, meeting_id: int) -> tuple[Viewer, MeetingDetail]:
    viewer = viewer_of(request, token)
    with state_of(request).sessions() as session:
        detail = board_repo.meeting_detail(session, viewer, meeting_id)
    if detail is None:
        raise NotVisibleError()
    return viewer, detail


def item_seen(request: Request, token: str, ref: str) -> tuple[Viewer, ItemDetail]:
    viewer = viewer_of(request, token)
    with state_of(request).sessions() as session:
        detail = board_repo.item_detail(session, viewer, ref)
    if detail is None:
        raise NotVisibleError()
    return viewer, detail


@dataclass(frozen=True)
class PersonSeen:
    items: list[BoardItem]
    meetings: list[MeetingRow]
    projects: list[ProjectRow]


def person_seen(request: Request, viewer: Viewer, email: str, *, home: bool) -> PersonSeen:
    """``email``'s items and meetings as ``viewer`` sees them; on one's own home page, the
    projects one sees too. Whether the viewer may open this person at all is checked before."""
    with state_of(request).sessions() as session:
        return PersonSeen(
            board_repo.person_items(session, viewer, email),
            board_repo.person_meetings(session, viewer, email),
            board_repo.projects(session, viewer) if home else [],
        )


@dataclass(frozen=True)
class ProjectSeen:
    viewer: Viewer
    project: ProjectRow
    board: BoardData
    meetings: list[MeetingRow]
    today: date


def project_seen(
    request: Request,
    token: str,
    project_id: int,
    *,
    department: str | None,
    owner: str | None,
    per_column: int | None,
    timeline_rows: int = 40,
    meetings_shown: int | None = None,
) -> ProjectSeen:
    """A project's board as ``token``'s viewer sees it, narrowed to ``department`` and
    ``owner``; at most ``per_column`` cards a column (None: every one)."""
    state = state_of(request)
    viewer = viewer_of(request, token)
    today = state.today()
    with state.sessions() as session:
        found = board_repo.project(session, viewer, project_id)
        if found is None:
            raise NotVisibleError()
        data = board_project.project_board(
            session,
            viewer,
            project_id,
            today=today,
            statuses=COLUMNS,
            department=department,
            owner=owner,
            per_column=per_column,
            timeline_rows=timeline_rows,
        )
        meetings = board_repo.project_meetings(session, viewer, project_id, limit=meetings_shown)
    return ProjectSeen(viewer, found, data, meetings, today)
