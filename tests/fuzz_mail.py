"""Mutated real mail for the inbound fuzz test and benchmark: what broken and hostile senders send.

Each message of the shared corpus (bounces, auto-replies, replies from many clients, calendar
data) is mutated the ways that once stopped the inbox or could: NUL bytes and control characters
in headers and bodies, malformed and UTF-7 encoded words (lone surrogates), very long headers and
addresses, an empty or doubled From, truncation mid-header or mid-part, random byte flips,
duplicated boundaries, a Message-ID with garbage. Deterministic for a seed.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
NOT_MAIL = {"LICENSE", "SOURCE.txt", "EXPECTED.tsv", "EXPECTED.txt", "COPYING.LESSER", "README.md"}
_HEADER_END = re.compile(rb"\r?\n\r?\n")


def corpus_mails(limit_bytes: int = 200_000) -> list[bytes]:
    if not CORPUS.is_dir():
        return []
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name not in NOT_MAIL)
    return [raw for raw in (p.read_bytes() for p in files) if 0 < len(raw) <= limit_bytes]


def _split(raw: bytes) -> tuple[bytes, bytes]:
    match = _HEADER_END.search(raw)
    if match is None:
        return raw, b""
    return raw[: match.start()], raw[match.end() :]


def _join(head: bytes, body: bytes) -> bytes:
    return head + b"\r\n\r\n" + body


def _replace_header(raw: bytes, name: bytes, value: bytes) -> bytes:
    head, body = _split(raw)
    pattern = re.compile(rb"^" + name + rb":[^\r\n]*(\r?\n[ \t][^\r\n]*)*", re.I | re.M)
    if pattern.search(head):
        head = pattern.sub(lambda _: name + b": " + value, head, count=1)
    else:
        head = name + b": " + value + b"\r\n" + head
    return _join(head, body)


def _nul_everywhere(rng: random.Random, raw: bytes) -> bytes:
    head, body = _split(raw)
    spots = sorted(rng.sample(range(len(head) + 1), k=min(4, len(head) + 1)))
    for at in reversed(spots):
        head = head[:at] + b"\x00" + head[at:]
    return _join(head, body.replace(b" ", b" \x00", 3))


def _surrogate_subject(rng: random.Random, raw: bytes) -> bytes:
    word = rng.choice([b"=?utf-7?q?+2AA-?=", b"=?utf-7?b?K2RnQS0=?=", b"=?utf-8?q?=ED=A0=80?="])
    return _replace_header(raw, b"Subject", word + b" MF-0001 DONE " + word)


def _long_from(rng: random.Random, raw: bytes) -> bytes:
    return _replace_header(raw, b"From", b"x" * rng.randint(300, 5000) + b"@example.com")


def _empty_from(rng: random.Random, raw: bytes) -> bytes:
    return _replace_header(raw, b"From", rng.choice([b"", b"<>", b"undisclosed", b"@", b"a@b@c"]))


def _huge_header(rng: random.Random, raw: bytes) -> bytes:
    name = rng.choice([b"Subject", b"References", b"X-Junk", b"Authentication-Results"])
    filler = b"A" * rng.randint(10_000, 200_000)
    return _replace_header(raw, name, filler)


def _control_chars(rng: random.Random, raw: bytes) -> bytes:
    junk = bytes(rng.choice([1, 7, 8, 11, 12, 27, 127, 0x85, 0x9B]) for _ in range(8))
    return _replace_header(raw, b"Message-ID", b"<" + junk + b"@x>")


def _truncate(rng: random.Random, raw: bytes) -> bytes:
    return raw[: rng.randint(1, max(1, len(raw) - 1))]


def _flip_bytes(rng: random.Random, raw: bytes) -> bytes:
    data = bytearray(raw)
    for _ in range(max(1, len(data) // 200)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def _bad_encoded_words(rng: random.Random, raw: bytes) -> bytes:
    word = rng.choice(
        [b"=?x-unknown?q?abc?=", b"=?utf-8?b?####?=", b"=?gb2312?b?\xff\xfe?=", b"=?utf-8?q?=?="]
    )
    raw = _replace_header(raw, b"From", word + b" <" + word + b"@example.com>")
    return _replace_header(raw, b"Subject", word * rng.randint(1, 50))


def _boundaries(rng: random.Random, raw: bytes) -> bytes:
    head, body = _split(raw)
    head = re.sub(rb'boundary="?([^";\r\n]+)"?', b'boundary=""', head, count=1, flags=re.I)
    return _join(head, body + b"\r\n--\r\n--\r\n" * rng.randint(1, 5))


MUTATIONS: tuple[Callable[[random.Random, bytes], bytes], ...] = (
    _nul_everywhere,
    _surrogate_subject,
    _long_from,
    _empty_from,
    _huge_header,
    _control_chars,
    _truncate,
    _flip_bytes,
    _bad_encoded_words,
    _boundaries,
)


def mutated(mails: list[bytes], count: int, seed: int = 15) -> Iterator[bytes]:
    """``count`` mutated mails from ``mails``: one to three mutations each, round-robin sources."""
    rng = random.Random(seed)
    for n in range(count):
        raw = mails[n % len(mails)]
        if rng.random() < 0.8:  # most are new mail; the rest repeat a Message-ID (dedupe)
            raw = _replace_header(raw, b"Message-ID", f"<fuzz-{seed}-{n}@example.test>".encode())
        for mutate in rng.sample(MUTATIONS, k=rng.randint(1, 3)):
            raw = mutate(rng, raw) or b"x"
        yield raw
