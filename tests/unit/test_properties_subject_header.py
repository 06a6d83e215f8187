"""Properties of mailflow's own Subject encoder: any text reads back exactly, in short lines.

``test_subject_header.py`` sends 10,000 subjects of a fixed alphabet through the SMTP adapter.
Here the encoder itself is taken apart: the encoded words are whole characters, as many as fit,
in order; whitespace inside the text survives (runs of it become one space, as the module says)
wherever it falls, a chunk's edge included; words far longer than a line are cut; the standard
library reads the header back both ways (``decode_header`` and a whole message parsed with
``email.policy.default``); and only the message's own Subject is rewritten.
"""

from __future__ import annotations

import base64
import email
import re
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage

from hypothesis import example, given, settings
from hypothesis import strategies as st

from mailflow.adapters.smtp import wire
from mailflow.adapters.subject_header import MAX_LINE, encoded_words, rewrite_subject, subject_lines
from mailflow.mailpolicy import POLICY

_CHUNK_BYTES = 39  # the module's promise: at most 39 UTF-8 bytes of text in one encoded word
_WORD = re.compile(r"=\?utf-8\?b\?([A-Za-z0-9+/=]*)\?=")

# Mixed text as people write subjects: ASCII words and punctuation, Chinese, Japanese, Korean,
# full-width forms, accented Latin, emoji (four UTF-8 bytes), and every kind of space.
PIECES = st.one_of(
    st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=12),
    st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=12),
    st.text(st.sampled_from("（）：，。、“”【】《》ー・「」"), min_size=1, max_size=3),
    st.text(st.characters(min_codepoint=0x3040, max_codepoint=0x30FF), min_size=1, max_size=6),
    st.text(st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3), min_size=1, max_size=6),
    st.text(st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E), min_size=1, max_size=4),
    st.text(st.sampled_from("éßøçñüÅ"), min_size=1, max_size=4),
    st.text(st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF), min_size=1, max_size=3),
    st.sampled_from([" ", "  ", "\t", "\u3000", " \u3000 ", "\xa0"]),
)
TEXTS = st.lists(PIECES, min_size=1, max_size=40).map("".join)


def normalised(text: str) -> str:
    return " ".join(text.split())


def header_lines(text: str) -> list[str]:
    lines = subject_lines(text)
    assert lines is not None
    return lines.split("\r\n")


def message(header: str) -> bytes:
    body = "Subject: a line in the body is not a header\r\n"
    return f"From: bot@example.com\r\nTo: bob@example.com\r\n{header}\r\n\r\n{body}".encode()


def payloads(lines: list[str]) -> list[bytes]:
    return [base64.b64decode(word) for line in lines for word in _WORD.findall(line)]


# 13 three-byte characters fill a word exactly: the space after them starts the next one.
@example("会" * 13 + " review 评审")
@example("中" * 12 + "é" + " x")  # 38 bytes, then a space that still fits
@example("https://example.com/" + "a" * 300 + " 链接")  # one word far longer than a line
@example("😀" * 30)
@settings(deadline=None, max_examples=300)
@given(TEXTS)
def test_the_encoded_words_are_the_text_in_whole_characters_as_many_as_fit(text: str) -> None:
    expected = normalised(text)
    if expected.isascii():
        assert subject_lines(text) is None  # the standard folding handles ASCII
        return
    lines = header_lines(text)
    assert lines[0].startswith("Subject: =?utf-8?b?")
    assert all(len(line) <= MAX_LINE for line in lines)
    # One encoded word a line, each continuation line folded with one space.
    assert all(line.startswith(" =?utf-8?b?") for line in lines[1:])
    assert [len(_WORD.findall(line)) for line in lines] == [1] * len(lines)
    chunks = payloads(lines)
    words = [chunk.decode("utf-8") for chunk in chunks]  # strict: no character is split
    assert "".join(words) == expected
    assert all(0 < len(chunk) <= _CHUNK_BYTES for chunk in chunks)
    # Greedy: a word ends only where the next character would not fit.
    for chunk, following in zip(chunks, words[1:], strict=False):
        assert len(chunk) + len(following[0].encode("utf-8")) > _CHUNK_BYTES
    assert encoded_words(expected) == [line.removeprefix("Subject:").strip() for line in lines]


@settings(deadline=None, max_examples=300)
@given(TEXTS)
def test_the_standard_library_reads_the_header_back(text: str) -> None:
    expected = normalised(text)
    lines = subject_lines(text)
    if lines is None:
        return
    # Unfolded and decoded word by word, as an old-style reader does.
    value = lines.removeprefix("Subject:").replace("\r\n", "")
    assert str(make_header(decode_header(value))) == expected
    # Parsed as part of a whole message by the modern parser.
    parsed = email.message_from_bytes(message(lines), policy=policy.default)
    assert str(parsed["Subject"]) == expected


@settings(deadline=None, max_examples=150)
@given(TEXTS)
def test_only_the_messages_own_subject_is_rewritten(text: str) -> None:
    msg = EmailMessage(policy=POLICY)
    msg["From"], msg["To"] = "bot@example.com", "bob@example.com"
    msg["Subject"] = "placeholder 占位 " * 8  # long enough to be folded over lines
    msg.set_content("Subject: 正文里的一行\nnot a header\n")
    data = wire(msg, sender="bot@example.com", recipients=["bob@example.com"]).data
    head, _, body = data.partition(b"\r\n\r\n")
    rewritten = rewrite_subject(data, text)
    new_head, _, new_body = rewritten.partition(b"\r\n\r\n")
    assert new_body == body
    parsed = email.message_from_bytes(rewritten, policy=policy.default)
    subjects = parsed.get_all("Subject") or []
    if normalised(text).isascii():
        assert rewritten == data  # left to the standard folding
        return
    assert [str(subject) for subject in subjects] == [normalised(text)]
    assert all(len(line) <= MAX_LINE for line in new_head.split(b"\r\n"))
    # The other header lines are untouched, in their order.
    others = [line for line in head.split(b"\r\n") if not line.startswith((b"Subject:", b" "))]
    assert [
        line for line in new_head.split(b"\r\n") if not line.startswith((b"Subject:", b" "))
    ] == others
