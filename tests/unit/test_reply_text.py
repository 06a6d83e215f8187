"""The new text of a reply: only what the person wrote survives, on real mail and by table.

The corpus tests print their accuracy per folder (``pytest -q`` shows it), assert the target, and
list every remaining miss that is a deliberate difference of rule, with its reason. The table
tests pin the rule mailflow chose where the corpora disagree or say nothing (see reply_quotes).

The corpora's ground truth keeps a letter's closing and the name under it ("Thanks,\nAlex":
Discourse shows them in the post, talon leaves them to its separate signature stage), mailflow
drops them (reply_signoff): the corpora are scored with ``keep_sign_off=True``, and
:func:`test_corpus_outputs_differ_only_by_their_closings` checks that dropping them removes
nothing but those closings.
"""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailflow.inbound.reading.mailtext import decode_bytes
from mailflow.inbound.understanding.replies.reply_text import (
    html_reply_text,
    new_text,
    reply_body,
    strip_quotes,
    trim_reply,
    unflow,
)

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(),
    reason=f"the shared mail corpus is not at {CORPUS} (not shipped with mailflow)",
)

# replies-trimmer: deliberate rule differences with the Discourse trimmer's ground truth.
TRIMMER_ALLOWED_MISSES = {
    "quote_only.txt": "a mail that is only a '>' quote has no new text; the trimmer keeps it",
    "quote_and_text.txt": "a '>' quote is old text even without an attribution; trimmer keeps it",
    "embedded_email_16.txt": "a leading '>' quote of an older post is dropped; trimmer keeps it",
    "embedded_email_7.txt": "every '>' line is dropped, also one under 'On … wrote:' that the "
    "trimmer keeps",
    "embedded_email_17.txt": "nothing above 'On … wrote:' and an unmarked quote below is an empty "
    "reply (Outlook mobile quotes so: reading it would run our own mail's commands)",
    "embedded_email_18.txt": "same rule as embedded_email_17: an attribution first, unmarked text",
}
# replies-talon HTML fixtures: deliberate rule differences with talon's ground truth.
TALON_HTML_ALLOWED_MISSES = {
    "reply-separated-by-hr.html": "talon also drops 'Bob', the sign-off above the <hr>; we keep "
    "every line written above the quoted header",
}
TALON_HTML_EXPECTED = {
    "OLK_SRC_BODY_SECTION.html": "Reply",
    "reply-separated-by-hr.html": "Hi there",
}
DISCOURSE_EXPECTED = {
    "html_only.eml": "The EC2 instance - I've seen that there tends to be odd and unrecommended "
    "settings on the Bitnami installs that I've checked out.",
    "exchange_html_reply.eml": "This is the body !! of the email.",
    "big5.eml": "媽！我上電視了！",
    "chinese_reply.eml": "您好！ 你今天好吗？",
}


def _norm(text: str) -> str:
    return " ".join(text.split())


