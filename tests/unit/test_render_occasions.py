"""The occasions in the digest email, their openers, and the cap on a holiday's long list.

docs/design.md, "The rules of the digest" and "The digest email".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from circleback.domain.model import Birthday, Contact, DigestInput, EventKind, LifeEvent, Relationship
from circleback.domain.occasions import DEFAULT_OCCASION_FINDERS
from circleback.domain.planner import DigestPlan, Occasion, OccasionKind, PlanSettings, plan_digest
from circleback.mail import RenderedDigest
from circleback.mail.render import (
    NEWS_THANKS,
    NEWS_THANKS_OTHERS,
    OCCASION_CONTACTS_SHOWN,
    SUBJECT_LIMIT,
    subject_line,
)
from tests.factories import contact, owner
from tests.unit.test_render import ACTIONS, AS_OF, URL_IN_TEXT, both, digest_plan, due, parse, render

N = OCCASION_CONTACTS_SHOWN
NEW_YEAR = date(2027, 1, 1)
MORE = re.compile(r"\band (\d+) more\b")
SAM = owner(name="Sam Lee", email="sam@example.com")


def people(count: int) -> tuple[Contact, ...]:
    """`count` contacts, already in the finders' order; every other one has an email."""
    return tuple(
        contact(f"Person {i:03d}", email=f"p{i:03d}@example.com" if i % 2 == 0 else None) for i in range(count)
    )


def new_year(contacts: Sequence[Contact]) -> Occasion:
    return Occasion(OccasionKind.HOLIDAY, NEW_YEAR, tuple(contacts), "New Year's Day", opener="Happy New Year!")


def action_urls(c: Contact) -> list[str]:
    return [f"https://example.test/a/{c.id}/{action}" for action in ACTIONS]


def mailtos(digest: RenderedDigest) -> list[str]:
    return [h for h in parse(digest.html).hrefs if h.startswith("mailto:")]


def mailto_body(url: str) -> str:
    return parse_qs(urlsplit(url).query, strict_parsing=True)["body"][0]


# --- the cap on one occasion's list ----------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, N - 1, N, N + 1, N + 37, 400])
def test_an_occasion_shows_the_first_people_with_links_and_counts_the_rest(count: int) -> None:
    everyone = people(count)
    shown, hidden = everyone[:N], everyone[N:]
    digest = render(digest_plan([], [new_year(everyone)]), SAM)
    html, text = both(digest)
    hrefs = parse(digest.html).hrefs

    for part in (html, text):
        assert [c.name for c in everyone if c.name in part] == [c.name for c in shown]
        assert [int(k) for k in MORE.findall(part)] == ([len(hidden)] if hidden else [])
    for c in shown:
        for url in action_urls(c):
            assert hrefs.count(url) == 1
            assert digest.text.count(url) == 1
    for c in hidden:
        assert f"/a/{c.id}/" not in digest.html
        assert f"/a/{c.id}/" not in digest.text
    expected_mailtos = [c.email for c in shown if c.email]
    assert [urlsplit(m).path for m in mailtos(digest)] == expected_mailtos
    # Nothing else links anywhere: the shown people's mailtos and actions, then the pause link.
    assert len(hrefs) == len(expected_mailtos) + len(ACTIONS) * len(shown) + 1
    assert hrefs == URL_IN_TEXT.findall(digest.text)


def test_the_count_follows_the_last_shown_person_and_its_links_in_both_parts() -> None:
    everyone = people(N + 37)
    last_link = action_urls(everyone[N - 1])[-1]
    digest = render(digest_plan([due(contact("Zed Due"), None)], [new_year(everyone)]), SAM)
    html, text = both(digest)
    assert html.index("Due for a note") < html.index(everyone[N - 1].name) < html.index("and 37 more")  # a holiday
    assert text.index("DUE FOR A NOTE") < text.index(everyone[N - 1].name) < text.index("and 37 more")
    assert f"I reached out: {last_link}\n\n  and 37 more\n" in digest.text
    assert re.search(
        rf'href="{re.escape(last_link)}"[^<]*>I reached out</a>\s*</p>\s*<p[^>]*>and 37 more</p>', digest.html
    )


def test_a_huge_holiday_keeps_the_email_small() -> None:
    """Gmail clips a message past 102 KB, and the clipped part holds the footer with the pause link."""
    small = render(digest_plan([], [new_year(people(N + 1))]), SAM)
    huge = render(digest_plan([], [new_year(people(5000))]), SAM)
    assert len(huge.html) < len(small.html) + 100  # only the count grows (and the ids, by a digit or so)
    assert len(huge.html.encode()) < 60_000
    assert "and 4995 more" in both(huge)[0]


