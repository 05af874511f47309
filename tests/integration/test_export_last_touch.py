"""The contacts CSV and vCard exports carry each contact's last touch as the digest counts it (services/exporting.py),
so a store rebuilt from them plans the same due dates."""

from __future__ import annotations

from datetime import date

import pytest

from circleback.adapters.store.repository import Repository
from circleback.domain.model import Direction
from circleback.domain.planner import PlanSettings, plan_digest
from circleback.formats.csvfile import CONTACT_COLUMNS
from circleback.services.exporting import contacts_as_last_touched, export
from circleback.services.importing import import_contacts, import_file
from tests import factories

TODAY = date(2026, 11, 22)
OWNER = "owner-1"
FRESH = "owner-2"
EVERYONE_DUE = PlanSettings(max_due=1000)


def contacts_file(*rows: dict[str, str]) -> str:
    lines = [",".join(row.get(column, "") for column in CONTACT_COLUMNS) for row in rows]
    return "\n".join([",".join(CONTACT_COLUMNS), *lines]) + "\n"


@pytest.fixture
def touched(repo: Repository) -> Repository:
    """Contacts imported with and without a last touch, and touches logged since (the later, the older, none)."""
    repo.put_owner(factories.owner(id=OWNER))
    text = contacts_file(
        {"name": "Ana Souza", "email": "ana@acme.com", "tier": "A", "last_touch": "2026-03-01"},
        {"name": "Rahul Mehta", "tier": "B"},  # no last touch in the file: only logged ones
        {"name": "Grace Liu", "tier": "C", "last_touch": "2026-08-01"},  # a file newer than the touches
        {"name": "Kenji Watanabe", "cadence_days": "30", "last_touch": "2026-07-07"},  # no touches at all
        {"name": "Søren Kierkegaard", "tier": "A"},  # inbound, then one unanswered note
        {"name": "Margaret Okafor", "paused": "true", "last_touch": "2026-01-10"},
        {"name": "Aaron Abbott", "tier": "A"},  # never touched: the first of his import day's spread either way
    )
    assert import_contacts(repo, OWNER, text, TODAY).rejected == 0
    by_name = {c.name: c for c in repo.list_contacts(OWNER)}
    for name, on, direction in [
        ("Ana Souza", date(2026, 9, 10), Direction.OUTBOUND),
        ("Rahul Mehta", date(2026, 6, 2), Direction.OUTBOUND),
        ("Rahul Mehta", date(2026, 10, 1), Direction.INBOUND),
        ("Grace Liu", date(2026, 5, 5), Direction.MUTUAL),
        ("Søren Kierkegaard", date(2026, 6, 1), Direction.INBOUND),
        ("Søren Kierkegaard", date(2026, 7, 15), Direction.OUTBOUND),
        ("Margaret Okafor", date(2026, 2, 14), Direction.MUTUAL),
    ]:
        assert repo.add_touch(OWNER, factories.touch(by_name[name].id, on, direction))
    return repo


def due_dates(repo: Repository, owner_id: str, as_of: date) -> dict[str, tuple[date, int]]:
    partition = repo.load_digest_input(owner_id)
    assert partition is not None
    plan = plan_digest(partition, as_of, EVERYONE_DUE)
    return {item.contact.name: (item.due_date, item.effective_cadence_days) for item in plan.due}


def test_the_export_has_the_latest_of_the_imported_date_and_the_logged_touches(touched: Repository) -> None:
    exported = {c.name: c.last_touch for c in contacts_as_last_touched(touched, OWNER)}

    assert exported == {
        "Ana Souza": date(2026, 9, 10),  # a touch after the imported date
        "Rahul Mehta": date(2026, 10, 1),  # touches only
        "Grace Liu": date(2026, 8, 1),  # the imported date, after its touch
        "Kenji Watanabe": date(2026, 7, 7),
        "Søren Kierkegaard": date(2026, 7, 15),
        "Margaret Okafor": date(2026, 2, 14),
        "Aaron Abbott": None,
    }
    rows = export(touched, OWNER, "csv").splitlines()
    assert rows[0].split(",")[CONTACT_COLUMNS.index("last_touch")] == "last_touch"
    cells = {row.split(",")[0]: row.split(",")[CONTACT_COLUMNS.index("last_touch")] for row in rows[1:]}
    assert cells["Rahul Mehta"] == "2026-10-01" and cells["Aaron Abbott"] == ""
    vcards = export(touched, OWNER, "vcard")
    assert "X-CIRCLEBACK-LAST-TOUCH:2026-10-01" in vcards and "X-CIRCLEBACK-LAST-TOUCH:2026-09-10" in vcards


@pytest.mark.parametrize("kind", ["csv", "vcard"])
def test_a_store_rebuilt_from_the_export_plans_the_same_due_dates(touched: Repository, kind: str) -> None:
    touched.put_owner(factories.owner(id=FRESH))
    text = export(touched, OWNER, kind)

    result = import_file(touched, FRESH, text, TODAY)

    assert sum(report.rejected for report in result.reports) == 0
    rebuilt = touched.load_digest_input(FRESH)
    assert rebuilt is not None and rebuilt.touches == []  # the dates came from the contacts alone
    for as_of in (TODAY, date(2027, 3, 1), date(2028, 12, 31)):
        assert due_dates(touched, FRESH, as_of) == due_dates(touched, OWNER, as_of)
    everyone = due_dates(touched, OWNER, date(2028, 12, 31))
    assert set(everyone) == {c.name for c in rebuilt.contacts} - {"Margaret Okafor"}  # all but the paused one
    assert everyone["Rahul Mehta"] == (date(2027, 1, 29), 120)  # from the logged touch, not an empty last_touch


def test_an_account_without_settings_exports_its_logged_touches_too(repo: Repository) -> None:
    assert import_contacts(repo, "nobody", "name\nAna Souza\n", TODAY).imported == 1
    [ana] = repo.list_contacts("nobody")
    assert repo.add_touch("nobody", factories.touch(ana.id, date(2026, 11, 1)))

    assert export(repo, "nobody", "csv").splitlines()[1].split(",")[CONTACT_COLUMNS.index("last_touch")] == (
        "2026-11-01"
    )


def test_an_import_moves_a_last_touch_only_forward(touched: Repository) -> None:
    """The export imported back changes nothing; an older file never undoes a touch logged since; a newer one
    moves the last touch on."""
    before = {c.name: c.last_touch for c in contacts_as_last_touched(touched, OWNER)}
    again = import_file(touched, OWNER, export(touched, OWNER, "csv"), TODAY)
    assert (again.reports[0].updated, again.reports[0].unchanged) == (0, 7)
    older = contacts_file({"name": "Ana Souza", "email": "ana@acme.com", "tier": "A", "last_touch": "2026-04-01"})
    assert import_contacts(touched, OWNER, older, TODAY).unchanged == 1
    newer = contacts_file({"name": "Ana Souza", "email": "ana@acme.com", "tier": "A", "last_touch": "2026-11-01"})
    assert import_contacts(touched, OWNER, newer, TODAY).updated == 1
    after = {c.name: c.last_touch for c in contacts_as_last_touched(touched, OWNER)}
    assert after == before | {"Ana Souza": date(2026, 11, 1)}
