"""A planned digest as people read it: one view model, and the email (HTML and text) and the preview made from it.

The templates only lay things out. Every sentence is decided here, once, in the view (`digest_view`) that the
email's HTML and text parts, `circleback preview`'s text and its `--json` all read, so they always say the same
thing about the same people; the email's view carries the signed links, the preview's has none.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, urlsplit

from circleback.auth.tokens import SORT_ACTIONS, Action
from circleback.domain.cadence import History
from circleback.domain.cities import at_home
from circleback.domain.loops import ShareSuggestion, Step, StepKind
from circleback.domain.model import Channel, Contact, Direction, NewPerson, Owner, Relationship, Touch
from circleback.domain.planner import DigestPlan, DueItem, Goal, Occasion, OccasionKind
from circleback.domain.reach import dialled, linkedin_profile, ways_to_reach
from circleback.domain.sorting import SORT_CHOICES, SortItem
from circleback.domain.teams import team_id
from circleback.domain.wording import first_name, time_ago
from circleback.templating import templates

TEMPLATES = Path(__file__).parent / "templates"
SUBJECT_LIMIT = 78  # RFC 5322's recommended line length; longer subjects get cut off in most inbox lists
SUBJECT_SEPARATOR = " · "
# An occasion lists at most this many people, each with their links; the rest are only counted ("and 37 more").
# A holiday names everyone whose country keeps it, so New Year's Day can list hundreds of contacts, and each
# shown person is a block of four links (about 1.6 KB of HTML): uncapped, the holiday buries the due list and
# pushes the message past Gmail's 102 KB clip, which hides the footer and its pause link. The people arrive by
# tier then name, so the first five are the closest ones; five is also the default length of the due list and
# the size of the own-news audience.
OCCASION_CONTACTS_SHOWN = 5
# Gmail clips an HTML part past about 102 KB and hides the rest, the pause link included. The email's HTML is
# fitted under this many bytes of UTF-8 (`_fitted`), which leaves room for quoted-printable's soft line breaks
# and escapes in the message itself (tests/unit/test_digest_size.py measures both).
HTML_BUDGET_BYTES = 90 * 1024
OCCASIONS_KEPT = 3  # fitting drops later occasions down to this many before it drops anyone due
LINK_SCHEMES = frozenset({"https", "http"})  # http only for the local demo on 127.0.0.1
REACH_SCHEMES = frozenset({"https", "tel", "sms"})  # a LinkedIn profile, a phone to call or text
UNREACHABLE = "No email, phone or LinkedIn profile on file: add one with `circleback contacts edit`."


class LinkFactory(Protocol):
    def action_url(self, contact_id: str, action: str) -> str:
        """A link for one contact; `action` is "reached_out" or a Sort choice ("sort_a" ... "sort_out")."""
        ...

    def pause_url(self) -> str:
        """The RFC 8058 one-click pause (a POST target; a GET must only confirm)."""
        ...

    def add_url(self, person_key: str) -> str:
        """The "Add" link beside someone the owner wrote to (domain/mail_notices.py new_person_key)."""
        ...

    def settings_hint(self) -> str:
        """One line telling where the settings live, e.g. "Settings: circleback settings show"."""
        ...


@dataclass(frozen=True)
class RenderedDigest:
    subject: str
    text: str
    html: str


# --- what the digest suggests writing ------------------------------------------------------------------


class DueReason(StrEnum):
    """Why a due contact is due, as far as the opener goes (an occasion of theirs, when they have one, wins).
    `_due_reason` picks the first that applies, in this order."""

    LAPSED = "lapsed"  # no touch for over a year and over twice their cadence: own the gap
    RECONNECT = "reconnect"  # `circleback reconnect`: the owner means to, however long it has been
    MEET_UP = "meet_up"  # they live in the owner's home city: a coffee beats a message (domain/places.py)
    NO_REPLY = "no_reply"  # two or more notes unanswered
    YOUR_TURN = "your_turn"  # they wrote last
    PICK_UP = "pick_up"  # the last touch has a note: start from it
    SHARE = "share"  # a boss or mentor: show what their help turned into
    USEFUL = "useful"  # a client or vendor: something useful to them
    CHECK_IN = "check_in"


@dataclass(frozen=True, slots=True)
class Opener:
    """A suggestion: {first}, {company} and {note} stand for what is known about the person (`_filled`); an
    opener that names {company} or {note} is only chosen for someone with one. None names anything the
    digest does not give (an article, a link): the owner can act on every one as it reads."""

    idea: str  # shown in the digest, addressed to the owner
    subject: str  # the mailto starter's subject
    body: str  # the mailto starter's first lines

    def names(self) -> set[str]:
        """The facts it names besides the first name, which everyone has."""
        return set(_PLACEHOLDER.findall(self.idea + self.subject + self.body)) - {"first"}

    def fits(self, facts: Mapping[str, str]) -> bool:
        return all(facts.get(name) for name in self.names())


# One table for every suggestion. Variants are picked by a hash of the contact and the day, never at random,
# so a retried render is byte-for-byte the same and tomorrow's digest may word it differently.
# Every reason and every occasion kind has its openers: tests/unit/test_render.py checks, so none can be missing.
OPENERS: Mapping[DueReason | OccasionKind, tuple[Opener, ...]] = {
    # Bosses and mentors like to see what their help turned into, and to be thanked for it.
    DueReason.SHARE: (
        Opener(
            "Tell {first} one thing you did lately that goes back to working with them.",
            "Something I learned",
            "Hi {first},\n\nSomething came up recently that took me straight back to working with you:",
        ),
        Opener(
            "Thank {first} for one thing they taught you, and say where it has taken you since.",
            "Thank you",
            "Hi {first},\n\nI was thinking about what I learned working with you, and wanted to say thank you.",
        ),
    ),
    DueReason.CHECK_IN: (
        Opener(
            "Ask {first} what they are working on at {company} these days.",
            "Catching up",
            "Hi {first},\n\nIt has been a while. What are you working on at {company} these days?",
        ),
        Opener(
            "Suggest a coffee or a short call when they next have a moment.",
            "Coffee soon?",
            "Hi {first},\n\nIt would be good to catch up. Do you have time for a coffee or a call in the next weeks?",
        ),
    ),
    # Clients and vendors: be useful first, with nothing to sell.
    DueReason.USEFUL: (
        Opener(
            "Ask how things are going at {company}, and offer a hand with what they are working on.",
            "How are things at {company}?",
            "Hi {first},\n\nHow are things at {company}? If anything I know could help with what you are working "
            "on, just say.",
        ),
        Opener(
            "Ask what they are working on, and offer a hand with it, no ask attached.",
            "Catching up",
            "Hi {first},\n\nWhat are you working on these days? If I can help with any of it, just say.",
        ),
    ),
    DueReason.YOUR_TURN: (
        Opener(
            "They wrote last: reply, and ask how things have gone since.",
            "Catching up",
            "Hi {first},\n\nThank you again for getting in touch. How have things gone since?",
        ),
    ),
    # After unanswered notes, a light message with nothing to answer is easier to reply to than a question.
    DueReason.NO_REPLY: (
        Opener(
            "Keep it light: one line with nothing to answer, and no mention of the silence.",
            "Thinking of you",
            "Hi {first},\n\nNo need to reply: you came to mind today, and I hope all is well.",
        ),
    ),
    # The last note says what you talked about: the best first line is the next chapter of it.
    DueReason.PICK_UP: (
        Opener(
            "Pick up where you left off: “{note}”",
            "Following up",
            "Hi {first},\n\nI was thinking about our last conversation. How have things gone since?",
        ),
    ),
    # Years of silence: own the gap, and ask for time rather than sending something.
    DueReason.LAPSED: (
        Opener(
            "It has been over a year: own the gap, and suggest a call or a coffee to catch up properly.",
            "It's been too long",
            "Hi {first},\n\nIt's been far too long, and that's on me. Would you have time for a call or a coffee in "
            "the next few weeks? I'd love to hear what you are up to.",
        ),
    ),
    DueReason.RECONNECT: (
        Opener(
            "You meant to reconnect: own the gap, and suggest a call or a coffee to catch up properly.",
            "It's been too long",
            "Hi {first},\n\nIt's been far too long, and that's on me. Would you have time for a call or a coffee in "
            "the next few weeks? I'd love to hear what you are up to.",
        ),
    ),
    # Same city: propose meeting, which does more than any message.
    DueReason.MEET_UP: (
        Opener(
            "Suggest a coffee: you're both in {city}.",
            "Coffee soon?",
            "Hi {first},\n\nWe're both in {city}: would you have time for a coffee in the next few weeks?",
        ),
    ),
    OccasionKind.TRIP: (
        Opener(
            "Propose lunch while you are there.",
            "Lunch while I'm in town?",
            "Hi {first},\n\nI'll be in town soon. Would you have time for lunch or a coffee?",
        ),
    ),
    OccasionKind.GROUP: (
        Opener(
            "Propose one lunch for the old team: one note to all of them; log it here once you have met.",
            "Lunch, the old team?",
            "Hi {first},\n\nIt's been too long since we were all in one room. Lunch soon?",
        ),
    ),
    OccasionKind.BIRTHDAY: (
        Opener(
            "Wish them a happy birthday.",
            "Happy birthday!",
            "Hi {first},\n\nHappy birthday! I hope the year ahead is a great one.",
        ),
    ),
    OccasionKind.WORK_ANNIVERSARY: (
        Opener(
            "Mark the anniversary: recall something you did together.",
            "It has been a while",
            "Hi {first},\n\nIt struck me that it has been a while since we worked together. How are things with you?",
        ),
    ),
    OccasionKind.HOLIDAY: (
        Opener(
            "Send season's greetings.",
            "Season's greetings",
            "Hi {first},\n\nWishing you and yours a wonderful holiday.",
        ),
    ),
    OccasionKind.LIFE_EVENT: (
        Opener(
            "Congratulate them on the news.",
            "Congratulations!",
            "Hi {first},\n\nI just saw the news. Congratulations!",
        ),
    ),
    OccasionKind.OWN_NEWS: (
        Opener(
            "Share your news: they should hear it from you, not from a feed.",
            "Some news",
            "Hi {first},\n\nI wanted you to hear it from me:",
        ),
    ),
}

_PLACEHOLDER = re.compile(r"\{(first|company|note|city|about)\}")  # about: a next step's (STEP_WORDS)
LAPSED_AFTER_DAYS = 365  # and twice the person's effective cadence: a silence no reminder should gloss over
RELATIONSHIP_REASON: Mapping[Relationship, DueReason] = {
    Relationship.BOSS: DueReason.SHARE,
    Relationship.MENTOR: DueReason.SHARE,
    Relationship.CLIENT: DueReason.USEFUL,
    Relationship.VENDOR: DueReason.USEFUL,
}

RELATIONSHIP_LABEL: Mapping[Relationship, str] = {
    Relationship.BOSS: "Boss",
    Relationship.MENTOR: "Mentor",
    Relationship.COLLEAGUE: "Colleague",
    Relationship.CLIENT: "Client",
    Relationship.VENDOR: "Vendor",
    Relationship.REPORT: "Direct report",
    Relationship.FRIEND: "Friend",
}
# With a date you stopped working together, these become "Former boss", "Former colleague" and so on.
WORK_RELATIONSHIPS = frozenset(
    {Relationship.BOSS, Relationship.COLLEAGUE, Relationship.CLIENT, Relationship.VENDOR, Relationship.REPORT}
)

CHANNEL_PHRASE: Mapping[Channel, str] = {
    Channel.EMAIL: "by email",
    Channel.CALL: "by phone",
    Channel.MEETING: "in person",
    Channel.MESSAGE: "by message",
    Channel.SOCIAL: "on social media",
}

# One action a person in the email, beside the way to reach them: its page offers "They reached out" and "Snooze"
# (services/actions.ALTERNATIVES), so ten people make twenty buttons, not forty.
ACTIONS = (("I reached out", "reached_out"),)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Spelled out rather than strftime'd: the words must not depend on the machine's locale.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


# --- the view model the templates read ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class ContactView:
    name: str
    about: str
    mailto: Link | None
    actions: tuple[Link, ...]
    reach: tuple[Link, ...] = ()  # without an email: LinkedIn's "Message", call and text (domain/reach.py)
    unreachable: str | None = None  # no way at all to reach them, said so


@dataclass(frozen=True, slots=True)
class DueView:
    contact: ContactView
    history: str
    note: str | None
    idea: str
    first_line: str | None  # when the contact has an occasion: its first line, e.g. "Happy birthday!"
    # The plan's figures, for `preview --json` and the preview's text:
    due_date: date
    days_overdue: int
    cadence_days: int  # the effective cadence (after the backoff for silence)
    tier: str
    overdue: str  # "due today", "3 days overdue"
    occasion: Occasion | None = None  # their occasion in the window, which this line carries (planner._once_each)
    occasion_line: str | None = None  # that occasion as the line reads it: "Birthday · Friday 4 December"
    channels: tuple[str, ...] = ()  # how they can be reached: "email", "linkedin", "phone" (domain/reach.py)
    lapsed: bool = False  # no touch for over a year and twice their cadence (`lapsed`): the line says so


@dataclass(frozen=True, slots=True)
class OccasionView:
    kind: OccasionKind
    date: date
    label: str
    when: str
    idea: str
    first_line: str | None  # a first line that fits: "Congratulations on the new role!", "Happy New Year!"
    names: tuple[str, ...]  # everyone it concerns, each once
    contacts: tuple[ContactView, ...]  # the first OCCASION_CONTACTS_SHOWN people, each with their links
    more_contacts: str | None  # "and 37 more", for the people beyond those
    pressing: bool = False  # a birthday today or news to congratulate: above the due list (`_pressing`)
    to_all: Link | None = None  # a trip's or team's one note to everyone with an email (`_note_to_all`)
    group_links: tuple[Link, ...] = ()  # a team lunch's: log it for each of them, or not now


@dataclass(frozen=True, slots=True)
class StepView:
    """A next step (domain/loops.py): who, what to do, what it is about, and its own links."""

    kind: StepKind
    name: str
    title: str  # "Say thank you to Tom"
    line: str  # "For a reference for the Acme role."
    about: str  # what it is about, as given (for `preview --json`)
    since: date
    note: str | None
    contact: ContactView


@dataclass(frozen=True, slots=True)
class SharePersonView:
    contact: ContactView
    reason: str  # "Interested in ai and security"


@dataclass(frozen=True, slots=True)
class ShareView:
    title: str
    url: str
    people: tuple[SharePersonView, ...]


@dataclass(frozen=True, slots=True)
class SortView:
    """An unsorted contact the digest asks about (domain/sorting.py), with what it suggests and why."""

    name: str
    about: str
    relationship: str | None  # the suggested relationship's value ("boss", "colleague"), if any
    why: str  # "a former colleague at Acme 2019–2022, while you were there", "connected since 2014"
    reason: str  # `why` as a sentence: "A former colleague at Acme 2019–2022, while you were there."
    choices: tuple[Link, ...] = ()  # one link per choice; none in a preview


@dataclass(frozen=True, slots=True)
class DigestView:
    as_of: date
    subject: str
    heading: str
    greeting: str
    summary: str
    occasions: tuple[OccasionView, ...]
    due: tuple[DueView, ...]
    due_count: int  # everyone due, those held back included
    more_due_count: int
    more_due: str | None
    more_occasions: str | None  # the email's occasions left out to fit (`_fitted`); never in a preview
    goal_done: int
    goal_target: int
    goal: str
    pause: Link | None  # None in a preview: it has no links
    settings_hint: str
    to_sort: tuple[SortView, ...] = ()
    unsorted_count: int = 0  # every unsorted contact, those not asked about today included
    more_to_sort: str | None = None  # the Sort section's people left out to fit (`_fitted`); never in a preview
    steps: tuple[StepView, ...] = ()  # next steps: follow-ups and the favour loop (domain/loops.py)
    promoted: tuple[str, ...] = ()  # "Tom is in your closest circle now (tier A): ..."
    share: ShareView | None = None  # the worth-sharing item
    new_people: tuple[NewPersonView, ...] = ()  # people the owner wrote to, offered as contacts
    replied: tuple[str, ...] = ()  # what the owner's reply to a digest did (domain/replies.py said)
    unread: tuple[str, ...] = ()  # and the lines it could not read, each with why

    @property
    def pressing(self) -> tuple[OccasionView, ...]:
        """The occasions that read first, above the due list: what can only be done today."""
        return tuple(o for o in self.occasions if o.pressing)

    @property
    def coming_up(self) -> tuple[OccasionView, ...]:
        """The other occasions, below the due list: holidays, birthdays ahead, anniversaries, your own news."""
        return tuple(o for o in self.occasions if not o.pressing)


def render_digest(plan: DigestPlan, owner: Owner, links: LinkFactory) -> RenderedDigest:
    """Subject, text and HTML for one planned digest. Pure: the same plan and links give the same email."""
    env = templates(TEMPLATES)
    html_template = env.get_template("digest.html")
    view, html = _fitted(digest_view(plan, owner, links), lambda candidate: html_template.render(d=candidate))
    return RenderedDigest(subject=view.subject, text=env.get_template("digest.txt").render(d=view), html=html)


def _fitted(view: DigestView, html_of: Callable[[DigestView], str]) -> tuple[DigestView, str]:
    """The view with as many of its occasions, people to sort and due people as fit the HTML in
    HTML_BUDGET_BYTES, and its HTML (a digest that fits, the usual case, is rendered once).

    Later occasions go first (down to OCCASIONS_KEPT), then the Sort section's people from the end (sorting can
    wait a day), then due people from the end of the list: the nearest occasions and the people most overdue
    stay. What is left out is counted in the email ("+ 12 more ...") and shown by `circleback preview`; nothing
    is marked as sent for it. Each count is found by bisection, so a digest of hundreds of occasions costs a
    dozen renders, not hundreds.
    """
    html = html_of(view)
    if _fits(html):
        return view, html
    cuts: tuple[tuple[Callable[[DigestView, int], DigestView], int, int], ...] = (
        (_keep_occasions, min(OCCASIONS_KEPT, len(view.occasions)), len(view.occasions)),
        (_keep_to_sort, 0, len(view.to_sort)),
        (_keep_due, 0, len(view.due)),
    )
    for cut, low, high in cuts:
        whole = view
        view = cut(whole, _most_that_fit(low, high, lambda n: _fits(html_of(cut(whole, n)))))  # noqa: B023
        html = html_of(view)
        if _fits(html):
            break
    return view, html


def _keep_to_sort(view: DigestView, n: int) -> DigestView:
    left_out = len(view.to_sort) - n
    more = f"+ {_count(left_out, 'more person', 'more people')} to sort: `circleback sort` goes through them."
    return replace(view, to_sort=view.to_sort[:n], more_to_sort=more if left_out else None)


def _fits(html: str) -> bool:
    return len(html.encode()) <= HTML_BUDGET_BYTES


def _most_that_fit(low: int, high: int, fits: Callable[[int], bool]) -> int:
    """The largest n in [low, high] with fits(n), given that fits only turns false as n grows (low when none)."""
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low


def _keep_occasions(view: DigestView, n: int) -> DigestView:
    """The view with its first `n` occasions, the rest counted."""
    left_out = len(view.occasions) - n
    return replace(
        view,
        occasions=view.occasions[:n],
        more_occasions=(
            f"+ {_count(left_out, 'more occasion', 'more occasions')} in the days ahead: "
            "`circleback preview` lists them all."
            if left_out
            else None
        ),
    )


def _keep_due(view: DigestView, n: int) -> DigestView:
    """The view with its first `n` due people, the rest counted."""
    more_due_count = view.more_due_count + len(view.due) - n
    return replace(view, due=view.due[:n], more_due_count=more_due_count, more_due=_more_due(more_due_count))


def _more_due(count: int) -> str | None:
    return f"+ {count} more due, kept for another day." if count else None


def render_preview(view: DigestView) -> str:
    """`circleback preview`'s text: the digest's own view, with the plan's figures and without links."""
    return templates(TEMPLATES).get_template("preview.txt").render(d=view)


