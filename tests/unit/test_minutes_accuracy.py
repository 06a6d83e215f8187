"""The labelled minutes set (tests/data/minutes) parses exactly as labelled, field by field."""

from __future__ import annotations

from benchmarks.minutes_accuracy import documents, score


def test_the_labelled_set_is_big_enough() -> None:
    sources = [source for source, _ in documents()]
    assert len(sources) >= 12
    assert {source.suffix for source in sources} == {".txt", ".html"}


def test_every_field_is_right_on_the_labelled_set() -> None:
    report = score()
    assert report["misses"] == []
    assert report["documents_exact"] == report["documents"]
    assert all(row["accuracy"] == 1.0 for row in report["fields"].values())
