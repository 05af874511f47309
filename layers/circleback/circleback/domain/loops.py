"""Loops to close with one person: follow-ups, the favour loop, reconnecting, and what is worth sharing.

docs/design.md, "Next steps". Pure: the day (`as_of`) and everything else come in as arguments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from fractions import Fraction

from circleback.domain.cadence import TIER_WEIGHT, History, first_due_dates, name_key, scheduled_due
from circleback.domain.model import Contact, DigestInput, Direction, Favour, Reconnect, Share, Tier, Touch, TouchPurpose
from circleback.domain.names import folded

STEP_DAYS = 30  # a next step stays in the digest at most this long: after that, it was not the right one
# The most next steps one digest lists (the ones that fell due first): each is a block of links, and a digest
# that lists more than this is a to-do list nobody opens. The rest wait for the days after.
MAX_STEPS = 10
CHECK_IN_AFTER_DAYS = 14  # `ask` without --by: a gentle check-in a fortnight later
OUTCOME_AFTER_DAYS = 30  # after they helped: tell them how it turned out a month on
ASK_AFTER_DAYS = 7  # `reconnect --need`: catch up first, ask a week later (or once they have replied)
SHARE_QUEUE_DAYS = 14  # a queued item is suggested for a fortnight
SHARE_CONTACTS = 3  # at most this many people each item
SHARE_QUIET_DAYS = 42  # nobody is sent a shared item more often than every six weeks
SHARE_TOUCHED_DAYS = 14  # nor anyone touched in the last fortnight: they just heard from you
FOLLOW_UP_CHOICES = (("No", 0), ("1 week", 7), ("2 weeks", 14), ("1 month", 30))  # the link pages' choice


class StepKind(StrEnum):
    """A next step's kind, as `preview --json` names it."""

    FOLLOW_UP = "follow_up"
    ASK_CHECK_IN = "ask_check_in"
    THANK = "thank"
    TELL_OUTCOME = "tell_outcome"
    TIME_TO_ASK = "time_to_ask"  # `reconnect --need`: catch up first, then ask


@dataclass(frozen=True, slots=True)
class Step:
    """One next step with one person, due since `since`."""

    kind: StepKind
    contact: Contact
    about: str  # what it is about: the follow-up's text, the favour, the need
    since: date
    note: str | None = None  # the touch's note (a follow-up), how it went (a favour)


@dataclass(frozen=True, slots=True)
class ShareSuggestion:
    """The digest's worth-sharing item: one queued item and who would care, each with the interests they share."""

    share: Share
    contacts: tuple[tuple[Contact, tuple[str, ...]], ...]


def open_between(start: date, as_of: date, days: int = STEP_DAYS) -> bool:
    return start <= as_of < start + timedelta(days=days)


# --- follow-ups -----------------------------------------------------------------------------------------


def follow_up_of(touches: Sequence[Touch], as_of: date) -> Touch | None:
    """The touch whose follow-up is due on `as_of`: only the latest touch's counts (a later touch closes it),
    from its day for STEP_DAYS, unless it was dismissed. `touches` oldest first, none after `as_of`."""
    latest = touches[-1] if touches else None
    follow_up = latest.follow_up if latest is not None else None
    if follow_up is None or (follow_up.done_on is not None and follow_up.done_on <= as_of):
        return None
    return latest if open_between(follow_up.on, as_of) else None


def follow_up_date(text: str, today: date) -> date:
    """`--follow-up 14` (days from today) or `--follow-up 2027-01-15`; ValueError naming what is wrong."""
    text = text.strip()
    if text.isdigit():
        days = int(text)
        if not 1 <= days <= 365:
            raise ValueError("--follow-up takes 1 to 365 days, or a date")
        return today + timedelta(days=days)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--follow-up takes a number of days or a date (YYYY-MM-DD), not {text!r}") from None
    if not today < day <= today + timedelta(days=365):
        raise ValueError("--follow-up's date is after today and within a year")
    return day


# --- the favour loop --------------------------------------------------------------------------------------