def digest_view(plan: DigestPlan, owner: Owner, links: LinkFactory | None) -> DigestView:
    """The digest as it reads; with `links` None (a preview), no action links and no pause link."""
    return DigestView(
        as_of=plan.as_of,
        subject=subject_line(plan),
        heading=f"{WEEKDAYS[plan.as_of.weekday()]} {plan.as_of.day} {MONTHS[plan.as_of.month - 1]}",
        greeting=_greeting(owner),
        summary=_summary(plan),
        occasions=tuple(_occasion_view(o, plan.as_of, owner, links) for o in plan.occasions),
        due=tuple(_due_view(item, plan.as_of, owner, links) for item in plan.due),
        due_count=len(plan.due) + plan.more_due,
        more_due_count=plan.more_due,
        more_due=_more_due(plan.more_due),
        more_occasions=None,
        goal_done=plan.goal.done,
        goal_target=plan.goal.target,
        goal=_goal_line(plan.goal),
        pause=Link("Pause digests for a month", _checked_url(links.pause_url())) if links else None,
        settings_hint=links.settings_hint() if links else "",
        to_sort=tuple(_sort_view(item, links) for item in plan.to_sort),
        unsorted_count=plan.unsorted,
        steps=tuple(_step_view(step, owner, links) for step in plan.steps),
        promoted=tuple(
            f"{c.name} is in your closest circle now (tier A): they helped, you thanked them and told them how it "
            "turned out."
            for c in plan.promoted
        ),
        share=_share_view(plan.share, owner, links) if plan.share else None,
        new_people=tuple(_new_person_view(person, links) for person in plan.new_people),
        replied=tuple(line for reply in plan.replies for line in reply.done),
        unread=tuple(f"“{line}”: {why}." for reply in plan.replies for line, why in reply.unread),
    )