def test_every_kind_of_occasion_is_capped() -> None:
    news = Occasion(
        OccasionKind.OWN_NEWS, AS_OF - timedelta(days=2), people(N + 2), "Your new job", opener="I wanted you..."
    )
    html, text = both(render(digest_plan([], [news]), SAM))
    assert "and 2 more" in html
    assert "and 2 more" in text


def test_a_person_listed_twice_is_shown_and_counted_once() -> None:
    everyone = people(N + 1)
    twice = new_year([everyone[0], *everyone[:3], *everyone])  # the first three again, the first a third time
    digest = render(digest_plan([], [twice]), SAM)
    html, text = both(digest)
    for part in (html, text):
        assert part.count(everyone[0].name) == 1
        assert MORE.findall(part) == ["1"]
    hrefs = parse(digest.html).hrefs
    assert len(hrefs) == len(set(hrefs))
    assert [urlsplit(m).path for m in mailtos(digest)] == [c.email for c in everyone[:N] if c.email]


def test_a_due_person_gets_the_holiday_opener_on_their_due_line_and_only_there() -> None:
    everyone = people(N + 3)
    late = everyone[-1]
    holiday = new_year(everyone)
    # As the planner hands it over (planner._once_each): the holiday on the due line, the others in its list.
    plan = digest_plan([replace(due(late, None), occasion=holiday)], [replace(holiday, contacts=everyone[:-1])])
    digest = render(plan, SAM)
    html, text = both(digest)
    for part in (html, text):
        assert part.count(late.name) == 1  # only in the due list
        assert part.count("Start with: “Happy New Year!”") == 2  # the holiday, and the due line
    assert [u for u in parse(digest.html).hrefs if f"/a/{late.id}/" in u] == action_urls(late)


# --- openers ---------------------------------------------------------------------------------------------


def real_plan() -> tuple[DigestPlan, dict[str, Contact]]:
    """One plan from the real occasion finders: every kind, in the week before New Year's Day."""
    as_of = date(2026, 12, 28)
    recently = date(2026, 12, 1)  # not due, and not touched in the last week: greeted at New Year
    cast = {
        "ana": contact(
            "Ana Souza",
            email="ana@example.com",
            relationship=Relationship.BOSS,
            birthday=Birthday(12, 30),
            last_touch=recently,
        ),
        "ben": contact("Ben Hill", email="ben@example.com", last_touch=recently),
        "chloe": contact(
            "Chloé Martin",
            email="chloe@example.fr",
            company="{Acme} & Sons",
            worked_together_until=date(2023, 12, 29),
            last_touch=recently,
        ),
    }
    events = [
        LifeEvent(id="e1", date=date(2026, 12, 20), kind=EventKind.NEW_JOB, contact_id=cast["ben"].id),
        LifeEvent(id="e2", date=date(2026, 12, 15), kind=EventKind.PROMOTION, contact_id=None),
    ]
    data = DigestInput(SAM, list(cast.values()), [], events)
    return plan_digest(data, as_of, PlanSettings(lookahead_days=7), DEFAULT_OCCASION_FINDERS), cast


def test_the_real_finders_give_every_kind_once() -> None:
    plan, _ = real_plan()
    assert sorted(o.kind for o in plan.occasions) == [
        "birthday",
        "holiday",
        "life_event",
        "own_news",
        "work_anniversary",
    ]


@pytest.mark.parametrize(
    ("kind", "idea", "first_line", "mail_subject"),
    [
        ("birthday", "Wish them a happy birthday.", "Happy birthday!", "Happy birthday!"),
        ("life_event", "Congratulate them on the news.", "Congratulations on the new role!", "Congratulations!"),
        ("holiday", "Send season's greetings.", "Happy New Year!", "Season's greetings"),
        (
            "own_news",
            "Share your news: they should hear it from you, not from a feed.",
            "I wanted you to hear it from me: I have been promoted.",
            "Some news",
        ),
        (
            "work_anniversary",
            "Mark the anniversary: recall something you did together.",
            "It has been 3 years since we worked together at {Acme} & Sons. How are things with you?",
            "It has been a while",
        ),
    ],
)
def test_each_kind_of_occasion_gets_an_opener_that_fits(
    kind: str, idea: str, first_line: str, mail_subject: str
) -> None:
    plan, _ = real_plan()
    occasion = next(o for o in plan.occasions if o.kind == kind)
    digest = render(replace(plan, occasions=[occasion]), SAM)
    html, text = both(digest)
    for part in (html, text):
        assert f"Idea: {idea} Start with: “{first_line}”" in part
    starters = mailtos(digest)
    assert len(starters) == len([c for c in occasion.contacts if c.email]) > 0
    by_first = {c.name.split()[0]: c for c in occasion.contacts}
    for url in starters:
        fields = parse_qs(urlsplit(url).query, strict_parsing=True)
        assert fields["subject"] == [mail_subject]
        first = fields["body"][0].split(",", 1)[0].removeprefix("Hi ")
        # Your news ends with thanks: for what you learned, to a boss or mentor (issue 19).
        taught = by_first[first].relationship in (Relationship.BOSS, Relationship.MENTOR)
        thanks = (f" {NEWS_THANKS if taught else NEWS_THANKS_OTHERS}") if kind == "own_news" else ""
        assert fields["body"] == [f"Hi {first},\n\n{first_line}{thanks}\n\nBest,\nSam"]
        assert url in digest.text


