"""Importing the canonical CSV files through the service, against the emulated table built from template.yaml."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from circleback.adapters.store.codec import decode_item
from circleback.adapters.store.keys import contact_sk, owner_pk
from circleback.adapters.store.repository import Repository
from circleback.domain.model import Channel, Contact, Direction, EventKind, Relationship, Tier
from circleback.formats.csvfile import CONTACT_COLUMNS
from circleback.services.import_report import ImportReport
from circleback.services.importing import import_contacts, import_events, import_touches
from tests import factories

TODAY = date(2026, 11, 22)
OWNER = "owner-1"
CONTACT_HEADER = ",".join(CONTACT_COLUMNS)
TOUCH_HEADER = "contact,date,direction,channel,note"
EVENT_HEADER = "contact,date,kind,note"


def contacts_file(*rows: dict[str, str]) -> str:
    lines = [",".join(row.get(column, "") for column in CONTACT_COLUMNS) for row in rows]
    return "\n".join([CONTACT_HEADER, *lines]) + "\n"


def load_contacts(repo: Repository, text: str, *, strict: bool = False) -> ImportReport:
    return import_contacts(repo, OWNER, text, TODAY, strict=strict)


def load_touches(repo: Repository, *lines: str, strict: bool = False) -> ImportReport:
    return import_touches(repo, OWNER, "\n".join([TOUCH_HEADER, *lines]) + "\n", TODAY, strict=strict)


def load_events(repo: Repository, *lines: str, strict: bool = False) -> ImportReport:
    return import_events(repo, OWNER, "\n".join([EVENT_HEADER, *lines]) + "\n", TODAY, strict=strict)


def counts(report: ImportReport) -> tuple[int, int, int, int]:
    return report.imported, report.updated, report.unchanged, report.rejected


def errors(report: ImportReport) -> list[tuple[int, str | None]]:
    return [(error.row, error.field) for error in report.errors]


def contacts_by_name(repo: Repository) -> dict[str, Contact]:
    contacts = repo.list_contacts(OWNER)
    assert len({c.name for c in contacts}) == len(contacts), "these tests use distinct names"
    return {c.name: c for c in contacts}


def contact_item(repo: Repository, contact_id: str) -> dict[str, Any]:
    response = repo.client.get_item(
        TableName=repo.table_name,
        Key={"PK": {"S": owner_pk(OWNER)}, "SK": {"S": contact_sk(contact_id)}},
        ConsistentRead=True,
    )
    return decode_item(response["Item"])


@pytest.fixture
def owned(repo: Repository) -> Repository:
    """The emulated table with the owner's profile, so load_digest_input can read the partition."""
    repo.put_owner(factories.owner(id=OWNER))
    return repo


ANA = {"name": "Ana Souza", "email": "ana.souza@example.com", "company": "Globex", "tier": "A"}
RAHUL = {"name": "Rahul Mehta", "linkedin_url": "https://www.linkedin.com/in/rahulmehta", "relationship": "mentor"}
GRACE = {"name": "Grace Liu", "country": "SG", "birthday": "--02-29"}


# --- valid rows land, bad rows are reported -------------------------------------------------------------------


def test_valid_rows_are_imported_and_every_bad_row_is_reported(owned: Repository) -> None:
    text = contacts_file(
        ANA,
        {"name": "Bad Tier", "tier": "Z"},
        RAHUL,
        {"name": "Bad Email", "email": "nobody"},
        GRACE,
        {"name": "", "company": "Nameless Inc"},
    )
    report = load_contacts(owned, text)

    assert counts(report) == (3, 0, 0, 3)
    assert report.written
    assert errors(report) == [(3, "tier"), (5, "email"), (7, "name")]
    assert "3 imported" in report.summary()
    assert "3 rejected" in report.summary()
    contacts = contacts_by_name(owned)
    assert sorted(contacts) == ["Ana Souza", "Grace Liu", "Rahul Mehta"]
    ana = contacts["Ana Souza"]
    assert (ana.email, ana.company, ana.tier, ana.created_on, ana.version) == (
        "ana.souza@example.com",
        "Globex",
        Tier.A,
        TODAY,
        1,
    )
    assert contacts["Rahul Mehta"].relationship is Relationship.MENTOR
    assert contacts["Grace Liu"].birthday is not None
    assert contacts["Grace Liu"].birthday.isoformat() == "--02-29"