# --- next steps and sharing (domain/loops.py) ---------------------------------------------------------------

# Each step's words: its title, its line, the note's subject and first lines, and its links ({first} the person's
# first name, {about} what it is about). A test reads them all.
STEP_WORDS: Mapping[StepKind, tuple[str, str, str, str, tuple[tuple[str, Action], ...]]] = {
    StepKind.FOLLOW_UP: (
        "Follow up with {first}",
        "You meant to follow up about {about}.",
        "Following up",
        "Hi {first},\n\nI wanted to follow up about {about}. How did it go?",
        (("I reached out", Action.REACHED_OUT), ("Done", Action.FOLLOW_UP_DONE)),
    ),
    StepKind.ASK_CHECK_IN: (
        "Check in with {first}",
        "You asked them for {about}: a gentle word, no pressure.",
        "Checking in",
        "Hi {first},\n\nJust checking in about {about}: no rush at all, and thank you for thinking about it.",
        (("They helped", Action.HELPED), ("I checked in", Action.REACHED_OUT)),
    ),
    StepKind.THANK: (
        "Say thank you to {first}",
        "For {about}. A real thank-you, soon, is what makes the next ask easy.",
        "Thank you",
        "Hi {first},\n\nThank you so much for {about}. It made a real difference.",
        (("Said thanks", Action.THANKED),),
    ),
    StepKind.TELL_OUTCOME: (
        "Tell {first} how it turned out",
        "They helped with {about}: people who help want to know how it ended.",
        "How it turned out",
        "Hi {first},\n\nI wanted to tell you how it turned out, after your help with {about}:",
        (("Told them", Action.TOLD),),
    ),
    StepKind.TIME_TO_ASK: (
        "Now is the time to ask {first}",
        "For {about}: you have caught up, and the ask comes easier now.",
        "A favour",
        "Hi {first},\n\nIt was good to catch up. Could I ask for your help with {about}?",
        (("I asked", Action.ASKED),),
    ),
}
FOLLOW_UP_PLAIN = (
    "You meant to follow up.",
    "Hi {first},\n\nI wanted to follow up on our last conversation. How have things gone since?",
)


