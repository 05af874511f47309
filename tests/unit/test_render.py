"""What the digest says, in the subject, the HTML and the text, and that nothing in it is unsafe.

docs/design.md, "The digest email".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from fractions import Fraction
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from circleback.domain.cadence import History
from circleback.domain.model import Channel, Contact, Direction, Owner, Relationship, Tier, Touch
from circleback.domain.planner import DigestPlan, DueItem, Goal, Occasion, OccasionKind
from circleback.mail import RenderedDigest, render_digest
from circleback.mail.render import OPENERS, SUBJECT_LIMIT, DueReason, subject_line

AS_OF = date(2026, 11, 22)  # a Sunday
ACTIONS = ("reached_out",)  # one a person: its page offers "They reached out" and "Snooze" (web/pages.py)
PAUSE_URL = "https://example.test/pause/tok"
SETTINGS_HINT = "Settings: circleback settings show"
URL_IN_TEXT = re.compile(r"(?:https?|mailto):\S+")


class FakeLinks:
    def action_url(self, contact_id: str, action: str) -> str:
        return f"https://example.test/a/{contact_id}/{action}"

    def pause_url(self) -> str:
        return PAUSE_URL

    def add_url(self, person_key: str) -> str:
        return f"https://example.test/add/{person_key}"

    def settings_hint(self) -> str:
        return SETTINGS_HINT


@dataclass
class Html(HTMLParser):
    """The parts of the HTML that matter here: tags, attributes, hrefs in order, and the visible text."""

    tags: list[str] = field(default_factory=list)
    attrs: list[tuple[str, str]] = field(default_factory=list)
    hrefs: list[str] = field(default_factory=list)
    data: list[str] = field(default_factory=list)
    title: str = ""
    _open: str = ""

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [(name, value or "") for name, value in attrs]
        self.hrefs += [value for name, value in attrs if tag == "a" and name == "href" and value]
        self._open = tag

    def handle_endtag(self, tag: str) -> None:
        self._open = ""

    def handle_data(self, data: str) -> None:
        if self._open == "title":
            self.title += data
        elif self._open != "style":  # what a reader sees
            self.data.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.data).split())


def parse(html: str) -> Html:
    parser = Html()
    parser.feed(html)
    parser.close()
    return parser


def person(cid: str, name: str, **fields: Any) -> Contact:
    return Contact(id=cid, name=name, created_on=date(2025, 1, 1), **fields)


def due(
    contact: Contact, last: date | None, *touches: Touch, streak: int = 0, overdue: int = 3, cadence: int = 60
) -> DueItem:
    history = History(last_touch=last, outbound_streak=streak, latest=touches[-1] if touches else None)
    due_date = AS_OF - timedelta(days=overdue)
    return DueItem(contact, due_date, overdue, cadence, Fraction(overdue + 1, cadence), history)


def touch(contact: Contact, on: date, direction: Direction, channel: Channel, note: str | None = None) -> Touch:
    return Touch(
        id=f"t-{contact.id}-{on}", contact_id=contact.id, date=on, direction=direction, channel=channel, note=note
    )


def digest_plan(
    due_items: list[DueItem], occasions: Sequence[Occasion] = (), more_due: int = 0, goal: Goal | None = None
) -> DigestPlan:
    return DigestPlan(AS_OF, due_items, more_due, list(occasions), goal or Goal(2, 4))


OWNER = Owner(id="o1", email="sam@example.com", name="Sam Lee")

ANA = person(
    "ana",
    "Ana Souza",
    email="ana@example.com",
    relationship=Relationship.BOSS,
    title="VP Engineering",
    company="Acme",
    tier=Tier.A,
)
BEN = person("ben", "Benedikt Krämer", relationship=Relationship.CLIENT, company="Northwind")
CHLOE = person("chloe", "Chloé Martin", email="chloe@example.fr", relationship=Relationship.COLLEAGUE)
DEV = person("dev", "Devika Rao", email="devika@example.in", relationship=Relationship.MENTOR)

ANA_NOTE = "Asked how the Lisbon migration went; promised to send the write-up."
ANA_TOUCH = touch(ANA, date(2026, 6, 20), Direction.INBOUND, Channel.EMAIL, ANA_NOTE)
BEN_TOUCH = touch(BEN, date(2026, 8, 2), Direction.OUTBOUND, Channel.EMAIL)
CHLOE_TOUCH = touch(CHLOE, date(2026, 5, 4), Direction.MUTUAL, Channel.MEETING, "Coffee near the old office.")

THANKSGIVING = Occasion(OccasionKind.HOLIDAY, date(2026, 11, 26), (DEV, CHLOE), "Thanksgiving")
ANA_BIRTHDAY = Occasion(OccasionKind.BIRTHDAY, date(2026, 11, 27), (ANA,), "Ana's birthday")


def realistic_plan() -> DigestPlan:
    return digest_plan(
        [
            due(ANA, ANA_TOUCH.date, ANA_TOUCH),
            due(BEN, BEN_TOUCH.date, BEN_TOUCH, streak=3),
            due(CHLOE, CHLOE_TOUCH.date, CHLOE_TOUCH),
        ],
        [THANKSGIVING, ANA_BIRTHDAY],
        more_due=2,
    )


def render(plan: DigestPlan, owner: Owner = OWNER) -> RenderedDigest:
    return render_digest(plan, owner, FakeLinks())


def both(digest: RenderedDigest) -> tuple[str, str]:
    """The visible text of the HTML part and the text part, each with its whitespace collapsed."""
    return parse(digest.html).text, " ".join(digest.text.split())


def ideas(reason: str) -> list[re.Pattern[str]]:
    """The reason's ideas as they read once filled: each placeholder stands for some text."""
    return [
        re.compile(re.sub(r"\\\{(first|company|note)\\\}", ".+", re.escape(opener.idea)))
        for key, openers in OPENERS.items()
        if key == reason
        for opener in openers
    ]


