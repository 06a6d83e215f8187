"""The labelled set of real-client minutes mails (tests/data/minutes_mail) is read as labelled.

The figures are printed in the run's "corpus accuracy" summary; the thresholds are the issue's:
F1 at least 0.95 overall and 0.90 in every style, no item from a negative, and every line a
person would see as an unresolved action listed in the scribe's receipt.
"""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.minutes_mail_accuracy import DATA, labelled, score

STYLES = {"syntax", "headings", "table", "zh_sentence", "en_free", "negative"}


def test_the_set_is_big_varied_and_mostly_chinese() -> None:
    labels = [label for _source, label in labelled(DATA)]
    assert len(labels) >= 100
    assert {label["style"] for label in labels} == STYLES
    assert sum(label["language"] != "en" for label in labels) >= len(labels) * 2 / 3
    assert {label["language"] for label in labels} == {"zh_CN", "zh_TW", "en"}
    assert sum(label["style"] == "negative" for label in labels) >= 10
    attachments = [s for s, _ in labelled(DATA) if b"filename" in s.read_bytes()]
    assert len(attachments) >= 5, "xlsx and csv attachments are in the set"


def test_items_are_read_as_labelled(accuracy_report: Callable[[str], None]) -> None:
    report = score()
    for style, counts in sorted(report.by_style.items()):
        accuracy_report(
            f"minutes {style:<12} P {counts.precision:6.1%}  R {counts.recall:6.1%}  "
            f"F1 {counts.f1:.3f}"
        )
    overall = report.overall
    accuracy_report(f"minutes overall      F1 {overall.f1:.3f} (target 0.95, each style 0.90)")
    assert overall.f1 >= 0.95, report.misses
    for style, counts in report.by_style.items():
        if style != "negative":
            assert counts.f1 >= 0.90, (style, [m for m in report.misses])
    assert report.negative_items == 0
    assert report.unresolved_listed == report.unresolved_total, [
        m for m in report.misses if "NOT LISTED" in m
    ]
