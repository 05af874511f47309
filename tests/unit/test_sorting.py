"""Sorting the network (docs/design.md, "Sorting the network"): unsorted contacts are never due and get only their
news; the digest asks about likely bosses and colleagues first; a sorted contact's first due date is spread from
the day after; one person is listed once; a like is not a note."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from circleback.domain.cadence import first_due_dates, summarise
from circleback.domain.calendar import calendar_entries
from circleback.domain.model import (
    Birthday,
    Channel,
    Contact,
    DigestInput,
    EventKind,
    LifeEvent,
    Relationship,
    Stint,
    Tier,
)
from circleback.domain.occasions import DEFAULT_OCCASION_FINDERS
from circleback.domain.planner import OccasionKind, PlanSettings, plan_digest, touches_this_month
from circleback.domain.sorting import company_key, same_company, senior, suggestion, to_sort, work_history
from tests.factories import contact, owner, touch

TODAY = date(2026, 11, 22)
ACME = Stint("Acme", date(2019, 3, 1), date(2022, 6, 1))
GLOBEX = Stint("Globex GmbH", date(2022, 7, 1))


def unsorted(name: str, **fields: Any) -> Contact:
    return contact(name, unsorted=True, tier=Tier.B, created_on=TODAY - timedelta(days=400), **fields)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Acme", "ACME Inc.", True),
        ("Acme, Inc", "acme", True),
        ("Globex GmbH", "Globex", True),
        ("Société Générale S.A.", "Societe Generale", True),
        ("Initech Ltd", "Initech Limited", True),
        ("Acme", "Acme Robotics", False),
        ("Inc", "Inc.", True),  # a company called only its legal form keeps its one word
        (None, None, False),
        ("", "", False),
    ],
)
def test_companies_compare_without_case_accents_or_legal_form(a: str | None, b: str | None, same: bool) -> None:
    assert same_company(a, b) is same


def test_the_company_key_drops_only_trailing_legal_forms() -> None:
    assert company_key("AG Insurance Group AG") == "ag insurance"


@pytest.mark.parametrize(
    ("title", "is_senior"),
    [
        ("Head of Platform", True),
        ("VP Engineering", True),
        ("Engineering Manager", True),
        ("Tech Lead", True),
        ("Chief of Staff", True),
        ("CTO", True),
        ("Principal Engineer", True),
        ("Software Engineer", False),
        ("Leadership coach", False),  # a word, not a part of one
        (None, False),
    ],
)
def test_senior_titles(title: str | None, is_senior: bool) -> None:
    assert senior(title) is is_senior


def test_a_connection_made_at_an_employer_while_you_were_there_or_just_after_is_a_likely_colleague() -> None:
    history = [ACME]
    during = unsorted("Bo Chen", company="ACME Inc.", title="Engineer", first_seen=date(2020, 5, 1))
    after = unsorted("Cy Diaz", company="Acme", title="Designer", first_seen=date(2022, 11, 30))
    too_late = unsorted("Di Eze", company="Acme", first_seen=date(2023, 1, 15))
    before = unsorted("Ed Fox", company="Acme", first_seen=date(2018, 12, 31))
    boss = unsorted("Flo Gu", company="Acme", title="Director of Engineering", first_seen=date(2019, 4, 2))

    assert suggestion(during, history, TODAY) == suggestion(after, history, TODAY)
    found = suggestion(during, history, TODAY)
    assert found is not None and found.relationship is Relationship.COLLEAGUE
    assert found.why == "a former colleague at Acme 2019–2022, while you were there"
    assert suggestion(too_late, history, TODAY) is None and suggestion(before, history, TODAY) is None
    asked = suggestion(boss, history, TODAY)
    assert asked is not None and asked.relationship is Relationship.BOSS
    assert asked.why == "at Acme 2019–2022, while you were there: your boss or mentor?"


def test_a_stint_still_running_counts_to_today_and_own_new_job_news_adds_one() -> None:
    news = [
        LifeEvent("e1", date(2015, 2, 10), EventKind.NEW_JOB, None, "Initech"),
        LifeEvent("e2", date(2018, 9, 3), EventKind.NEW_JOB, None, "Hooli"),
        LifeEvent("e3", date(2018, 10, 3), EventKind.PROMOTION, None, "Hooli"),  # not a new stint
    ]
    assert work_history([GLOBEX], news) == [
        GLOBEX,
        Stint("Initech", date(2015, 2, 1), date(2018, 9, 1)),
        Stint("Hooli", date(2018, 9, 1), None),
    ]
    now = unsorted("Gia Ho", company="Globex", first_seen=TODAY - timedelta(days=3))
    found = suggestion(now, [GLOBEX], TODAY)
    assert found is not None and "at Globex GmbH 2022–now" in found.why


def test_the_digest_asks_about_bosses_then_colleagues_then_the_longest_known() -> None:
    people = [
        unsorted("Zed Old", first_seen=date(2009, 1, 1)),
        unsorted("Amy New", first_seen=date(2024, 1, 1)),
        unsorted("Colleague Two", company="Acme", first_seen=date(2021, 1, 1)),
        unsorted("Colleague One", company="Acme", first_seen=date(2019, 6, 1)),
        unsorted("The Boss", company="Acme", title="VP Sales", first_seen=date(2021, 2, 1)),
        unsorted("No Date"),
        contact("Sorted Sam", first_seen=date(2000, 1, 1)),
        unsorted("Paused Pat", paused=True, first_seen=date(2001, 1, 1)),
    ]
    asked = to_sort(people, [ACME], TODAY, limit=10)

    assert [item.contact.name for item in asked] == [
        "The Boss",
        "Colleague One",
        "Colleague Two",
        "Zed Old",
        "Amy New",
        "No Date",
    ]
    assert [item.suggestion.why for item in asked][3:] == [
        "connected since 2009",
        "connected since 2024",
        "not sorted yet",
    ]
    assert len(to_sort(people, [ACME], TODAY, limit=2)) == 2
    assert len(to_sort(people, [ACME], TODAY, limit=500)) == 6


def test_an_unsorted_contact_is_never_due_and_gets_no_greeting_only_their_news() -> None:
    ana = unsorted("Ana Souza", country="US", birthday=None, worked_together_until=date(2020, 11, 24))
    news = LifeEvent("e1", TODAY - timedelta(days=2), EventKind.NEW_JOB, ana.id, "Acme -> Globex")
    data = DigestInput(owner(), [ana], [], [news])

    plan = plan_digest(data, date(2026, 11, 22), PlanSettings(), DEFAULT_OCCASION_FINDERS)

    assert plan.due == [] and plan.all_due == 0
    assert [occasion.kind for occasion in plan.occasions] == [OccasionKind.LIFE_EVENT]  # no anniversary, no holiday
    assert [item.contact.name for item in plan.to_sort] == ["Ana Souza"] and plan.unsorted == 1
    assert not plan.is_empty


def test_a_digest_with_only_people_to_sort_is_sent_and_one_with_nobody_unsorted_asks_nothing() -> None:
    only_unsorted = DigestInput(owner(), [unsorted("Ana Souza")])
    assert not plan_digest(only_unsorted, TODAY, PlanSettings(max_due=0)).is_empty
    none = plan_digest(DigestInput(owner(), [contact("Bo", last_touch=TODAY)]), TODAY, PlanSettings())
    assert none.to_sort == [] and none.is_empty
    assert plan_digest(only_unsorted, TODAY, PlanSettings(sort_per_digest=0)).to_sort == []


@given(count=st.integers(1, 300), tier=st.sampled_from(list(Tier)))
def test_contacts_sorted_on_one_day_are_never_due_that_day_and_spread_without_clumping(count: int, tier: Tier) -> None:
    day = date(2026, 11, 20)
    people = [contact(f"Person {i:03d}", tier=tier, sorted_on=day, created_on=date(2024, 1, 1)) for i in range(count)]

    first = first_due_dates(people)

    window = min(28, {Tier.A: 60, Tier.B: 120, Tier.C: 365}[tier])
    assert all(day < on <= day + timedelta(days=window) for on in first.values())
    most_in_a_day = max(Counter(first.values()).values())
    assert most_in_a_day <= -(-count // window)  # as even as whole days allow


def test_sorting_one_contact_leaves_the_import_days_spread_of_the_others() -> None:
    imported = [contact(f"P{i}", created_on=date(2026, 11, 1)) for i in range(4)]
    sorted_later = contact("Late", created_on=date(2026, 11, 1), sorted_on=date(2026, 11, 20))
    assert first_due_dates(imported) == {
        k: v for k, v in first_due_dates([*imported, sorted_later]).items() if k != sorted_later.id
    }


def test_a_due_contact_with_an_occasion_is_listed_once_with_the_occasions_reason() -> None:
    ana = contact("Ana Souza", country="US", last_touch=TODAY - timedelta(days=200))
    bo = contact("Bo Chen", country="US", last_touch=TODAY - timedelta(days=2))
    data = DigestInput(owner(), [ana, bo])

    plan = plan_digest(data, TODAY, PlanSettings(), DEFAULT_OCCASION_FINDERS)  # Thanksgiving is on the 26th

    assert [item.contact.name for item in plan.due] == ["Ana Souza"]
    occasion = plan.due[0].occasion
    assert occasion is not None and occasion.kind is OccasionKind.HOLIDAY
    listed = [c.name for o in plan.occasions for c in o.contacts]
    assert "Ana Souza" not in listed


def test_an_occasion_left_with_nobody_is_dropped() -> None:
    ana = contact("Ana Souza", country="US", last_touch=TODAY - timedelta(days=200))
    plan = plan_digest(DigestInput(owner(), [ana]), TODAY, PlanSettings(), DEFAULT_OCCASION_FINDERS)
    assert plan.occasions == [] and plan.due[0].occasion is not None


def test_a_like_is_kept_but_restarts_no_cadence_and_counts_for_no_goal() -> None:
    ana = contact("Ana Souza")
    like = touch(ana.id, TODAY - timedelta(days=1), channel=Channel.SOCIAL)
    note = touch(ana.id, TODAY - timedelta(days=30), channel=Channel.MESSAGE)

    history = summarise(None, [note, like])

    assert history.last_touch == note.date and history.latest == note
    assert touches_this_month([like], TODAY) == 0
    assert touches_this_month([like, touch(ana.id, TODAY, channel=Channel.MESSAGE)], TODAY) == 1


def test_an_unsorted_contact_has_no_calendar_entries_until_sorted() -> None:
    ana = unsorted("Ana Souza", country="US", birthday=Birthday(12, 1))
    data = DigestInput(owner(), [ana])
    assert calendar_entries(data, TODAY, days=30) == []
    sorted_ana = replace(ana, unsorted=False, sorted_on=TODAY)
    kinds = {entry.kind for entry in calendar_entries(DigestInput(owner(), [sorted_ana]), TODAY, days=30)}
    assert kinds == {"birthday", "holiday", "due"}