# --- subject ------------------------------------------------------------------------------------------


def test_subject_counts_everyone_due_including_those_held_back() -> None:
    assert subject_line(digest_plan([due(ANA, None)], more_due=6)) == "7 to reach out to"


def test_subject_names_the_most_pressing_occasion_and_counts_the_others() -> None:
    later = Occasion(OccasionKind.HOLIDAY, date(2026, 11, 29), (DEV,), "Advent")
    plan = digest_plan([due(ANA, None), due(BEN, None), due(CHLOE, None)], [THANKSGIVING, ANA_BIRTHDAY, later])
    assert subject_line(plan) == "3 to reach out to · Ana's birthday Fri · +2"  # a person's day before a holiday


def test_subject_leads_with_the_occasion_when_nobody_is_due_todays_personal_one_first() -> None:
    tomorrow = Occasion(OccasionKind.BIRTHDAY, AS_OF + timedelta(days=1), (ANA,), "Ana's birthday")
    today = Occasion(OccasionKind.HOLIDAY, AS_OF, (DEV,), "Diwali")
    news = Occasion(OccasionKind.LIFE_EVENT, AS_OF, (BEN,), "Benedikt's new job")
    assert subject_line(digest_plan([], [today, tomorrow])) == "Ana's birthday tomorrow · +1"
    assert subject_line(digest_plan([], [today, tomorrow, news])) == "Benedikt's new job today · +2"


def test_subject_names_the_date_a_week_or_more_ahead_and_no_day_for_past_news() -> None:
    far = Occasion(OccasionKind.HOLIDAY, date(2026, 12, 4), (DEV,), "Hanukkah")
    news = Occasion(OccasionKind.LIFE_EVENT, AS_OF - timedelta(days=3), (BEN,), "Benedikt's new job")
    assert subject_line(digest_plan([], [news, far])) == "Benedikt's new job · +1"
    assert subject_line(digest_plan([], [far])) == "Hanukkah Fri 4 Dec"


def test_subject_shortens_a_long_label_rather_than_dropping_it() -> None:
    label = "The birthday of " + "Maximiliane Alexandra " * 4
    huge = Occasion(OccasionKind.BIRTHDAY, date(2026, 11, 24), (ANA,), label.strip())
    plan = digest_plan([due(ANA, None)] * 3, [huge, THANKSGIVING])

    subject = subject_line(plan)

    assert len(subject) == SUBJECT_LIMIT
    assert subject.startswith("3 to reach out to · The birthday of Maximiliane Alexandra")
    assert subject.endswith("… Tue · +1")