def _step_view(step: Step, owner: Owner, links: LinkFactory | None) -> StepView:
    title, line, subject, body, actions = STEP_WORDS[step.kind]
    if step.kind is StepKind.FOLLOW_UP and not step.about:
        line, body = FOLLOW_UP_PLAIN
    words = {"first": first_name(step.contact.name), "about": step.about}
    mailto = _mail_link(step.contact, subject, _filled(body, words), owner)
    contact = ContactView(
        name=step.contact.name,
        about=_about(step.contact),
        mailto=mailto,
        actions=_links_for(step.contact.id, actions, links),
        reach=() if mailto is not None else _reach(step.contact),
    )
    return StepView(
        kind=step.kind,
        name=step.contact.name,
        title=_filled(title, words),
        line=_filled(line, words),
        about=step.about,
        since=step.since,
        note=step.note,
        contact=contact,
    )


def _share_view(suggestion: ShareSuggestion, owner: Owner, links: LinkFactory | None) -> ShareView:
    share = suggestion.share
    people = []
    for contact, tags in suggestion.contacts:
        topics = _and(list(tags))
        body = (
            f"Hi {first_name(contact.name)},\n\nThis made me think of you and your interest in {topics}:\n\n"
            f"{share.title}\n{share.url}"
        )
        view = ContactView(
            name=contact.name,
            about=_about(contact),
            mailto=_mail_link(contact, share.title, body, owner),
            actions=_links_for(contact.id, (("Shared", Action.SHARED),), links),
        )
        people.append(SharePersonView(view, f"Interested in {topics}"))
    return ShareView(share.title, _checked_url(share.url), tuple(people))


