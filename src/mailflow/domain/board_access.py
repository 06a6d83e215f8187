"""Who may see what on the web board: the viewer of a link and the reach of their eyes.

Pure. The rule (issue 18): everyone sees their own items and the meetings they attend;
organisers their meetings (and the items those meetings created); coordinators their projects;
executives everything. An *executive* is a person of the configured people whose role is one of
:data:`EXECUTIVE_ROLES` (compared after ``normalise``), or who is named as another person's
``manager`` (the digest's notion of an executive, :func:`mailflow.services.digests.executives`).
The tracker turns a :class:`Viewer` into the filters of its queries
(:mod:`mailflow.tracker.board_repo`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mailflow.config.schema import Person
from mailflow.text_forms import normalise

EXECUTIVE_ROLES = frozenset(
    {
        "executive",
        "exec",
        "ceo",
        "coo",
        "cto",
        "cfo",
        "vp",
        "president",
        "高管",
        "总经理",
        "副总经理",
        "总裁",
        "副总裁",
        "董事长",
    }
)


@dataclass(frozen=True)
class Viewer:
    """The person a link is for; ``everything`` for executives."""

    email: str
    name: str = ""
    everything: bool = False


def is_executive(email: str, people: Sequence[Person]) -> bool:
    email = email.strip().lower()
    for person in people:
        if person.manager and person.manager.strip().lower() == email:
            return True
        own = person.email.lower() == email
        if own and person.role and normalise(person.role) in EXECUTIVE_ROLES:
            return True
    return False


def viewer_of(email: str, people: Sequence[Person]) -> Viewer:
    """The viewer for a verified link's address."""
    email = email.strip().lower()
    name = next((p.name for p in people if p.email.lower() == email), "")
    return Viewer(email=email, name=name, everything=is_executive(email, people))