def test_subject_keeps_a_label_that_fits_whole() -> None:
    long = Occasion(
        OccasionKind.WORK_ANNIVERSARY, date(2026, 11, 24), (ANA,), "3 years since you worked together at Acme Corp"
    )
    plan = digest_plan([due(ANA, None)] * 3, [long, THANKSGIVING])
    assert subject_line(plan) == "3 to reach out to · 3 years since you worked together at Acme Corp Tue · +1"


@given(
    due_count=st.integers(0, 200),
    labels=st.lists(st.text(st.characters(categories=("L", "Zs")), min_size=1, max_size=90), max_size=4),
    offsets=st.lists(st.integers(-14, 30), min_size=4, max_size=4),
)
def test_subject_is_always_short_and_names_an_occasion(due_count: int, labels: list[str], offsets: list[int]) -> None:
    occasions = [
        Occasion(OccasionKind.HOLIDAY, AS_OF + timedelta(days=days), (DEV,), label)
        for label, days in zip(labels, offsets, strict=False)
    ]
    plan = digest_plan([], occasions, more_due=due_count)
    subject = subject_line(plan)
    assert 0 < len(subject) <= SUBJECT_LIMIT
    parts = subject.split(" · ")
    if due_count:
        assert parts.pop(0) == f"{due_count} to reach out to"
    if occasions:
        distinct = len({o.label for o in occasions})
        if distinct > 1:
            assert parts.pop() == f"+{distinct - 1}"
        gist = " · ".join(parts)  # a label may hold the separator's characters
        if "…" in gist:  # shortened: what is left is the start of a label
            assert any(o.label.startswith(gist.split("…")[0]) for o in occasions), gist
        else:
            assert any(gist.startswith(o.label) for o in occasions), gist
    else:
        assert parts in ([], ["Nothing due today"])


def test_render_uses_the_subject_line() -> None:
    plan = realistic_plan()
    digest = render(plan)
    assert digest.subject == subject_line(plan) == "5 to reach out to · Ana's birthday Fri · +1"
    assert parse(digest.html).title == digest.subject


# --- each due line ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        pytest.param(
            due(ANA, ANA_TOUCH.date, ANA_TOUCH),
            [
                "Ana Souza",
                "Boss · VP Engineering at Acme",
                "Last in touch 5 months ago. They reached out last, by email. Your turn.",
                ANA_NOTE,
            ],
            id="boss-inbound",
        ),
        pytest.param(
            due(BEN, BEN_TOUCH.date, BEN_TOUCH, streak=3),
            [
                "Benedikt Krämer",
                "Client · Northwind",
                "Last in touch 4 months ago. You reached out 3 times in a row and heard nothing back.",
            ],
            id="client-silence",
        ),
        pytest.param(
            due(CHLOE, CHLOE_TOUCH.date, CHLOE_TOUCH),
            ["Chloé Martin", "Colleague", "Last in touch 7 months ago. You met.", "Coffee near the old office."],
            id="colleague-met",
        ),
        pytest.param(
            due(DEV, date(2026, 10, 1), touch(DEV, date(2026, 10, 1), Direction.MUTUAL, Channel.CALL)),
            ["Devika Rao", "Mentor", "Last in touch 7 weeks ago. You talked on the phone."],
            id="mentor-call",
        ),
        pytest.param(due(DEV, None), ["Devika Rao", "No touch logged yet."], id="never-touched"),
    ],
)
def test_each_due_line_says_who_how_you_know_them_and_how_it_went(item: DueItem, expected: list[str]) -> None:
    html, text = both(render(digest_plan([item])))
    for phrase in expected:
        assert phrase in html
        assert phrase in text


def test_a_former_colleague_is_called_so() -> None:
    former = replace(BEN, worked_together_until=date(2024, 3, 31), relationship=Relationship.COLLEAGUE)
    html, text = both(render(digest_plan([due(former, None)])))
    assert "Former colleague · Northwind" in html
    assert "Former colleague · Northwind" in text


def test_an_imported_touch_newer_than_the_logged_ones_is_not_described() -> None:
    item = due(ANA, date(2026, 7, 1), ANA_TOUCH)  # ANA_TOUCH is from 20 June: we don't know how 1 July went
    html, _ = both(render(digest_plan([item])))
    assert "Last in touch 5 months ago." in html
    assert "Your turn" not in html