@dataclass(frozen=True, slots=True)
class NewPersonView:
    name: str  # the name beside the address in the owner's mail, else the address
    address: str
    written: str  # "You wrote to them on Thursday 3 December."
    add: Link | None  # None in a preview


def _new_person_view(person: NewPerson, links: LinkFactory | None) -> NewPersonView:
    add = Link("Add", _checked_url(links.add_url(person.key))) if links else None
    return NewPersonView(person.name or person.address, person.address, f"You wrote to them on "
                         f"{WEEKDAYS[person.last_written.weekday()]} {person.last_written.day} "
                         f"{MONTHS[person.last_written.month - 1]}.", add)  # fmt: skip


def _links_for(contact_id: str, actions: Sequence[tuple[str, Action]], links: LinkFactory | None) -> tuple[Link, ...]:
    if links is None:
        return ()
    return tuple(Link(label, _checked_url(links.action_url(contact_id, action.value))) for label, action in actions)


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _sort_view(item: SortItem, links: LinkFactory | None) -> SortView:
    relationship = item.suggestion.relationship  # the link's page works it out again (ActionLinks.suggested)
    choices = (
        ()
        if links is None
        else tuple(
            Link(label, _checked_url(links.action_url(item.contact.id, SORT_ACTIONS[tier].value)))
            for tier, label in SORT_CHOICES
        )
    )
    return SortView(
        name=item.contact.name,
        about=_about(item.contact),
        relationship=relationship.value if relationship is not None else None,
        why=item.suggestion.why,
        reason=_sentence(item.suggestion.why),
        choices=choices,
    )


# --- subject ------------------------------------------------------------------------------------------


def subject_line(plan: DigestPlan, limit: int = SUBJECT_LIMIT) -> str:
    """The gist, e.g. "3 to reach out to · Ana's birthday Fri · +2".

    How many are due, then the most time-sensitive occasion (`_most_pressing`) and how many other occasions
    there are (a holiday kept on different days in different countries counts once). A label too long to fit is
    shortened with "…", never dropped; the people to sort are named last, only when they fit.
    """
    due = len(plan.due) + plan.more_due
    occasions = _by_label(plan)
    parts = [f"{due} to reach out to"] if due else []
    if plan.steps:  # the owner's own next steps: a thank-you or a follow-up is the day's most personal line
        parts.append(_step_gist(plan.steps[0]) if len(plan.steps) == 1 else f"{len(plan.steps)} next steps")
    if occasions:
        first, *others = occasions
        rest = [f"+{len(others)}"] if others else []
        room = limit - len(SUBJECT_SEPARATOR.join([*parts, "", *rest]))
        parts += [_occasion_gist(first, plan.as_of, room), *rest]
    sort = f"{_count(len(plan.to_sort), 'person', 'people')} to sort" if plan.to_sort else None
    if sort and len(SUBJECT_SEPARATOR.join([*parts, sort])) <= limit:
        parts.append(sort)
    if not parts and plan.share is not None:
        parts.append(f"Worth sharing: {plan.share.share.title}")
    subject = SUBJECT_SEPARATOR.join(parts) or "Nothing due today"
    return subject if len(subject) <= limit else subject[: limit - 1].rstrip() + "…"


