"""Holding what a session loaded for as long as the session lives (one unit of work).

SQLAlchemy's identity map holds objects weakly: an object loaded for one step of a batch is
garbage once that step is done, and the next step that needs it loads it again. A session marked
here keeps every object it loads until it ends, so a batch's steps share one load of each object
as they share its transaction. Only loaded objects are kept: a batch holds at most what it touched.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session


def keep_loaded_objects(session: Session) -> None:
    """Hold every object ``session`` loads from now until the session ends."""
    kept: list[object] = session.info.setdefault("mailflow.kept", [])

    def keep(_session: Session, instance: object) -> None:
        kept.append(instance)

    event.listen(session, "loaded_as_persistent", keep)
