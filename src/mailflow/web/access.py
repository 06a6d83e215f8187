"""What every request of the board needs: the app's state, and the viewer a link stands for.

A link's token is the first path segment after ``/b/`` (pages), ``/api/v1/`` (JSON) or
``/feed/`` (calendar). Behind a reverse proxy that signs people in, ``web.trusted_user_header``
names the header carrying their address; only when it is configured, the segment ``sso`` in
place of a token means "the person the proxy says" (see docs/web.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from mailflow.config.schema import Config
from mailflow.domain.board_access import Viewer, viewer_of
from mailflow.domain.board_links import LinkInvalidError, Purpose, read_link, sign_link
from mailflow.web.guard import RateLimiter

SSO = "sso"


class NotVisibleError(Exception):
    """The viewer may not see what they asked for (403), or it does not exist (404)."""

    def __init__(self, status: int = 403) -> None:
        super().__init__(status)
        self.status = status


@dataclass
class WebState:
    """The board's dependencies, built once by :func:`mailflow.web.app.create_app`."""

    config: Config
    sessions: sessionmaker[Session]
    secret: str
    now: Callable[[], datetime]
    limiter: RateLimiter

    @property
    def max_age(self) -> timedelta:
        return timedelta(days=self.config.web.link_days)

    def today(self) -> date:
        return self.now().astimezone(ZoneInfo(self.config.schedule.timezone)).date()

    def names(self) -> dict[str, str]:
        return {p.email.lower(): p.name for p in self.config.people.people}

    def viewer(self, token: str, purpose: Purpose, headers: dict[str, str]) -> Viewer:
        """The viewer of ``token``; raises LinkExpiredError or LinkInvalidError."""
        header = self.config.web.trusted_user_header
        if token == SSO:
            email = headers.get(header.lower(), "").strip() if header else ""
            if not email or "@" not in email:
                raise LinkInvalidError("no signed-in user from the proxy")
            return viewer_of(email, self.config.people.people)
        link = read_link(self.secret, token, purpose, self.now(), self.max_age)
        return viewer_of(link.email, self.config.people.people)

    def link(self, email: str, purpose: Purpose) -> str:
        return sign_link(self.secret, email, purpose, self.now())


def may_see_person(viewer: Viewer, email: str) -> bool:
    """A person's page: their own, or anyone's for an executive."""
    return viewer.everything or viewer.email == email.strip().lower()
