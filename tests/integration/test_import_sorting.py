"""Imports and sorting (docs/design.md, "Sorting the network"): other products' people come in unsorted unless
`--tier` sorts them; circleback's own files are sorted; a re-import's new job or promotion is recorded as news,
once, even when the field itself stays as edited by hand; backups keep who is sorted and the owner's history."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from circleback.adapters.store.repository import Repository
from circleback.domain.model import Contact, EventKind, Stint, Tier
from circleback.formats.detect import Format
from circleback.services.exporting import export
from circleback.services.importing import ImportResult, import_file
from tests import factories
from tests.format_files import cards, google_file, linkedin_file

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
OWNER = "owner-1"
CONNECTIONS = linkedin_file(
    "Ana,Souza,https://www.linkedin.com/in/anasouza,,Acme Inc.,VP Engineering,12 Mar 2019",
    "Rahul,Mehta,https://www.linkedin.com/in/rahulmehta,rahul@example.in,Infosys,Architect,07 Sep 2019",
)


@pytest.fixture
def owned(repo: Repository) -> Repository:
    repo.put_owner(factories.owner(id=OWNER))
    return repo


def load(repo: Repository, text: str, today: date = TODAY, **options: object) -> ImportResult:
    return import_file(repo, OWNER, text, today, **options)  # type: ignore[arg-type]


def people(repo: Repository) -> dict[str, Contact]:
    return {contact.name: contact for contact in repo.list_contacts(OWNER)}


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(CONNECTIONS, id="linkedin"),
        pytest.param(
            google_file({"First Name": "Ana", "Last Name": "Souza", "E-mail 1 - Value": "a@x.io"}), id="google"
        ),
        pytest.param(cards(["VERSION:3.0", "FN:Ana Souza", "EMAIL:a@x.io"]), id="vcard"),
    ],
)
def test_other_products_people_come_in_unsorted(owned: Repository, text: str) -> None:
    assert load(owned, text).rejected == 0
    assert {contact.unsorted for contact in people(owned).values()} == {True}


def test_circleback_files_and_rows_that_carry_a_tier_come_in_sorted(owned: Repository) -> None:
    load(owned, "name,email\nAna Souza,ana@example.com\n")  # circleback's own CSV
    load(owned, cards(["VERSION:3.0", "FN:Bo Chen", "X-CIRCLEBACK-TIER:B"]))  # circleback's own vCard
    assert {name: c.unsorted for name, c in people(owned).items()} == {"Ana Souza": False, "Bo Chen": False}


def test_an_exported_vcard_keeps_who_is_sorted(owned: Repository) -> None:
    load(owned, CONNECTIONS)
    load(owned, "name,email,tier\nZoe Park,zoe@example.com,B\n")
    vcards = export(owned, OWNER, "vcard")
    assert vcards.count("X-CIRCLEBACK-TIER:") == 1  # Zoe's, even at the default tier; none for the unsorted

    import_file(owned, "elsewhere", vcards, TODAY)

    restored = {c.name: c.unsorted for c in owned.list_contacts("elsewhere")}
    assert restored == {"Ana Souza": True, "Rahul Mehta": True, "Zoe Park": False}


def test_tier_sorts_a_files_new_people_and_those_still_unsorted_but_no_one_sorted_by_hand(owned: Repository) -> None:
    load(owned, CONNECTIONS)
    rahul = people(owned)["Rahul Mehta"]
    owned.save_contact(OWNER, replace(rahul, unsorted=False, tier=Tier.C, sorted_on=TODAY))
    more = CONNECTIONS + "Zoe,Park,https://www.linkedin.com/in/zoepark,,Acme,CFO,01 Feb 2024\n"

    result = load(owned, more, TODAY + timedelta(days=1), tier=Tier.A)

    assert result.rejected == 0
    after = people(owned)
    assert (after["Zoe Park"].unsorted, after["Zoe Park"].tier, after["Zoe Park"].sorted_on) == (False, Tier.A, None)
    assert (after["Ana Souza"].unsorted, after["Ana Souza"].tier) == (False, Tier.A)
    assert after["Ana Souza"].sorted_on == TODAY + timedelta(days=1)  # spread from the day after its sorting
    assert (after["Rahul Mehta"].tier, after["Rahul Mehta"].sorted_on) == (Tier.C, TODAY)  # sorted by hand: kept


def test_a_new_company_or_title_in_a_reexport_is_recorded_as_news_once(owned: Repository) -> None:
    load(owned, CONNECTIONS, TODAY - timedelta(days=30))
    moved = CONNECTIONS.replace("Acme Inc.,VP Engineering", "Globex,CTO").replace(
        "Infosys,Architect", "Infosys,Chief Architect"
    )

    result = load(owned, moved)

    events = sorted(owned.list_events(OWNER), key=lambda e: e.kind)
    assert [(e.kind, e.date, e.note) for e in events] == [
        (EventKind.NEW_JOB, TODAY, "VP Engineering at Acme Inc. -> CTO at Globex"),
        (EventKind.PROMOTION, TODAY, "Architect -> Chief Architect at Infosys"),
    ]
    report = result.reports[0]
    assert "2 new jobs or promotions recorded" in report.summary()
    assert [str(note) for note in report.news] == [
        "row 5, company: Ana Souza: a new job (VP Engineering at Acme Inc. -> CTO at Globex); the digest says "
        "congratulate",
        "row 6, title: Rahul Mehta: a promotion (Architect -> Chief Architect at Infosys); the digest says "
        "congratulate",
    ]
    # The same file again, or the next day: the news is known.
    again = load(owned, moved, TODAY + timedelta(days=1))
    assert again.reports[0].news == [] and len(owned.list_events(OWNER)) == 2


def test_the_same_company_written_another_way_is_no_news(owned: Repository) -> None:
    load(owned, CONNECTIONS, TODAY - timedelta(days=30))
    load(owned, CONNECTIONS.replace("Acme Inc.", "ACME"))
    assert owned.list_events(OWNER) == []


def test_news_is_recorded_even_when_the_field_stays_as_edited_by_hand(owned: Repository) -> None:
    load(owned, CONNECTIONS, TODAY - timedelta(days=30))
    ana = people(owned)["Ana Souza"]
    owned.save_contact(OWNER, replace(ana, company="Acme Robotics"))  # typed by hand since

    result = load(owned, CONNECTIONS.replace("Acme Inc.,VP Engineering", "Globex,CTO"))

    assert people(owned)["Ana Souza"].company == "Acme Robotics"  # the hand edit wins
    [event] = owned.list_events(OWNER)
    assert (event.kind, event.note) == (EventKind.NEW_JOB, "VP Engineering at Acme Robotics -> CTO at Globex")
    assert [note.field for note in result.reports[0].kept] == ["company"]


def test_an_older_file_after_a_hand_edit_is_no_news(owned: Repository) -> None:
    load(owned, CONNECTIONS, TODAY - timedelta(days=30))
    ana = people(owned)["Ana Souza"]
    owned.save_contact(OWNER, replace(ana, title="SVP Engineering"))  # she told you; the file is older

    load(owned, CONNECTIONS)

    assert owned.list_events(OWNER) == []


def test_a_dry_run_names_the_news_and_records_nothing(owned: Repository) -> None:
    load(owned, CONNECTIONS, TODAY - timedelta(days=30))
    result = load(owned, CONNECTIONS.replace("Acme Inc.,VP Engineering", "Globex,CTO"), dry_run=True)
    assert len(result.reports[0].news) == 1 and owned.list_events(OWNER) == []


def test_a_backup_keeps_who_is_sorted_the_sort_setting_and_the_owners_work_history(owned: Repository) -> None:
    owner = owned.get_owner(OWNER)
    assert owner is not None
    history = (Stint("Acme", date(2019, 3, 1), date(2022, 6, 1)), Stint("Globex", date(2022, 7, 1)))
    owned.put_owner(replace(owner, sort_per_digest=8, work_history=history))
    load(owned, CONNECTIONS)
    rahul = people(owned)["Rahul Mehta"]
    owned.save_contact(OWNER, replace(rahul, unsorted=False, sorted_on=TODAY, tier=Tier.A))

    result = import_file(owned, "elsewhere", export(owned, OWNER, "json"), TODAY, now=NOW)

    assert result.format is Format.JSON and result.rejected == 0
    restored = owned.get_owner("elsewhere")
    assert restored is not None and (restored.sort_per_digest, restored.work_history) == (8, history)
    copies = {c.name: (c.unsorted, c.sorted_on, c.tier) for c in owned.list_contacts("elsewhere")}
    assert copies == {"Ana Souza": (True, None, Tier.B), "Rahul Mehta": (False, TODAY, Tier.A)}
