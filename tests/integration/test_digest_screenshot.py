"""The digest as a browser draws it: headless Chromium renders the HTML body to a PNG.

Both files are kept as test artifacts for a person to look at (``artifacts/digest.html`` and
``artifacts/digest.png``). Skipped only when no ``chromium`` binary is installed.
"""

from __future__ import annotations

import email
import shutil
import struct
import subprocess
from datetime import date, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from mailflow.config.schema import Config, ImapSettings, MailSettings, SmtpSettings
from mailflow.outbound.kinds.digest.digest_data import (
    Decision,
    MeetingAhead,
    MinutesGap,
    OverdueItem,
)
from mailflow.outbound.kinds.digest.digest_mail import digest_payload, render_digest_row
from mailflow.outbound.rendering.compose import RenderContext
from mailflow.outbound.rendering.items_export import ItemRow

pytestmark = pytest.mark.integration

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
SHANGHAI = ZoneInfo("Asia/Shanghai")
AS_OF = datetime(2025, 3, 17, 8, 0, tzinfo=SHANGHAI)
WIDTH, HEIGHT = 900, 1400
# Known numbers: the chart and the status table must show exactly these.
COUNTS = {
    "Engineering": {"not_started": 3, "in_progress": 4, "done": 6, "delayed": 1},
    "Human Resources": {"not_started": 1, "in_progress": 2, "done": 1},
    "Finance": {"done": 2, "delayed": 2, "cancelled": 1},
}
PREVIOUS = {
    "Engineering": {"not_started": 4, "in_progress": 3, "done": 4, "delayed": 1},
    "Human Resources": {"not_started": 2, "in_progress": 2},
    "Finance": {"done": 2, "delayed": 1, "cancelled": 1},
}


def _item(ref: str, task: str, department: str, due: date, **fields: Any) -> ItemRow:
    return ItemRow(
        ref,
        task,
        owner="bob@example.com",
        owner_name="Bob Li",
        department=department,
        due=due,
        **fields,
    )


def digest_html() -> str:
    config = Config(
        mail=MailSettings(domain="example.com", bot_address="meetings@example.com"),
        imap=ImapSettings("imap.example.com", 993, "tls", "bot"),
        smtp=SmtpSettings("smtp.example.com", 587, "starttls"),
    )
    payload = digest_payload(
        period="weekly",
        as_of=AS_OF,
        since=datetime(2025, 3, 10, 8, 0, tzinfo=SHANGHAI),
        departments=list(COUNTS),
        counts=COUNTS,
        previous_counts=PREVIOUS,
        decisions=[Decision("Q2 review", date(2025, 3, 10), "The Q2 budget is approved.")],
        overdue=[
            OverdueItem(_item("MF-0041", "Order laptops", "Engineering", date(2025, 3, 7)), 10, 3),
            OverdueItem(
                _item("MF-0050", "Budget sign-off", "Finance", date(2025, 3, 14), status="delayed"),
                3,
                1,
            ),
        ],
        due_soon=[_item("MF-0044", "Draft the hiring plan", "Engineering", date(2025, 3, 20))],
        meetings=[
            MeetingAhead(
                "Q3 planning", datetime(2025, 3, 19, 9, 30, tzinfo=SHANGHAI), "Alice", 5, 1, 2, 3
            )
        ],
        minutes=[
            MinutesGap(
                "Budget committee",
                datetime(2025, 3, 13, 14, 0, tzinfo=SHANGHAI),
                datetime(2025, 3, 14, 14, 0, tzinfo=SHANGHAI),
            )
        ],
        locale="en",
        timezone="Asia/Shanghai",
    )
    msg = render_digest_row(RenderContext(config, AS_OF), ["ceo@example.com"], payload)
    mail = email.message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert isinstance(mail, EmailMessage)
    body = mail.get_body(("html",))
    assert body is not None
    return str(body.get_content())


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk, which the signature is always followed by."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def test_the_digest_is_drawn_by_a_browser(tmp_path: Path) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("no chromium binary to draw the digest: apt-get install chromium")
    markup = digest_html()
    # The numbers under each bar, as the reader sees them.
    assert "3 not started · 4 in progress · 6 done · 1 delayed" in markup
    assert "1 not started · 2 in progress · 1 done" in markup
    assert "2 done · 2 delayed · 1 cancelled" in markup
    ARTIFACTS.mkdir(exist_ok=True)
    page, png = ARTIFACTS / "digest.html", ARTIFACTS / "digest.png"
    page.write_text(markup, encoding="utf-8")
    png.unlink(missing_ok=True)

    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={png}",
            f"--window-size={WIDTH},{HEIGHT}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )

    data = png.read_bytes()
    # A blank page compresses to a few hundred bytes; a drawn digest is far larger.
    assert len(data) > 10_000
    assert png_size(data) == (WIDTH, HEIGHT)
