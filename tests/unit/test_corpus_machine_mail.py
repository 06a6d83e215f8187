"""Machine-written mail in the real-world corpus: bounces, auto-replies, feedback reports, MDNs.

Each test measures one folder of ``shared/corpus`` (see its README for the targets), reports the
figure (in the "corpus accuracy" summary when ``tests.fixtures.accuracy`` is loaded, else printed
at once) and asserts the target. A miss that is a deliberate difference of rule is listed with its
reason, and the test checks that such a message gets the kind the reason claims: the lists
document decisions, they do not hide failures (any miss not listed fails the test).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mailflow.inbound.reading.addresses import is_address
from mailflow.inbound.reading.mail import InboundMail
from mailflow.inbound.understanding.classify import Classification, classify
from tests.fixtures import accuracy

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(),
    reason=f"the shared mail corpus is not at {CORPUS} (it ships beside the repository)",
)
_NOT_MAIL = {"LICENSE", "SOURCE.txt", "EXPECTED.tsv", "EXPECTED.txt", "COPYING.LESSER", "README.md"}
FLUFL_DATA = "bounces-flufl/flufl/bounce/tests/data"

# sisimai keeps these in its bounce set, but they report no failed delivery.
SISIMAI_NOT_BOUNCES: dict[str, tuple[str, str]] = {
    "lhost-amazonses-11.eml": ("feedback_report", "an SES complaint event, filed as a complaint"),
    "lhost-amazonses-12.eml": ("auto_reply", "an SES delivery event: the message was delivered"),
    "lhost-amazonses-13.eml": ("auto_reply", "an SES delivery event: the message was delivered"),
    "rfc3464-28.eml": ("auto_reply", "a DSN the sender asked for, reporting 'deliverable' 2.1.5"),
    "lhost-fml-02.eml": ("unknown", "fml list software refusing a non-member: left for a person"),
    "lhost-fml-03.eml": ("unknown", "fml list software's loop alert: left for a person"),
}
# Where mailflow reports other addresses than flufl.bounce expects, and why.
FLUFL_DIFFERENT: dict[str, str] = {
    "aol_01.txt": "AOL prints a screen name without a domain; mailflow does not guess the domain",
    "yale_01.txt": "the recipient is printed without a domain, next to example addresses",
    "simple_14.txt": "the address the mail was sent to, not the alias target the diagnostic names",
}

Report = Callable[[str], None]


@pytest.fixture
def report(request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]) -> Report:
    """Record a figure for the run's summary, or print it now when the plugin is not loaded."""

    def emit(line: str) -> None:
        if request.config.pluginmanager.has_plugin(accuracy.__name__):
            accuracy.record(line)
        else:
            with capsys.disabled():
                print(f"\n{line}")

    return emit


def _messages(folder: str) -> Iterator[tuple[Path, Classification]]:
    for path in sorted((CORPUS / folder).rglob("*")):
        if path.is_file() and path.name not in _NOT_MAIL:
            yield path, classify(InboundMail(path.read_bytes()))


def _figure(folder: str, good: int, total: int, target: float, note: str = "") -> str:
    return f"{folder:<28} {good:>4}/{total:<4} {good / total:7.1%}  (target {target:.0%}){note}"


def test_sisimai_bounces_are_bounces_with_a_failed_address(report: Report) -> None:
    misses: dict[str, Classification] = {}
    total = 0
    for path, found in _messages("bounces-sisimai"):
        total += 1
        recipients = found.details.get("recipients", []) if found.kind == "bounce" else []
        if not any(is_address(address) for address in recipients):
            misses[path.name] = found
    good = total - len(misses)
    report(_figure("bounces-sisimai", good, total, 0.98, f", {len(misses)} by rule"))
    assert set(misses) <= set(SISIMAI_NOT_BOUNCES), sorted(set(misses) - set(SISIMAI_NOT_BOUNCES))
    for name, found in misses.items():
        assert found.kind == SISIMAI_NOT_BOUNCES[name][0], (name, found)
    assert good / total >= 0.98


def _flufl_expected() -> dict[str, tuple[set[str], bool]]:
    """File → (expected addresses, only a temporary warning); a file may have several rows."""
    expected: dict[str, tuple[set[str], bool]] = {}
    with (CORPUS / "bounces-flufl" / "EXPECTED.tsv").open(encoding="utf-8") as rows:
        for row in csv.reader((r for r in rows if not r.startswith("#")), delimiter="\t"):
            _, name, addresses, warning = row
            known, _ = expected.get(name, (set(), False))
            known |= {a.lower() for a in addresses.split(",") if a}
            expected[name] = (known, warning == "True")
    return expected