def favour_step(favour: Favour, contact: Contact, as_of: date) -> Step | None:
    """The favour's next step on `as_of`, if it has one: a check-in while they have not helped, then thanks,
    then (from its day) telling them how it turned out. Each is shown at most STEP_DAYS."""
    if favour.helped_on is None:
        if open_between(favour.check_in_on, as_of):
            return Step(StepKind.ASK_CHECK_IN, contact, favour.what, favour.check_in_on)
        return None
    if favour.helped_on > as_of:
        return None
    if favour.thanked_on is None and open_between(favour.helped_on, as_of):
        return Step(StepKind.THANK, contact, favour.what, favour.helped_on, favour.note)
    outcome_on = outcome_day(favour)
    if favour.told_on is None and open_between(outcome_on, as_of):
        return Step(StepKind.TELL_OUTCOME, contact, favour.what, outcome_on, favour.note)
    return None


def outcome_day(favour: Favour) -> date:
    """When to tell them how it turned out: as set, else OUTCOME_AFTER_DAYS after they helped."""
    if favour.outcome_on is not None:
        return favour.outcome_on
    return (favour.helped_on or favour.asked_on) + timedelta(days=OUTCOME_AFTER_DAYS)


def closed(favour: Favour) -> bool:
    """Thanked and told: the loop is closed."""
    return favour.thanked_on is not None and favour.told_on is not None


def closing(favour: Favour, contact: Contact) -> tuple[Favour, Tier | None]:
    """The favour as recorded when its loop closes, and the tier the contact moves to (A) if they were lower:
    someone who helped and heard how it went belongs among the people closest to you."""
    if not closed(favour) or contact.tier is Tier.A or favour.promoted_from is not None:
        return favour, None
    return replace(favour, promoted_from=contact.tier), Tier.A


def promoted_on(favour: Favour) -> date | None:
    """The day the loop closed and moved them to tier A, if it did."""
    if favour.promoted_from is None or favour.thanked_on is None or favour.told_on is None:
        return None
    return max(favour.thanked_on, favour.told_on)


def open_favour(favours: Iterable[Favour], contact_id: str) -> Favour | None:
    """The contact's favour still in its loop (not yet thanked and told), the latest asked if several."""
    candidates = [f for f in favours if f.contact_id == contact_id and not closed(f)]
    return max(candidates, key=lambda f: (f.asked_on, f.id)) if candidates else None


# --- reconnecting -----------------------------------------------------------------------------------------


def reconnecting(reconnect: Reconnect, touches: Sequence[Touch], as_of: date) -> bool:
    """Still to reconnect on `as_of`: no touch with them since the day it was asked for."""
    return reconnect.on <= as_of and not any(reconnect.on <= touch.date <= as_of for touch in touches)


def time_to_ask(reconnect: Reconnect, contact: Contact, touches: Sequence[Touch], as_of: date) -> Step | None:
    """With a need, the reminder to ask: a week after the reconnect, or from their first reply since, whichever
    comes first; until the favour is asked, at most STEP_DAYS."""
    if reconnect.need is None or reconnect.asked_on is not None:
        return None
    since = reconnect.on + timedelta(days=ASK_AFTER_DAYS)
    replies = [t.date for t in touches if t.direction is not Direction.OUTBOUND and reconnect.on <= t.date <= as_of]
    since = min([since, *replies])
    return Step(StepKind.TIME_TO_ASK, contact, reconnect.need, since) if open_between(since, as_of) else None


# --- the plan's next steps -------------------------------------------------------------------------------


def next_steps(
    data: DigestInput, as_of: date, contacts: Mapping[str, Contact], touches: Mapping[str, Sequence[Touch]]
) -> list[Step]:
    """The next steps due on `as_of`, at most one per person (the favour's first, then a reminder to ask, then a
    follow-up), in the order they fell due, then by name; at most MAX_STEPS."""
    steps: dict[str, Step] = {}
    for favour in data.favours:
        contact = contacts.get(favour.contact_id)
        step = favour_step(favour, contact, as_of) if contact is not None else None
        if step is not None:
            steps.setdefault(favour.contact_id, step)
    for reconnect in data.reconnects:
        contact = contacts.get(reconnect.contact_id)
        if contact is not None and reconnect.contact_id not in steps:
            step = time_to_ask(reconnect, contact, touches.get(contact.id, ()), as_of)
            if step is not None:
                steps[contact.id] = step
    for contact_id, history in touches.items():
        contact = contacts.get(contact_id)
        touch = follow_up_of(history, as_of) if contact is not None and contact_id not in steps else None
        if contact is not None and touch is not None and touch.follow_up is not None:
            steps[contact_id] = Step(
                StepKind.FOLLOW_UP, contact, touch.follow_up.about or "", touch.follow_up.on, touch.note
            )
    ordered = sorted(steps.values(), key=lambda s: (s.since, *name_key(s.contact.name), s.contact.id))
    return ordered[:MAX_STEPS]


