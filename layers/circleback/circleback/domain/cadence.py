"""How often to reach out, and when each contact falls due (docs/design.md, "The rules of the digest")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from circleback.domain.model import Channel, Contact, Direction, Tier, Touch

TIER_CADENCE_DAYS = {Tier.A: 60, Tier.B: 120, Tier.C: 365}
TIER_WEIGHT = {Tier.A: 3, Tier.B: 2, Tier.C: 1}
MIN_CADENCE_DAYS = 7
MAX_CADENCE_DAYS = 730
BACKOFF_FACTOR = 1.5
BACKOFF_CAP_DAYS = 365
SPREAD_WINDOW_DAYS = 28


def base_cadence(contact: Contact) -> int:
    """The contact's own cadence: its override, else its tier's."""
    return contact.cadence_days if contact.cadence_days is not None else TIER_CADENCE_DAYS[contact.tier]


def effective_cadence(cadence: int, outbound_streak: int) -> int:
    """Back off from people who have not answered: x1.5 per unanswered note after the first.

    Python's round() (half to even) is the rule's `round`; the cap never pulls it below the cadence.
    """
    if outbound_streak < 2:
        return cadence
    stretched = round(cadence * BACKOFF_FACTOR ** (outbound_streak - 1))
    return min(stretched, max(cadence, BACKOFF_CAP_DAYS))


_DAWN_OF_TIME = datetime.min.replace(tzinfo=UTC)


def chronological(touches: Iterable[Touch]) -> list[Touch]:
    """Touches oldest first; same-day touches in the order they were recorded."""
    # Imported touches have no time of day: they come first on their day. Aware, to compare with link touches.
    return sorted(touches, key=lambda t: (t.date, t.recorded_at or _DAWN_OF_TIME, t.id))


@dataclass(frozen=True, slots=True)
class History:
    """What the planner needs to know of one contact's past touches."""

    last_touch: date | None
    outbound_streak: int
    latest: Touch | None  # the most recent logged touch, for "how it went" and the last note


def counts_as_contact(touch: Touch) -> bool:
    """Whether a touch is a note between people: a like or a comment (`social`) is kept in the history but does
    not restart the cadence, answer a streak, silence an occasion or count towards the monthly goal."""
    return touch.channel is not Channel.SOCIAL


def summarise(imported_last_touch: date | None, touches: Sequence[Touch]) -> History:
    """Summarise one contact's touches, given oldest first.

    The last touch is the latest of the imported date and every logged touch, whatever its direction;
    the streak counts the most recent run of outbound touches since the last inbound or mutual one.
    Social touches (likes, comments) do not count (`counts_as_contact`).
    """
    touches = [touch for touch in touches if counts_as_contact(touch)]
    streak = 0
    for touch in reversed(touches):
        if touch.direction is not Direction.OUTBOUND:
            break
        streak += 1
    latest = touches[-1] if touches else None
    dates = [d for d in (imported_last_touch, latest.date if latest else None) if d is not None]
    return History(last_touch=max(dates) if dates else None, outbound_streak=streak, latest=latest)


def scheduled_due(contact: Contact, history: History, first_due: date | None) -> tuple[date, int] | None:
    """The due rule: (the day the contact falls due, its effective cadence).

    The last touch plus the effective cadence; with no touch at all, its spread date (`first_due_dates`). None for
    a paused or unsorted contact, or one with neither (which a stored contact never is). The digest (planner.py)
    and the calendar feed (calendar.py) both ask this, so they can never disagree on a date.
    """
    if contact.paused or contact.unsorted:
        return None
    cadence = effective_cadence(base_cadence(contact), history.outbound_streak)
    if history.last_touch is not None:
        return history.last_touch + timedelta(days=cadence), cadence
    if first_due is not None:
        return first_due, cadence
    return None


def listed_from(contact: Contact, due_date: date) -> date:
    """The first day a digest may list a contact due on `due_date`: that day, or the day after a snooze ends."""
    if contact.snoozed_until is not None and contact.snoozed_until >= due_date:
        return contact.snoozed_until + timedelta(days=1)
    return due_date


def due_on(contact: Contact, history: History, first_due: date | None, as_of: date) -> tuple[date, int] | None:
    """(due date, effective cadence) when the digest of `as_of` lists the contact as due; None when it does not."""
    scheduled = scheduled_due(contact, history, first_due)
    if scheduled is None or listed_from(contact, scheduled[0]) > as_of:
        return None
    return scheduled


def first_due_dates(contacts: Iterable[Contact]) -> dict[str, date]:
    """Spread contacts with no last touch over the weeks after the day they came in: imported, or sorted.

    Per import day D, sorted by tier (A first) then name, the i-th of n gets D + floor(i * S / n) with
    S = min(28, its cadence), so a big import does not land on one morning. The group is fixed by how the
    contacts were imported, so a later touch on one of them never reshuffles the others.

    A contact the owner sorted (from an unsorted import) is spread the same way from the day after its sorting
    day: D + 1 + floor(i * S / n), so sorting someone never makes them due the same morning, and sorting many
    in one day never makes one day's list clump. Unsorted contacts are never due.
    """
    by_day: dict[tuple[date, int], list[Contact]] = defaultdict(list)
    for contact in contacts:
        if contact.last_touch is None and not contact.unsorted:
            start = (contact.sorted_on, 1) if contact.sorted_on is not None else (contact.created_on, 0)
            by_day[start].append(contact)
    first_due: dict[str, date] = {}
    for (day, offset), group in by_day.items():
        group.sort(key=lambda c: (c.tier, *name_key(c.name), c.id))
        n = len(group)
        for i, contact in enumerate(group):
            window = min(SPREAD_WINDOW_DAYS, base_cadence(contact))
            first_due[contact.id] = day + timedelta(days=offset + (i * window) // n)
    return first_due


def name_key(name: str) -> tuple[str, str]:
    """Order names as a person reads them: case-insensitively, then exactly, for a stable order."""
    return (name.casefold(), name)