def test_flufl_bounces_name_the_expected_addresses(report: Report) -> None:
    expected = _flufl_expected()
    misses: dict[str, Classification] = {}
    for name, (addresses, warning) in sorted(expected.items()):
        found = classify(InboundMail((CORPUS / FLUFL_DATA / name).read_bytes()))
        assert found.kind == "bounce", (name, found)
        # A temporary warning must never count as a permanent failure, nor the reverse.
        assert found.details["permanent"] is not warning, (name, found)
        if set(found.details["recipients"]) != addresses:
            misses[name] = found
    good = len(expected) - len(misses)
    report(_figure("bounces-flufl", good, len(expected), 0.97, f", {len(misses)} by rule"))
    assert set(misses) <= set(FLUFL_DIFFERENT), sorted(set(misses) - set(FLUFL_DIFFERENT))
    assert good / len(expected) >= 0.97


@pytest.mark.parametrize(
    ("folder", "kind"),
    [("auto-replies-sisimai", "auto_reply"), ("feedback-reports-sisimai", "feedback_report")],
)
def test_machine_folders_get_their_kind(folder: str, kind: str, report: Report) -> None:
    results = list(_messages(folder))
    wrong = [(path.name, found) for path, found in results if found.kind != kind]
    report(_figure(folder, len(results) - len(wrong), len(results), 1.0))
    assert not wrong


def test_not_bounces_are_not_bounces(report: Report) -> None:
    results = {path.name: found for path, found in _messages("not-bounces-sisimai")}
    good = sum(found.kind != "bounce" for found in results.values())
    report(_figure("not-bounces-sisimai", good, len(results), 1.0))
    assert good == len(results), results
    # A mailbox filter's "your mail was rejected" notice, marked Auto-Submitted: auto-replied.
    assert results["rb-issue-368-bug.eml"].kind == "auto_reply"


def _not_bounce_folders() -> Iterator[tuple[str, Path, Classification]]:
    for folder in ("auto-replies-sisimai", "feedback-reports-sisimai", "not-bounces-sisimai"):
        for path, found in _messages(folder):
            yield folder, path, found
    for folder in ("inbound-discourse", "replies-talon", "replies-trimmer", "itip-nylas"):
        for path, found in _messages(folder):
            if "bounce" not in path.name:
                yield folder, path, found
    for path, found in _messages("mime-flanker"):
        if "bounce" not in path.parts:
            yield "mime-flanker", path, found


def test_no_false_bounces(report: Report) -> None:
    results = list(_not_bounce_folders())
    false = [str(path.relative_to(CORPUS)) for _, path, found in results if found.kind == "bounce"]
    report(f"{'false bounces, other folders':<28} {len(false):>4} of {len(results)}  (target 0)")
    assert not false


def test_machine_mail_is_never_a_human_reply() -> None:
    folders = ["bounces-sisimai", "auto-replies-sisimai", "feedback-reports-sisimai"]
    for folder in folders:
        for path, found in _messages(folder):
            allowed = SISIMAI_NOT_BOUNCES.get(path.name, ("", ""))[0] == "unknown"
            assert found.machine_generated or allowed, (path.name, found)


def test_other_folders_machine_mail() -> None:
    emails = CORPUS / "inbound-discourse" / "spec" / "fixtures" / "emails"
    for name in ("bounced_email.eml", "hard_bounce_via_verp.eml"):
        found = classify(InboundMail((emails / name).read_bytes()))
        assert found.kind == "bounce", found
        assert found.details["recipients"] == ["linux-admin@b-s-c.co.jp"]
        assert found.details["status"] == "5.1.1"
    for name in ("auto_reply.eml", "auto_generated_subject.eml"):
        assert classify(InboundMail((emails / name).read_bytes())).kind == "auto_reply"
    flanker = CORPUS / "mime-flanker" / "tests" / "fixtures" / "messages"
    receipt = classify(InboundMail((flanker / "disposition-notification.eml").read_bytes()))
    assert receipt.kind == "read_receipt"
    assert receipt.details["original_message_id"] == "<199509192301.23456@example.org>"
    for path in sorted((flanker / "complaints").glob("*.eml")):
        assert classify(InboundMail(path.read_bytes())).kind == "feedback_report", path.name
    for path in sorted((flanker / "bounce").glob("*.eml")):
        found = classify(InboundMail(path.read_bytes()))
        assert found.kind == "bounce", path.name
        assert all(is_address(a) for a in found.details["recipients"]), (path.name, found)
    delayed = classify(InboundMail((flanker / "bounce" / "no-mx.eml").read_bytes()))
    assert delayed.details["permanent"] is False
