"""The board's HTML pages: home (the viewer's own), project board, meeting, item, person.

Rendered on the server from ``templates/_shared/web/`` (jinja2, autoescaped), in the viewer's
language, with no script. Every route reads the viewer from the link first; what the tracker
answers is already scoped to them (:mod:`mailflow.tracker.board_repo`), and anything out of
their reach is the same 403 page as a wrong link, so a page never tells whether a thing exists.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment

from mailflow.domain.board_access import Viewer
from mailflow.outbound.kinds.minutes.minutes_parts import status_label
from mailflow.outbound.rendering.templating import environment, format_short
from mailflow.web import views
from mailflow.web.access import NotVisibleError, WebState, may_see_person
from mailflow.web.reads import (
    item_seen,
    meeting_seen,
    person_seen,
    project_seen,
    state_of,
    viewer_of,
)
from mailflow.web.texts import COLUMNS, HTML_LANG, LANG_NAMES, LANGS, choose_lang, words

router = APIRouter(include_in_schema=False)
LANG_COOKIE = "mf_lang"
CSS = "/static/board.css?v=1"


@lru_cache(maxsize=4)
def _environment(templates_dir: Path | None) -> Environment:
    return environment(templates_dir).overlay(auto_reload=False, cache_size=32)


def lang_of(request: Request) -> str:
    return choose_lang(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )


def render(
    request: Request, state: WebState, template: str, *, status: int = 200, **values: Any
) -> HTMLResponse:
    lang = lang_of(request)
    names = state.names()
    others = {k: v for k, v in request.query_params.items() if k != "lang"}
    switch = [
        {
            "lang": code,
            "name": LANG_NAMES[code],
            "url": f"{request.url.path}?{urlencode({**others, 'lang': code})}",
            "current": code == lang,
        }
        for code in LANGS
    ]
    page = _environment(state.config.templates_dir).get_template(f"_shared/web/{template}")
    body = page.render(
        t=words(lang),
        lang=lang,
        html_lang=HTML_LANG[lang],
        switch=switch,
        css=CSS,
        columns=COLUMNS,
        status_label=lambda s: status_label(s, lang),
        name=lambda email: names.get(email.lower(), "") or email,
        when=lambda at, zone: format_short(at, zone, lang),
        zone=state.config.schedule.timezone,
        today=state.today(),
        base=values.pop("base", ""),
        **values,
    )
    response = HTMLResponse(body, status_code=status)
    chosen = request.query_params.get("lang")
    if chosen in LANGS:
        response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86400, httponly=True, samesite="lax")
    return response


def error_page(request: Request, state: WebState, kind: str, status: int) -> HTMLResponse:
    return render(
        request, state, "error.html.j2", status=status, kind=kind, days=state.config.web.link_days
    )


@router.get("/", response_class=HTMLResponse)
def landing(request: Request) -> Response:
    return error_page(request, state_of(request), "forbidden", 403)


@router.get("/b/{token}/", response_class=HTMLResponse)
def home(request: Request, token: str) -> Response:
    viewer = viewer_of(request, token)
    return _person(request, token, viewer, viewer.email, home=True)


@router.get("/b/{token}/person/{email}", response_class=HTMLResponse)
def person(request: Request, token: str, email: str) -> Response:
    viewer = viewer_of(request, token)
    if not may_see_person(viewer, email):
        raise NotVisibleError()
    return _person(request, token, viewer, email.strip().lower(), home=False)


def _person(request: Request, token: str, viewer: Viewer, email: str, *, home: bool) -> Response:
    state = state_of(request)
    seen = person_seen(request, viewer, email, home=home)
    feed = ""
    if home and token != "sso":
        base = state.config.web.base_url or str(request.base_url).rstrip("/")
        feed = f"{base}/feed/{state.link(viewer.email, 'feed')}.ics"
    return render(
        request,
        state,
        "person.html.j2",
        base=f"/b/{token}",
        viewer=viewer,
        email=email,
        items=seen.items,
        meetings=seen.meetings,
        projects=seen.projects,
        feed=feed,
        home=home,
        overdue=views.overdue,
    )


@router.get("/b/{token}/project/{project_id}", response_class=HTMLResponse)
def project(
    request: Request,
    token: str,
    project_id: int,
    department: str | None = None,
    owner: str | None = None,
) -> Response:
    state = state_of(request)
    seen = project_seen(
        request,
        token,
        project_id,
        department=department,
        owner=owner,
        per_column=views.PER_COLUMN,
        timeline_rows=views.TIMELINE_ROWS,
        meetings_shown=views.MEETINGS_SHOWN,
    )
    board = views.board(seen.board, today=seen.today, lang=lang_of(request))
    return render(
        request,
        state,
        "project.html.j2",
        base=f"/b/{token}",
        viewer=seen.viewer,
        project=seen.project,
        board=board,
        meetings=seen.meetings,
        department=department or "",
        owner=(owner or "").strip().lower(),
        overdue=views.overdue,
        chart_width=views.chart_scale(),
    )


@router.get("/b/{token}/meeting/{meeting_id}", response_class=HTMLResponse)
def meeting(request: Request, token: str, meeting_id: int) -> Response:
    viewer, detail = meeting_seen(request, token, meeting_id)
    return render(
        request,
        state_of(request),
        "meeting.html.j2",
        base=f"/b/{token}",
        viewer=viewer,
        detail=detail,
        overdue=views.overdue,
    )


@router.get("/b/{token}/item/{ref}", response_class=HTMLResponse)
def item(request: Request, token: str, ref: str) -> Response:
    viewer, detail = item_seen(request, token, ref)
    return render(
        request,
        state_of(request),
        "item.html.j2",
        base=f"/b/{token}",
        viewer=viewer,
        detail=detail,
        overdue=views.overdue,
    )