def test_each_due_contact_gets_one_action_link_beside_the_way_to_reach_them() -> None:
    plan = realistic_plan()
    digest = render(plan)
    hrefs = parse(digest.html).hrefs
    for item in plan.due:
        for action in ACTIONS:
            url = f"https://example.test/a/{item.contact.id}/{action}"
            assert url in hrefs
            assert url in digest.text
    assert "I reached out: " in digest.text and ">I reached out</a>" in digest.html
    for label in ("They reached out", "Snooze 2 weeks"):  # one tap away, on the page "I reached out" opens
        assert f"{label}: " not in digest.text and f">{label}</a>" not in digest.html


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        pytest.param(due(ANA, date(2026, 5, 1)), "share", id="boss"),
        pytest.param(due(DEV, date(2026, 5, 1)), "share", id="mentor"),
        pytest.param(due(BEN, date(2026, 5, 1)), "useful", id="client"),
        pytest.param(due(CHLOE, date(2026, 5, 1)), "check_in", id="colleague"),
        pytest.param(due(ANA, ANA_TOUCH.date, ANA_TOUCH), "your_turn", id="they-wrote-last"),
        pytest.param(due(BEN, BEN_TOUCH.date, BEN_TOUCH, streak=2), "no_reply", id="unanswered"),
    ],
)
def test_the_suggested_opener_fits_the_reason(item: DueItem, reason: str) -> None:
    html, text = both(render(digest_plan([item])))
    assert [idea for idea in ideas(reason) if idea.search(html)] != []
    assert [idea for idea in ideas(reason) if idea.search(text)] != []


LONG_AGO = date(2025, 3, 1)  # 20 months before AS_OF: past a year and twice a 60-day cadence


@pytest.mark.parametrize(
    ("item", "idea"),
    [
        pytest.param(due(CHLOE, LONG_AGO, touch(CHLOE, LONG_AGO, Direction.MUTUAL, Channel.MEETING, "Coffee")),
                     "It has been over a year: own the gap", id="lapsed, even with a note"),
        pytest.param(due(CHLOE, CHLOE_TOUCH.date, CHLOE_TOUCH),
                     "Pick up where you left off: “Coffee near the old office.”", id="the last note"),
        pytest.param(due(BEN, date(2026, 5, 1)), "Ask how things are going at Northwind", id="a client's company"),
        pytest.param(due(ANA, date(2026, 5, 1)), "goes back to working with them|Thank Ana for", id="a boss"),
    ],
)  # fmt: skip
def test_each_reason_names_what_is_known_about_the_person(item: DueItem, idea: str) -> None:
    html, text = both(render(digest_plan([item])))
    assert re.search(idea, html) and re.search(idea, text)


def test_no_opener_suggests_something_the_digest_does_not_give() -> None:
    """An article, a link, "this": the digest supplies none of them, so no suggestion may lean on one."""
    for reason, openers in OPENERS.items():
        for opener in openers:
            for words in (opener.idea, opener.body):
                assert not re.search(r"\b(article|link|resource|came across this|saw this)\b", words, re.I), (
                    reason,
                    words,
                )


def test_a_company_called_like_a_placeholder_is_shown_as_written() -> None:
    odd = replace(BEN, company="{first} & {note} Ltd")
    html, text = both(render(digest_plan([due(odd, date(2026, 5, 1))])))
    assert "Ask how things are going at {first} & {note} Ltd" in html and "{first} & {note} Ltd" in text


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("birthday", "happy birthday"),
        ("life_event", "Congratulate"),
        ("own_news", "hear it from you"),
        ("holiday", "season's greetings"),
    ],
)
def test_an_occasion_gives_a_due_contact_its_opener(kind: str, expected: str) -> None:
    occasion = Occasion(OccasionKind(kind), AS_OF, (BEN,), "Something about Benedikt")
    # As the planner hands it over (planner._once_each): on the due line, and not in the occasions' list.
    item = replace(due(BEN, date(2026, 5, 1)), occasion=occasion)
    html, text = both(render(digest_plan([item], [])))
    assert html.count(expected) == 1
    assert text.count(expected) == 1


def test_the_opener_is_chosen_deterministically() -> None:
    plan = realistic_plan()
    assert render(plan) == render(plan)


