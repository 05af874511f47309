"""The raw message handed to SES reads back as exactly what was meant, and is the same on a retry.

docs/design.md, "The digest email".
"""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage
from typing import Any

import pytest

from circleback.mail import RenderedDigest, build_message

DIGEST = RenderedDigest(
    subject="2 to reach out to · Zoë's birthday Fri · Diwali Sun",
    text="Good morning, Zoë.\nWrite to Zoë: https://example.test/a/zoe/reached_out\n",
    html='<!DOCTYPE html><html><body><p>Good morning, Zoë.</p><a href="https://example.test/a/zoe/reached_out">'
    "I reached out</a></body></html>\n",
)
UNSUBSCRIBE = "https://abc123.execute-api.eu-west-1.amazonaws.com/unsubscribe/" + "eyJhIjoicCJ9" * 30 + ".c2ln"
SENT_AT = datetime(2026, 11, 22, 7, 0, tzinfo=timezone(timedelta(hours=-5)))


def build(digest: RenderedDigest = DIGEST, **overrides: Any) -> bytes:
    arguments: dict[str, Any] = {
        "sender": "circleback <digest@mail.example.com>",
        "recipient": "Zoë Müller <zoe@example.com>",
        "unsubscribe_url": UNSUBSCRIBE,
        "message_id_domain": "mail.example.com",
        "message_key": "digest-owner-1-2026-11-22",
        "date": SENT_AT,
    } | overrides
    return build_message(digest, **arguments)


def read(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_multipart_alternative_with_text_first_then_html_both_utf8() -> None:
    message = read(build())
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert [p.get_content_charset() for p in parts] == ["utf-8", "utf-8"]
    assert isinstance(parts[0], EmailMessage) and isinstance(parts[1], EmailMessage)
    # On the wire every line ends in CRLF, as SMTP wants; the words are the same.
    assert parts[0].get_content().replace("\r\n", "\n") == DIGEST.text
    assert parts[1].get_content().replace("\r\n", "\n") == DIGEST.html


def test_non_ascii_names_survive_in_headers_and_bodies() -> None:
    raw = build()
    raw.decode("ascii")  # all of it is 7-bit: encoded words in headers, quoted-printable bodies
    message = read(raw)
    assert message["Subject"] == DIGEST.subject
    assert message["To"].addresses[0].display_name == "Zoë Müller"
    assert message["To"].addresses[0].addr_spec == "zoe@example.com"
    assert message["From"].addresses[0].addr_spec == "digest@mail.example.com"
    body = message.get_body(("plain",))
    assert body is not None and "Good morning, Zoë." in body.get_content()


def test_one_click_pause_headers_are_exact_even_for_a_long_token() -> None:
    message = read(build())
    assert len(UNSUBSCRIBE) > 300
    assert message["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"


def test_message_id_and_date_come_from_the_arguments() -> None:
    message = read(build())
    assert message["Message-ID"] == "<digest-owner-1-2026-11-22@mail.example.com>"
    assert message["Date"].datetime == SENT_AT
    assert message["MIME-Version"] == "1.0"


def test_same_inputs_same_bytes() -> None:
    assert build() == build()
    assert build(date=SENT_AT.astimezone(UTC)) != build()  # same instant, but the header says a different zone
    other = build(message_key="digest-owner-1-2026-11-23")
    assert read(other)["Message-ID"] == "<digest-owner-1-2026-11-23@mail.example.com>"


def test_lines_stay_within_the_limits_of_smtp() -> None:
    raw = build(RenderedDigest(DIGEST.subject, "a long line " * 200, "<p>" + "é" * 500 + "</p>"))
    lines = raw.split(b"\r\n")
    assert max(len(line) for line in lines) <= 998
    header_end = lines.index(b"")
    assert all(len(line) <= 78 for line in lines[header_end:])  # quoted-printable bodies wrap at 76


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("date", datetime(2026, 11, 22, 7, 0)),  # no zone: the point of the case
        ("message_key", "two words"),
        ("message_key", "a@b"),
        ("message_id_domain", "mail.example.com>"),
        ("unsubscribe_url", "https://example.test/u\r\nBcc: someone@example.com"),
        ("unsubscribe_url", "mailto:pause@example.com"),
        ("unsubscribe_url", "https://example.test/u>x"),
    ],
)
def test_bad_arguments_are_refused(field: str, value: Any) -> None:
    with pytest.raises(ValueError):
        build(**{field: value})
