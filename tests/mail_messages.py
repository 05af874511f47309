"""Messages as real mail clients write them, for the mail-in tests (issue 17): Gmail (English, German, French),
Outlook (classic and new, English and German), Apple Mail, Thunderbird; a BCC to the logging address, an
attached forward, a calendar invitation, a reply to the digest, and mbox files as Google Takeout writes them.

The forwarded blocks follow the shapes the clients write (as the email-forward-parser project's fixtures
record them); the words are ours."""

from __future__ import annotations

OWNER = "sam.rivera@example.com"
ALIAS = "sam@rivera.example"
LOGGING = "log@in.circleback.example"
ANA = "ana.souza@example.com.br"
TOM = "tom.becker@example.de"

FORWARDS: dict[str, tuple[str, str]] = {
    # client: (subject, the forwarded block at the top of the body)
    "gmail_en": (
        "Fwd: The Lisbon offsite",
        "---------- Forwarded message ---------\nFrom: Ana Souza <ana.souza@example.com.br>\n"
        "Date: Mon, Nov 30, 2026 at 9:12 AM\nSubject: The Lisbon offsite\nTo: Sam Rivera <sam.rivera@example.com>\n",
    ),
    "gmail_de": (
        "WG: Das Offsite in Lissabon",
        "---------- Forwarded message ---------\nVon: Ana Souza <ana.souza@example.com.br>\n"
        "Date: Mo., 30. Nov. 2026 um 09:12 Uhr\nSubject: Das Offsite in Lissabon\nTo: <sam.rivera@example.com>\n",
    ),
    "gmail_fr": (
        "TR: L'offsite de Lisbonne",
        "---------- Forwarded message ---------\nDe : Ana Souza <ana.souza@example.com.br>\n"
        "Date: lun. 30 nov. 2026 à 09:12\nSubject: L'offsite de Lisbonne\nTo: <sam.rivera@example.com>\n",
    ),
    "outlook_en": (
        "FW: The Lisbon offsite",
        "________________________________\nFrom: Ana Souza <ana.souza@example.com.br>\n"
        "Sent: Monday, November 30, 2026 9:12 AM\nTo: Sam Rivera <sam.rivera@example.com>\n"
        "Subject: The Lisbon offsite\n",
    ),
    "new_outlook_de": (
        "WG: Das Offsite in Lissabon",
        "Von: Ana Souza <ana.souza@example.com.br>\nDatum: Montag, 30. November 2026 um 09:12\n"
        "An: sam.rivera@example.com <sam.rivera@example.com>\nBetreff: Das Offsite in Lissabon\n",
    ),
    "apple_mail": (
        "Fwd: The Lisbon offsite",
        "Begin forwarded message:\n\nFrom: Ana Souza <ana.souza@example.com.br>\nSubject: The Lisbon offsite\n"
        "Date: 30 November 2026 at 09:12:40 WET\nTo: Sam Rivera <sam.rivera@example.com>\n",
    ),
    "thunderbird": (
        "Fwd: The Lisbon offsite",
        "-------- Forwarded Message --------\nSubject: \tThe Lisbon offsite\nDate: \tMon, 30 Nov 2026 09:12:40 +0000\n"
        "From: \tAna Souza <ana.souza@example.com.br>\nTo: \tSam Rivera <sam.rivera@example.com>\n",
    ),
}


def message(
    *,
    sender: str = f"Sam Rivera <{OWNER}>",
    to: str = f"Ana Souza <{ANA}>",
    cc: str | None = None,
    bcc: str | None = None,
    subject: str = "Coffee next week?",
    date: str = "Tue, 01 Dec 2026 18:40:00 +0000",
    message_id: str = "<CAF1234@mail.gmail.com>",
    body: str = "Hi Ana,\n\nShall we get coffee next week?\n\nSam\n",
    extra: str = "",
) -> bytes:
    """A plain-text message as Gmail sends it, headers in its order."""
    lines = [
        "MIME-Version: 1.0",
        f"Date: {date}",
        f"Message-ID: {message_id}",
        f"Subject: {subject}",
        f"From: {sender}",
        f"To: {to}",
    ]
    if cc:
        lines.append(f"Cc: {cc}")
    if bcc:
        lines.append(f"Bcc: {bcc}")
    if extra:
        lines.append(extra.rstrip("\n"))
    lines += ['Content-Type: text/plain; charset="UTF-8"', "Content-Transfer-Encoding: 8bit", "", body]
    return "\r\n".join(lines).encode("utf-8")


