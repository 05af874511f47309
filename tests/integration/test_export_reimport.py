"""An export read back is the same network: each format circleback writes (its contacts CSV, vCard 4.0, the JSON
backup) imported into an empty account gives the contacts that were exported, field for field, whatever text
they hold (commas, semicolons, backslashes, line breaks in notes, quotes, formulas, any script).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from circleback.adapters.store.repository import Repository
from circleback.domain.model import Contact
from circleback.local.emulator import engine_repository
from circleback.services.exporting import ExportFormat, export
from circleback.services.importing import import_file
from tests import factories
from tests.contact_strategies import TODAY, contacts

_owners = itertools.count()


@pytest.fixture(scope="module")
def engine(template: dict[str, Any]) -> Iterator[Repository]:
    with engine_repository(template) as repository:
        yield repository


def networks() -> st.SearchStrategy[list[Contact]]:
    """One to four contacts no import could take for one another: distinct ids, names, emails and profiles."""
    return (
        st.lists(contacts, min_size=1, max_size=4)
        .map(lambda found: [replace(contact, id=f"c{number}") for number, contact in enumerate(found)])
        .filter(_distinct)
    )


def _distinct(network: list[Contact]) -> bool:
    keys = [[c.name.casefold() for c in network], [c.email for c in network if c.email]]
    keys.append([c.linkedin_url for c in network if c.linkedin_url])
    return all(len(set(values)) == len(values) for values in keys)


def _as_kept(contact: Contact) -> Contact:
    """What a contact is, the store's own bookkeeping aside (its id, version, when it was added, import marks)."""
    return replace(contact, id="", version=0, created_on=date.min, import_marks=())


def _owner(repo: Repository) -> str:
    owner_id = f"round-trip-{next(_owners)}"
    repo.put_owner(factories.owner(id=owner_id))
    return owner_id


@pytest.mark.parametrize("format", list(ExportFormat))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(network=networks())
def test_an_export_imported_into_an_empty_account_is_the_same_network(
    engine: Repository, format: ExportFormat, network: list[Contact]
) -> None:
    source, target = _owner(engine), _owner(engine)
    engine.add_contacts(source, network)
    text = export(engine, source, format)

    result = import_file(engine, target, text, TODAY, format=None, filename=f"export.{format}")

    notes = [str(note) for report in result.reports for note in report.notes()]
    assert notes == [], notes
    exported = sorted(map(_as_kept, engine.list_contacts(source)), key=lambda c: c.name)
    imported = sorted(map(_as_kept, engine.list_contacts(target)), key=lambda c: c.name)
    assert imported == exported