def test_every_occasion_renders_once_with_its_people() -> None:
    plan, cast = real_plan()
    digest = render(plan, SAM)
    html, text = both(digest)
    for part in (html, text):
        for label in (
            "Your promotion · 13 days ago",
            "Ben Hill's new job · 8 days ago",
            "Ana Souza's birthday · Wednesday 30 December",
            "3 years since you and Chloé Martin worked together at {Acme} & Sons · tomorrow",
            "New Year's Day · Friday 1 January",
        ):
            assert part.count(label) == 1
    hrefs = parse(digest.html).hrefs
    # Each in your news and New Year's Day, and in their own item: birthday, new job, anniversary.
    for who, times in (("ana", 3), ("ben", 3), ("chloe", 3)):
        for url in action_urls(cast[who]):
            assert hrefs.count(url) == times
    assert hrefs == URL_IN_TEXT.findall(digest.text)


def test_a_due_person_with_an_occasion_gets_its_first_line_and_starter() -> None:
    plan, cast = real_plan()
    birthday = next(o for o in plan.occasions if o.kind == "birthday")
    on_due_line = replace(due(cast["ana"], date(2026, 6, 1)), occasion=birthday)
    digest = render(replace(plan, due=[on_due_line], occasions=[]), SAM)  # her birthday: on her due line, once
    html, text = both(digest)
    for part in (html, text):
        assert part.count("Idea: Wish them a happy birthday. Start with: “Happy birthday!”") == 1
    assert [mailto_body(m) for m in mailtos(digest)] == ["Hi Ana,\n\nHappy birthday!\n\nBest,\nSam"]


def test_an_occasion_without_its_own_first_line_keeps_the_tables_starter() -> None:
    plain = Occasion(OccasionKind.HOLIDAY, NEW_YEAR, people(1), "New Year's Day")
    digest = render(digest_plan([], [plain]), SAM)
    html, text = both(digest)
    assert "Start with" not in html
    assert "Start with" not in text
    assert [mailto_body(m) for m in mailtos(digest)] == [
        "Hi Person,\n\nWishing you and yours a wonderful holiday.\n\nBest,\nSam"
    ]


def test_a_hostile_first_line_renders_as_text() -> None:
    hostile = new_year(people(1))
    hostile = replace(hostile, opener='<script>alert(1)</script> "{first}"')
    digest = render(digest_plan([], [hostile]), SAM)
    parsed = parse(digest.html)
    assert "script" not in parsed.tags
    assert 'Start with: “<script>alert(1)</script> "{first}"”' in parsed.text
    assert [mailto_body(m) for m in mailtos(digest)] == [
        'Hi Person,\n\n<script>alert(1)</script> "{first}"\n\nBest,\nSam'
    ]


# --- the subject with many occasions ---------------------------------------------------------------------


def test_many_occasions_keep_the_subject_short() -> None:
    occasions = [new_year(people(300))] + [
        Occasion(
            OccasionKind.BIRTHDAY, AS_OF + timedelta(days=i % 8), (contact(f"P{i}"),), f"Person {i:02d}'s birthday"
        )
        for i in range(40)
    ]
    plan = digest_plan([due(contact("Zed"), None)], occasions, more_due=150)
    subject = subject_line(plan)
    assert subject == "151 to reach out to · Person 00's birthday today · +40"
    assert len(subject) <= SUBJECT_LIMIT
    assert render(plan, SAM).subject == subject


def test_the_subject_names_an_occasion_once_even_on_two_days() -> None:
    # Eid al-Fitr can fall a day apart in two countries: two items, one name.
    eid = [
        Occasion(
            OccasionKind.HOLIDAY, AS_OF + timedelta(days=d), (contact(f"P{d}"),), "Eid al-Fitr", opener="Eid Mubarak!"
        )
        for d in (2, 3)
    ]
    birthday = Occasion(OccasionKind.BIRTHDAY, AS_OF + timedelta(days=4), (contact("Ana"),), "Ana's birthday")
    assert subject_line(digest_plan([], [*eid, birthday])) == "Ana's birthday Thu · +1"  # Eid counted once
