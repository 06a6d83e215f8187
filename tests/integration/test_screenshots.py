"""The README's pictures are redrawn from the demo's own mails by headless Chromium.

The same code as ``scripts/screenshots`` (``tests/screenshots.py``), writing to ``artifacts/``
(kept for a person to look at) instead of ``docs/images/``. Skipped only without a ``chromium``
binary (or without Dovecot, which the demo needs).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mailflow.devstack import APT_HINT, find_dovecot
from tests.screenshots import SHOTS, WIDTH, find_chromium, png_size, take_all

pytestmark = pytest.mark.integration

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def test_the_readme_pictures_are_drawn_from_the_demo(tmp_path: Path) -> None:
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("no chromium binary to draw the mails: apt-get install chromium")
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