def _step_gist(step: Step) -> str:
    return _filled(STEP_WORDS[step.kind][0], {"first": first_name(step.contact.name)})


def _by_label(plan: DigestPlan) -> list[Occasion]:
    """The plan's occasions, most pressing first, each label once."""
    by_label: dict[str, Occasion] = {}
    for occasion in sorted(plan.occasions, key=lambda o: _most_pressing(o, plan.as_of)):
        by_label.setdefault(occasion.label, occasion)
    return list(by_label.values())


# What can only be done on its day comes first: a person's birthday or news, then the rest.
_PERSONAL = frozenset({OccasionKind.BIRTHDAY, OccasionKind.LIFE_EVENT, OccasionKind.WORK_ANNIVERSARY})
_PLANS = frozenset({OccasionKind.TRIP, OccasionKind.GROUP})


def _most_pressing(occasion: Occasion, as_of: date) -> tuple[int, int]:
    """Today's birthday or news first, then a person's occasion by nearness, then holidays and own news, then
    plans (a trip, a team's lunch: nothing is lost by waiting a day)."""
    days = abs((occasion.date - as_of).days)
    if occasion.kind in _PLANS:
        return 3, days
    personal = occasion.kind in _PERSONAL
    return (0 if personal and days == 0 else 1 if personal else 2), days


def _sort_summary(plan: DigestPlan) -> str:
    if not plan.to_sort:
        return ""
    asked = len(plan.to_sort)
    if asked >= plan.unsorted:
        return f" Sort {_count(asked, 'new person', 'new people')} into your rotation: one click each."
    return f" Sort {asked} of the {plan.unsorted:,} people you have not sorted yet: one click each."


def _occasion_gist(occasion: Occasion, as_of: date, room: int = SUBJECT_LIMIT) -> str:
    """The occasion and its day in at most `room` characters: a long label is shortened with "…"."""
    days = (occasion.date - as_of).days
    when = "" if occasion.kind in _PLANS else _subject_day(occasion.date, days)  # a trip's label has its dates
    label = f"Lunch: {occasion.label}" if occasion.kind is OccasionKind.GROUP else occasion.label
    width = room - (len(when) + 1 if when else 0)
    if len(label) > width:
        label = label[: max(width - 1, 1)].rstrip() + "…"
    return f"{label} {when}" if when else label


def _subject_day(day: date, days: int) -> str:
    if days < 0:  # already happened (news): the label says it all
        return ""
    if days <= 1:
        return "today" if days == 0 else "tomorrow"
    weekday = WEEKDAYS[day.weekday()][:3]
    if days < 7:
        return weekday
    # A week or more ahead, the weekday alone would be ambiguous.
    return f"{weekday} {day.day} {MONTHS[day.month - 1][:3]}"


# --- body ---------------------------------------------------------------------------------------------


def _greeting(owner: Owner) -> str:
    part_of_day = "morning" if owner.send_hour < 12 else "afternoon" if owner.send_hour < 17 else "evening"
    first = first_name(owner.name) if owner.name else ""
    return f"Good {part_of_day}, {first}." if first else f"Good {part_of_day}."


def _summary(plan: DigestPlan) -> str:
    return _due_summary(plan) + _steps_summary(plan)


def _steps_summary(plan: DigestPlan) -> str:
    said = ""
    if plan.steps:
        said += f" {_count(len(plan.steps), 'next step', 'next steps')} of your own to take."
    if plan.share is not None:
        said += f" Something worth sharing with {_count(len(plan.share.contacts), 'person', 'people')}."
    return said


def _due_summary(plan: DigestPlan) -> str:
    due = len(plan.due) + plan.more_due
    people = {0: "Nobody is due for a note today", 1: "One person is due for a note"}.get(
        due, f"{due} people are due for a note"
    )
    if not plan.occasions:
        return f"{people}.{_sort_summary(plan)}"
    if len(plan.occasions) == 1:
        return f"{people}, and there is one occasion to mark.{_sort_summary(plan)}"
    return f"{people}, and there are {len(plan.occasions)} occasions to mark.{_sort_summary(plan)}"


def _occasion_view(occasion: Occasion, as_of: date, owner: Owner, links: LinkFactory | None) -> OccasionView:
    opener = _pick(occasion.kind, occasion.label, as_of, {})
    first_line = occasion.opener or None
    people = _distinct(occasion.contacts)
    shown = people[:OCCASION_CONTACTS_SHOWN]
    hidden = len(people) - len(shown)
    return OccasionView(
        kind=occasion.kind,
        date=occasion.date,
        label=occasion.label,
        when=_when(occasion.date, as_of),
        idea=opener.idea,
        first_line=first_line,
        # A team is named whole (its lunch is for all of them); anything else names whom it lists.
        names=tuple(c.name for c in (_distinct(occasion.group) if occasion.team else people)),
        contacts=tuple(_contact_view(c, opener, _first_line(occasion, c), owner, links) for c in shown),
        more_contacts=f"and {hidden} more" if hidden else None,
        pressing=_pressing(occasion, as_of),
        to_all=_note_to_all(occasion, owner),
        group_links=_group_links(occasion, links),
    )


