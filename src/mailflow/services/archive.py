"""A project's archive (归档): a static HTML site of everything it produced, in a folder or a zip.

``跨部门协作-<project>/``: ``index.html`` (the project, its meetings, links), ``report.html``
(the 复盘报告), ``items.html`` / ``requests.html`` / ``issues.html`` (lists), ``items/<ref>.html``
(each item with its whole history and its acceptance records, 验收确认单),
``meetings/m<id>.html`` (agenda, attendees, its items, its minutes versions) and
``meetings/m<id>-v<n>.html`` (each official minutes version as attendees received it), and
``items.csv`` + ``items.ics`` from the item exports. Pages carry inline CSS only: no script, no
image, nothing fetched, so the archive opens offline and stays readable.

Memory stays flat: meetings and items are read in chunks of :data:`CHUNK` (each chunk's history,
agenda, attendees and minutes in one query apiece) and each page is written as soon as it is
rendered; only the small rows of the lists and exports are kept. Entries are produced in sorted
order and every input is from the DB (the exports' DTSTAMP is the project's close), so the same
DB gives the same bytes.
"""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from mailflow.config.schema import Config
from mailflow.domain.directory import Directory
from mailflow.domain.readers import directory_of, reader
from mailflow.outbound.kinds.minutes.minutes_parts import status_label
from mailflow.outbound.kinds.projects.retro_report import report_page
from mailflow.outbound.kinds.projects.retro_texts import labels
from mailflow.outbound.rendering.archive_pages import render_page, stream_page
from mailflow.outbound.rendering.archive_writer import ArchiveSink, archive_root, safe_name
from mailflow.outbound.rendering.ics import PRODID
from mailflow.outbound.rendering.items_export import items_csv
from mailflow.outbound.rendering.items_ics_stream import ICS_TAIL, ics_head, vtodo_lines
from mailflow.outbound.rendering.templating import format_when, wording
from mailflow.services.minutes_mails import item_row
from mailflow.services.retrospective import retro_pack
from mailflow.tracker.archive_repo import (
    HistoryLine,
    MeetingLine,
    history_of_items,
    item_refs_of_project,
    item_sheets,
    items_of_meetings,
    items_with_ids,
    meetings_of_project,
    meetings_with_agenda_and_attendees,
    minutes_versions,
)
from mailflow.tracker.models import ActionItem, Meeting, Minutes, Project
from mailflow.tracker.project_repo import project_by_name

CHUNK = 500


def find_project(session: Session, text: str) -> Project | None:
    """The project named ``text`` (case and spacing aside), or with that id."""
    clean = " ".join(text.split())
    found = project_by_name(session, clean)
    if found is None and clean.isdigit():
        found = session.get(Project, int(clean))
    return found


def write_archive(session: Session, config: Config, project: Project, target: Path) -> Path:
    """Write the archive into folder ``target`` (as ``跨部门协作-<project>/``) or as the zip
    ``target`` (``*.zip``); returns the folder or zip written."""
    session.flush()
    with ArchiveSink(target, archive_root(project.name)) as sink:
        for name, data in archive_entries(session, config, project):
            if isinstance(data, bytes):
                sink.put(name, data)
            else:
                sink.put_chunks(name, data)
    return sink.path


def archive_entries(
    session: Session, config: Config, project: Project
) -> Iterator[tuple[str, Entry]]:
    """Every file of the archive, as (relative path, its bytes or their pieces), in sorted
    path order."""
    site = _Site(session, config, project)
    return site.entries()