def _message(data: bytes) -> EmailMessage:
    # Two Discourse fixtures start with an empty line, which would turn every header into body.
    message = email.message_from_bytes(data.lstrip(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _score(
    capsys: pytest.CaptureFixture[str],
    folder: str,
    results: dict[str, bool],
    allowed: dict[str, str],
    target: float,
) -> None:
    hits = sum(results.values())
    accuracy = hits / len(results)
    with capsys.disabled():
        print(
            f"\n[reply accuracy] {folder}: {hits}/{len(results)} = {accuracy:.1%}"
            f" (target {target:.0%})"
        )
    misses = {name for name, ok in results.items() if not ok}
    assert misses - allowed.keys() == set(), "misses that no rule explains"
    assert allowed.keys() - misses == set(), (
        "allowed misses that now match: drop them from the list"
    )
    assert accuracy >= target


@needs_corpus
def test_replies_trimmer(capsys: pytest.CaptureFixture[str]) -> None:
    folder = CORPUS / "replies-trimmer" / "test"
    results = {}
    for path in sorted((folder / "emails").glob("*.txt")):
        expected = decode_bytes((folder / "trimmed" / path.name).read_bytes())
        got = trim_reply(decode_bytes(path.read_bytes()), keep_sign_off=True)
        results[path.name] = _norm(got) == _norm(expected)
    assert len(results) == 64
    _score(capsys, "replies-trimmer", results, TRIMMER_ALLOWED_MISSES, 0.90)


@needs_corpus
def test_replies_talon_standard(capsys: pytest.CaptureFixture[str]) -> None:
    # Talon's ground truth is the reply without its quote; the signature is a separate stage.
    folder = CORPUS / "replies-talon" / "tests" / "fixtures" / "standard_replies"
    results = {}
    for path in sorted(folder.glob("*.eml")):
        truth = path.with_name(f"{path.stem}_reply_text")
        expected = truth.read_text(encoding="utf-8") if truth.exists() else "Hello"
        got = strip_quotes(reply_body(_message(path.read_bytes())))
        results[path.name] = _norm(got) == _norm(expected)
    assert len(results) == 12
    _score(capsys, "replies-talon standard", results, {}, 1.0)


@needs_corpus
@pytest.mark.parametrize("name", ["iphone.eml", "sparrow.eml"])
def test_talon_replies_lose_their_signature(name: str) -> None:
    path = CORPUS / "replies-talon" / "tests" / "fixtures" / "standard_replies" / name
    assert new_text(_message(path.read_bytes())) == "Hello"


@needs_corpus
def test_replies_talon_html(capsys: pytest.CaptureFixture[str]) -> None:
    folder = CORPUS / "replies-talon" / "tests" / "fixtures"
    paths = [
        *sorted((folder / "html_replies").glob("*.html")),
        *(folder / n for n in TALON_HTML_EXPECTED),
    ]
    results = {}
    for path in paths:
        expected = TALON_HTML_EXPECTED.get(path.name, "Hi. I am fine.\n\nThanks,\nAlex")
        got = trim_reply(html_reply_text(decode_bytes(path.read_bytes())), keep_sign_off=True)
        results[path.name] = _norm(got) == _norm(expected)
    _score(capsys, "replies-talon html", results, TALON_HTML_ALLOWED_MISSES, 0.90)


# The corpus replies whose closing mailflow drops and the corpora keep, with what goes.
CORPUS_CLOSINGS = {
    "email_headers_5.txt": "Best regards,\n\n//Jef",
    "embedded_ception.txt": "Thanks,\nSome One",
    "embedded_email_2.txt": "Best Regards",
    "embedded_email_swedish.txt": "Best regards\n\nSome One",
    **dict.fromkeys(
        [
            *["gmail.html", "hotmail.html", "mail_ru.html", "ms_outlook_2003.html"],
            *["ms_outlook_2007.html", "ms_outlook_2010.html", "thunderbird.html"],
            *["windows_mail.html", "yandex_ru.html"],
        ],
        "Thanks,\nAlex",
    ),
}


@needs_corpus
def test_corpus_outputs_differ_only_by_their_closings() -> None:
    trimmer = CORPUS / "replies-trimmer" / "test" / "emails"
    talon = CORPUS / "replies-talon" / "tests" / "fixtures"
    texts = {p.name: decode_bytes(p.read_bytes()) for p in sorted(trimmer.glob("*.txt"))}
    for path in [
        *sorted((talon / "html_replies").glob("*.html")),
        *(talon / n for n in TALON_HTML_EXPECTED),
    ]:
        texts[path.name] = html_reply_text(decode_bytes(path.read_bytes()))
    dropped = {}
    for name, text in texts.items():
        kept, trimmed = trim_reply(text, keep_sign_off=True), trim_reply(text)
        assert kept.startswith(trimmed), name
        if kept != trimmed:
            dropped[name] = kept[len(trimmed) :].strip()
    assert dropped == CORPUS_CLOSINGS


@needs_corpus
def test_talon_quotation_sharing_a_block() -> None:
    path = CORPUS / "replies-talon" / "tests" / "fixtures" / "reply-quotations-share-block.eml"
    text = new_text(_message(path.read_bytes()))
    assert "From" not in text
    assert text.startswith("Hi Katharine.") and text.endswith("Joe XXX")


@needs_corpus
def test_inbound_discourse_replies(capsys: pytest.CaptureFixture[str]) -> None:
    folder = CORPUS / "inbound-discourse" / "spec" / "fixtures" / "emails"
    results = {
        name: new_text(_message((folder / name).read_bytes())) == expected
        for name, expected in DISCOURSE_EXPECTED.items()
    }
    _score(capsys, "inbound-discourse replies", results, {}, 1.0)


MAILFLOW = "mailflow <meetings@example.com>"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("> DONE", ""),
        ("Thanks\n\n> DONE", "Thanks"),
        ("在 2025年3月1日，张伟 写道：\n> 完成", ""),
        (
            f"好的，已完成\n\n在 2025年3月1日 10:00，{MAILFLOW} 写道：\n> 请回复 DONE",
            "好的，已完成",
        ),
        (f"收到\n\n{MAILFLOW} 于2025年3月1日周六 10:00写道：\n> 完成", "收到"),
        (f"OK\n\nOn Sat, Mar 1, 2025 at 10:00 AM {MAILFLOW}\nwrote:\n\n> DONE", "OK"),
        (f"Fait.\n\nLe sam. 1 mars 2025 à 10:00, {MAILFLOW} a écrit :\n> DONE", "Fait."),
        (f"Erledigt.\n\nAm 01.03.2025 um 10:00 schrieb {MAILFLOW}:\n> DONE", "Erledigt."),
        (
            "Hecho.\n\nEl sáb, 1 mar 2025 a las 10:00, mailflow (<m@example.com>) escribió:\n"
            "> DONE",
            "Hecho.",
        ),
        (f"了解\n\n2025年3月1日(土) 10:00 {MAILFLOW}:\n> DONE", "了解"),
        (
            f"60%\n\n发件人: {MAILFLOW}\n发送时间: 2025年3月1日 10:00\n收件人: 张伟\n"
            "主题: 行动项\n\n请回复 DONE",
            "60%",
        ),
        (
            "已完成\n\n寄件者: mailflow\n寄件日期: 2025年3月1日\n收件者: 张伟\n"
            "主旨: 行动项\n\nDONE",
            "已完成",
        ),
        (
            "DELAY 2025-03-15 等供应商\n\n------------------ 原始邮件 ------------------\n"
            f"发件人: {MAILFLOW};\n发送时间: 2025年3月1日(星期六) 上午10:00\n\nDONE",
            "DELAY 2025-03-15 等供应商",
        ),
        (
            "CONFIRM\n\n____________\nFrom: mailflow\nSent: Monday\nTo: Bob\nSubject: Item\n\nDONE",
            "CONFIRM",
        ),
        ("DONE\n\n*From:* mailflow\n*Sent:* Monday\n*To:* Bob\n*Subject:* Item\n\nDECLINE", "DONE"),
        ("Fait\n\nDe : mailflow\nEnvoyé : samedi\nÀ : Bob\nObjet : Item\n\nDONE", "Fait"),
        ("Ok\n\nVon: mailflow\nGesendet: Samstag\nAn: Bob\nBetreff: Item\n\nDONE", "Ok"),
        ("DONE\n-----Original Message-----\nFrom: mailflow\nDECLINE", "DONE"),
        ("OK\n\nBob <bob@example.com> wrote on 03/01/2025 10:00:00 AM:\n\nDONE", "OK"),
        (f"OK\n\nOn Saturday, March 1, 2025, 10:00 AM GMT+8, {MAILFLOW} wrote:\n\n\nDONE", "OK"),
        ("好\n\n------------------\xa0原始邮件\xa0------------------\n发件人: m\n\nDONE", "好"),
        ("OK\n\n------------------ Original ------------------\nFrom: m\n\nDONE", "OK"),
        ("DONE\n----- 原始邮件 -----\nDECLINE", "DONE"),
    ],
)
def test_commands_inside_quotes_are_gone(text: str, expected: str) -> None:
    assert trim_reply(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"DONE\n\nSent from my iPhone\n\nOn Mar 1, 2025, at 10:00, {MAILFLOW} wrote:\n\n> x",
            "DONE",
        ),
        ("完成\n\n发自我的iPhone", "完成"),
        ("完成\n\n发自我的 华为手机", "完成"),
        ("Done\n\nGet Outlook for iOS<https://aka.ms/o0ukef>", "Done"),
        ("完成\n-- \n张伟\n研发部", "完成"),
        ("Done\n\nEnvoyé de mon iPhone", "Done"),
        ("好的\n\n发自网易邮箱大师", "好的"),
    ],
)
def test_signatures_and_client_footers_are_gone(text: str, expected: str) -> None:
    assert trim_reply(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "DONE",
        "DONE\n\nthe report is on the share.",
        "60%\n进展顺利，预计下周完成。\n\nOn Friday I will send the rest.",
        "From: the team's side this is done.\nTo: be confirmed next week",
        "When: 2025-03-10 09:30\nDate: 2025-03-10\nTo be confirmed",
        "日期：2025-03-10\n时间：16:00\n结束：17:00",
        "---- Agenda ----\n1. budget",
        "As I wrote on 2025-03-01: the budget is approved",
        "As I wrote on 1 March:\nthe budget is approved",
        "👍",
    ],
)
def test_a_reply_without_a_quote_stays_whole(text: str) -> None:
    assert trim_reply(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Top-posting: the answer above the attribution.
        (f"DONE\n\nOn Sat, Mar 1, 2025 at 10:00 AM {MAILFLOW} wrote:\n> Item 42", "DONE"),
        # Bottom-posting: the answer below a marked quote is new text.
        (f"On Sat, Mar 1, 2025 at 10:00 AM {MAILFLOW} wrote:\n> Item 42\n\nDONE", "DONE"),
        (f"在 2025年3月1日 10:00，{MAILFLOW} 写道：\n> 行动项 42\n\n完成", "完成"),
        # Interleaved: every answer between the quotes is kept, one blank line where a quote was.
        (f"On Sat, Mar 1, 2025 {MAILFLOW} wrote:\n> Item 42\nDONE\n> Item 43\n60%", "DONE\n\n60%"),
        # An unmarked quote has no end: whatever follows its header is old, even an answer.
        ("From: mailflow\nSent: Saturday\nTo: Bob\nSubject: Item 42\n\nItem 42\n\nDONE", ""),
    ],
)
def test_top_bottom_and_interleaved_posting(text: str, expected: str) -> None:
    assert trim_reply(text) == expected


