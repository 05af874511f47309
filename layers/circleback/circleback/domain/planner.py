"""Plan one digest: who is due, which occasions are near, and the month's progress.

docs/design.md, "The rules of the digest".

Pure: everything, including the day (`as_of`, the owner's local date of the send), comes in as arguments.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum
from fractions import Fraction
from typing import Any

from circleback.domain.cadence import (
    TIER_WEIGHT,
    History,
    base_cadence,
    chronological,
    counts_as_contact,
    due_on,
    effective_cadence,
    first_due_dates,
    name_key,
    summarise,
)
from circleback.domain.loops import ShareSuggestion, Step, next_steps, promotions, reconnecting, worth_sharing
from circleback.domain.mail_notices import address_book, new_people, replies_shown
from circleback.domain.model import (
    Contact,
    DigestInput,
    Direction,
    LifeEvent,
    NewPerson,
    Owner,
    ReplyOutcome,
    Touch,
    Trip,
)
from circleback.domain.schedule import digest_interval
from circleback.domain.sorting import (
    DEFAULT_SORT_PER_DIGEST,
    MAX_SORT_PER_DIGEST,
    SortItem,
    to_sort,
    work_history,
)

DEFAULT_MAX_DUE = 5
# The most people one digest lists, whatever the setting says (an older setting or backup may say more): each
# is a block of links, and a longer digest is clipped by mail apps (mail/render.py HTML_BUDGET_BYTES), nor does
# anyone write twenty notes in a morning. `settings set --max-due` refuses more, saying why.
MAX_DUE = 20
DEFAULT_LOOKAHEAD_DAYS = 7
DEFAULT_MONTHLY_GOAL = 4
GOAL_DIRECTIONS = frozenset({Direction.OUTBOUND, Direction.MUTUAL})


@dataclass(frozen=True, slots=True)
class PlanSettings:
    max_due: int = DEFAULT_MAX_DUE
    lookahead_days: int = DEFAULT_LOOKAHEAD_DAYS
    monthly_goal: int = DEFAULT_MONTHLY_GOAL
    sort_per_digest: int = DEFAULT_SORT_PER_DIGEST

    @classmethod
    def of(cls, owner: Owner) -> PlanSettings:
        return cls(
            max_due=owner.max_due,
            lookahead_days=owner.lookahead_days,
            monthly_goal=owner.monthly_goal,
            sort_per_digest=owner.sort_per_digest,
        )


class OccasionKind(StrEnum):
    """What an occasion is. Each has its openers in the digest (mail/render.py OPENERS; a test checks them all)."""

    BIRTHDAY = "birthday"
    WORK_ANNIVERSARY = "work_anniversary"
    HOLIDAY = "holiday"
    LIFE_EVENT = "life_event"  # a contact's news
    OWN_NEWS = "own_news"  # the owner's own news
    TRIP = "trip"  # the owner's trip to a city where contacts live (domain/places.py)
    GROUP = "group"  # a former team in the owner's city, due for a lunch together (domain/places.py)


@dataclass(frozen=True, slots=True)
class Occasion:
    """Something to mark, e.g. a birthday; `date` is the day itself (news: the day it happened, before as_of)."""

    kind: OccasionKind
    date: date
    contacts: tuple[Contact, ...]
    label: str  # short, for the list and the subject: "Ana's birthday (40)", "Diwali", "Your new job"
    opener: str = ""  # a first line that fits: "Happy birthday!", "I wanted you to hear it from me: ..."
    age: int | None = None  # birthday: the age they turn, when the year is known
    years: int | None = None  # work_anniversary: whole years since you worked together
    holiday: str | None = None  # holiday: its name
    countries: tuple[str, ...] = ()  # holiday: the countries of its contacts that keep it that day
    event: LifeEvent | None = None  # life_event and own_news: the event, with its kind and note
    trip: Trip | None = None  # trip: the trip, with its city and dates
    # trip: everyone it names, kept when a due person moves to their due line (`_once_each`): the note to all
    group: tuple[Contact, ...] = ()
    team: str | None = None  # group: the shared company, as compared (domain/sorting.py company_key)


@dataclass(frozen=True, slots=True)
class DueItem:
    contact: Contact
    due_date: date
    days_overdue: int
    effective_cadence_days: int
    score: Fraction
    history: History
    # An occasion of theirs in the window (a birthday, their news, a holiday): the due line carries its reason
    # and opener, and the occasion's own list leaves them out, so nobody is listed twice (`_once_each`).
    occasion: Occasion | None = None
    reconnect: bool = False  # `circleback reconnect`: first in the list, due or not, until a touch (domain/loops.py)


@dataclass(frozen=True, slots=True)
class Goal:
    done: int
    target: int


@dataclass(frozen=True, slots=True)
class PlanContext:
    """What every occasion finder may read: the window, and each contact's touch history."""

    data: DigestInput
    as_of: date
    window_end: date
    histories: dict[str, History]
    touches_by_contact: dict[str, list[Touch]]
    # What finders work out once per plan and share (e.g. the active contacts, in order): see occasions.py.
    shared: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


