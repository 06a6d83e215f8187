"""What recipients see, drawn and measured by headless Chromium.

The same code as ``scripts/screenshots`` (``tests/screenshots.py``), writing to ``artifacts/``
(kept for a person to look at) instead of ``docs/``:

- the README's pictures, redrawn from the demo's own mails (skipped without Dovecot too);
- every HTML mail kind in en, zh_CN and zh_TW at a phone's 390 px and a desktop's 1280 px,
  measured in the browser: no sideways scrolling, no text under 14 px, every text at 4.5:1
  contrast or more against the background it is drawn on.

Skipped only without a ``chromium`` binary.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mailflow.dev.devstack import APT_HINT, find_dovecot
from tests.screenshots import (
    LOCALES,
    MIN_CONTRAST,
    MIN_FONT_PX,
    SHOTS,
    WIDTH,
    WIDTHS,
    catalogue,
    check_layout,
    find_chromium,
    png_size,
    report,
    take_all,
)

pytestmark = pytest.mark.integration

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def chromium_or_skip() -> str:
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("no chromium binary to draw the mails: apt-get install chromium")
    return chromium


def test_the_readme_pictures_are_drawn_from_the_demo(tmp_path: Path) -> None:
    chromium = chromium_or_skip()
    if find_dovecot() is None:
        pytest.skip(f"dovecot is not installed: {APT_HINT}")

    taken = take_all(chromium, ARTIFACTS, tmp_path)

    assert sorted(taken) == sorted(SHOTS)
    for name, png in taken.items():
        data = png.read_bytes()
        assert png_size(data) == (WIDTH, SHOTS[name][2]), name
        # A blank page compresses to a few kilobytes; a drawn mail is far larger, and a picture
        # for the README stays small enough to keep in the repository.
        assert 20_000 < len(data) < 300_000, (name, len(data))


def test_every_mail_fits_a_phone_and_a_desktop_and_is_legible(tmp_path: Path) -> None:
    chromium = chromium_or_skip()
    out = ARTIFACTS / "layout"

    measured = check_layout(chromium, out, tmp_path)
    (out / "report.md").write_text(report(measured), encoding="utf-8")

    kinds = sorted(catalogue("en"))
    assert sorted({(m.kind, m.locale, m.width) for m in measured}) == sorted(
        (kind, locale, width) for kind in kinds for locale in LOCALES for width in WIDTHS
    )
    for m in measured:
        # document.documentElement.scrollWidth within the viewport: nothing scrolls sideways.
        assert m.scroll_width <= m.width, (m.name, m.scroll_width)
        assert m.min_font >= MIN_FONT_PX, (m.name, m.min_font, m.min_font_text)
        assert m.min_contrast >= MIN_CONTRAST, (m.name, m.min_contrast, m.min_contrast_text)
        assert m.problems == (), (m.name, m.problems)
        # The whole page, as wide as the window and as tall as the mail.
        assert png_size(m.png.read_bytes()) == (m.width, m.height), m.name
