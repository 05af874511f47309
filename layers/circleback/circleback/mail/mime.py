"""Build the digest as raw MIME bytes for SES v2: deterministic, so a retried send builds the same message."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime

from circleback.mail.render import RenderedDigest

# refold_source="none": headers set with set_raw() go out exactly as written. The List-Unsubscribe URL holds a
# long token with no place to fold, and the default policy would "fix" it with RFC 2047 encoded words, which
# mail clients then fail to read as a URL.
POLICY = policy.SMTP.clone(refold_source="none")
# An atom of RFC 5322 (atext and dots), so the Message-ID needs no quoting and reads back as written.
_ID_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+")
_URL = re.compile(r"https?://[\x21-\x7e]+")


def build_message(
    digest: RenderedDigest,
    *,
    sender: str,
    recipient: str,
    unsubscribe_url: str,
    message_id_domain: str,
    message_key: str,
    date: datetime,
    reply_to: str | None = None,
) -> bytes:
    """multipart/alternative (text, then HTML), both UTF-8, with the one-click pause headers of RFC 8058; with
    `reply_to` (the logging address), a reply's lines come back as commands (services/replies.py).

    The Message-ID is `<message_key@message_id_domain>` and the MIME boundary is derived from the key, so
    the same inputs always give the same bytes.
    """
    message = EmailMessage(policy=POLICY)
    message["From"] = sender
    message["To"] = recipient
    if reply_to:
        message["Reply-To"] = reply_to
    message["Subject"] = digest.subject
    message["Date"] = format_datetime(_aware(date))
    message.set_raw("Message-ID", _message_id(message_key, message_id_domain))
    message.set_raw("List-Unsubscribe", f"<{_checked_url(unsubscribe_url)}>")
    message.set_raw("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
    message.set_raw("Auto-Submitted", "auto-generated")  # RFC 3834: no out-of-office replies to a robot
    message["MIME-Version"] = "1.0"
    message["Content-Type"] = "multipart/alternative"
    message.attach(_part(digest.text, "plain"))
    message.attach(_part(digest.html, "html"))
    message.set_boundary(_boundary(message_key))
    return message.as_bytes(policy=POLICY)


def _part(content: str, subtype: str) -> EmailMessage:
    # Quoted-printable keeps every line 7-bit and short, which SES and old relays want, and it can never
    # contain "=_", which is what makes the boundary below safe.
    part = EmailMessage(policy=POLICY)
    part.set_content(content, subtype=subtype, charset="utf-8", cte="quoted-printable")
    del part["MIME-Version"]  # set_content adds one; it belongs on the outer message only
    return part


def _boundary(message_key: str) -> str:
    return "=_circleback_" + hashlib.sha256(message_key.encode()).hexdigest()[:24]


def _message_id(message_key: str, domain: str) -> str:
    if not (_ID_PART.fullmatch(message_key) and _ID_PART.fullmatch(domain)):
        raise ValueError("message_key and message_id_domain must be plain atoms (letters, digits, .-_ and the like)")
    return f"<{message_key}@{domain}>"


def _checked_url(url: str) -> str:
    # Printable ASCII only: no spaces, no line breaks that could smuggle in a header, no angle brackets.
    if not _URL.fullmatch(url) or ">" in url or "<" in url:
        raise ValueError("unsubscribe_url must be an http(s) URL of printable ASCII")
    return url


def _aware(when: datetime) -> datetime:
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("the Date header needs a timezone-aware datetime")
    return when