def test_a_bad_header_writes_nothing_and_counts_as_a_rejection(owned: Repository) -> None:
    report = load_contacts(owned, "name,nickname\nAna,Annie\n")

    assert counts(report) == (0, 0, 0, 1)
    assert errors(report) == [(1, "nickname")]
    assert owned.list_contacts(OWNER) == []


# --- strict ---------------------------------------------------------------------------------------------------


def test_strict_writes_nothing_when_any_contact_row_is_bad(owned: Repository) -> None:
    report = load_contacts(owned, contacts_file(ANA, RAHUL, {"name": "Bad", "cadence_days": "3"}), strict=True)

    assert not report.written
    assert counts(report) == (0, 0, 0, 1)
    assert errors(report) == [(4, "cadence_days")]
    assert "nothing written" in report.summary()
    assert owned.list_contacts(OWNER) == []
    partition = owned.load_digest_input(OWNER)
    assert partition is not None
    assert (partition.contacts, partition.touches, partition.events) == ([], [], [])


def test_strict_writes_nothing_when_the_only_problem_is_a_duplicate_row(owned: Repository) -> None:
    report = load_contacts(owned, contacts_file(ANA, RAHUL, {**ANA, "company": "Initech"}), strict=True)

    assert not report.written
    assert errors(report) == [(4, "email")]
    assert owned.list_contacts(OWNER) == []


def test_strict_reports_errors_in_row_order(owned: Repository) -> None:
    text = contacts_file(ANA, {**ANA, "company": "Initech"}, {"name": "Bad", "tier": "Z"})
    report = load_contacts(owned, text, strict=True)

    assert errors(report) == [(3, "email"), (4, "tier")]


def test_strict_does_not_change_known_contacts_either(owned: Repository) -> None:
    load_contacts(owned, contacts_file(ANA))

    report = load_contacts(
        owned, contacts_file({**ANA, "company": "Initech"}, {"name": "Bad", "tier": "Z"}), strict=True
    )

    assert not report.written
    assert counts(report) == (0, 0, 0, 1)
    [ana] = owned.list_contacts(OWNER)
    assert (ana.company, ana.version) == ("Globex", 1)


def test_strict_writes_everything_when_every_row_is_good(owned: Repository) -> None:
    assert counts(load_contacts(owned, contacts_file(ANA, RAHUL, GRACE), strict=True)) == (3, 0, 0, 0)
    touches = load_touches(
        owned, "ana.souza@example.com,2026-11-01,outbound,email,", "Rahul Mehta,2026-11-02,inbound,call,", strict=True
    )
    events = load_events(owned, "Grace Liu,2026-11-10,promotion,", ",2026-11-15,new_job,", strict=True)

    assert (touches.written, counts(touches)) == (True, (2, 0, 0, 0))
    assert (events.written, counts(events)) == (True, (2, 0, 0, 0))
    partition = owned.load_digest_input(OWNER)
    assert partition is not None
    assert (len(partition.contacts), len(partition.touches), len(partition.events)) == (3, 2, 2)


def test_strict_touches_and_events_write_nothing_when_a_row_is_bad(owned: Repository) -> None:
    load_contacts(owned, contacts_file(ANA, RAHUL))

    touches = load_touches(
        owned,
        "ana.souza@example.com,2026-11-01,,,",
        "Nobody Known,2026-11-02,,,",
        "Rahul Mehta,2026-11-03,,,",
        strict=True,
    )
    events = load_events(owned, "Ana Souza,2026-11-10,promotion,", ",2026-11-12,knighted,", strict=True)

    assert (touches.written, counts(touches), errors(touches)) == (False, (0, 0, 0, 1), [(3, "contact")])
    assert (events.written, counts(events), errors(events)) == (False, (0, 0, 0, 1), [(3, "kind")])
    partition = owned.load_digest_input(OWNER)
    assert partition is not None
    assert (partition.touches, partition.events) == ([], [])
    assert all(factories.history_of(owned, OWNER, contact.id).last_touch is None for contact in partition.contacts)


# --- re-importing and matching --------------------------------------------------------------------------------


