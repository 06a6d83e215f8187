"""Measure how well mailflow finds the new text of a reply: accuracy per corpus folder, and speed.

Run from the repository: ``.venv/bin/python benchmarks/reply_accuracy.py [--corpus DIR]``. It
prints a table and writes ``benchmarks/results/reply_accuracy.json``. Accuracy is a
whitespace-normalised exact match against each folder's ground truth (see the corpus README);
the deliberate rule differences are explained in ``tests/unit/test_reply_text.py``. The corpora
keep a letter's closing ("Thanks,\nAlex") in their ground truth, so they are trimmed with
``keep_sign_off=True``; the long-tail sets of ``tests/data/replies`` (labelled) and
``tests/data/replies_holdout`` (written after the rules) are read as the inbound path reads a
mail, with :func:`new_text`.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from functools import partial
from pathlib import Path

from mailflow.inbound.reading.mailtext import decode_bytes
from mailflow.inbound.understanding.replies.reply_text import (
    html_reply_text,
    new_text,
    reply_body,
    strip_quotes,
)
from mailflow.inbound.understanding.replies.reply_trim import trim_reply

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
LONG_TAIL = {
    "replies long tail (labelled)": ROOT / "tests" / "data" / "replies",
    "replies long tail (held out)": ROOT / "tests" / "data" / "replies_holdout",
}
RESULTS = ROOT / "benchmarks" / "results" / "reply_accuracy.json"
DISCOURSE = {
    "html_only.eml": "The EC2 instance - I've seen that there tends to be odd and unrecommended "
    "settings on the Bitnami installs that I've checked out.",
    "exchange_html_reply.eml": "This is the body !! of the email.",
    "big5.eml": "媽！我上電視了！",
    "chinese_reply.eml": "您好！ 你今天好吗？",
}
TALON_HTML = {"OLK_SRC_BODY_SECTION.html": "Reply", "reply-separated-by-hr.html": "Hi there"}

Case = tuple[str, Callable[[], str], str]  # name, how to get our text, the expected text


def _norm(text: str) -> str:
    return " ".join(text.split())


def _message(path: Path) -> Message:
    # Two Discourse fixtures start with an empty line, which would turn every header into body.
    return email.message_from_bytes(path.read_bytes().lstrip(), policy=email.policy.default)


def _trimmed_text(path: Path) -> str:
    return trim_reply(decode_bytes(path.read_bytes()), keep_sign_off=True)


def _quote_free_body(path: Path) -> str:
    return strip_quotes(reply_body(_message(path)))


def _trimmed_html(path: Path) -> str:
    return trim_reply(html_reply_text(decode_bytes(path.read_bytes())), keep_sign_off=True)


def _new_text(path: Path) -> str:
    return new_text(_message(path))


def _trimmer(corpus: Path) -> list[Case]:
    folder = corpus / "replies-trimmer" / "test"
    return [
        (
            path.name,
            partial(_trimmed_text, path),
            decode_bytes((folder / "trimmed" / path.name).read_bytes()),
        )
        for path in sorted((folder / "emails").glob("*.txt"))
    ]


def _talon_standard(corpus: Path) -> list[Case]:
    folder = corpus / "replies-talon" / "tests" / "fixtures" / "standard_replies"
    cases: list[Case] = []
    for path in sorted(folder.glob("*.eml")):
        truth = path.with_name(f"{path.stem}_reply_text")
        expected = truth.read_text(encoding="utf-8") if truth.exists() else "Hello"
        cases.append((path.name, partial(_quote_free_body, path), expected))
    return cases


def _talon_html(corpus: Path) -> list[Case]:
    folder = corpus / "replies-talon" / "tests" / "fixtures"
    paths = [*sorted((folder / "html_replies").glob("*.html")), *(folder / n for n in TALON_HTML)]
    return [
        (
            path.name,
            partial(_trimmed_html, path),
            TALON_HTML.get(path.name, "Hi. I am fine.\n\nThanks,\nAlex"),
        )
        for path in paths
    ]


def _discourse(corpus: Path) -> list[Case]:
    folder = corpus / "inbound-discourse" / "spec" / "fixtures" / "emails"
    return [
        (name, partial(_new_text, folder / name), expected) for name, expected in DISCOURSE.items()
    ]


def _long_tail(folder: Path) -> list[Case]:
    """The ``ID.eml`` / ``ID.txt`` pairs of a long-tail folder (see its README)."""
    return [
        (path.stem, partial(_new_text, path), path.with_suffix(".txt").read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*.eml"))
    ]


@dataclass(frozen=True)
class Score:
    """How many cases of one folder match their ground truth, and which do not."""

    hits: int
    total: int
    misses: list[str]

    @property
    def accuracy(self) -> float:
        """The share of cases that match."""
        return self.hits / self.total if self.total else 0.0


def _accuracy(cases: list[Case]) -> Score:
    misses = [name for name, ours, expected in cases if _norm(ours()) != _norm(expected)]
    return Score(len(cases) - len(misses), len(cases), misses)


def _rate(work: Callable[[], object], count: int, seconds: float = 1.0) -> float:
    """Items per second: ``work`` handles ``count`` items and is repeated for about ``seconds``."""
    rounds, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds or rounds == 0:
        work()
        rounds += 1
    return rounds * count / elapsed


def _speed(corpus: Path) -> dict[str, float]:
    texts = [decode_bytes(p.read_bytes()) for p in (corpus / "replies-trimmer").rglob("emails/*")]
    messages = [_message(p) for p in sorted(corpus.rglob("*.eml"))]
    raw = [p.read_bytes().lstrip() for p in sorted(corpus.rglob("*.eml"))]
    long_tail = [_message(p) for folder in LONG_TAIL.values() for p in sorted(folder.glob("*.eml"))]
    return {
        "trim_reply_texts_per_s": _rate(lambda: [trim_reply(t) for t in texts], len(texts)),
        "new_text_messages_per_s": _rate(lambda: [new_text(m) for m in messages], len(messages)),
        "parse_and_new_text_messages_per_s": _rate(
            lambda: [
                new_text(email.message_from_bytes(r, policy=email.policy.default)) for r in raw
            ],
            len(raw),
        ),
        "messages_timed": len(messages),
        "long_tail_messages_per_s": _rate(
            lambda: [new_text(m) for m in long_tail], len(long_tail) or 1
        ),
    }


def main() -> None:
    """Print the accuracy table and the speed, and save both as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    corpus: Path = parser.parse_args().corpus
    if not corpus.is_dir():
        raise SystemExit(f"no corpus at {corpus}")
    folders = {
        "replies-trimmer": _accuracy(_trimmer(corpus)),
        "replies-talon standard (quotes)": _accuracy(_talon_standard(corpus)),
        "replies-talon html": _accuracy(_talon_html(corpus)),
        "inbound-discourse replies": _accuracy(_discourse(corpus)),
        **{name: _accuracy(_long_tail(folder)) for name, folder in LONG_TAIL.items()},
    }
    speed = _speed(corpus)
    print(f"{'folder':34} {'hits':>9} {'accuracy':>9}  misses")
    for name, score in folders.items():
        hits = f"{score.hits}/{score.total}"
        print(f"{name:34} {hits:>9} {score.accuracy:>9.1%}  {', '.join(score.misses)}")
    print()
    for name, value in speed.items():
        print(f"{name:40} {value:>10,.0f}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "measured": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "folders": {
            name: {**vars(score), "accuracy": round(score.accuracy, 4)}
            for name, score in folders.items()
        },
        "speed": speed,
    }
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nsaved {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