def promotions(data: DigestInput, as_of: date, contacts: Mapping[str, Contact], notice_days: int) -> list[Contact]:
    """Who moved to tier A when their favour's loop closed, said in the digests of the `notice_days` days after."""
    moved = []
    for favour in data.favours:
        on = promoted_on(favour)
        contact = contacts.get(favour.contact_id)
        if on is not None and contact is not None and on < as_of <= on + timedelta(days=notice_days):
            moved.append(contact)
    return sorted(moved, key=lambda c: (*name_key(c.name), c.id))


# --- sharing ----------------------------------------------------------------------------------------------


def interests(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags as interests are compared: folded ("AI" and "ai" are one), each once, in order."""
    return tuple(dict.fromkeys(key for key in (folded(tag).strip() for tag in tags) if key))


def queued(share: Share, as_of: date) -> bool:
    return open_between(share.queued_on, as_of, SHARE_QUEUE_DAYS)


def worth_sharing(
    data: DigestInput,
    as_of: date,
    histories: Mapping[str, History],
    touches: Mapping[str, Sequence[Touch]],
    stepped: frozenset[str] = frozenset(),
    first_due: Mapping[str, date] | None = None,
) -> ShareSuggestion | None:
    """The newest queued item that someone would care about, and up to SHARE_CONTACTS of them.

    One item a digest. Whether a person may be suggested anything is the same for every item (sorted, in
    rotation, not snoozed, not touched for a fortnight, nothing shared with them for six weeks), so the item a
    person is suggested under is always the newest queued item whose tags meet theirs (`share_for`): a link
    names the person only, and finds the item again. Nor is anyone with a next step today (`stepped`) suggested:
    each person is in a digest once. `first_due`: the plan's spread dates, when it has them.
    """
    eligible = [
        c
        for c in data.contacts
        if c.id not in stepped and may_share_with(c, histories.get(c.id), touches.get(c.id, ()), as_of)
    ]
    if not eligible:
        return None
    first_due = first_due if first_due is not None else first_due_dates(data.contacts)
    for share in _newest_first(s for s in data.shares if queued(s, as_of)):
        wanted = set(interests(share.tags))
        matches = [(c, shared) for c in eligible if (shared := _shared(c, wanted))]
        if matches:
            matches.sort(key=lambda m: _share_rank(m[0], histories, first_due, as_of))
            return ShareSuggestion(share, tuple(matches[:SHARE_CONTACTS]))
    return None


def share_for(shares: Iterable[Share], contact: Contact, as_of: date) -> Share | None:
    """The item a digest of `as_of` suggested to this person, if any: the newest queued one meeting their tags."""
    for share in _newest_first(s for s in shares if queued(s, as_of)):
        if _shared(contact, set(interests(share.tags))):
            return share
    return None


def may_share_with(contact: Contact, history: History | None, touches: Sequence[Touch], as_of: date) -> bool:
    if contact.paused or contact.unsorted or not contact.tags:
        return False
    if contact.snoozed_until is not None and contact.snoozed_until >= as_of:
        return False
    last = history.last_touch if history is not None else contact.last_touch
    if last is not None and (as_of - last).days < SHARE_TOUCHED_DAYS:
        return False
    return not any(
        t.purpose is TouchPurpose.SHARE and (as_of - t.date).days < SHARE_QUIET_DAYS for t in touches if t.date <= as_of
    )


def _shared(contact: Contact, wanted: set[str]) -> tuple[str, ...]:
    return tuple(tag for tag in interests(contact.tags) if tag in wanted)


def _newest_first(shares: Iterable[Share]) -> list[Share]:
    return sorted(shares, key=lambda s: (s.queued_on, s.id), reverse=True)


def _share_rank(
    contact: Contact, histories: Mapping[str, History], first_due: Mapping[str, date], as_of: date
) -> tuple[Fraction, str, str, str]:
    """Highest overdue score first (the due list's score, negative before they are due), then by name."""
    history = histories.get(contact.id) or History(contact.last_touch, 0, None)
    scheduled = scheduled_due(contact, history, first_due.get(contact.id))
    score = Fraction(0)
    if scheduled is not None:
        due, cadence = scheduled
        score = Fraction((as_of - due).days + 1, cadence) * TIER_WEIGHT[contact.tier]
    return (-score, *name_key(contact.name), contact.id)