def test_reimporting_the_same_contacts_file_changes_nothing(owned: Repository) -> None:
    text = contacts_file(ANA, RAHUL, GRACE, {"name": "Olivia Bennett", "tags": "ex-acme;reference", "paused": "true"})
    assert counts(load_contacts(owned, text)) == (4, 0, 0, 0)
    before = {c.id: c for c in owned.list_contacts(OWNER)}

    report = load_contacts(owned, text)

    assert counts(report) == (0, 0, 4, 0)
    after = {c.id: c for c in owned.list_contacts(OWNER)}
    assert after == before  # same ids, same fields, same versions: no duplicates, no writes


@pytest.mark.parametrize("email", ["ANA.SOUZA@EXAMPLE.COM", "Ana.Souza@Example.com", " ana.souza@example.com "])
def test_a_contact_is_matched_by_email_whatever_its_case(owned: Repository, email: str) -> None:
    load_contacts(owned, contacts_file(ANA))

    report = load_contacts(owned, contacts_file({"name": "Ana S. Lima", "email": email, "title": "CTO"}))

    assert counts(report) == (0, 1, 0, 0)
    [ana] = owned.list_contacts(OWNER)
    assert (ana.name, ana.title, ana.company, ana.email) == ("Ana S. Lima", "CTO", "Globex", "ana.souza@example.com")


@pytest.mark.parametrize(
    "url",
    [
        "https://www.linkedin.com/in/rahulmehta",
        "http://www.linkedin.com/in/rahulmehta",
        "https://linkedin.com/in/rahulmehta/",
        "https://www.linkedin.com/in/rahulmehta?trk=people-search",
        "http://in.linkedin.com/in/RahulMehta/",
    ],
)
def test_without_an_email_a_contact_is_matched_by_linkedin_address(owned: Repository, url: str) -> None:
    load_contacts(owned, contacts_file(RAHUL))

    same = load_contacts(owned, contacts_file({"name": "Rahul M.", "linkedin_url": url}))
    assert counts(same) == (0, 1, 0, 0)  # the name changed; the address is the same profile, kept as known
    [rahul] = owned.list_contacts(OWNER)
    assert (rahul.name, rahul.linkedin_url, rahul.relationship) == (
        "Rahul M.",
        "https://www.linkedin.com/in/rahulmehta",
        Relationship.MENTOR,
    )

    again = load_contacts(owned, contacts_file({"name": "Rahul M.", "linkedin_url": url}))
    assert counts(again) == (0, 0, 1, 0)


def test_without_email_or_linkedin_a_contact_is_matched_by_exact_name(owned: Repository) -> None:
    load_contacts(owned, contacts_file(GRACE))

    same = load_contacts(owned, contacts_file({"name": "Grace Liu", "company": "DBS"}))
    other = load_contacts(owned, contacts_file({"name": "grace liu"}))

    assert counts(same) == (0, 1, 0, 0)
    assert counts(other) == (1, 0, 0, 0)  # exact: another spelling is another contact
    contacts = contacts_by_name(owned)
    assert contacts["Grace Liu"].company == "DBS"
    assert set(contacts) == {"Grace Liu", "grace liu"}


def test_a_row_with_the_same_name_but_another_email_is_a_new_contact(owned: Repository) -> None:
    load_contacts(owned, contacts_file(ANA))

    report = load_contacts(owned, contacts_file({"name": "Ana Souza", "email": "ana@another.example"}))

    assert counts(report) == (1, 0, 0, 0)
    emails = sorted(c.email or "" for c in owned.list_contacts(OWNER))
    assert emails == ["ana.souza@example.com", "ana@another.example"]


def test_a_row_with_the_same_name_but_another_linkedin_address_is_a_new_contact(owned: Repository) -> None:
    load_contacts(owned, contacts_file(RAHUL))

    report = load_contacts(
        owned, contacts_file({"name": "Rahul Mehta", "linkedin_url": "https://www.linkedin.com/in/rahul-mehta-2"})
    )

    assert counts(report) == (1, 0, 0, 0)
    assert len(owned.list_contacts(OWNER)) == 2


def test_the_email_decides_even_when_the_linkedin_address_changed(owned: Repository) -> None:
    load_contacts(owned, contacts_file({**ANA, "linkedin_url": "https://www.linkedin.com/in/anasouza"}))

    moved = {**ANA, "linkedin_url": "https://www.linkedin.com/in/ana-souza-lima"}
    report = load_contacts(owned, contacts_file(moved))

    assert counts(report) == (0, 1, 0, 0)
    [ana] = owned.list_contacts(OWNER)
    assert ana.linkedin_url == "https://www.linkedin.com/in/ana-souza-lima"
    assert counts(load_contacts(owned, contacts_file(moved))) == (0, 0, 1, 0)