def test_a_contact_with_an_email_gets_a_mailto_with_an_encoded_starter() -> None:
    odd = replace(CHLOE, name="Zoë & Léa", email="zoe+news@example.fr")
    digest = render(digest_plan([due(odd, date(2026, 5, 1))]))
    mailtos = [h for h in parse(digest.html).hrefs if h.startswith("mailto:")]
    assert len(mailtos) == 1
    url = urlsplit(mailtos[0])
    assert url.path == "zoe%2Bnews@example.fr"
    fields = parse_qs(url.query, strict_parsing=True)
    assert set(fields) == {"subject", "body"}
    assert fields["body"][0].startswith("Hi Zoë,\n\n")
    assert fields["body"][0].endswith("\n\nBest,\nSam")
    assert " " not in mailtos[0] and "\n" not in mailtos[0]
    assert mailtos[0] in digest.text
    assert "Write to Zoë" in both(digest)[0]


def test_no_mailto_without_an_email() -> None:
    digest = render(digest_plan([due(BEN, date(2026, 5, 1))]))
    assert "mailto:" not in digest.html
    assert "mailto:" not in digest.text


def test_more_due_is_mentioned_only_when_some_are_held_back() -> None:
    html, text = both(render(realistic_plan()))
    assert "+ 2 more due" in html
    assert "+ 2 more due" in text
    html, text = both(render(digest_plan([due(ANA, None)])))
    assert "more due" not in html
    assert "more due" not in text


# --- occasions, footer ---------------------------------------------------------------------------------


def test_the_days_best_reasons_come_first_and_other_occasions_after_the_due_list() -> None:
    """A birthday today and news to congratulate read before anyone due; holidays and days ahead after."""
    today = Occasion(OccasionKind.BIRTHDAY, AS_OF, (DEV,), "Devika's birthday")
    news = Occasion(OccasionKind.LIFE_EVENT, AS_OF - timedelta(days=2), (CHLOE,), "Chloé's new job")
    plan = digest_plan([due(ANA, None)], [news, today, THANKSGIVING, ANA_BIRTHDAY])
    html, text = both(render(plan))

    for part, (first, due_list, later) in (
        (html, ("Today", "Due for a note", "Coming up")),
        (text, ("TODAY", "DUE FOR A NOTE", "COMING UP")),
    ):
        assert part.index(first) < part.index("Chloé's new job") < part.index("Devika's birthday · today")
        assert part.index("Devika's birthday · today") < part.index(due_list) < part.index(later)
        assert part.index(later) < part.index("Thanksgiving") < part.index("Ana's birthday · Friday 27 November")


def test_occasions_list_their_people_with_their_links() -> None:
    digest = render(realistic_plan())
    html, text = both(digest)
    assert "Today" not in html and "TODAY" not in text  # nothing pressing: no empty section
    assert html.index("Due for a note") < html.index("Coming up") < html.index("Thanksgiving")
    assert text.index("DUE FOR A NOTE") < text.index("COMING UP") < text.index("Thanksgiving")
    for part in (html, text):
        assert "Thanksgiving · Thursday 26 November" in part
        assert "Ana's birthday · Friday 27 November" in part
        assert "Devika Rao · Mentor" in part
    hrefs = parse(digest.html).hrefs
    for action in ACTIONS:
        assert f"https://example.test/a/dev/{action}" in hrefs
        assert f"https://example.test/a/dev/{action}" in digest.text


def test_past_news_says_how_long_ago() -> None:
    news = Occasion(OccasionKind.OWN_NEWS, AS_OF - timedelta(days=3), (ANA, DEV), "Your new job at Initech")
    html, text = both(render(digest_plan([], [news])))
    assert "Your new job at Initech · 3 days ago" in html
    assert "Your new job at Initech · 3 days ago" in text
    assert "Nobody is due for a note today, and there is one occasion to mark." in html


def test_every_reason_and_every_occasion_kind_has_its_openers() -> None:
    """No silent default: a kind added to OccasionKind or DueReason without openers fails here, not in an inbox."""
    assert set(OPENERS) == set(OccasionKind) | set(DueReason)
    for reason, openers in OPENERS.items():
        assert openers, reason
        for opener in openers:
            assert opener.idea and opener.subject and "{first}" in opener.body, (reason, opener)


