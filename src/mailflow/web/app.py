"""The board's ASGI app (FastAPI on Starlette): routes, headers, rate limit, refusals.

:func:`create_app` wires the pages (:mod:`.pages`), the JSON API (:mod:`.api`), the calendar
feed and the stylesheet to a tracker's sessions. Every response goes through one middleware
that applies the rate limit (per client address and per link token) and adds the security
headers (:mod:`.guard`). A link that does not verify, is someone else's, or reaches out of its
viewer's scope is a 403 page (or JSON) in the viewer's language; an expired one a 410 page.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker

from mailflow.clock import Clock, SystemClock
from mailflow.config.schema import Config
from mailflow.domain.board_links import LinkExpiredError, LinkInvalidError
from mailflow.tracker import board_repo
from mailflow.web import api, pages
from mailflow.web.access import NotVisibleError, WebState
from mailflow.web.feed import person_feed
from mailflow.web.guard import HEADERS, NO_STORE, RateLimiter
from mailflow.web.texts import words

STATIC = Path(__file__).resolve().parent / "static"
# The path prefixes whose next segment is a link token.
_TOKEN_PREFIXES = ("/b/", "/api/v1/", "/feed/")


def _token_of(path: str) -> str | None:
    for prefix in _TOKEN_PREFIXES:
        if path.startswith(prefix):
            return path[len(prefix) :].split("/", 1)[0].removesuffix(".ics") or None
    return None


def create_app(
    config: Config,
    sessions: sessionmaker[Session],
    *,
    secret: str,
    clock: Clock | None = None,
    ticks: Callable[[], float] = time.monotonic,
) -> FastAPI:
    """The board over ``sessions``, signing and reading links with ``secret``.

    ``clock`` gives "now" for links and due dates; ``ticks`` the seconds of the rate limit.
    """
    app = FastAPI(
        title="mailflow board",
        version="1",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    now = (clock or SystemClock()).now
    limiter = RateLimiter(config.web.rate_limit_per_minute, ticks)
    app.state.web = WebState(config, sessions, secret, now, limiter)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(pages.router)
    app.include_router(api.router)

    @app.get("/feed/{token}.ics", include_in_schema=False)
    def feed(request: Request, token: str) -> Response:
        state: WebState = app.state.web
        viewer = state.viewer(token, "feed", {})
        with state.sessions() as session:
            items = board_repo.person_items(session, viewer, viewer.email)
            meetings = board_repo.person_meetings(session, viewer, viewer.email)
        base = config.web.base_url
        body = person_feed(
            [i for i in items if i.owner == viewer.email],
            meetings,
            name=viewer.name or viewer.email,
            domain=config.mail.domain,
            now=state.now(),
            link=f"{base}/b/{state.link(viewer.email, 'board')}" if base else "",
        )
        return Response(body, media_type="text/calendar; charset=utf-8")

    @app.exception_handler(LinkExpiredError)
    def expired(request: Request, exc: LinkExpiredError) -> Response:
        return _refusal(request, "expired", 410)

    @app.exception_handler(LinkInvalidError)
    def invalid(request: Request, exc: LinkInvalidError) -> Response:
        return _refusal(request, "forbidden", 403)

    @app.exception_handler(NotVisibleError)
    def refused(request: Request, exc: NotVisibleError) -> Response:
        return _refusal(request, "forbidden", exc.status)

    @app.middleware("http")
    async def guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        path = request.url.path
        token = _token_of(path)
        if not path.startswith("/static/"):
            keys = [f"ip:{request.client.host if request.client else '-'}"]
            if token:
                keys.append(f"token:{token}")
            if not limiter.allow(*keys):
                response = _refusal(request, "limited", 429)
                response.headers["Retry-After"] = str(limiter.retry_after())
                return _secured(response, token)
        return _secured(await call_next(request), token)

    def _refusal(request: Request, kind: str, status: int) -> Response:
        state: WebState = app.state.web
        if request.url.path.startswith(("/api/", "/feed/")):
            detail = words("en")[f"{kind}.body"].format(days=config.web.link_days)
            return JSONResponse({"detail": detail}, status_code=status)
        return pages.error_page(request, state, kind, status)

    return app


def _secured(response: Response, token: str | None) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if token is not None:
        response.headers["Cache-Control"] = NO_STORE
    elif "cache-control" not in response.headers:
        response.headers["Cache-Control"] = "no-cache"
    return response
