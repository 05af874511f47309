"""A former team in the owner's city (issue 20): three or more sorted, unpaused people at home who share a
company. Its own module, without the planner, so the link pages can name a team as the digest did; the digest's
item is domain/places.py old_team.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from circleback.domain.cadence import name_key
from circleback.domain.cities import at_home
from circleback.domain.model import Contact, DigestInput, Relationship, Stint
from circleback.domain.sorting import company_key, met_during, work_history

TEAM_MIN = 3  # sorted, unpaused people in the owner's city who share a company
TEAM_DUE_MIN = 2  # of them due, or due within TEAM_DUE_WITHIN_DAYS
TEAM_DUE_WITHIN_DAYS = 30
TEAM_QUIET_DAYS = 60  # after a team's lunch is logged or dismissed, it is not suggested again for this long
TEAM_MAX_CONTACTS = 8
WORKED_WITH = frozenset({Relationship.COLLEAGUE, Relationship.BOSS, Relationship.MENTOR, Relationship.REPORT})


@dataclass(frozen=True, slots=True)
class Team:
    key: str  # the company as compared (domain/sorting.py company_key)
    company: str  # as most of them write it
    members: tuple[Contact, ...]  # by name


def team_id(key: str) -> str:
    """A team's id in its links: the shape of a contact id (21 hex digits) so its link is as short as a contact's
    (auth/tokens.py packs such ids), starting with 2, which no contact id made before 2039 does."""
    return "2" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


def teams(data: DigestInput, as_of: date) -> list[Team]:
    """The owner's former teams at home: sorted, unpaused contacts in the owner's city who share a company (their
    company, or one of the owner's employers they met the owner at), TEAM_MIN or more a team, by company."""
    if data.owner.city_key is None:
        return []
    history = work_history(data.owner.work_history, data.events)
    grouped: dict[str, list[Contact]] = defaultdict(list)
    spelled: dict[str, Counter[str]] = defaultdict(Counter)
    for contact in data.contacts:
        if contact.paused or contact.unsorted or not at_home(contact, data.owner):
            continue
        for key, name in _companies(contact, history, as_of):
            grouped[key].append(contact)
            spelled[key][name] += 1
    return [
        Team(key, spelled[key].most_common(1)[0][0], tuple(sorted(people, key=_by_name)))
        for key, people in sorted(grouped.items())
        if len(people) >= TEAM_MIN
    ]


def team_of(data: DigestInput, as_of: date, wanted_id: str) -> Team | None:
    """The team a link's id names, as it is now."""
    return next((team for team in teams(data, as_of) if team_id(team.key) == wanted_id), None)


def _companies(contact: Contact, history: Sequence[Stint], as_of: date) -> set[tuple[str, str]]:
    """Their company, and each of the owner's employers where they worked with the owner (a colleague, boss,
    mentor or report met during that stint: domain/sorting.py met_during), however they have moved on since."""
    found = {(company_key(contact.company), contact.company)} if contact.company else set()
    if contact.relationship in WORKED_WITH:
        found |= {(company_key(s.company), s.company) for s in history if met_during(contact, s, as_of)}
    return {(key, name) for key, name in found if key}


def _by_name(contact: Contact) -> tuple[str, str, str]:
    return (*name_key(contact.name), contact.id)