OccasionFinder = Callable[[PlanContext], Iterable[Occasion]]


@dataclass(frozen=True, slots=True)
class DigestPlan:
    as_of: date
    due: list[DueItem]
    more_due: int
    occasions: list[Occasion]
    goal: Goal
    all_due: int = field(default=0)
    to_sort: list[SortItem] = field(default_factory=list)  # unsorted contacts to ask about (domain/sorting.py)
    unsorted: int = 0  # how many contacts are unsorted in all
    steps: list[Step] = field(default_factory=list)  # follow-ups and the favour loop's steps (domain/loops.py)
    share: ShareSuggestion | None = None  # the worth-sharing item
    promoted: list[Contact] = field(default_factory=list)  # moved to tier A when their favour's loop closed
    replies: list[ReplyOutcome] = field(default_factory=list)  # what the owner's replies to the digest did
    new_people: list[NewPerson] = field(default_factory=list)  # people the owner wrote to, offered as contacts

    @property
    def is_empty(self) -> bool:
        """Nothing due, nothing coming, no next step, nobody to sort, no reply to answer: no email is sent."""
        return not (
            self.due
            or self.occasions
            or self.to_sort
            or self.steps
            or self.share
            or self.promoted
            or self.replies
            or self.new_people
        )

    @property
    def people(self) -> tuple[str, ...]:
        """The id of everyone the digest names, each once: a reply's lines mean them first (domain/replies.py)."""
        named = [
            *(step.contact.id for step in self.steps),
            *(item.contact.id for item in self.due),
            *(contact.id for occasion in self.occasions for contact in occasion.contacts),
            *(item.contact.id for item in self.to_sort),
            *(contact.id for contact, _ in (self.share.contacts if self.share else ())),
        ]
        return tuple(dict.fromkeys(named))


def plan_digest(
    data: DigestInput,
    as_of: date,
    settings: PlanSettings | None = None,
    occasion_finders: Sequence[OccasionFinder] = (),
) -> DigestPlan:
    """Rank the due contacts, gather the occasions of [as_of, as_of + lookahead], count the month's touches.

    Only touches dated on or before `as_of` count: the plan is what the owner would have seen that morning.
    """
    settings = settings or PlanSettings.of(data.owner)
    touches_by_contact = _touches_by_contact(data.touches, as_of)
    histories = {c.id: summarise(c.last_touch, touches_by_contact.get(c.id, [])) for c in data.contacts}
    by_id = {c.id: c for c in data.contacts}
    # Every contact's spread date, worked out once from all of them: leaving someone out of the ranking (a next
    # step, a reconnect) must not move anyone else's (the calendar feed spreads over all contacts too).
    first_due = first_due_dates(data.contacts)
    # What happened since the digest before is said in this one: the day before's, or the week before's.
    notice_days = digest_interval(data.owner).days
    steps = next_steps(data, as_of, by_id, touches_by_contact)
    # A person with a next step is listed there, with its links, and not again in the due list.
    stepped = {step.contact.id for step in steps}
    first = _reconnecting(data, by_id, histories, first_due, touches_by_contact, as_of, stepped)
    limit = max(min(max(settings.max_due, 0), MAX_DUE) - len(first), 0)
    listed = stepped | {item.contact.id for item in first}
    rest = [c for c in data.contacts if c.id not in listed] if listed else data.contacts
    ranked, all_due = _ranked_due(rest, histories, first_due, as_of, limit)
    shown = first + ranked
    all_due += len(first)
    context = PlanContext(
        data=data,
        as_of=as_of,
        window_end=as_of + timedelta(days=settings.lookahead_days),
        histories=histories,
        touches_by_contact=touches_by_contact,
    )
    occasions = sorted(
        (o for finder in occasion_finders for o in finder(context)),
        key=lambda o: (o.date, o.kind, o.label),
    )
    shown, occasions = _once_each(shown, occasions)
    history = work_history(data.owner.work_history, data.events)
    return DigestPlan(
        as_of=as_of,
        due=shown,
        more_due=all_due - len(shown),
        occasions=occasions,
        goal=Goal(done=touches_this_month(data.touches, as_of), target=settings.monthly_goal),
        all_due=all_due,
        to_sort=to_sort(data.contacts, history, as_of, min(settings.sort_per_digest, MAX_SORT_PER_DIGEST)),
        unsorted=sum(1 for contact in data.contacts if contact.unsorted),
        steps=steps,
        share=worth_sharing(data, as_of, histories, touches_by_contact, frozenset(stepped), first_due)
        if data.shares
        else None,
        promoted=promotions(data, as_of, by_id, notice_days),
        replies=replies_shown(data.replies, as_of, data.owner),
        new_people=new_people(data.new_people, address_book(data.contacts), as_of, data.owner)
        if data.new_people
        else [],
    )


