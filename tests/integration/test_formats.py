"""LinkedIn, Google Contacts and vCard imports, exports and backups, against the emulated table.

Every format takes the one contact import path: matched by email, LinkedIn address or exact name, updated
and never duplicated, re-imports change nothing, and a field changed by hand is never overwritten.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from circleback.adapters.store.codec import decode_item
from circleback.adapters.store.keys import contact_sk, owner_pk
from circleback.adapters.store.repository import NotFoundError, Repository
from circleback.domain.changes import FieldChange
from circleback.domain.model import (
    Birthday,
    Channel,
    Contact,
    Direction,
    FollowUp,
    Frequency,
    Owner,
    Relationship,
    TeamLunch,
    Tier,
    Touch,
    Trip,
)
from circleback.formats.detect import Format
from circleback.formats.rows import CONTACT_FIELDS
from circleback.services.contacts import log
from circleback.services.exporting import contacts_as_last_touched, export, export_backup
from circleback.services.import_report import ImportReport
from circleback.services.importing import (
    ImportResult,
    UnknownFormat,
    import_contacts,
    import_events,
    import_file,
    import_touches,
)
from circleback.services.loops import Move, MoveDetails, move_favour, queue_share, reconnect
from tests import factories
from tests.format_files import cards, google_file, linkedin_file

TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 15, 30, tzinfo=UTC)
OWNER = "owner-1"
ELSEWHERE = "owner-2"  # an empty partition of the same table: where backups and exports are brought back
SAMPLES = Path(__file__).resolve().parents[2] / "samples"

LINKEDIN = linkedin_file(
    "Ana,Souza,https://www.linkedin.com/in/anasouza,,Globex,Head of Platform,15 Mar 2024",
    "Rahul,Mehta,https://www.linkedin.com/in/rahulmehta,rahul@example.in,Infosys,Architect,07 Sep 2019",
)
GOOGLE = google_file(
    {
        "First Name": "Ana",
        "Last Name": "Souza",
        "Birthday": "--05-17",
        "E-mail 1 - Label": "* Work",
        "E-mail 1 - Value": "ana@globex.example",
        "Phone 1 - Label": "Mobile",
        "Phone 1 - Value": "+55 11 5555 0100",
        "Website 1 - Label": "Profile",
        "Website 1 - Value": "https://linkedin.com/in/anasouza/",
    },
    {
        "First Name": "Rahul",
        "Last Name": "Mehta",
        "E-mail 1 - Label": "* Home",
        "E-mail 1 - Value": "rahul.home@example.com",
        "E-mail 2 - Label": "Work",
        "E-mail 2 - Value": "RAHUL@example.in",
        "Labels": "* myContacts ::: Mentors",
    },
)
VCARDS = cards(
    ["VERSION:3.0", "FN:Grace Liu", "BDAY:--0229", "ORG:DBS", "TITLE:CFO", "ADR:;;;;;;SG"],
    ["VERSION:4.0", "FN:王小明", "EMAIL;PREF=1:xiaoming@example.cn", "NOTE:Met in Shanghai\\, 2019."],
)


@pytest.fixture
def owned(repo: Repository) -> Repository:
    repo.put_owner(factories.owner(id=OWNER))
    return repo


def load(repo: Repository, text: str, **options: Any) -> ImportResult:
    return import_file(repo, OWNER, text, TODAY, **options)


def counts(result: ImportResult | ImportReport) -> tuple[int, int, int, int]:
    report = result.reports[0] if isinstance(result, ImportResult) else result
    return report.imported, report.updated, report.unchanged, report.rejected


def by_name(repo: Repository, owner_id: str = OWNER) -> dict[str, Contact]:
    contacts = repo.list_contacts(owner_id)
    assert len({c.name for c in contacts}) == len(contacts), "these tests use distinct names"
    return {c.name: c for c in contacts}


def contact_item(repo: Repository, owner_id: str, contact_id: str) -> dict[str, Any]:
    key = {"PK": {"S": owner_pk(owner_id)}, "SK": {"S": contact_sk(contact_id)}}
    return decode_item(repo.client.get_item(TableName=repo.table_name, Key=key, ConsistentRead=True)["Item"])


def edit_by_hand(repo: Repository, contact: Contact, **changes: Any) -> Contact:
    """What a hand edit does: change fields and save, never touching what imports recorded."""
    return repo.save_contact(OWNER, replace(contact, **changes))


# --- each format, imported ------------------------------------------------------------------------------------


def test_linkedin_connections_become_contacts_first_seen_when_connected_and_never_touched(owned: Repository) -> None:
    result = load(owned, LINKEDIN)

    assert result.format is Format.LINKEDIN
    assert counts(result) == (2, 0, 0, 0)
    assert result.summary().splitlines() == [
        "Read as LinkedIn connections.",
        "contacts: 2 imported, 0 updated, 0 unchanged, 0 skipped, 0 rejected",
    ]
    contacts = by_name(owned)
    ana, rahul = contacts["Ana Souza"], contacts["Rahul Mehta"]
    assert (ana.email, ana.company, ana.title, ana.first_seen) == (
        None,
        "Globex",
        "Head of Platform",
        date(2024, 3, 15),
    )
    assert (rahul.email, rahul.first_seen, rahul.created_on) == ("rahul@example.in", date(2019, 9, 7), TODAY)
    partition = owned.load_digest_input(OWNER)
    assert partition is not None
    assert partition.touches == []  # connecting is not keeping in touch
    assert all(c.last_touch is None for c in partition.contacts)
    assert factories.history_of(owned, OWNER, ana.id).last_touch is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(LINKEDIN, Format.LINKEDIN, id="linkedin"),
        pytest.param(GOOGLE, Format.GOOGLE, id="google"),
        pytest.param(VCARDS, Format.VCARD, id="vcard"),
    ],
)
def test_reimporting_a_file_changes_nothing(owned: Repository, text: str, expected: Format) -> None:
    first = load(owned, text)
    assert (first.format, counts(first)) == (expected, (2, 0, 0, 0))
    before = {c.id: c for c in owned.list_contacts(OWNER)}

    again = load(owned, text)

    assert counts(again) == (0, 0, 2, 0)
    assert {c.id: c for c in owned.list_contacts(OWNER)} == before  # same fields, same versions: no write


def test_a_google_export_updates_the_people_linkedin_brought_never_duplicates_them(owned: Repository) -> None:
    load(owned, LINKEDIN)

    result = load(owned, GOOGLE)

    assert counts(result) == (0, 2, 0, 0)
    contacts = by_name(owned)
    assert sorted(contacts) == ["Ana Souza", "Rahul Mehta"]
    ana, rahul = contacts["Ana Souza"], contacts["Rahul Mehta"]
    # Ana: matched by her LinkedIn address (Google's website), however written; gains email, phone, birthday.
    assert (ana.email, ana.phone, ana.birthday) == ("ana@globex.example", "+55 11 5555 0100", Birthday(5, 17))
    assert ana.linkedin_url == "https://www.linkedin.com/in/anasouza"
    assert ana.first_seen == date(2024, 3, 15)  # a blank in Google keeps what LinkedIn said
    # Rahul: matched by his second address; the address already known stays his.
    assert (rahul.email, rahul.tags) == ("rahul@example.in", ("Mentors",))
    assert counts(load(owned, GOOGLE)) == (0, 0, 2, 0)
    assert counts(load(owned, LINKEDIN)) == (0, 0, 2, 0)


def test_a_card_without_email_or_linkedin_address_is_matched_by_its_exact_name(owned: Repository) -> None:
    import_contacts(owned, OWNER, "name,email,tier\nGrace Liu,grace@example.sg,A\n", TODAY)

    result = load(owned, VCARDS)

    assert counts(result) == (1, 1, 0, 0)
    grace = by_name(owned)["Grace Liu"]
    assert (grace.email, grace.tier, grace.company, grace.title, grace.country, grace.birthday) == (
        "grace@example.sg",
        Tier.A,
        "DBS",
        "CFO",
        "SG",
        Birthday(2, 29),
    )


def test_a_name_two_known_contacts_share_is_refused_as_ambiguous(owned: Repository) -> None:
    import_contacts(owned, OWNER, "name,email\nSam Lee,sam@one.example\nSam Lee,sam@two.example\n", TODAY)

    result = load(owned, cards(["VERSION:4.0", "FN:Sam Lee", "TITLE:CTO"], ["VERSION:4.0", "FN:Bo Chen"]))

    assert counts(result) == (1, 0, 0, 1)
    [error] = result.reports[0].errors
    assert str(error) == "card 1, name: 2 contacts are called 'Sam Lee'; add their email to tell them apart"
    assert all(c.title is None for c in owned.list_contacts(OWNER))


def test_a_row_whose_addresses_belong_to_two_known_contacts_is_refused(owned: Repository) -> None:
    import_contacts(owned, OWNER, "name,email\nAna Souza,ana@globex.example\nAna S.,ana@home.example\n", TODAY)
    text = google_file({"First Name": "Ana", "E-mail 1 - Value": "ana@globex.example ::: ana@home.example"})

    result = load(owned, text)

    assert counts(result) == (0, 0, 0, 1)
    assert "2 contacts have one of the emails" in result.reports[0].errors[0].reason


def test_rows_without_names_are_named_from_what_they_have_and_flagged(owned: Repository) -> None:
    text = linkedin_file(
        ",,https://www.linkedin.com/in/someone,,Acme,CTO,15 Mar 2024",
        ",,,ana.souza@example.com,,,15 Mar 2024",
        ",,,,,,02 Jun 2022",
        "Rahul,Mehta,https://www.linkedin.com/in/rahulmehta,,Infosys,Architect,07 Sep 2019",
    )

    result = load(owned, text)

    report = result.reports[0]
    assert counts(result) == (3, 0, 0, 0)
    assert [str(w) for w in report.warnings] == [
        "row 5, name: none given: named 'Acme' from the company",
        "row 6, name: none given: named 'Ana Souza' from the email",
    ]
    assert [str(s) for s in report.skipped] == ["row 7: skipped: no name, email, company or phone in it"]
    assert report.summary() == "contacts: 3 imported, 0 updated, 0 unchanged, 1 skipped, 0 rejected; 2 warnings"
    assert sorted(by_name(owned)) == ["Acme", "Ana Souza", "Rahul Mehta"]


def test_the_same_record_twice_in_one_file_is_skipped_naming_the_first(owned: Repository) -> None:
    row = "Rahul,Mehta,https://www.linkedin.com/in/rahulmehta,,Infosys,Architect,07 Sep 2019"

    result = load(owned, linkedin_file(row, row))

    assert counts(result) == (1, 0, 0, 0)
    assert [str(s) for s in result.reports[0].skipped] == ["row 6: skipped: the same as row 5"]


def test_the_same_person_twice_in_one_file_is_refused_naming_the_first(owned: Repository) -> None:
    text = cards(
        ["VERSION:4.0", "FN:Ana Souza", "EMAIL:ana@example.com"],
        ["VERSION:4.0", "FN:Ana S.", "EMAIL:other@example.com", "EMAIL:ANA@example.com"],
    )

    result = load(owned, text)

    assert counts(result) == (1, 0, 0, 1)
    assert [str(e) for e in result.reports[0].errors] == ["card 2, email: the same contact as card 1"]


# --- what the user changed by hand ----------------------------------------------------------------------------


def test_a_field_changed_by_hand_is_not_overwritten_by_an_older_import(owned: Repository) -> None:
    load(owned, LINKEDIN)
    rahul = by_name(owned)["Rahul Mehta"]
    edited = edit_by_hand(owned, rahul, title="Principal Architect", relationship=Relationship.MENTOR)

    result = load(owned, LINKEDIN)

    assert counts(result) == (0, 0, 2, 0)
    assert by_name(owned)["Rahul Mehta"] == edited
    report = result.reports[0]
    assert [str(note) for note in report.kept] == [
        "row 6, title: kept 'Principal Architect', as set by hand; the file has 'Architect'"
    ]
    assert report.summary().endswith("; 1 field kept as edited by hand")


def test_a_newer_export_still_updates_what_was_not_changed_by_hand(owned: Repository) -> None:
    load(owned, LINKEDIN)
    edit_by_hand(owned, by_name(owned)["Rahul Mehta"], title="Principal Architect")
    newer = LINKEDIN.replace("Infosys,Architect", "Wipro,Architect")

    result = load(owned, newer)

    assert counts(result) == (0, 1, 1, 0)
    rahul = by_name(owned)["Rahul Mehta"]
    assert (rahul.company, rahul.title) == ("Wipro", "Principal Architect")
    assert [(note.row, note.field) for note in result.reports[0].kept] == [(6, "title")]


def test_values_typed_for_a_contact_added_by_hand_stay_and_empty_or_default_fields_fill_in(
    owned: Repository,
) -> None:
    owned.add_contact(OWNER, Contact(id="by-hand", name="Grace Liu", created_on=TODAY, title="CEO", tier=Tier.A))
    text = cards(
        [
            "VERSION:4.0",
            "FN:Grace Liu",
            "TITLE:CFO",
            "EMAIL:grace@example.sg",
            "X-CIRCLEBACK-TIER:C",
            "X-CIRCLEBACK-RELATIONSHIP:boss",
        ]
    )

    result = load(owned, text)

    assert counts(result) == (0, 1, 0, 0)
    grace = by_name(owned)["Grace Liu"]
    assert (grace.title, grace.tier) == ("CEO", Tier.A)  # typed by hand: kept
    assert (grace.email, grace.relationship) == ("grace@example.sg", Relationship.BOSS)  # empty or default: filled
    assert sorted(note.field or "" for note in result.reports[0].kept) == ["tier", "title"]


def test_when_a_file_agrees_with_a_hand_edit_later_files_may_change_it_again(owned: Repository) -> None:
    load(owned, LINKEDIN)
    edit_by_hand(owned, by_name(owned)["Rahul Mehta"], title="Principal Architect")

    agreeing = load(owned, LINKEDIN.replace("Infosys,Architect", "Infosys,Principal Architect"))
    newer = load(owned, LINKEDIN.replace("Infosys,Architect", "Infosys,Distinguished Architect"))

    assert counts(agreeing) == (0, 0, 2, 0)
    assert agreeing.reports[0].kept == []
    assert counts(newer) == (0, 1, 1, 0)
    assert by_name(owned)["Rahul Mehta"].title == "Distinguished Architect"


# --- progress, strict, unknown files -------------------------------------------------------------------------


def test_progress_is_reported_row_by_row_as_the_import_writes(owned: Repository) -> None:
    calls: list[tuple[int, int]] = []

    load(owned, VCARDS, progress=lambda done, total: calls.append((done, total)))
    load(owned, VCARDS, progress=lambda done, total: calls.append((done, total)))

    assert calls == [(1, 2), (2, 2), (1, 2), (2, 2)]  # unchanged rows count too: the bar reaches the end


def test_strict_writes_nothing_from_a_vcard_file_with_one_bad_card(owned: Repository) -> None:
    calls: list[tuple[int, int]] = []
    text = VCARDS + cards(["VERSION:4.0", "FN:Bad", "TITLE:" + "Chief " * 40])  # too long to keep whole

    result = load(owned, text, strict=True, progress=lambda done, total: calls.append((done, total)))

    assert (result.written, counts(result)) == (False, (0, 0, 0, 1))
    assert "nothing written" in result.summary()
    assert owned.list_contacts(OWNER) == []
    assert calls == []


def test_a_format_the_content_contradicts_and_an_unknown_file_are_refused(owned: Repository) -> None:
    with pytest.raises(UnknownFormat) as refused:
        load(owned, LINKEDIN, format="csv")
    assert str(refused.value) == (
        "asked to read a circleback contacts CSV (format csv), but this looks like LinkedIn connections: "
        "leave the format out to read it as one"
    )
    assert owned.list_contacts(OWNER) == []
    as_asked = load(owned, "Vorname,Nachname\nAna,Souza\n", format="csv")  # no known header: the format asked for
    assert as_asked.format is Format.CSV
    assert str(as_asked.reports[0].errors[0]).startswith("row 1, vorname: unknown column for a contacts file")
    with pytest.raises(UnknownFormat, match="cannot tell what kind of file"):
        load(owned, "just some text\n")
    with pytest.raises(UnknownFormat, match="unknown format 'xls'"):
        load(owned, LINKEDIN, format="xls")
    assert load(owned, "", filename="contacts.vcf").reports[0].rejected == 1


# --- exports and backups --------------------------------------------------------------------------------------


@pytest.fixture
def rich(owned: Repository) -> Repository:
    """A lived-in account: settings, the samples' contacts, touches and events, imports from every format,
    a contact added and one changed by hand, a snooze, a touch logged from a digest link."""
    owned.put_owner(
        Owner(
            id=OWNER,
            email="me@example.com",
            name="Me Myself",
            timezone="Asia/Kolkata",
            country="IN",
            send_hour=8,
            frequency=Frequency.WEEKLY,
            weekday=4,
            monthly_goal=6,
            max_due=3,
            lookahead_days=10,
            paused_until=date(2026, 12, 1),
        )
    )
    for name, importer in (("contacts", import_contacts), ("touches", import_touches), ("events", import_events)):
        report = importer(owned, OWNER, (SAMPLES / f"{name}.csv").read_text(encoding="utf-8"), TODAY)
        assert report.rejected == 0, report.errors
    linkedin = linkedin_file(
        "Priya,Natarajan,https://www.linkedin.com/in/priyanatarajan,,Stripe,Staff Engineer,02 Jun 2018",
        "Bo,Chen,https://www.linkedin.com/in/bochen,,Atlassian,Designer,11 Nov 2022",
    )
    google = google_file(
        {
            "First Name": "Kenji",
            "Last Name": "Watanabe",
            "E-mail 1 - Label": "* Home",
            "E-mail 1 - Value": "kenji@home.example.jp",
            "E-mail 2 - Value": "kenji.watanabe@example.jp",
            "Phone 1 - Value": "+81 90 0000 0000",
            "Labels": "Tokyo ::: * starred",
        }
    )
    for text in (linkedin, google, VCARDS):  # each updates people of the samples and adds new ones
        assert load(owned, text).rejected == 0
    owned.add_contact(
        OWNER, Contact(id="by-hand", name="Zara Ahmed", created_on=date(2026, 1, 5), snoozed_until=date(2026, 12, 6))
    )
    edit_by_hand(owned, by_name(owned)["Rahul Mehta"], title="Principal Architect", tier=Tier.A)
    grace = by_name(owned)["Grace Liu"]
    touch = Touch("link-touch", grace.id, TODAY, Direction.INBOUND, Channel.CALL, "She called", "link", NOW)
    assert owned.add_touch(OWNER, touch)
    for trip in (
        Trip("trip-berlin", "Berlin", "geonames:2950159", date(2026, 12, 3), date(2026, 12, 5)),
        Trip("trip-lisbon", "Lisboa", "geonames:2267057", date(2027, 2, 1), date(2027, 2, 1)),
    ):
        assert owned.add_trip(OWNER, trip)
    owned.put_lunch(OWNER, TeamLunch("northwind analytics", date(2026, 11, 2), met=False))
    # Next steps (issue 19): a favour he helped with, a reconnect with a need, a queued item, a follow-up.
    people = by_name(owned)
    for move, details in ((Move.ASK, MoveDetails("a reference")), (Move.HELPED, MoveDetails(note="he wrote it"))):
        move_favour(owned, OWNER, people["Thomas Becker"], move, TODAY - timedelta(days=3), NOW, details)
    reconnect(owned, OWNER, people["Kenji Watanabe"], "an intro", TODAY)
    queue_share(owned, OWNER, "https://example.com/essay", "An essay", ["leadership"], TODAY)
    follow_up = FollowUp(TODAY + timedelta(days=7), "the offer", done_on=None)
    log(owned, OWNER, people["Ana Souza"], TODAY, Direction.OUTBOUND, Channel.EMAIL, "asked", NOW, follow_up)
    return owned


def state(repo: Repository, owner_id: str) -> dict[str, Any]:
    """Everything a backup promises to bring back, the owner's id and the contacts' version counters aside."""
    partition = repo.load_digest_input(owner_id)
    assert partition is not None
    summaries = {}
    for contact in partition.contacts:
        history = factories.history_of(repo, owner_id, contact.id)
        summaries[contact.id] = (history.last_touch, history.outbound_streak)
    return {
        "owner": replace(partition.owner, id="", next_send_at=None),
        "contacts": {c.id: replace(c, version=0) for c in partition.contacts},
        "summaries": summaries,
        "touches": sorted(partition.touches, key=lambda t: t.id),
        "events": sorted(partition.events, key=lambda e: e.id),
        "trips": sorted(partition.trips, key=lambda t: t.id),
        "lunches": list(partition.lunches),
        "favours": sorted((replace(f, version=0) for f in partition.favours), key=lambda f: f.id),
        "reconnects": sorted(partition.reconnects, key=lambda r: r.contact_id),
        "shares": sorted(partition.shares, key=lambda s: s.id),
    }


def restore(repo: Repository, text: str, owner_id: str = ELSEWHERE) -> list[tuple[str, tuple[int, int, int, int]]]:
    result = import_file(repo, owner_id, text, TODAY, now=NOW)
    assert result.format is Format.JSON
    return [(report.kind, counts(report)) for report in result.reports]


def test_a_backup_brings_an_empty_account_back_to_the_same_state(rich: Repository) -> None:
    backup = export(rich, OWNER, "json")
    expected = state(rich, OWNER)
    sizes = {part: len(expected[part]) for part in ("contacts", "touches", "events")}
    assert sizes["contacts"] >= 25 and sizes["touches"] >= 20 and sizes["events"] >= 3

    assert restore(rich, backup) == [
        ("settings", (1, 0, 0, 0)),
        ("contacts", (sizes["contacts"], 0, 0, 0)),
        ("touches", (sizes["touches"], 0, 0, 0)),
        ("events", (sizes["events"], 0, 0, 0)),
        ("trips and lunches", (3, 0, 0, 0)),  # two trips and a team's last lunch
        ("next steps", (3, 0, 0, 0)),  # a favour, a reconnect and a shared item
    ]

    assert state(rich, ELSEWHERE) == expected
    assert export_backup(rich, ELSEWHERE) == backup.replace(f'"id": "{OWNER}"', f'"id": "{ELSEWHERE}"', 1)
    owner = rich.get_owner(ELSEWHERE)
    assert owner is not None
    assert owner.next_send_at is not None  # scheduled again from the restored settings


def test_restoring_twice_or_onto_its_own_account_writes_nothing(rich: Repository) -> None:
    backup = export(rich, OWNER, "json")
    restore(rich, backup)
    versions = {c.id: c.version for c in rich.list_contacts(ELSEWHERE)}
    unchanged = [
        ("settings", (0, 0, 1, 0)),
        ("contacts", (0, 0, len(versions), 0)),
        ("touches", (0, 0, len(state(rich, OWNER)["touches"]), 0)),
        ("events", (0, 0, len(state(rich, OWNER)["events"]), 0)),
        ("trips and lunches", (0, 0, 3, 0)),
        ("next steps", (0, 0, 3, 0)),
    ]

    assert restore(rich, backup) == unchanged
    assert restore(rich, backup, owner_id=OWNER) == unchanged
    assert {c.id: c.version for c in rich.list_contacts(ELSEWHERE)} == versions


def test_a_restored_contact_already_known_under_another_id_is_updated_and_keeps_its_touches(
    rich: Repository,
) -> None:
    backup = export(rich, OWNER, "json")
    load_elsewhere = import_file(rich, ELSEWHERE, "name,email\nMargaret Okafor,margaret.okafor@example.com\n", TODAY)
    assert counts(load_elsewhere) == (1, 0, 0, 0)
    known = by_name(rich, ELSEWHERE)["Margaret Okafor"]

    restore(rich, backup)

    margaret = by_name(rich, ELSEWHERE)["Margaret Okafor"]
    original = by_name(rich, OWNER)["Margaret Okafor"]
    assert margaret.id == known.id != original.id
    assert replace(margaret, id="", version=0) == replace(original, id="", version=0)
    partition = rich.load_digest_input(ELSEWHERE)
    assert partition is not None
    mine = [t for t in partition.touches if t.contact_id == margaret.id]
    assert len(mine) == len([t for t in state(rich, OWNER)["touches"] if t.contact_id == original.id]) > 0


def test_settings_changed_since_the_backup_are_put_back_and_rescheduled(rich: Repository) -> None:
    backup = export(rich, OWNER, "json")
    owner = rich.get_owner(OWNER)
    assert owner is not None
    rich.put_owner(replace(owner, send_hour=6, frequency=Frequency.DAILY))

    assert restore(rich, backup, owner_id=OWNER)[0] == ("settings", (0, 1, 0, 0))
    restored = rich.get_owner(OWNER)
    assert restored is not None
    assert (restored.send_hour, restored.frequency, restored.weekday) == (8, Frequency.WEEKLY, 4)
    assert restored.next_send_at is not None and restored.next_send_at > NOW


def test_a_strict_restore_of_a_backup_with_a_bad_part_writes_nothing(rich: Repository) -> None:
    backup = export(rich, OWNER, "json").replace('"kind": "promotion"', '"kind": "knighted"', 1)

    result = import_file(rich, ELSEWHERE, backup, TODAY, now=NOW, strict=True)

    assert not result.written
    assert [(e.unit, e.field) for r in result.reports for e in r.errors] == [("event", "kind")]
    assert rich.get_owner(ELSEWHERE) is None
    assert rich.list_contacts(ELSEWHERE) == []


def aged(rich: Repository) -> str:
    """A backup of `rich`, then a hand edit and a settings change made since: the backup is now older."""
    backup = export(rich, OWNER, "json")
    edit_by_hand(rich, by_name(rich)["Rahul Mehta"], title="CTO", tags=("mentor",))
    owner = rich.get_owner(OWNER)
    assert owner is not None
    rich.put_owner(replace(owner, send_hour=6))
    return backup


def test_a_dry_run_of_an_older_backup_lists_every_value_it_would_put_back_and_writes_nothing(
    rich: Repository,
) -> None:
    backup = aged(rich)
    before = state(rich, OWNER)

    result = import_file(rich, OWNER, backup, TODAY, now=NOW, dry_run=True)

    assert state(rich, OWNER) == before
    assert [str(change) for change in result.changes] == [
        "settings, send_hour: '6' -> '8'",
        "Rahul Mehta, title: 'CTO' -> 'Principal Architect'",
        "Rahul Mehta, tags: 'mentor' -> 'mentor; architecture'",
    ]
    assert [(report.kind, counts(report)) for report in result.reports] == [
        ("settings", (0, 1, 0, 0)),
        ("contacts", (0, 1, len(before["contacts"]) - 1, 0)),
        ("touches", (0, 0, len(before["touches"]), 0)),
        ("events", (0, 0, len(before["events"]), 0)),
        ("trips and lunches", (0, 0, 3, 0)),
        ("next steps", (0, 0, 3, 0)),
    ]
    assert result.summary().splitlines()[:2] == [
        "Read as circleback backup. A dry run: nothing was written.",
        "settings: 0 to import, 1 to update, 0 unchanged, 0 to skip, 0 rejected",
    ]
    # The dry run foretells the real restore exactly.
    real = import_file(rich, OWNER, backup, TODAY, now=NOW)
    assert [counts(r) for r in real.reports] == [counts(r) for r in result.reports]
    assert real.changes == result.changes


def test_a_restore_that_would_put_back_older_values_asks_first_and_a_no_writes_nothing(rich: Repository) -> None:
    backup = aged(rich)
    before = state(rich, OWNER)
    asked: list[list[str]] = []

    def say_no(changes: Sequence[FieldChange]) -> bool:
        asked.append([str(change) for change in changes])
        return False

    result = import_file(rich, OWNER, backup, TODAY, now=NOW, confirm=say_no)

    assert len(asked) == 1 and len(asked[0]) == 3
    assert not result.written
    assert result.reports[1].summary().endswith("(nothing written: the restore was not confirmed)")
    assert state(rich, OWNER) == before

    assert import_file(rich, OWNER, backup, TODAY, now=NOW, confirm=lambda _: True).written
    assert by_name(rich)["Rahul Mehta"].title == "Principal Architect"


def test_a_restore_that_only_adds_asks_nothing(rich: Repository) -> None:
    backup = export(rich, OWNER, "json")

    def never(changes: Sequence[FieldChange]) -> bool:
        raise AssertionError(f"asked about {changes}")

    assert import_file(rich, ELSEWHERE, backup, TODAY, now=NOW, confirm=never).written  # into an empty account
    assert import_file(rich, OWNER, backup, TODAY, now=NOW, confirm=never).written  # onto its own, unchanged


def test_a_contact_changed_or_removed_while_the_person_was_asked_is_still_restored(rich: Repository) -> None:
    backup = aged(rich)
    rahul = by_name(rich)["Rahul Mehta"]
    grace = by_name(rich)["Grace Liu"]
    edit_by_hand(rich, grace, notes="changed since the backup")

    def meanwhile(changes: Sequence[FieldChange]) -> bool:  # a click and a removal while the question was open
        rich.save_contact(OWNER, replace(rich.get_contact(OWNER, rahul.id) or rahul, snoozed_until=date(2027, 1, 1)))
        rich.remove_contact(OWNER, by_name(rich)["Grace Liu"])
        return True

    result = import_file(rich, OWNER, backup, TODAY, now=NOW, confirm=meanwhile)

    assert result.written and result.rejected == 0
    restored = by_name(rich)
    assert (restored["Rahul Mehta"].title, restored["Rahul Mehta"].snoozed_until) == ("Principal Architect", None)
    assert restored["Grace Liu"].notes == grace.notes  # brought back as the backup has her


def test_touches_and_events_of_a_contact_removed_before_the_backup_restore_with_a_notice(rich: Repository) -> None:
    document = json.loads(export(rich, OWNER, "json"))
    orphan = {"id": "t-orphan", "contact_id": "removed-1", "date": "2026-11-01", "note": "about the move"}
    document["touches"].append(orphan)
    document["events"].append({"id": "e-orphan", "date": "2026-11-02", "kind": "moved", "contact_id": "removed-1"})

    result = import_file(rich, ELSEWHERE, json.dumps(document), TODAY, now=NOW)

    assert result.rejected == 0 and result.written
    touches, events = result.reports[2], result.reports[3]
    assert [str(note) for note in touches.skipped + events.skipped] == [
        f"touch {len(document['touches'])}, contact_id: skipped: its contact 'removed-1' is not in this backup",
        f"event {len(document['events'])}, contact_id: skipped: its contact 'removed-1' is not in this backup",
    ]
    assert "1 skipped" in touches.summary()
    partition = rich.load_digest_input(ELSEWHERE)
    assert partition is not None
    assert all(t.contact_id != "removed-1" for t in partition.touches)


def test_a_dry_run_of_a_contacts_file_counts_and_names_its_updates_and_writes_nothing(owned: Repository) -> None:
    load(owned, LINKEDIN)
    before = {c.id: c for c in owned.list_contacts(OWNER)}
    newer = LINKEDIN.replace("Infosys,Architect", "Infosys,Lead Architect")
    assert newer != LINKEDIN

    result = load(owned, newer + "Zoe,Park,https://www.linkedin.com/in/zoepark,,Acme,CFO,01 Feb 2024\n", dry_run=True)

    assert {c.id: c for c in owned.list_contacts(OWNER)} == before
    assert counts(result) == (1, 1, len(before) - 1, 0)
    assert [str(change) for change in result.changes] == ["Rahul Mehta, title: 'Architect' -> 'Lead Architect'"]
    real = load(owned, newer + "Zoe,Park,https://www.linkedin.com/in/zoepark,,Acme,CFO,01 Feb 2024\n")
    assert counts(real) == counts(result)


def test_a_dry_run_of_touches_and_events_files_counts_only_what_is_new(owned: Repository) -> None:
    import_contacts(owned, OWNER, "name,email\nAna Souza,ana@example.com\n", TODAY)
    touches = "contact,date,direction,channel,note\nAna Souza,2026-11-01,outbound,email,hello\n"
    events = "contact,date,kind,note\nAna Souza,2026-11-02,moved,Lisbon\n"
    import_touches(owned, OWNER, touches, TODAY)
    more = touches + "Ana Souza,2026-11-03,inbound,call,\n"

    assert counts(import_touches(owned, OWNER, more, TODAY, dry_run=True)) == (1, 0, 1, 0)
    assert counts(import_events(owned, OWNER, events, TODAY, dry_run=True)) == (1, 0, 0, 0)
    partition = owned.load_digest_input(OWNER)
    assert partition is not None
    assert (len(partition.touches), len(partition.events)) == (1, 0)


@pytest.mark.parametrize("kind", ["csv", "vcard"])
def test_contacts_exported_as_csv_or_vcard_import_back_to_the_same_contacts(rich: Repository, kind: str) -> None:
    text = export(rich, OWNER, kind)

    elsewhere = import_file(rich, ELSEWHERE, text, TODAY)
    again = import_file(rich, OWNER, text, TODAY)

    # The files carry each contact's last touch as the digest counts it (logged touches included).
    originals = {contact.name: contact for contact in contacts_as_last_touched(rich, OWNER)}
    assert counts(elsewhere) == (len(originals), 0, 0, 0)
    copies = by_name(rich, ELSEWHERE)
    assert {name: fields(c) for name, c in copies.items()} == {name: fields(c) for name, c in originals.items()}
    assert counts(again) == (0, 0, len(originals), 0)  # onto its own account: the same people, nothing new
    assert again.reports[0].kept == []


def fields(contact: Contact) -> dict[str, Any]:
    return {name: getattr(contact, name) for name in CONTACT_FIELDS}


def test_an_account_without_settings_has_no_backup_but_its_contacts_export(owned: Repository) -> None:
    load(owned, VCARDS)
    import_contacts(owned, "nobody", "name\nAna Souza\n", TODAY)

    with pytest.raises(NotFoundError, match="nothing to back up"):
        export(owned, "nobody", "json")
    assert export(owned, "nobody", "csv").splitlines()[1].startswith("Ana Souza,")
    with pytest.raises(ValueError, match="'pdf' is not a valid ExportFormat"):
        export(owned, OWNER, "pdf")