def forward(client: str, *, message_id: str = "<fwd-1@example.com>") -> bytes:
    subject, block = FORWARDS[client]
    body = f"See below: she is in.\n\n{block}\nI'm in for the offsite, count me in.\n\nAna\n"
    return message(to=f"<{LOGGING}>", subject=subject, body=body, message_id=message_id)


def attached_forward() -> bytes:
    """Outlook's "Forward as attachment": the original as a message/rfc822 part."""
    original = message(
        sender=f"Ana Souza <{ANA}>", to=f"<{OWNER}>", subject="The Lisbon offsite",
        date="Mon, 23 Nov 2026 08:00:00 -0300", message_id="<orig-1@example.com.br>",
        body="I'm in for the offsite.\n",
    ).decode()  # fmt: skip
    return (
        "MIME-Version: 1.0\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\nMessage-ID: <att-1@outlook.example>\r\n"
        f"Subject: FW: The Lisbon offsite\r\nFrom: Sam Rivera <{OWNER}>\r\nTo: <{LOGGING}>\r\n"
        'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        '--b1\r\nContent-Type: text/plain; charset="us-ascii"\r\n\r\nFor the record.\r\n'
        '--b1\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename="offsite.eml"\r\n\r\n'
        f"{original}\r\n--b1--\r\n"
    ).encode()


INVITATION_ICS = (
    "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\nDTSTART:20261210T120000Z\r\nDTEND:20261210T130000Z\r\nUID:evt-1@google.com\r\n"
    f"ORGANIZER;CN=Sam Rivera:mailto:{OWNER}\r\n"
    f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;CN=Tom Becker:mailto:{TOM}\r\n"
    "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;CN=someone:mailto:someone@else.example\r\n"
    "SUMMARY:Lunch\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def invitation() -> bytes:
    """Google Calendar's invitation: text, HTML and the calendar, and the .ics attached."""
    return (
        "MIME-Version: 1.0\r\nDate: Wed, 02 Dec 2026 09:00:00 +0000\r\nMessage-ID: <inv-1@google.com>\r\n"
        f"Subject: Invitation: Lunch @ Thu 10 Dec 2026 12pm - 1pm (GMT)\r\nFrom: Sam Rivera <{OWNER}>\r\n"
        f"To: {TOM}, someone@else.example\r\nBcc: {LOGGING}\r\n"
        'Content-Type: multipart/mixed; boundary="m"\r\n\r\n'
        '--m\r\nContent-Type: multipart/alternative; boundary="a"\r\n\r\n'
        '--a\r\nContent-Type: text/plain; charset="UTF-8"\r\n\r\nYou have been invited to Lunch.\r\n'
        '--a\r\nContent-Type: text/calendar; charset="UTF-8"; method=REQUEST\r\n\r\n'
        f"{INVITATION_ICS}\r\n--a--\r\n"
        '--m\r\nContent-Type: application/ics; name="invite.ics"\r\nContent-Disposition: attachment; '
        'filename="invite.ics"\r\n\r\n'
        f"{INVITATION_ICS}\r\n--m--\r\n"
    ).encode()


def digest_reply(lines: str) -> bytes:
    return message(
        to=f"circleback <{LOGGING}>",
        subject="Re: 3 to reach out to",
        extra="In-Reply-To: <digest-owner-2026-12-01@circleback.example>\r\n"
        "References: <digest-owner-2026-12-01@circleback.example>",
        body=f"{lines}\n\nOn Tue, Dec 1, 2026 at 7:00 AM circleback <digest@circleback.example> wrote:\n"
        "> Good morning\n",
        message_id="<reply-1@mail.gmail.com>",
    )


def mbox(*messages: bytes) -> bytes:
    """An mbox as Google Takeout writes it: a "From " line before each message, "From " in a body quoted."""
    parts = []
    for number, raw in enumerate(messages):
        body = raw.replace(b"\r\n", b"\n").replace(b"\nFrom ", b"\n>From ")
        parts.append(b"From 17948329%d@xxx Tue Dec 01 18:40:00 +0000 2026\n" % number + body + b"\n")
    return b"".join(parts)