class _Site:
    def __init__(self, session: Session, config: Config, project: Project) -> None:
        self.session, self.config, self.project = session, config, project
        self.locale = reader(config, project.coordinator_email).locale
        self.words = labels(self.locale)
        self.zone = config.schedule.timezone
        self.tz = ZoneInfo(self.zone)
        self.directory: Directory = directory_of(config)
        self.stamp = project.closed_at or project.updated_at

    # -- helpers -------------------------------------------------------------------------------

    def page(self, template: str, heading: str, **values: Any) -> bytes:
        home = {"index.html.j2": "", "list.html.j2": "index.html"}.get(template, "../index.html")
        return render_page(
            self.config.templates_dir,
            template,
            home=home,
            lang=self.locale.replace("_", "-"),
            heading=heading,
            L=self.words,
            home_label=self.words["index"],
            **values,
        )

    def when(self, at: datetime | None) -> str:
        return "" if at is None else f"{at.astimezone(self.tz):%Y-%m-%d %H:%M}"

    def person(self, email: str | None) -> str:
        if not email:
            return ""
        found = self.directory.by_email(email)
        return f"{found.name} <{email}>" if found is not None else email

    def title(self, what: str, name: str) -> str:
        return f"{what}{'：' if wording(self.locale) != 'en' else ': '}{name}"

    # -- the site ------------------------------------------------------------------------------

    def entries(self) -> Iterator[tuple[str, Entry]]:
        project = self.project
        meetings = meetings_of_project(self.session, project.id)
        titles = {m.id: m.title for m in meetings}
        order = sorted(
            item_refs_of_project(self.session, project.id), key=lambda r: _item_file(r.ref)
        )
        ids = [r.id for r in order]
        del order
        with tempfile.TemporaryDirectory(prefix="mailflow-archive-") as tmp:
            spool = _Spool(Path(tmp))
            counts = self.spool_items(spool, ids, titles)
            yield "index.html", self.index(meetings, counts)
            yield "issues.html", self.listing("issue", spool, counts["issue"])
            yield "items.csv", spool.read("items.csv")
            yield "items.html", self.listing("action", spool, counts["action"])
            yield "items.ics", spool.read("items.ics")
            for chunk in _chunks(ids, CHUNK):
                yield from self.item_pages(chunk, titles)
            for chunk in _chunks(sorted(titles), CHUNK // 5):
                yield from self.meeting_pages(chunk)
            yield "report.html", self.report()
            yield "requests.html", self.listing("request", spool, counts["request"])

    def spool_items(
        self, spool: _Spool, ids: Sequence[int], titles: dict[int, str]
    ) -> dict[str, int]:
        """One pass over the items, in chunks: the CSV, the ICS and the three lists' rows go to
        spool files, so neither the rows nor the exports are ever whole in memory."""
        counts = dict.fromkeys(("action", "request", "issue"), 0)
        spool.write("items.ics", ics_head(PRODID).encode())
        for number, chunk in enumerate(_chunks(ids, CHUNK)):
            loaded = items_with_ids(self.session, chunk)
            place = {item_id: n for n, item_id in enumerate(chunk)}
            items = sorted(loaded, key=lambda i: place[i.id])
            rows = [item_row(i, self.directory, titles.get(i.meeting_id or 0, "")) for i in items]
            text = items_csv(rows)
            spool.write("items.csv", (text if number == 0 else text.split("\r\n", 1)[1]).encode())
            domain = self.config.mail.domain
            spool.write(
                "items.ics", "".join(vtodo_lines(r, domain, self.stamp) for r in rows).encode()
            )
            for item, row in zip(items, rows, strict=True):
                kind = item.kind if item.kind in counts else "action"
                counts[kind] += 1
                shown = {
                    "ref": row.ref,
                    "href": f"items/{_item_file(row.ref)}.html",
                    "cells": [
                        row.task,
                        row.owner_name or row.owner,
                        row.department,
                        row.due.isoformat() if row.due else "",
                        status_label(row.status, self.locale),
                        *([_request_extra(item, self)] if kind == "request" else []),
                    ],
                }
                spool.write(
                    f"{kind}.jsonl", (json.dumps(shown, ensure_ascii=False) + "\n").encode()
                )
        spool.write("items.ics", ICS_TAIL.encode())
        if not ids:
            spool.write("items.csv", items_csv([]).encode())
        return counts

    def index(self, meetings: Sequence[MeetingLine], counts: dict[str, int]) -> bytes:
        p, w = self.project, self.words
        facts = [
            [w["coordinator"], self.person(p.coordinator_email)],
            [w["acceptor"], self.person(p.acceptor_email)],
            [w["department"], p.lead_department or ""],
            [w["due"], p.end_date.isoformat() if p.end_date else ""],
            [w["closed"], self.when(p.closed_at)],
        ]
        listed = [
            {
                "when": self.when(m.starts_at),
                "title": m.title,
                "organiser": self.person(m.organiser_email),
                "href": f"meetings/{_meeting_file(m.id)}.html",
            }
            for m in meetings
        ]
        counts = {"actions": counts["action"], "requests": counts["request"], **counts}
        counts["issues"] = counts["issue"]
        return self.page(
            "index.html.j2",
            self.title(w["archive"], p.name),
            facts=facts,
            meetings=listed,
            counts=counts,
        )

    def listing(self, kind: str, spool: _Spool, count: int) -> Iterator[bytes]:
        w = self.words
        heading = {"action": w["actions"], "request": w["requests"], "issue": w["issues"]}[kind]
        headers = [w["ref"], w["task"], w["owner"], w["department"], w["due"], w["status"]]
        if kind == "request":
            headers.append(w["what"])
        return stream_page(
            self.config.templates_dir,
            "list.html.j2",
            home="index.html",
            lang=self.locale.replace("_", "-"),
            heading=self.title(heading, self.project.name),
            L=self.words,
            home_label=self.words["index"],
            headers=headers,
            count=count,
            rows=spool.records(f"{kind}.jsonl"),
        )

    def item_pages(
        self, chunk: Sequence[int], titles: dict[int, str]
    ) -> Iterator[tuple[str, bytes]]:
        w = self.words
        history: dict[int, list[HistoryLine]] = defaultdict(list)
        for event in history_of_items(self.session, chunk):
            history[event.item_id].append(event)
        items = item_sheets(self.session, chunk)
        for item in sorted(items, key=lambda i: _item_file(i.ref)):
            facts = [
                [w["task"], item.description],
                [w["owner"], self.person(item.owner_email)],
                [w["department"], item.department or ""],
                [w["due"], item.due_date.isoformat() if item.due_date else ""],
                [w["status"], f"{status_label(item.status.value, self.locale)} {item.progress}%"],
                [w["deliverable"], item.deliverable or ""],
                [w["acceptor"], self.person(item.acceptor_email)],
                [w["rework"], str(item.rework_count)],
                [w["delay_reason"], item.delay_reason or ""],
            ]
            events = history.get(item.id, [])
            records = [
                [
                    [w["verdict"], (e.new_value or "").partition(":")[0]],
                    [w["what"], (e.new_value or "").partition(":")[2].strip()],
                    [w["by"], self.person(e.actor)],
                    [w["at"], self.when(e.at)],
                    [w["deliverable"], item.deliverable or ""],
                ]
                for e in events
                if e.kind == "acceptance"
            ]
            shown = [
                [
                    self.when(e.at),
                    e.actor,
                    e.kind + (f" · {e.field}" if e.field else ""),
                    e.old_value or "",
                    e.new_value or "",
                ]
                for e in events
            ]
            meeting_href = (
                f"../meetings/{_meeting_file(item.meeting_id)}.html"
                if item.meeting_id in titles
                else ""
            )
            yield (
                f"items/{_item_file(item.ref)}.html",
                self.page(
                    "item.html.j2",
                    f"{item.ref} {item.description}",
                    facts=facts,
                    meeting_href=meeting_href,
                    meeting_title=titles.get(item.meeting_id or 0, ""),
                    acceptance=records,
                    history=shown,
                    history_headers=[w["at"], w["who"], w["what"], w["old"], w["new"]],
                ),
            )

    def meeting_pages(self, chunk: Sequence[int]) -> Iterator[tuple[str, bytes]]:
        w = self.words
        meetings = meetings_with_agenda_and_attendees(self.session, chunk)
        versions: dict[int, list[Minutes]] = defaultdict(list)
        for minutes in minutes_versions(self.session, chunk):
            versions[minutes.meeting_id].append(minutes)
        refs: dict[int | None, list[tuple[str, str]]] = defaultdict(list)
        for found in items_of_meetings(self.session, chunk):
            refs[found.meeting_id].append((found.ref, found.description))
        for meeting in meetings:
            base = _meeting_file(meeting.id)
            shown_versions = []
            for minutes in versions.get(meeting.id, []):
                name = f"{base}-v{minutes.version:02d}.html"
                yield f"meetings/{name}", self.minutes_page(meeting, minutes)
                shown_versions.append(
                    {
                        "href": name,
                        "version": minutes.version,
                        "correction": minutes.is_correction,
                        "by": self.person(minutes.submitted_by),
                        "at": self.when(minutes.received_at),
                    }
                )
            facts = [
                [
                    w["when"],
                    format_when(meeting.starts_at, meeting.tzid, self.locale, meeting.ends_at),
                ],
                [w["where"], " ".join(x for x in (meeting.location, meeting.online_url) if x)],
                [w["organiser"], self.person(meeting.organiser_email)],
                [w["status"], meeting.status.value],
            ]
            attendees = [
                [self.person(a.email), a.partstat.value]
                for a in meeting.attendees
                if a.recurrence_id == "" and a.removed_at is None
            ]
            agenda = [
                [
                    str(a.position),
                    a.topic,
                    self.person(a.owner_email),
                    str(a.duration_minutes or ""),
                    a.expected_conclusion or "",
                    " ".join(a.materials or ()),
                ]
                for a in meeting.agenda
            ]
            items = [
                {"ref": ref, "task": task, "href": f"../items/{_item_file(ref)}.html"}
                for ref, task in sorted(refs.get(meeting.id, []), key=lambda r: _item_file(r[0]))
            ]
            yield (
                f"meetings/{base}.html",
                self.page(
                    "meeting.html.j2",
                    meeting.title,
                    facts=facts,
                    attendees=attendees,
                    agenda=agenda,
                    agenda_headers=["#", w["agenda"], w["owner"], "min", w["what"], ""],
                    versions=shown_versions,
                    items=items,
                ),
            )

    def minutes_page(self, meeting: Meeting, minutes: Minutes) -> bytes:
        """A minutes version as applied (its content), else the text its scribe sent."""
        w = self.words
        heading = f"{meeting.title} · {w['version']} {minutes.version}"
        if not minutes.content:
            return self.page("text.html.j2", heading, text=minutes.raw_text)
        content = minutes.content

        def entries(key: str) -> list[list[str]]:
            return [
                [
                    str(e.get("ref") or ""),
                    str(e.get("task") or ""),
                    self.person(str(e.get("owner") or "")) or str(e.get("owner_raw") or ""),
                    str(e.get("department") or ""),
                    str(e.get("due") or ""),
                ]
                for e in content.get(key) or ()
                if isinstance(e, dict)
            ]

        following = content.get("next_meeting")
        return self.page(
            "minutes.html.j2",
            heading,
            meeting_href=f"{_meeting_file(meeting.id)}.html",
            meeting_title=meeting.title,
            version=minutes.version,
            correction=minutes.is_correction,
            by=self.person(minutes.submitted_by),
            at=self.when(minutes.received_at),
            decisions=[str(d) for d in content.get("decisions") or ()],
            actions=entries("actions"),
            disputes=entries("disputes"),
            info=[str(i) for i in content.get("info") or ()],
            next_meeting=str(following.get("raw") or "") if isinstance(following, dict) else "",
            present=[self.person(str(p)) for p in content.get("present") or ()],
            item_headers=[w["ref"], w["task"], w["owner"], w["department"], w["due"]],
        )

    def report(self) -> bytes:
        today = (self.project.closed_at or self.stamp).astimezone(ZoneInfo(self.zone)).date()
        pack = retro_pack(self.session, self.config, self.project, today)
        return report_page(
            self.config.templates_dir,
            locale=self.locale,
            project=self.project.name,
            coordinator=self.person(self.project.coordinator_email),
            pack=pack,
            prepared_on=today.isoformat(),
            home="index.html",
        ).encode("utf-8")


def _request_extra(item: ActionItem, site: _Site) -> str:
    if item.kind != "request":
        return ""
    parts = [item.urgency or "", site.person(item.requester_email), item.requester_department]
    return " · ".join(p for p in parts if p)


Entry = bytes | Iterator[bytes]


class _Spool:
    """Files in a temporary folder, appended to during the item pass and read back once."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def write(self, name: str, data: bytes) -> None:
        with (self.folder / name).open("ab") as out:
            out.write(data)

    def read(self, name: str) -> Iterator[bytes]:
        with (self.folder / name).open("rb") as source:
            while chunk := source.read(1 << 16):
                yield chunk

    def records(self, name: str) -> Iterator[dict[str, Any]]:
        path = self.folder / name
        if not path.exists():
            return
        with path.open(encoding="utf-8") as source:
            for line in source:
                yield json.loads(line)


def _chunks(ids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _item_file(ref: str) -> str:
    return safe_name(ref)


def _meeting_file(meeting_id: int | None) -> str:
    return f"m{meeting_id or 0:06d}"


def archive_day(project: Project, zone: str) -> date:
    """The day an archive is dated: its project's close (else its last change)."""
    return (project.closed_at or project.updated_at).astimezone(ZoneInfo(zone)).date()