def test_a_bare_forward_is_read_and_a_commented_one_is_not() -> None:
    header = "---------- Forwarded message ---------\nFrom: Bob <b@example.com>\nDate: Sat, Mar 1"
    body = "\nSubject: MEETING: Q2\nTo: <m@example.com>\n\nWhen: 2025-03-10 09:30"
    assert trim_reply(header + body) == "When: 2025-03-10 09:30"
    assert trim_reply("FYI\n\n" + header + body) == "FYI"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (
            '<div dir="ltr">完成</div><div class="gmail_quote"><div class="gmail_attr">'
            "在 2025年3月1日周六 10:00，mailflow &lt;m@x.com&gt; 写道：<br></div>"
            '<blockquote class="gmail_quote">DONE</blockquote></div>',
            "完成",
        ),
        (
            "<div class=WordSection1><p class=MsoNormal>Done.<o:p></o:p></p><p class=MsoNormal>"
            "<o:p>&nbsp;</o:p></p><p class=MsoNormal>Bob<o:p></o:p></p><div style='border:none;"
            "border-top:solid #E1E1E1 1.0pt'><p class=MsoNormal><b>From:</b> mailflow<br><b>Sent:"
            "</b> Saturday</p></div><p class=MsoNormal>DECLINE</p></div>",
            "Done.\n\nBob",
        ),
        (
            '<div>OK</div><blockquote type="cite">On 1 Mar 2025, at 10:00, mailflow wrote:'
            "</blockquote>"
            '<blockquote type="cite"><div>DONE</div></blockquote>',
            "OK",
        ),
        (
            '<p>Yes</p><div class="moz-cite-prefix">On 01.03.2025 10:00, mailflow wrote:<br></div>'
            '<blockquote type="cite">DONE</blockquote>',
            "Yes",
        ),
        (
            '<div>A</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>From:</b> m'
            "</div><div>DONE</div>",
            "A",
        ),
        (
            '<div>A</div><blockquote><div style="border-top:solid #E1E1E1 1.0pt">From: x</div>old'
            "</blockquote><div>B</div>",
            "A\n\nB",
        ),
        (
            '<div>See:</div><blockquote style="margin:0 0 0 40px;border:none;padding:0px">'
            "<div>my own indented line</div></blockquote>",
            "See:\nmy own indented line",
        ),
        ("<pre>DONE\n  indented\n</pre>", "DONE\n  indented"),
        (
            '<div>x</div><div style="display:none">DONE</div>'
            '<div class="gmail_signature">Bob</div>',
            "x",
        ),
    ],
)
def test_html_quote_containers(html: str, expected: str) -> None:
    assert trim_reply(html_reply_text(html)) == expected


