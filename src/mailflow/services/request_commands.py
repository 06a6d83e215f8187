"""CONFIRM, REASSIGN and DECLINE on a collaboration request (协作需求单), and who may.

A request is received by a department (its head owns it) or by a person. Its rules differ from an
action item's, where the meeting's organiser decides:

- CONFIRM / 确认 / 確認: the owner or the receiving department's head takes the work on.
- REASSIGN @person / 转派 / 轉派 (also 转交, 改派): only the head of the receiving department
  (or the owner, when that department has no head) and only to someone in that department; a
  request that belongs elsewhere is declined with a reason, so the requester can ask there.
- DECLINE <reason> / 拒绝 <原因> / 拒絕: the owner or the head; the reason is required (the parser
  refuses a bare DECLINE), the request is cancelled and the requester and the project's
  coordinator are told.

A closed request (done or cancelled) takes none of these. Anything refused is a
:class:`~mailflow.domain.minutes.Problem` for the sender's receipt, and nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mailflow.domain.directory import Directory, normalise
from mailflow.domain.item_commands import ItemCommand
from mailflow.domain.minutes import Problem
from mailflow.services.item_history import history
from mailflow.tracker.models import ActionItem, ItemStatus

REQUEST_VERBS = frozenset({"confirm", "reassign", "decline"})
_CLOSED = (ItemStatus.DONE, ItemStatus.CANCELLED)


@dataclass(frozen=True)
class RequestEvent:
    """What happened to a request: ``verb`` by ``actor``; ``detail`` is a decline's reason or the
    previous owner of a reassigned request."""

    item: ActionItem
    verb: str
    actor: str
    detail: str | None = None


def is_request_command(item: ActionItem, command: ItemCommand) -> bool:
    return item.kind == "request" and command.verb in REQUEST_VERBS


def head_of(item: ActionItem, directory: Directory | None) -> str | None:
    """The address of the receiving department's head, when the directory knows one."""
    if directory is None or not item.department:
        return None
    head = directory.department_head(item.department)
    return head.email.lower() if head is not None else None


def apply_request_command(
    item: ActionItem,
    command: ItemCommand,
    *,
    sender: str,
    now: datetime,
    source: str | None,
    directory: Directory | None,
) -> RequestEvent | Problem:
    """Apply ``command`` to the request ``item`` when ``sender`` may; else say why not."""
    sender = sender.lower()
    head = head_of(item, directory)
    owner = item.owner_email.lower()
    if item.status in _CLOSED:
        return Problem(command.line, f"{item.ref} is closed ({item.status.value})", None)
    if command.verb == "reassign":
        deciders = {head} if head else {owner}
        if sender not in deciders:
            who = f"the head of {item.department} ({head})" if head else f"its owner ({owner})"
            return Problem(command.line, f"{item.ref} may only be passed on by {who}", None)
        return _reassign(item, command, sender, now, source, directory)
    if sender not in {owner, head} - {None}:
        department = f" or the head of {item.department}" if head and head != owner else ""
        return Problem(
            command.line,
            f"only the receiver of request {item.ref} ({owner}){department} may "
            f"{'confirm' if command.verb == 'confirm' else 'decline'} it",
            None,
        )
    if command.verb == "confirm":
        item.confirmed_at = item.confirmed_at or now
        history(item, at=now, actor=sender, kind="confirmed", new=command.args.get("note"))
        return RequestEvent(item, "confirm", sender)
    reason = command.args["reason"]
    history(item, at=now, actor=sender, kind="declined", new=reason, source=source)
    history(
        item,
        at=now,
        actor=sender,
        kind="status",
        field_name="status",
        old=item.status.value,
        new=ItemStatus.CANCELLED.value,
        source=source,
    )
    item.status = ItemStatus.CANCELLED
    return RequestEvent(item, "decline", sender, reason)


def _reassign(
    item: ActionItem,
    command: ItemCommand,
    sender: str,
    now: datetime,
    source: str | None,
    directory: Directory | None,
) -> RequestEvent | Problem:
    new_owner = command.args["owner"].lower()
    person = directory.by_email(new_owner) if directory is not None else None
    inside = (
        person is not None
        and bool(item.department)
        and bool(person.department)
        and normalise(person.department or "") == normalise(item.department or "")
    )
    if not inside:
        where = person.department if person is not None and person.department else "no department"
        return Problem(
            command.line,
            f"{command.args.get('owner_raw', new_owner)} ({where}) is not in the receiving "
            f"department {item.department or '(none)'}: a request is passed on only inside it",
            f"to send it elsewhere, reply {item.ref} DECLINE <reason> so the requester can ask "
            "the right department",
        )
    if new_owner == item.owner_email.lower():
        return Problem(command.line, f"{item.ref} is already theirs", None)
    previous = item.owner_email
    history(
        item,
        at=now,
        actor=sender,
        kind="reassigned",
        field_name="owner_email",
        old=previous,
        new=new_owner,
        source=source,
    )
    item.owner_email = new_owner
    item.confirmed_at = None
    return RequestEvent(item, "reassign", sender, previous)