def _group_links(occasion: Occasion, links: LinkFactory | None) -> tuple[Link, ...]:
    if occasion.team is None or links is None:
        return ()
    team = team_id(occasion.team)
    return (
        Link("We had lunch", _checked_url(links.action_url(team, Action.GROUP_MET.value))),
        Link("Not now", _checked_url(links.action_url(team, Action.GROUP_DISMISS.value))),
    )


def _note_to_all(occasion: Occasion, owner: Owner) -> Link | None:
    """A trip's one note to everyone it lists who has an email, starting with the city and the dates."""
    people = [c for c in _distinct(occasion.group or occasion.contacts) if c.email]
    if occasion.kind not in (OccasionKind.TRIP, OccasionKind.GROUP) or len(people) < 2:
        return None
    names = [first_name(c.name) for c in people]
    greeting = ", ".join(names[:-1]) + " and " + names[-1]
    body = f"Hi {greeting},\n\n{occasion.opener}"
    if owner.name:
        body += f"\n\nBest,\n{first_name(owner.name)}"
    subject = f"Lunch in {occasion.trip.city}?" if occasion.trip else f"Lunch, the old {occasion.label} team?"
    to = ",".join(quote(c.email or "", safe="@") for c in people)
    label = "Write to both" if len(people) == 2 else f"Write to all {len(people)}"
    return Link(label, f"mailto:{to}?subject={quote(subject, safe='')}&body={quote(body, safe='')}")


def _occasion_line(occasion: Occasion, as_of: date) -> str:
    """A due line's reason: "Ana's birthday · Friday 27 November"; a trip's label carries its own dates."""
    return occasion.label if occasion.kind is OccasionKind.TRIP else f"{occasion.label} · {_when(occasion.date, as_of)}"


def _pressing(occasion: Occasion, as_of: date) -> bool:
    """The day's best reasons to write, read before anyone due: a birthday today, a contact's news."""
    return occasion.kind is OccasionKind.LIFE_EVENT or (
        occasion.kind is OccasionKind.BIRTHDAY and occasion.date == as_of
    )


def _due_view(item: DueItem, as_of: date, owner: Owner, links: LinkFactory | None) -> DueView:
    # A due contact's occasion (planner._once_each) is the better reason to write: its opener and first line.
    occasion = item.occasion
    reason = occasion.kind if occasion is not None else _due_reason(item, as_of, owner)
    latest = item.history.latest
    note = latest.note if latest is not None and latest.note else None
    facts = _facts(item.contact, note)
    opener = _pick(reason, item.contact.id, as_of, facts)
    first_line = _first_line(occasion, item.contact) if occasion is not None else None
    return DueView(
        contact=_contact_view(item.contact, opener, first_line, owner, links),
        history=_history_line(item.history, as_of),
        note=note,
        idea=_filled(opener.idea, facts),
        first_line=first_line,
        due_date=item.due_date,
        days_overdue=item.days_overdue,
        cadence_days=item.effective_cadence_days,
        tier=item.contact.tier.value,
        overdue="due today" if item.days_overdue == 0 else f"{_count(item.days_overdue, 'day')} overdue",
        occasion=occasion,
        occasion_line=_occasion_line(occasion, as_of) if occasion is not None else None,
        channels=ways_to_reach(item.contact),
        lapsed=lapsed(item, as_of),
    )


def _distinct(contacts: Sequence[Contact]) -> list[Contact]:
    """Each person once, in the order given (by tier then name from the occasion finders)."""
    unique: dict[str, Contact] = {}
    for contact in contacts:
        unique.setdefault(contact.id, contact)
    return list(unique.values())


# The owner's news ends with thanks: who taught you something hears it said (issue 19, "your news, with thanks").
NEWS_THANKS = "Thank you for everything I learned working with you: it got me here."
NEWS_THANKS_OTHERS = "Thank you for your support along the way."


def _first_line(occasion: Occasion, contact: Contact) -> str | None:
    """The occasion's first line for this person: the owner's news with thanks, said as fits them."""
    if not occasion.opener:
        return None
    if occasion.kind is not OccasionKind.OWN_NEWS:
        return occasion.opener
    taught = contact.relationship in (Relationship.BOSS, Relationship.MENTOR)
    return f"{occasion.opener} {NEWS_THANKS if taught else NEWS_THANKS_OTHERS}"


def _contact_view(
    contact: Contact, opener: Opener, first_line: str | None, owner: Owner, links: LinkFactory | None
) -> ContactView:
    mailto = _mailto(contact, opener, first_line, owner)
    reach = () if mailto is not None else _reach(contact)
    return ContactView(
        name=contact.name,
        about=_about(contact),
        mailto=mailto,
        actions=()
        if links is None
        else tuple(Link(label, _checked_url(links.action_url(contact.id, action))) for label, action in ACTIONS),
        reach=reach,
        unreachable=UNREACHABLE if mailto is None and not reach else None,
    )


def _reach(contact: Contact) -> tuple[Link, ...]:
    """Without an email: a message on LinkedIn, and a call or a text, as far as their card allows."""
    first = first_name(contact.name)
    found: list[Link] = []
    profile = linkedin_profile(contact)
    if profile:
        found.append(Link("Message on LinkedIn", profile))
    number = dialled(contact.phone)
    if number:
        found += [Link(f"Call {first}", f"tel:{number}"), Link(f"Text {first}", f"sms:{number}")]
    return tuple(Link(link.label, _checked_reach_url(link.url)) for link in found)


def _about(contact: Contact) -> str:
    """How you know them: "Former boss · VP Engineering at Acme"."""
    role = " at ".join(p for p in (contact.title, contact.company) if p)
    return " · ".join(p for p in (_relationship_label(contact), role) if p)