def _raw(content_type: str, body: bytes) -> EmailMessage:
    head = f"From: z@example.com\r\nContent-Type: {content_type}\r\nContent-Transfer-Encoding: 8bit"
    return _message(head.encode() + b"\r\n\r\n" + body)


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        ("text/plain; charset=gb2312", "朱镕基 完成".encode("gbk"), "朱镕基 完成"),
        ("text/plain; charset=big5", "媽！我上電視了！".encode("big5"), "媽！我上電視了！"),
        ("text/plain; charset=big5", "您好！完成".encode(), "您好！完成"),
        (
            "text/html",
            b'<meta charset="shift_jis"><p>' + "了解しました".encode("shift_jis"),
            "了解しました",
        ),
    ],
)
def test_charsets_are_decoded_whatever_the_label_says(
    content_type: str, body: bytes, expected: str
) -> None:
    assert new_text(_raw(content_type, body)) == expected


def test_flowed_text_is_unwrapped_before_trimming() -> None:
    body = (
        b"DELAY 2025-03-15 waiting for the \r\nvendor\r\n\r\n"
        b"On Sat, Mar 1, 2025 at 10:00 AM mailflow <m@example.com> wrote:\r\n"
        b"> Item 42 is \r\n> due\r\n"
    )
    message = _raw("text/plain; charset=utf-8; format=flowed", body)
    assert new_text(message) == "DELAY 2025-03-15 waiting for the vendor"
    assert unflow("ven \r\ndor\r\n>> a \r\n>> b", delsp=True) == "vendor\n>> ab"


def test_the_plain_part_is_preferred_and_html_is_the_fallback() -> None:
    message = EmailMessage()
    message.set_content("DONE\n\n> old\n")
    message.add_alternative("<p>HTML DONE</p>", subtype="html")
    assert new_text(message) == "DONE"
    html_only = EmailMessage()
    html_only.set_content("<p>完成</p><blockquote>DONE</blockquote>", subtype="html")
    assert new_text(html_only) == "完成"
    empty_plain = EmailMessage()
    empty_plain.set_content("\n")
    empty_plain.add_alternative("<p>OK</p>", subtype="html")
    assert new_text(empty_plain) == "OK"


def test_attached_text_is_not_the_body() -> None:
    message = EmailMessage()
    message.set_content("<p>OK</p>", subtype="html")
    message.add_attachment("DONE", filename="notes.txt")
    assert new_text(message) == "OK"


@given(st.text(alphabet=st.sampled_from(list("ab >:-_\n\r写道On wrote@1<From")), max_size=200))
def test_trimming_only_ever_removes_lines(text: str) -> None:
    original = {line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")}
    assert {line.strip() for line in trim_reply(text).split("\n")} <= original | {""}
