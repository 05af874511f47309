"""Sorting the network: which unsorted contacts the digest asks about first, and what it suggests for each.

docs/design.md, "Sorting the network". A LinkedIn export brings hundreds of connections at once, all unsorted
(model.Contact.unsorted). The digest asks about a few each morning: first the ones the owner's own work history
says they likely worked with (a connection made at one of the owner's employers, while the owner was there or
up to six months after), those with a senior title first ("your boss or mentor?"), then the longest-standing
connections (earliest first_seen). Pure: "today" comes in as an argument.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from circleback.domain.model import Contact, EventKind, LifeEvent, Placement, Relationship, Stint, Tier
from circleback.domain.names import folded

DEFAULT_SORT_PER_DIGEST = 5
MAX_SORT_PER_DIGEST = 20  # like MAX_DUE: each is a block of links, and the digest must stay under its size budget
# The answers to "how close?" that the digest's Sort section offers: a tier, or None for not in rotation (paused).
SORT_CHOICES: tuple[tuple[Tier | None, str], ...] = (
    (Tier.A, "Keep close"),
    (Tier.B, "Now and then"),
    (Tier.C, "Rarely"),
    (None, "Not in rotation"),
)
COLLEAGUE_GRACE_MONTHS = 6  # people often connect in the months after one of them leaves

# Legal forms dropped when comparing companies ("Acme Inc." is "ACME"), as their last word(s) only.
_LEGAL_FORMS = frozenset(
    {
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "ltd",
        "limited",
        "llc",
        "llp",
        "plc",
        "gmbh",
        "ag",
        "kg",
        "ug",
        "se",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "bv",
        "nv",
        "oy",
        "ab",
        "as",
        "asa",
        "aps",
        "pty",
        "pte",
        "kk",
        "group",
        "holding",
        "holdings",
    }
)
_SENIOR = re.compile(
    r"\b(head|director|vp|svp|evp|vice president|chief|ceo|cto|cfo|coo|cio|cmo|manager|lead|principal|partner)\b"
)


@dataclass(frozen=True, slots=True)
class Suggestion:
    """What the digest suggests for an unsorted contact: a relationship (or None) and why, in words."""

    relationship: Relationship | None
    why: str


@dataclass(frozen=True, slots=True)
class SortItem:
    contact: Contact
    suggestion: Suggestion


def company_key(company: str | None) -> str:
    """A company as compared: folded, punctuation out, trailing legal forms dropped ("Acme, Inc." -> "acme")."""
    words = re.sub(r"[^\w]+", " ", folded(company or "").replace(".", "")).split()  # "S.A." is "sa"
    while len(words) > 1 and words[-1] in _LEGAL_FORMS:
        words.pop()
    return " ".join(words)


def same_company(a: str | None, b: str | None) -> bool:
    return bool(company_key(a)) and company_key(a) == company_key(b)


def senior(title: str | None) -> bool:
    return bool(title) and _SENIOR.search(folded(title or "")) is not None


def work_history(stints: Sequence[Stint], events: Iterable[LifeEvent]) -> list[Stint]:
    """The owner's stints, and one per own `new_job` event whose note names the company (until the next one)."""
    jobs = sorted((e for e in events if e.contact_id is None and e.kind is EventKind.NEW_JOB and e.note), key=_day)
    from_news = [
        Stint(job.note or "", job.date.replace(day=1), later.date.replace(day=1) if later else None)
        for job, later in zip(jobs, [*jobs[1:], None], strict=False)  # the last job has no later one
    ]
    return [*stints, *from_news]


def _day(event: LifeEvent) -> date:
    return event.date


def suggestion(contact: Contact, history: Sequence[Stint], today: date) -> Suggestion | None:
    """A former colleague's suggestion, when the contact was met at one of the owner's stints; else None."""
    if contact.first_seen is None:
        return None
    for stint in history:
        if same_company(contact.company, stint.company) and met_during(contact, stint, today):
            years = f"{stint.start.year}–{stint.end.year if stint.end else 'now'}"
            where = f"at {stint.company} {years}, while you were there"
            if senior(contact.title):
                return Suggestion(Relationship.BOSS, f"{where}: your boss or mentor?")
            return Suggestion(Relationship.COLLEAGUE, f"a former colleague {where}")
    return None


def met_during(contact: Contact, stint: Stint, today: date) -> bool:
    """Whether the contact was first met while the owner was at `stint` (or up to COLLEAGUE_GRACE_MONTHS after)."""
    if contact.first_seen is None:
        return False
    return stint.start <= contact.first_seen <= _months_after(stint.end or today, COLLEAGUE_GRACE_MONTHS)


def _months_after(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, 28 if day.day > 28 else day.day)


def to_sort(contacts: Iterable[Contact], history: Sequence[Stint], today: date, limit: int) -> list[SortItem]:
    """The unsorted contacts to ask about, at most `limit`: likely bosses and mentors, then likely colleagues,
    then everyone else by how long you have known them (earliest first_seen; unknown last), then by name."""
    items = [
        SortItem(contact, suggestion(contact, history, today) or Suggestion(None, known_since(contact)))
        for contact in contacts
        if contact.unsorted and not contact.paused
    ]
    items.sort(key=_asked_first)
    return items[: max(0, limit)]


_RANK = {Relationship.BOSS: 0, Relationship.COLLEAGUE: 1, None: 2}


def _asked_first(item: SortItem) -> tuple[int, date, str, str]:
    contact = item.contact
    rank = _RANK.get(item.suggestion.relationship, 2)
    return rank, contact.first_seen or date.max, folded(contact.name), contact.id


def known_since(contact: Contact) -> str:
    """Why an unsuggested contact is asked about: how long you have known them, when that is known."""
    if contact.first_seen is None:
        return "not sorted yet"
    return f"connected since {contact.first_seen.year}"


def job_news(
    company: str | None, title: str | None, new_company: str | None, new_title: str | None
) -> tuple[EventKind, str] | None:
    """What a re-import says happened to a contact: a new job (another company, compared without case or legal
    form) or a promotion (another title at the same company), with a note naming before and after; else None.
    Only a value the file gives counts: an empty cell says nothing."""
    if new_company and company and not same_company(company, new_company):
        return EventKind.NEW_JOB, f"{_at(company, title)} -> {_at(new_company, new_title or None)}"
    if new_title and title and company and folded(new_title) != folded(title):
        return EventKind.PROMOTION, f"{title} -> {new_title} at {company}"
    return None


def _at(company: str, title: str | None) -> str:
    return f"{title} at {company}" if title else company


def placement(contact: Contact) -> Placement:
    return Placement(contact.unsorted, contact.sorted_on, contact.tier, contact.paused, contact.relationship)


def placed(contact: Contact, where: Placement) -> Contact:
    """The contact put back where `where` says (a sort link's undo)."""
    return replace(
        contact,
        unsorted=where.unsorted,
        sorted_on=where.sorted_on,
        tier=where.tier,
        paused=where.paused,
        relationship=where.relationship,
    )


def sorted_into(contact: Contact, tier: Tier | None, relationship: Relationship | None, today: date) -> Contact:
    """The contact as the owner sorts them: into a tier, or (tier None) out of the rotation, paused; with the
    relationship when one is given. Sorting a contact already sorted changes only what is given (and the day
    they were sorted, which their first due date is spread from when they have no known last touch)."""
    return replace(
        contact,
        unsorted=False,
        sorted_on=today,
        tier=tier or contact.tier,
        paused=tier is None,
        relationship=relationship or contact.relationship,
    )