def test_an_updated_field_is_an_update_and_the_version_goes_up(owned: Repository) -> None:
    load_contacts(owned, contacts_file(ANA, RAHUL))
    versions = {c.name: c.version for c in owned.list_contacts(OWNER)}
    assert versions == {"Ana Souza": 1, "Rahul Mehta": 1}

    report = load_contacts(owned, contacts_file({**ANA, "tier": "C", "cadence_days": "90"}, RAHUL))

    assert counts(report) == (0, 1, 1, 0)
    contacts = contacts_by_name(owned)
    assert (contacts["Ana Souza"].tier, contacts["Ana Souza"].cadence_days) == (Tier.C, 90)
    assert {name: c.version for name, c in contacts.items()} == {"Ana Souza": 2, "Rahul Mehta": 1}


def test_a_blank_cell_does_not_wipe_a_known_value(owned: Repository) -> None:
    full = {
        **ANA,
        "phone": "+55 11 5555 0100",
        "country": "BR",
        "birthday": "1988-05-17",
        "tags": "mentor;ex-globex",
        "notes": "Met at QCon.",
        "last_touch": "2026-09-01",
        "paused": "true",
        "cadence_days": "45",
    }
    load_contacts(owned, contacts_file(full))
    [before] = owned.list_contacts(OWNER)

    report = load_contacts(owned, contacts_file({"name": "Ana Souza", "email": "ana.souza@example.com", "tags": " ; "}))

    assert counts(report) == (0, 0, 1, 0)
    [after] = owned.list_contacts(OWNER)
    assert after == before
    assert (after.phone, after.country, after.tags, after.paused, after.cadence_days) == (
        "+55 11 5555 0100",
        "BR",
        ("mentor", "ex-globex"),
        True,
        45,
    )


def test_paused_false_in_a_reimport_unpauses(owned: Repository) -> None:
    load_contacts(owned, contacts_file({**GRACE, "paused": "true"}))

    report = load_contacts(owned, contacts_file({**GRACE, "paused": "false"}))

    assert counts(report) == (0, 1, 0, 0)
    [grace] = owned.list_contacts(OWNER)
    assert grace.paused is False


@pytest.mark.parametrize(
    ("second", "field"),
    [
        pytest.param({"name": "Ana Lima", "email": "ANA.SOUZA@example.com"}, "email", id="same-email"),
        pytest.param(
            {"name": "R. Mehta", "linkedin_url": "http://linkedin.com/in/rahulmehta/"},
            "linkedin_url",
            id="same-linkedin",
        ),
        pytest.param({"name": "Grace Liu", "company": "DBS"}, "name", id="same-name"),
    ],
)
def test_a_duplicate_inside_one_file_is_rejected_naming_the_earlier_row(
    owned: Repository, second: dict[str, str], field: str
) -> None:
    report = load_contacts(owned, contacts_file(ANA, RAHUL, GRACE, {"name": "Olivia Bennett"}, second))

    assert counts(report) == (4, 0, 0, 1)
    [error] = report.errors
    earlier = {"email": 2, "linkedin_url": 3, "name": 4}[field]
    assert (error.row, error.field) == (6, field)
    assert f"row {earlier}" in error.reason
    assert "same contact" in error.reason
    assert len(owned.list_contacts(OWNER)) == 4


def test_two_rows_that_reach_one_known_contact_by_different_keys_are_a_duplicate(owned: Repository) -> None:
    load_contacts(owned, contacts_file({**ANA, "linkedin_url": "https://www.linkedin.com/in/anasouza"}))

    report = load_contacts(
        owned,
        contacts_file(
            {"name": "Ana Souza", "email": "ana.souza@example.com", "title": "CTO"},
            {"name": "Ana S.", "linkedin_url": "https://www.linkedin.com/in/anasouza", "title": "CEO"},
        ),
    )

    assert counts(report) == (0, 1, 0, 1)
    [error] = report.errors
    assert (error.row, error.field) == (3, "linkedin_url")
    assert "row 2" in error.reason
    [ana] = owned.list_contacts(OWNER)
    assert (ana.name, ana.title, ana.version) == ("Ana Souza", "CTO", 2)


