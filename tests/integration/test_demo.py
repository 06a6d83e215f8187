"""``mailflow demo`` as a newcomer runs it: one whole cycle, every mail kept as an .eml file."""

from __future__ import annotations

import io
import time
import zipfile
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import icalendar
import pytest
from click.testing import CliRunner

from mailflow.cli import main
from mailflow.dev.devstack import APT_HINT, find_dovecot

pytestmark = pytest.mark.integration

# Every mail of the story, in order: who received it and what it is.
EXPECTED = [
    "bot-meeting-request-from-alice",
    "alice-receipt",
    "alice-notice",  # the organiser gets mailflow's invitation too, as its chair
    "bob-notice",
    "carol-notice",
    "dave-notice",
    "bot-calendar-accept-from-carol",
    "bot-rsvp-from-dave",
    "alice-answer",  # Carol's note with her answer, for the organiser
    "alice-answer",  # Dave's reason for declining
    "dave-answer",
    "bob-minutes-skeleton",
    "bot-minutes-from-bob",
    *[f"{who}-official-minutes" for who in ("alice", "bob", "carol", "dave", "exec")],
    "bob-minutes-receipt",
    *[f"{who}-item-assignment" for who in ("bob", "carol", "dave")],
    "bot-confirm-from-carol",
    "bot-done-from-bob",
    "carol-item-receipt",
    "bob-item-receipt",
    "alice-acceptance-request",  # Bob's DONE waits for Alice, the project's acceptor
    "alice-at-risk-prompt",  # Carol's item lags its time: Alice is to talk to her
    "bot-reject-from-alice",
    "bot-talked-from-alice",
    "alice-item-receipt",
    "bob-answer",  # sent back for rework, with the reason
    "alice-item-receipt",
    "bob-item-reminder",
    "dave-item-reminder",
    "bot-request-from-carol",  # 协作需求 to 研发部
    "dave-request-assignment",  # its head
    "carol-answer",  # the requester's receipt
    "bot-confirm-from-dave",
    "dave-item-receipt",
    "carol-answer",  # confirmed
    "carol-item-reminder",
    "alice-at-risk-prompt",  # the request lags too
    "dave-item-reminder",
    "bot-done-from-bob",
    "bob-item-receipt",
    "alice-acceptance-request",
    "bot-accept-from-alice",
    "alice-item-receipt",
    "bob-answer",  # accepted
    "alice-escalation",
    "dave-item-reminder",
    "carol-weekly-progress",
    "dave-weekly-progress",
    "carol-item-reminder",
    "exec-digest",
    "bot-close-project-from-alice",
    "alice-retro-request",
    *[f"{who}-retro-report" for who in ("alice", "bob", "carol", "dave", "exec")],
    "alice-answer",  # the close confirmed
    "alice-archive-ready",
]


def _load(path: Path) -> EmailMessage:
    msg = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def _text(msg: EmailMessage) -> str:
    body = msg.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, float]:
    """The demo, run once for this module into an output folder, as the CLI runs it."""
    if find_dovecot() is None:
        pytest.skip(f"dovecot is not installed: {APT_HINT}")
    out = tmp_path_factory.mktemp("demo") / "mailflow-demo"
    started = time.monotonic()
    result = CliRunner().invoke(main, ["demo", "--out", str(out), "--lang", "zh"])
    assert result.exit_code == 0, result.output
    return out, result.output, time.monotonic() - started


def test_every_mail_of_the_cycle_is_written_in_order(played: tuple[Path, str, float]) -> None:
    out, output, seconds = played
    names = sorted(p.stem for p in out.glob("*.eml"))
    assert names == [f"{n:02d}-{kind}" for n, kind in enumerate(EXPECTED, start=1)]
    assert seconds < 60, "the first five minutes leave room for more than the demo"
    assert str(out) in output.replace("\n", ""), "the user is told where the files are"
    assert "total" in output and str(len(EXPECTED)) in output, "the summary table"


