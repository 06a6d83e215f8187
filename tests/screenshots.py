"""Pictures of what recipients see: the demo's HTML mails drawn by headless Chromium.

``scripts/screenshots`` writes them to ``docs/images/`` for the README; the suite's
``tests/integration/test_screenshots.py`` writes the same pictures to ``artifacts/``. The mails come
from ``mailflow demo`` (English and Chinese runs), so the pictures show exactly what it sends.

Usage: ``python -m tests.screenshots [OUT_DIR]`` (default ``docs/images``).
"""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import sys
import tempfile
from email import message_from_bytes, policy
from pathlib import Path

from rich.console import Console

from mailflow.demo import run_demo

ROOT = Path(__file__).resolve().parents[1]
WIDTH = 900
# Picture name → (language of the demo's request, the mail's file name after its number, the
# window height that fits the whole mail without a long empty margin below it).
SHOTS = {
    "notice_en": ("en", "carol-notice", 800),
    "notice_zh": ("zh", "bob-notice", 800),
    "minutes_zh": ("zh", "bob-official-minutes", 950),
    "digest_en": ("en", "exec-digest", 1650),
}
# No network, no first-run chores, no GPU: the page is a local file and the run is unattended.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def find_chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def html_of(eml: Path) -> str:
    msg = message_from_bytes(eml.read_bytes(), policy=policy.default)
    body = msg.get_body(("html",))  # type: ignore[attr-defined]
    if body is None:
        raise ValueError(f"{eml.name} has no HTML part")
    return str(body.get_content())


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk, which always follows the signature."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def screenshot(chromium: str, page: Path, png: Path, profile: Path, height: int) -> None:
    png.unlink(missing_ok=True)
    subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--screenshot={png}",
            f"--window-size={WIDTH},{height}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


def take_all(chromium: str, out: Path, work: Path) -> dict[str, Path]:
    """Play the demo in each language needed, then draw each picture into ``out``."""
    quiet = Console(file=io.StringIO())
    mails = {lang: work / f"demo-{lang}" for lang in sorted({shot[0] for shot in SHOTS.values()})}
    for lang, folder in mails.items():
        run_demo(folder, lang=lang, console=quiet)
    out.mkdir(parents=True, exist_ok=True)
    taken = {}
    for name, (lang, stem, height) in SHOTS.items():
        # The newest such mail, should the story ever send two (a corrected notice, say).
        [eml] = sorted(mails[lang].glob(f"[0-9][0-9]-{stem}.eml"))[-1:]
        page = work / f"{name}.html"
        page.write_text(html_of(eml), encoding="utf-8")
        screenshot(chromium, page, out / f"{name}.png", work / "profile", height)
        taken[name] = out / f"{name}.png"
    return taken


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "docs" / "images"
    chromium = find_chromium()
    if chromium is None:
        print("no chromium: apt-get install chromium fonts-wqy-zenhei", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="mailflow-shots-") as work:
        for name, png in take_all(chromium, out, Path(work)).items():
            print(f"{name}: {png} ({png.stat().st_size // 1024} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