def test_a_name_shared_by_two_known_contacts_is_ambiguous(owned: Repository) -> None:
    load_contacts(
        owned,
        contacts_file({"name": "Sam Lee", "email": "sam@one.example"}, {"name": "Sam Lee", "email": "sam@two.example"}),
    )

    report = load_contacts(owned, contacts_file({"name": "Sam Lee", "company": "Acme"}))

    assert counts(report) == (0, 0, 0, 1)
    [error] = report.errors
    assert (error.row, error.field) == (2, "name")
    assert "2 contacts are called 'Sam Lee'" in error.reason
    assert "email" in error.reason
    assert all(c.company is None for c in owned.list_contacts(OWNER))


# --- touches --------------------------------------------------------------------------------------------------


def test_touches_are_resolved_by_email_or_exact_name(owned: Repository) -> None:
    load_contacts(owned, contacts_file(ANA, RAHUL))
    ids = {c.name: c.id for c in owned.list_contacts(OWNER)}

    report = load_touches(
        owned,
        "ANA.SOUZA@example.com,2026-10-01,outbound,email,Sent the essay",
        "Rahul Mehta,2026-10-02,mutual,meeting,Coffee",
        "rahul mehta,2026-10-03,,,",
        "nobody@example.com,2026-10-04,,,",
    )

    assert counts(report) == (2, 0, 0, 2)
    assert errors(report) == [(4, "contact"), (5, "contact")]
    assert "no contact with the name 'rahul mehta'" in report.errors[0].reason
    assert "no contact with the email 'nobody@example.com'" in report.errors[1].reason
    partition = owned.load_digest_input(OWNER)
    assert partition is not None
    touches = sorted(partition.touches, key=lambda t: t.date)
    assert [(t.contact_id, t.date, t.direction, t.channel, t.note, t.source) for t in touches] == [
        (ids["Ana Souza"], date(2026, 10, 1), Direction.OUTBOUND, Channel.EMAIL, "Sent the essay", "import"),
        (ids["Rahul Mehta"], date(2026, 10, 2), Direction.MUTUAL, Channel.MEETING, "Coffee", "import"),
    ]


def test_a_touch_naming_two_contacts_of_that_name_is_rejected(owned: Repository) -> None:
    load_contacts(
        owned,
        contacts_file({"name": "Sam Lee", "email": "sam@one.example"}, {"name": "Sam Lee", "email": "sam@two.example"}),
    )

    report = load_touches(owned, "Sam Lee,2026-11-01,,,", "sam@two.example,2026-11-01,,,")

    assert counts(report) == (1, 0, 0, 1)
    [error] = report.errors
    assert (error.row, error.field) == (2, "contact")
    assert "2 contacts are called 'Sam Lee'" in error.reason
    assert "use the email" in error.reason


def test_bad_touch_rows_are_reported_and_good_ones_land(owned: Repository) -> None:
    load_contacts(owned, contacts_file(ANA))

    report = load_touches(
        owned,
        "Ana Souza,2026-11-01,,,",
        "Ana Souza,2026-11-30,,,",
        "Ana Souza,2026-11-02,sideways,,",
        "Ana Souza,2026-11-03,,pigeon,",
        ",2026-11-04,,,",
    )

    assert counts(report) == (1, 0, 0, 4)
    assert errors(report) == [(3, "date"), (4, "direction"), (5, "channel"), (6, "contact")]


def test_reimporting_touches_writes_nothing_new(owned: Repository) -> None:
    load_contacts(owned, contacts_file(ANA, RAHUL))
    lines = ("Ana Souza,2026-10-01,outbound,email,", "Rahul Mehta,2026-10-02,inbound,call,Caught up")
    assert counts(load_touches(owned, *lines)) == (2, 0, 0, 0)
    versions = {c.id: c.version for c in owned.list_contacts(OWNER)}

    report = load_touches(owned, *lines)

    assert counts(report) == (0, 0, 2, 0)
    partition = owned.load_digest_input(OWNER)
    assert partition is not None
    assert len(partition.touches) == 2
    assert {c.id: c.version for c in partition.contacts} == versions


