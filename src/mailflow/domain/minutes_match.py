"""Which of a scribe's recent meetings a minutes mail is about, when it is not a reply to ours.

Pure: the mail's subject, text, thread ids and recipients and a few facts per candidate meeting
in, a ranking out. Scribes title minutes their own way (``研发周会纪要 0708``, ``MoM - Q2 sync``),
so the meeting is recognised by all it shares with the mail, each worth points:

- its title in the subject (both folded: case, width, script, punctuation): 2 when one holds
  the other, else up to 1.5 for how alike they are (from 60 % alike);
- its day written in the subject or the text (``7月8日``, ``7/8``, ``0708``, ``2025-07-08``,
  ``8 Jul``), 1;
- the mail's thread naming the meeting's thread (In-Reply-To/References), 2;
- the mail's recipients being its attendees (the share of them), up to 0.5;
- having ended most recently of the candidates, 0.5; not having started yet, -1.

The best meeting wins when it has at least :data:`ENOUGH` points and leads the next by
:data:`MARGIN`; otherwise the sender is asked which meeting the minutes are for (never a guess).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from difflib import SequenceMatcher

from mailflow.text_forms import simplified

ENOUGH = 1.0
MARGIN = 0.3
_NOISE = re.compile(r"[\s\W_]+")
_LABELS = re.compile(
    r"^(?:re|fw|fwd|aw|wg|tr|回复|答复|回覆|转发|轉寄)\s*[:：]|会议纪要|会议记录|纪要|纪录|会议通知"
    r"|minutes(?:\s+of\s+(?:the\s+)?meeting)?|meeting\s+notes|notes|summary|mom\b|recap",
    re.IGNORECASE,
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass(frozen=True)
class Candidate:
    """What is known of one of the sender's meetings."""

    key: int
    title: str
    day: date  # the meeting's local day
    starts_at: datetime
    ends_at: datetime
    thread_ids: frozenset[str]
    attendees: frozenset[str]


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    thread_ids: frozenset[str]  # In-Reply-To and References
    recipients: frozenset[str]
    now: datetime


def fold(text: str) -> str:
    return _NOISE.sub("", simplified(unicodedata.normalize("NFKC", text)).casefold())


def title_score(title: str, subject: str) -> float:
    """How well ``subject`` names the meeting ``title``: 2 when it contains it, else likeness."""
    wanted, core = fold(title), fold(_LABELS.sub(" ", simplified(subject)))
    if not wanted or not core:
        return 0.0
    if wanted in core or core in wanted:
        return 2.0
    # Alike is worth less than named: "项目000周会" must not tie with "项目004周会" named exactly.
    ratio = SequenceMatcher(None, wanted, core).ratio()
    return 1.5 * ratio if ratio >= 0.6 else 0.0


def day_written(day: date, text: str) -> bool:
    """Whether ``text`` names ``day`` as people write dates in subjects and minutes."""
    view = simplified(unicodedata.normalize("NFKC", text)).casefold()
    m, d = day.month, day.day
    forms = [
        rf"(?<!\d){m}\s*月\s*{d}\s*[日号]",
        rf"(?<![\d/]){m}/{d}(?![\d/])",
        rf"(?<![\d.]){m}\.{d}(?![\d.])",
        rf"(?<!\d){m:02d}{d:02d}(?!\d)",
        rf"{day.year}[-/.年]\s*0?{m}[-/.月]\s*0?{d}(?!\d)",
        rf"(?<!\d){d}\s*{_MONTHS[m - 1]}",
        rf"{_MONTHS[m - 1]}[a-z]*\.?\s*{d}(?!\d)",
    ]
    return any(re.search(form, view) for form in forms)


def rank(mail: Mail, candidates: Sequence[Candidate]) -> list[tuple[float, Candidate]]:
    """The candidates with their points, best first (see the module docstring)."""
    if not candidates:
        return []
    ended = sorted((c for c in candidates if c.ends_at <= mail.now), key=lambda c: c.ends_at)
    # The bonus goes to the one meeting that ended last; two that ended together share none.
    latest = (
        ended[-1].key
        if ended and (len(ended) == 1 or ended[-2].ends_at < ended[-1].ends_at)
        else None
    )
    scored = []
    for candidate in candidates:
        points = title_score(candidate.title, mail.subject)
        if day_written(candidate.day, f"{mail.subject}\n{mail.text[:2000]}"):
            points += 1.0
        if candidate.thread_ids & mail.thread_ids:
            points += 2.0
        if candidate.attendees:
            points += 0.5 * len(candidate.attendees & mail.recipients) / len(candidate.attendees)
        if candidate.key == latest:
            points += 0.5
        if candidate.starts_at > mail.now:
            points -= 1.0
        scored.append((points, candidate))
    return sorted(scored, key=lambda pair: pair[0], reverse=True)


def choose(mail: Mail, candidates: Sequence[Candidate]) -> Candidate | None:
    """The meeting the mail is about, or None when none fits well enough or two fit alike."""
    ranked = rank(mail, candidates)
    if not ranked or ranked[0][0] < ENOUGH:
        return None
    if len(ranked) > 1 and ranked[0][0] - ranked[1][0] < MARGIN:
        return None
    return ranked[0][1]
