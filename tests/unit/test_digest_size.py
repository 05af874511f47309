"""A digest is never clipped: Gmail hides an HTML part past about 102 KB, the pause link with it. Whatever the
network and the settings, the email's HTML is fitted under mail/render.py's HTML_BUDGET_BYTES (later occasions,
then the last due people, are counted instead of shown) and its part in the message stays under 100 KiB.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import replace
from datetime import UTC, date, datetime, time
from email.message import EmailMessage

import pytest

from bench import scenario
from circleback.auth.tokens import StaticKeyRing, TokenSigner
from circleback.domain.model import Contact, DigestInput, Owner
from circleback.domain.occasions import DEFAULT_OCCASION_FINDERS
from circleback.domain.planner import MAX_DUE, PlanSettings, plan_digest
from circleback.domain.sorting import MAX_SORT_PER_DIGEST
from circleback.mail import build_message
from circleback.mail.links import DigestLinks
from circleback.mail.render import (
    HTML_BUDGET_BYTES,
    OCCASIONS_KEPT,
    DigestView,
    RenderedDigest,
    digest_view,
    render_digest,
)

GMAIL_CLIP_BYTES = 100 * 1024  # the budget: under 100 KB, a little short of Gmail's ~102 KB
# The longest address API Gateway gives by default (a fourteen-letter region): as long as a deployed API's can be.
BASE_URL = "https://abcdefghij.execute-api.ap-southeast-2.amazonaws.com"


def links(owner: Owner, day: date) -> DigestLinks:
    """Real signed links: each as long as the ones a deployed digest carries."""
    return DigestLinks(
        TokenSigner(StaticKeyRing(b"k" * 32)), BASE_URL, owner.id, day, datetime.combine(day, time(7), UTC)
    )


def digest_of(
    contacts: int, day: date, max_due: int, sorting: bool = False
) -> tuple[DigestInput, RenderedDigest, bytes]:
    """The scenario's digest; with `sorting`, every fifth contact is a LinkedIn connection still unsorted (no
    email: a profile and a phone) and the owner asks to sort as many as a digest can."""
    partition = scenario.generate(contacts, as_of=day)
    owner = replace(partition.owner, max_due=max_due)
    people = partition.contacts
    if sorting:
        owner = replace(owner, sort_per_digest=MAX_SORT_PER_DIGEST)
        people = [linkedin_only(c) if i % 5 == 0 else c for i, c in enumerate(people)]
    data = DigestInput(owner, people, partition.touches, partition.events)
    plan = plan_digest(data, day, PlanSettings.of(owner), DEFAULT_OCCASION_FINDERS)
    factory = links(owner, day)
    rendered = render_digest(plan, owner, factory)
    message = build_message(
        rendered, sender="circleback <digest@example.com>", recipient="you@example.com",
        unsubscribe_url=factory.pause_url(), message_id_domain="example.com", message_key="digest-size",
        date=datetime(2026, 11, 23, 7, tzinfo=UTC),
    )  # fmt: skip
    return data, rendered, message


def linkedin_only(contact: Contact) -> Contact:
    handle = contact.id[-12:]
    return replace(
        contact,
        unsorted=True,
        email=None,
        phone="+44 20 7946 0958",
        linkedin_url=f"https://www.linkedin.com/in/{handle}-{contact.name.lower().replace(' ', '-')}",
    )


def html_part_bytes(message: bytes) -> int:
    """The HTML part as it travels: quoted-printable, soft line breaks and all."""
    parsed = email.message_from_bytes(message, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    (html,) = [part for part in parsed.walk() if part.get_content_type() == "text/html"]
    return len(html.as_bytes().partition(b"\n\n")[2])


def full_view(data: DigestInput, day: date) -> DigestView:
    """Everything the digest would say with no size limit (what `circleback preview` shows)."""
    plan = plan_digest(data, day, PlanSettings.of(data.owner), DEFAULT_OCCASION_FINDERS)
    return digest_view(plan, data.owner, links(data.owner, day))


def listed(name: str, text: str) -> bool:
    """Whether the text part lists the person as due ("3. Ana Souza", then their occasion, if any)."""
    return re.search(rf"^\d+\. {re.escape(name)}( · .*)?$", text, re.MULTILINE) is not None


def counted(pattern: str, text: str) -> int:
    found = re.search(pattern, text)
    return int(found.group(1)) if found else 0


@pytest.mark.parametrize(
    ("contacts", "day", "max_due", "sorting"),
    [
        (2_000, scenario.HOLIDAY_WEEK, MAX_DUE, False),  # Thanksgiving names everyone in the US; dozens of birthdays
        (2_000, date(2026, 12, 21), 100, False),  # Christmas week, and a setting from before the cap
        (300, scenario.ORDINARY_DAY, MAX_DUE, False),  # 98 KB unfitted: already past the budget
        (2_000, scenario.HOLIDAY_WEEK, MAX_DUE, True),  # and a full Sort section, LinkedIn-only people due
    ],
)
def test_the_html_part_stays_under_the_clip_and_says_what_it_left_out(
    contacts: int, day: date, max_due: int, sorting: bool
) -> None:
    data, rendered, message = digest_of(contacts, day, max_due, sorting)
    full = full_view(data, day)

    assert len(rendered.html.encode()) <= HTML_BUDGET_BYTES
    assert html_part_bytes(message) < GMAIL_CLIP_BYTES
    assert "/unsubscribe/" in rendered.html.rpartition("Pause digests for a month")[0].rpartition("<a ")[2]
    assert len(full.due) <= MAX_DUE  # an older setting of 100 lists 20 at most
    # Every due person is shown or counted, the most overdue first; every occasion likewise, the nearest first.
    shown_due = [item for item in full.due if listed(item.contact.name, rendered.text)]
    assert shown_due == list(full.due[: len(shown_due)]) and shown_due
    assert len(shown_due) + counted(r"\+ (\d+) more due", rendered.text) == full.due_count
    shown_occasions = len(full.occasions) - counted(r"\+ (\d+) more occasions? in the days ahead", rendered.text)
    assert shown_occasions >= min(OCCASIONS_KEPT, len(full.occasions))
    assert all(f"{o.label} · {o.when}" in rendered.text for o in full.occasions[:shown_occasions])
    # The Sort section gives way before anyone due: whoever it shows comes first in its order.
    shown_to_sort = [p for p in full.to_sort if f"\n{p.name} · " in rendered.text]
    assert shown_to_sort == list(full.to_sort[: len(shown_to_sort)])
    if sorting:
        assert full.to_sort and "SORT YOUR NETWORK" in rendered.text
        left_out = counted(r"\+ (\d+) more (?:person|people) to sort", rendered.text)
        assert len(shown_to_sort) + left_out == len(full.to_sort)
        assert len(shown_due) == len(full.due) or not shown_to_sort


def test_a_digest_that_fits_is_sent_whole() -> None:
    data, rendered, _ = digest_of(100, scenario.ORDINARY_DAY, 5)
    full = full_view(data, scenario.ORDINARY_DAY)

    assert full.due and full.occasions
    assert "more occasion" not in rendered.text
    assert all(listed(item.contact.name, rendered.text) for item in full.due)
    assert all(f"{o.label} · {o.when}" in rendered.text for o in full.occasions)


def test_every_link_in_the_text_part_is_at_most_100_characters() -> None:
    """The issue's short links: with the longest default API address, every link the digest carries (the people
    due, the Sort section, occasions, the footer's pause) is 100 characters or less (docs/links.md)."""
    _, rendered, message = digest_of(2_000, scenario.HOLIDAY_WEEK, MAX_DUE, sorting=True)
    ours = re.findall(rf"{re.escape(BASE_URL)}[^\s<>\"')]*", rendered.text)

    assert len(ours) > MAX_DUE  # "I reached out" for each due person, the Sort links, the pause
    assert max(len(url) for url in ours) <= 100
    assert all(len(url) <= 100 for url in re.findall(rf"{re.escape(BASE_URL)}[^\s<>\"']*", rendered.html))
    assert b"?as=" not in message