def test_two_identical_touch_rows_are_two_touches(owned: Repository) -> None:
    load_contacts(owned, contacts_file(ANA))
    coffee = "Ana Souza,2026-11-01,mutual,meeting,Coffee"

    assert counts(load_touches(owned, coffee, coffee)) == (2, 0, 0, 0)
    assert counts(load_touches(owned, coffee, coffee)) == (0, 0, 2, 0)  # and still two after a re-import
    assert counts(load_touches(owned, coffee, coffee, coffee)) == (1, 0, 2, 0)  # a third coffee is a third touch

    partition = owned.load_digest_input(OWNER)
    assert partition is not None
    assert len(partition.touches) == 3
    assert len({t.id for t in partition.touches}) == 3


def test_imported_touches_make_the_contacts_history(owned: Repository) -> None:
    load_contacts(owned, contacts_file(ANA, {**RAHUL, "last_touch": "2026-11-20"}))
    ids = {c.name: c.id for c in owned.list_contacts(OWNER)}

    load_touches(
        owned,
        "Ana Souza,2026-09-01,outbound,email,",
        "Ana Souza,2026-09-15,inbound,email,",
        "Ana Souza,2026-10-20,outbound,message,",  # out of order in the file: placed by date
        "Ana Souza,2026-10-01,outbound,email,",
        "Rahul Mehta,2026-10-05,outbound,email,",
    )

    ana = factories.history_of(owned, OWNER, ids["Ana Souza"])
    assert (ana.last_touch, ana.outbound_streak) == (date(2026, 10, 20), 2)
    rahul = factories.history_of(owned, OWNER, ids["Rahul Mehta"])
    assert (rahul.last_touch, rahul.outbound_streak) == (date(2026, 11, 20), 1)  # the imported date is later

    load_touches(owned, "ana.souza@example.com,2026-11-21,inbound,call,She called back")
    ana = factories.history_of(owned, OWNER, ids["Ana Souza"])
    assert (ana.last_touch, ana.outbound_streak) == (date(2026, 11, 21), 0)


def test_reimporting_contacts_keeps_their_touches(owned: Repository) -> None:
    load_contacts(owned, contacts_file(ANA))
    load_touches(owned, "Ana Souza,2026-11-01,outbound,email,", "Ana Souza,2026-11-02,outbound,email,")
    [ana] = owned.list_contacts(OWNER)

    assert counts(load_contacts(owned, contacts_file({**ANA, "title": "CTO"}))) == (0, 1, 0, 0)

    history = factories.history_of(owned, OWNER, ana.id)
    assert (owned.list_contacts(OWNER)[0].title, history.last_touch, history.outbound_streak) == (
        "CTO",
        date(2026, 11, 2),
        2,
    )


# --- life events ----------------------------------------------------------------------------------------------


def test_events_are_resolved_and_own_news_has_no_contact(owned: Repository) -> None:
    load_contacts(owned, contacts_file(ANA, RAHUL))
    ids = {c.name: c.id for c in owned.list_contacts(OWNER)}

    report = load_events(
        owned,
        "ana.souza@example.com,2026-11-10,promotion,Head of Platform",
        ",2026-11-15,new_job,Joined Contoso",
        "Rahul Mehta,2026-11-12,married,",
        "Nobody Known,2026-11-12,moved,",
        ",2026-11-12,baby,Her name is Ines.",  # your own news may be of any kind (issue 19)
        ",2026-11-13,knighted,",
    )

    assert counts(report) == (4, 0, 0, 2)
    assert errors(report) == [(5, "contact"), (7, "kind")]
    partition = owned.load_digest_input(OWNER)
    assert partition is not None
    events = {(e.contact_id, e.kind, e.date, e.note) for e in partition.events}
    assert events == {
        (ids["Ana Souza"], EventKind.PROMOTION, date(2026, 11, 10), "Head of Platform"),
        (None, EventKind.NEW_JOB, date(2026, 11, 15), "Joined Contoso"),
        (ids["Rahul Mehta"], EventKind.MARRIED, date(2026, 11, 12), None),
        (None, EventKind.BABY, date(2026, 11, 12), "Her name is Ines."),
    }


def test_reimporting_events_writes_nothing_new(owned: Repository) -> None:
    load_contacts(owned, contacts_file(ANA))
    lines = ("Ana Souza,2026-11-10,promotion,", ",2026-11-15,award,Speaker of the year")
    assert counts(load_events(owned, *lines)) == (2, 0, 0, 0)

    report = load_events(owned, *lines)

    assert counts(report) == (0, 0, 2, 0)
    partition = owned.load_digest_input(OWNER)
    assert partition is not None
    assert len(partition.events) == 2