def _relationship_label(contact: Contact) -> str | None:
    label = RELATIONSHIP_LABEL.get(contact.relationship)
    if label and contact.worked_together_until is not None and contact.relationship in WORK_RELATIONSHIPS:
        return f"Former {label.lower()}"
    return label


def _history_line(history: History, as_of: date) -> str:
    if history.last_touch is None:
        return "No touch logged yet."
    since = f"Last in touch {time_ago((as_of - history.last_touch).days)}."
    how = _how_it_went(history)
    return f"{since} {how}." if how else since


def _how_it_went(history: History) -> str | None:
    latest = _described_touch(history)
    if latest is None:
        return None
    channel = CHANNEL_PHRASE.get(latest.channel)
    if history.outbound_streak >= 2:
        return f"You reached out {history.outbound_streak} times in a row and heard nothing back"
    if latest.direction is Direction.INBOUND:
        return f"They reached out last{', ' + channel if channel else ''}. Your turn"
    if latest.direction is Direction.MUTUAL:
        if latest.channel is Channel.MEETING:
            return "You met"
        if latest.channel is Channel.CALL:
            return "You talked on the phone"
        return f"You were in touch{' ' + channel if channel else ''}"
    return f"You reached out{' ' + channel if channel else ''}"


def _described_touch(history: History) -> Touch | None:
    """The latest logged touch, if it is the last touch. An imported last-touch date can be newer than every
    logged touch, and then nobody knows how that one went: better to say nothing than something stale."""
    latest = history.latest
    return latest if latest is not None and latest.date == history.last_touch else None


def lapsed(item: DueItem, as_of: date) -> bool:
    """Over a year and over twice their effective cadence since the last touch: a gap to own, not gloss over."""
    last = item.history.last_touch
    return last is not None and (as_of - last).days > max(LAPSED_AFTER_DAYS, 2 * item.effective_cadence_days)


def _due_reason(item: DueItem, as_of: date, owner: Owner) -> DueReason:
    """The first reason that applies, in DueReason's order: what is known about this person, before who they are."""
    if lapsed(item, as_of):
        return DueReason.LAPSED
    if item.reconnect:
        return DueReason.RECONNECT
    if at_home(item.contact, owner):
        return DueReason.MEET_UP
    if item.history.outbound_streak >= 2:
        return DueReason.NO_REPLY
    latest = _described_touch(item.history)
    if latest is not None and latest.direction is Direction.INBOUND:
        return DueReason.YOUR_TURN
    if latest is not None and latest.note:
        return DueReason.PICK_UP
    return RELATIONSHIP_REASON.get(item.contact.relationship, DueReason.CHECK_IN)


def _pick(reason: DueReason | OccasionKind, seed: str, as_of: date, facts: Mapping[str, str]) -> Opener:
    """One of the reason's openers that says the most the person's facts can fill (their company over a general
    question), the same one for the same person and day."""
    fitting = [opener for opener in OPENERS[reason] if opener.fits(facts)] or list(OPENERS[reason])
    most = max(len(opener.names()) for opener in fitting)
    variants = [opener for opener in fitting if len(opener.names()) == most]
    return variants[zlib.crc32(f"{seed}|{as_of.isoformat()}".encode()) % len(variants)]


def _facts(contact: Contact, note: str | None = None) -> dict[str, str]:
    """What an opener may name about the person."""
    return {
        "first": first_name(contact.name),
        "company": contact.company or "",
        "note": note or "",
        "city": contact.city or "",
    }


def _filled(template: str, facts: Mapping[str, str]) -> str:
    """The template with the person's facts, in one pass: a company called "{first}" stays as written."""
    return _PLACEHOLDER.sub(lambda found: facts.get(found[1], ""), template)


def _mailto(contact: Contact, opener: Opener, first_line: str | None, owner: Owner) -> Link | None:
    """A starter note. An occasion's own first line ("Happy New Year!") beats the table's general one; it is
    joined, not formatted in, since it can carry a contact's company name, braces and all."""
    first = first_name(contact.name)
    facts = _facts(contact)
    body = f"Hi {first},\n\n{first_line}" if first_line else _filled(opener.body, facts)
    return _mail_link(contact, _filled(opener.subject, facts), body, owner)


def _mail_link(contact: Contact, subject: str, body: str, owner: Owner) -> Link | None:
    """A "Write to" link with the note started, signed with the owner's first name; None without an email."""
    if not contact.email:
        return None
    if owner.name:
        body += f"\n\nBest,\n{first_name(owner.name)}"
    query = f"subject={quote(subject, safe='')}&body={quote(body, safe='')}"
    return Link(f"Write to {first_name(contact.name)}", f"mailto:{quote(contact.email, safe='@')}?{query}")


def _when(day: date, as_of: date) -> str:
    days = (day - as_of).days
    if days < 0:
        return time_ago(-days)
    if days <= 1:
        return "today" if days == 0 else "tomorrow"
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


def _goal_line(goal: Goal) -> str:
    touches = _count(goal.done, "touch", "touches")
    if goal.target <= 0:
        return f"{touches} this month."
    done = " Goal reached, well done." if goal.done >= goal.target else ""
    return f"{goal.done} of {_count(goal.target, 'touch', 'touches')} this month.{done}"


def _sentence(phrase: str) -> str:
    text = phrase[:1].upper() + phrase[1:]
    return text if text.endswith(("?", ".", "!")) else f"{text}."


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _checked_reach_url(url: str) -> str:
    if urlsplit(url).scheme not in REACH_SCHEMES:
        raise ValueError(f"not a profile or phone link: {url[:40]!r}")
    return url


def _checked_url(url: str) -> str:
    """Only web links go into an href: a javascript: or data: URL from a broken factory must never ship."""
    if urlsplit(url).scheme not in LINK_SCHEMES:
        raise ValueError(f"not an http(s) link: {url[:40]!r}")
    return url
