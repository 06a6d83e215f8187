"""Every board page in headless Chromium at a phone's 390 px and a desktop's 1280 px, zh and en:
no sideways scrolling, the stylesheet applied, no request the CSP had to block.

The board runs in a real uvicorn server the fixture starts on a free loopback port, over a
seeded SQLite tracker (the pages' content is checked on both databases by test_web_board.py).
Chromium is Debian's (``scripts/bootstrap --test``), driven by the ``playwright`` package.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import make_url

from mailflow.clock import SteppingClock
from mailflow.domain.board_links import sign_link
from mailflow.tracker.board_repo import read_only_sessions
from mailflow.tracker.db import make_engine, make_session_factory, upgrade
from mailflow.web.app import create_app
from tests.web.conftest import ALICE, NOW, SECRET, Seeded, seed, web_config

pytestmark = pytest.mark.integration
CHROMIUM = "/usr/bin/chromium"
# Kept for a person to look at, like the mails' pictures (tests/integration/test_screenshots.py).
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
WIDTHS = (390, 1280)
LANGS = ("zh_CN", "en")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Seeded]]:
    folder: Path = tmp_path_factory.mktemp("web")
    url = make_url(f"sqlite:///{folder / 'tracker.db'}")
    upgrade(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    seeded = seed(sessions, items=60)
    app = create_app(
        web_config(rate=10_000), read_only_sessions(engine), secret=SECRET, clock=SteppingClock(NOW)
    )
    port = _free_port()
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", seeded
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
        engine.dispose()


def _name(path: str) -> str:
    return path.strip("/").split("/")[0] or "home"


def test_every_page_fits_the_phone_and_the_desktop(server: tuple[str, Seeded]) -> None:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.skip("no chromium binary: scripts/bootstrap --test (apt-get install chromium)")
    from playwright.sync_api import ConsoleMessage, sync_playwright

    base, seeded = server
    token = sign_link(SECRET, ALICE, "board", NOW)
    paths = [
        "/",
        f"/project/{seeded.main}",
        f"/meeting/{seeded.main_meeting}",
        f"/item/{seeded.main_item}",
    ]
    problems: list[str] = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            for width in WIDTHS:
                page = browser.new_page(viewport={"width": width, "height": 900})
                messages: list[ConsoleMessage] = []

                def keep(
                    message: ConsoleMessage, messages: list[ConsoleMessage] = messages
                ) -> None:
                    messages.append(message)

                page.on("console", keep)
                for lang in LANGS:
                    for path in paths:
                        response = page.goto(f"{base}/b/{token}{path}?lang={lang}")
                        assert response is not None and response.status == 200, path
                        scroll = page.evaluate("document.scrollingElement.scrollWidth")
                        page.screenshot(path=ARTIFACTS / f"web-{_name(path)}-{lang}-{width}.png")
                        if scroll > width:
                            problems.append(f"{path} {lang} at {width}px: {scroll}px wide")
                        # The stylesheet is applied: the header bar is coloured.
                        colour = page.evaluate(
                            "getComputedStyle(document.querySelector('.top')).backgroundColor"
                        )
                        assert colour == "rgb(31, 78, 121)", (path, colour)
                blocked = [m.text for m in messages if "Content Security Policy" in m.text]
                assert not blocked, blocked
                page.close()
        finally:
            browser.close()
    assert not problems, problems