def test_the_chinese_notice_carries_a_real_invite(played: tuple[Path, str, float]) -> None:
    out, _, _ = played
    notice = _load(out / "04-bob-notice.eml")
    assert str(notice["Subject"]).startswith("会议通知：二季度规划会")
    assert "3楼301会议室" in _text(notice)
    attachments = {part.get_filename(): part for part in notice.iter_attachments()}
    invite = attachments["invite.ics"].get_content()
    calendar = icalendar.Calendar.from_ical(invite)
    assert str(calendar["METHOD"]) == "REQUEST"
    [event] = calendar.walk("VEVENT")
    attendees = {str(a).lower() for a in event.get("ATTENDEE")}
    assert {"mailto:bob@example.test", "mailto:carol@example.test"} <= attendees
    english = _load(out / "05-carol-notice.eml")
    assert str(english["Subject"]).startswith("Meeting notice:")
    # Carol reads times in London: 14:00 in Shanghai is 06:00 there in March.
    assert "06:00" in _text(english)


def test_replies_were_understood(played: tuple[Path, str, float]) -> None:
    out, _, _ = played
    # Dave reads English: his Chinese "不参加，出差" was understood as a decline with a comment.
    answer = _text(_load(out / "11-dave-answer.eml"))
    assert "you will not attend" in answer and "出差" in answer
    minutes = _text(_load(out / "15-bob-official-minutes.eml"))
    assert "二季度预算批准" in minutes and "MF-0001" in minutes and "MF-0003" in minutes
    escalation = _text(_load(out / "51-alice-escalation.eml"))
    assert "MF-0003" in escalation


def test_the_digest_is_also_a_web_page(played: tuple[Path, str, float]) -> None:
    out, _, _ = played
    page = (out / "56-exec-digest.html").read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith(("<!doctype html", "<html"))
    assert "MF-0003" in page, "the overdue item is in the digest"
    assert sorted(p.name for p in out.glob("*.html")) == ["56-exec-digest.html"]


def test_the_project_goes_from_request_to_acceptance_retrospective_and_archive(
    played: tuple[Path, str, float],
) -> None:
    out, _, _ = played
    first = _text(_load(out / "27-alice-acceptance-request.eml"))
    assert "MF-0001" in first and "预算表已上传共享盘" in first
    assert "缺少分部门明细" in _text(_load(out / "32-bob-answer.eml"))  # sent back, and why
    assert "MF-0001" in _text(_load(out / "50-bob-answer.eml"))  # accepted after rework
    prompt = _text(_load(out / "28-alice-at-risk-prompt.eml"))
    assert "MF-0002" in prompt and "TALKED" in prompt
    request = _load(out / "37-dave-request-assignment.eml")
    assert "测试设备" in str(request["Subject"]) and "CONFIRM" in _text(request)
    digest = _text(_load(out / "56-exec-digest.eml"))
    assert "At risk" in digest and "二季度规划" in digest  # at risk first, and the project line
    report = _load(out / "63-exec-retro-report.eml")
    assert [p.get_filename() for p in report.iter_attachments()] == [
        "Retrospective report-二季度规划.html"
    ]
    archive = _load(out / "65-alice-archive-ready.eml")
    [attached] = list(archive.iter_attachments())
    assert attached.get_filename() == "跨部门协作-二季度规划.zip"
    payload = attached.get_payload(decode=True)
    assert isinstance(payload, bytes)
    with zipfile.ZipFile(io.BytesIO(payload)) as zipped:
        names = zipped.namelist()
    assert "跨部门协作-二季度规划/index.html" in names
    assert "跨部门协作-二季度规划/items.csv" in names


def test_a_second_run_replaces_the_first(played: tuple[Path, str, float]) -> None:
    out, _, _ = played
    (out / "99-stale-mail.eml").write_bytes(b"")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(main, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert not (out / "99-stale-mail.eml").exists(), "an earlier demo's mail is removed"
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine", "nothing else is touched"
    assert _load(out / "01-bot-meeting-request-from-alice.eml")["Subject"] == (
        "MEETING: Q2 planning"
    )