def _reconnecting(
    data: DigestInput,
    contacts: dict[str, Contact],
    histories: dict[str, History],
    first_due: dict[str, date],
    touches: dict[str, list[Touch]],
    as_of: date,
    stepped: set[str],
) -> list[DueItem]:
    """The people the owner means to reconnect with (`circleback reconnect`), first in the list, due or not."""
    items = []
    for reconnect in sorted(data.reconnects, key=lambda r: (r.on, r.contact_id)):
        contact = contacts.get(reconnect.contact_id)
        if contact is None or contact.id in stepped or not reconnecting(reconnect, touches.get(contact.id, []), as_of):
            continue
        history = histories[contact.id]
        item = due_item(contact, history, first_due.get(contact.id), as_of)
        if item is None:  # not due, paused or snoozed: the owner asked for them all the same
            cadence = effective_cadence(base_cadence(contact), history.outbound_streak)
            item = DueItem(contact, as_of, 0, cadence, Fraction(1, cadence) * TIER_WEIGHT[contact.tier], history)
        items.append(replace(item, reconnect=True))
    return items


def _once_each(due: list[DueItem], occasions: list[Occasion]) -> tuple[list[DueItem], list[Occasion]]:
    """Each due contact with their first occasion (by date) on their due line, and left out of every occasion's
    list; an occasion left with nobody is dropped. So one person is listed once, with all the reason there is."""
    due_ids = {item.contact.id for item in due}
    if not due_ids or not occasions:
        return due, occasions
    first: dict[str, Occasion] = {}
    for occasion in occasions:
        for contact in occasion.contacts:
            if contact.id in due_ids:
                first.setdefault(contact.id, occasion)
    if not first:
        return due, occasions
    merged = [replace(item, occasion=first.get(item.contact.id)) for item in due]
    left = [replace(o, contacts=tuple(c for c in o.contacts if c.id not in due_ids)) for o in occasions]
    # A trip or a team lunch stays with nobody left to list: its note to all and its links are the point.
    return merged, [occasion for occasion in left if occasion.contacts or occasion.group]


def due_item(contact: Contact, history: History, first_due: date | None, as_of: date) -> DueItem | None:
    """The contact's place in today's list, or None when it is not due (or paused, or snoozed)."""
    timing = due_on(contact, history, first_due, as_of)
    if timing is None:
        return None
    due_date, cadence = timing
    overdue = (as_of - due_date).days
    score = Fraction(overdue + 1, cadence) * TIER_WEIGHT[contact.tier]
    return DueItem(contact, due_date, overdue, cadence, score, history)


def touches_this_month(touches: Iterable[Touch], as_of: date) -> int:
    """Outbound and mutual touches in the calendar month of `as_of`, up to `as_of`; a like is not a note."""
    start = as_of.replace(day=1)
    return sum(
        1 for t in touches if start <= t.date <= as_of and t.direction in GOAL_DIRECTIONS and counts_as_contact(t)
    )


# Below this bound a score's numerator and denominator are exact floats whose product stays under 2**52, so
# float division orders the scores exactly as the fractions: equal fractions give the same float (division is
# correctly rounded) and unequal ones differ by at least 1 / (b * d), more than the rounding can close.
_EXACT_FLOAT_BOUND = 2**26


def _ranked_due(
    contacts: Sequence[Contact], histories: dict[str, History], first_due: dict[str, date], as_of: date, limit: int
) -> tuple[list[DueItem], int]:
    """The `limit` highest-ranked due contacts (score, then due date, then name), and how many are due.

    Ranked without building every contact's item: a float score (exact, see _EXACT_FLOAT_BOUND) picks the
    candidates whose (score, due date) can make the list, and only those are ordered by name.
    """
    due: list[tuple[int, int, date, Contact]] = []  # (weighted days overdue, cadence, due date, contact)
    for contact in contacts:
        timing = due_on(contact, histories[contact.id], first_due.get(contact.id), as_of)
        if timing is not None:
            due_date, cadence = timing
            due.append((((as_of - due_date).days + 1) * TIER_WEIGHT[contact.tier], cadence, due_date, contact))
    if not due or limit == 0:
        return [], len(due)
    exact = all(w < _EXACT_FLOAT_BOUND and c < _EXACT_FLOAT_BOUND for w, c, _, _ in due)
    candidates = [(-w / c if exact else -Fraction(w, c), on, contact) for w, c, on, contact in due]
    bound = heapq.nsmallest(limit, ((score, on) for score, on, _ in candidates))[-1]
    pool = [c for c in candidates if (c[0], c[1]) <= bound]
    pool.sort(key=lambda c: (c[0], c[1], *name_key(c[2].name), c[2].id))
    shown = [due_item(c, histories[c.id], first_due.get(c.id), as_of) for _, _, c in pool[:limit]]
    return [item for item in shown if item is not None], len(due)


def _touches_by_contact(touches: Iterable[Touch], as_of: date) -> dict[str, list[Touch]]:
    grouped: dict[str, list[Touch]] = defaultdict(list)
    for touch in chronological(t for t in touches if t.date <= as_of):
        grouped[touch.contact_id].append(touch)
    return grouped