def test_the_footer_shows_the_goal_the_pause_link_and_where_settings_live() -> None:
    digest = render(realistic_plan())
    html, text = both(digest)
    for part in (html, text):
        assert "2 of 4 touches this month." in part
        assert "Pause digests for a month" in part
        assert SETTINGS_HINT in part
        assert part.rindex("I reached out") < part.index("2 of 4") < part.index(SETTINGS_HINT)
    assert parse(digest.html).hrefs[-1] == PAUSE_URL
    assert f"Pause digests for a month: {PAUSE_URL}" in digest.text


def test_a_reached_goal_is_acknowledged() -> None:
    html, _ = both(render(digest_plan([due(ANA, None)], goal=Goal(4, 4))))
    assert "4 of 4 touches this month. Goal reached" in html


def test_the_greeting_uses_the_owners_first_name_and_send_hour() -> None:
    html, _ = both(render(realistic_plan(), replace(OWNER, send_hour=18)))
    assert "Good evening, Sam." in html
    html, _ = both(render(realistic_plan(), replace(OWNER, name=None)))
    assert "Good morning." in html


# --- safety ---------------------------------------------------------------------------------------------


def test_hostile_names_notes_and_companies_render_as_text() -> None:
    name = "<script>alert(1)</script>"
    note = "<img src=x onerror=alert(2)>"
    company = '"><iframe src="https://evil.test">'
    evil = person("x\"'><script>alert(3)</script>", name, company=company, email="evil@example.test")
    plan = digest_plan(
        [
            due(
                evil,
                AS_OF - timedelta(days=90),
                touch(evil, AS_OF - timedelta(days=90), Direction.INBOUND, Channel.EMAIL, note),
            )
        ]
    )
    digest = render(plan)
    parsed = parse(digest.html)
    assert not {"script", "img", "iframe"} & set(parsed.tags)
    assert not [attr for attr, _ in parsed.attrs if attr.startswith("on")]
    for text in (name, note, company):
        assert text in parsed.text
        assert text in digest.text  # the text part is plain text: shown as written
    assert f"https://example.test/a/{evil.id}/reached_out" in parsed.hrefs  # the href was escaped, and reads back whole


def test_only_web_links_reach_an_href() -> None:
    class Hostile(FakeLinks):
        def action_url(self, contact_id: str, action: str) -> str:
            return "javascript:alert(1)"

    with pytest.raises(ValueError, match="http"):
        render_digest(realistic_plan(), OWNER, Hostile())


def test_no_images_no_remote_resources_no_tracking() -> None:
    plan = realistic_plan()
    digest = render(plan)
    parsed = parse(digest.html)
    assert not {"img", "link", "script", "iframe", "object", "embed", "video", "audio", "source"} & set(parsed.tags)
    assert not [value for name, value in parsed.attrs if name in {"src", "srcset", "background", "poster"}]
    assert "url(" not in digest.html
    assert "@import" not in digest.html
    ours = {PAUSE_URL} | {f"https://example.test/a/{c}/{a}" for c in ("ana", "ben", "chloe", "dev") for a in ACTIONS}
    assert {h for h in parsed.hrefs if not h.startswith("mailto:")} <= ours  # no redirector, no tracking parameter


def test_html_and_text_carry_the_same_links_in_the_same_order() -> None:
    digest = render(realistic_plan())
    assert parse(digest.html).hrefs == URL_IN_TEXT.findall(digest.text)
    occasions, due_list, pause = 2 + 2 + 2, 2 + 1 + 2, 1  # one action each, plus a mailto where there is an email
    assert len(parse(digest.html).hrefs) == occasions + due_list + pause


def test_html_is_made_for_mail_clients() -> None:
    html = render(realistic_plan()).html
    assert '<meta name="color-scheme" content="light dark">' in html
    assert "@media (prefers-color-scheme: dark)" in html
    assert "@media (max-width: 480px)" in html
    assert "max-width:600px" in html
    assert 'role="presentation"' in html
    # Outside the <style> block every rule is inline: no element depends on a class for its look.
    body = html.split("</head>", 1)[1]
    assert "<style" not in body
    assert all(name != "class" or value.startswith("cb-") for name, value in parse(body).attrs)
