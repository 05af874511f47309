"""The rule an import updates a known contact by (`merge`): what the file says, except what was set by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from circleback.domain.model import Contact, Relationship, Tier
from circleback.formats.csvfile import CONTACT_COLUMNS, contact_cells
from circleback.formats.rows import CONTACT_FIELDS, ContactRow
from circleback.services.importing import merge, new_contact
from tests.contact_strategies import contacts

TODAY = date(2026, 11, 22)
# Text fields a person types, with a value no generated file holds (generated texts carry no "#").
TYPED = {"title": "#Principal Architect", "company": "#Typed Inc", "notes": "#typed", "phone": "#0800"}


def as_row(contact: Contact, blanks: frozenset[str] = frozenset()) -> ContactRow:
    """The canonical file's row for `contact`, with the `blanks` columns left empty."""
    cells = {column: ("" if column in blanks else value) for column, value in contact_cells(contact).items()}
    return ContactRow.model_validate(cells, context={"today": TODAY})


rows = st.builds(as_row, contacts, st.frozensets(st.sampled_from([c for c in CONTACT_COLUMNS if c != "name"])))


def offered(row: ContactRow) -> dict[str, Any]:
    return {name: value for name in CONTACT_FIELDS if (value := getattr(row, name)) is not None}


@given(contacts, rows)
def test_merging_the_same_row_twice_changes_nothing_the_second_time(known: Contact, row: ContactRow) -> None:
    once, _ = merge(known, row)
    twice, kept = merge(once, row)

    assert twice == once
    assert {name for name, _ in kept} <= set(offered(row))


@given(rows, rows)
def test_a_newer_file_updates_every_field_the_last_import_wrote(first: ContactRow, newer: ContactRow) -> None:
    imported = new_contact(first, TODAY)

    updated, kept = merge(imported, newer)

    assert kept == []
    replaced = {name: value for name, value in offered(newer).items() if name != "other_emails"}
    assert {name: getattr(updated, name) for name in replaced} == replaced
    if imported.email and newer.email and imported.email.casefold() != newer.email.casefold():
        assert imported.email in updated.other_emails  # an address a newer file replaces still names them


def test_an_import_gathers_every_address_and_never_drops_one() -> None:
    first = ContactRow(name="Ana Souza", email="ana@old.example", other_emails=("a@home.example",))
    known = new_contact(first, TODAY)
    row = ContactRow(name="Ana Souza", email="ana@new.example", other_emails=("A@HOME.example", "ana@work.example"))

    merged, kept = merge(known, row)

    assert kept == []
    assert merged.email == "ana@new.example"
    assert merged.other_emails == ("a@home.example", "ana@old.example", "ana@work.example")
    assert merged.emails[0] == "ana@new.example"
    assert merge(merged, row)[0] == merged


@given(rows, st.sampled_from(sorted(TYPED)), rows)
def test_a_field_set_by_hand_survives_any_later_import(first: ContactRow, field: str, later: ContactRow) -> None:
    typed: dict[str, Any] = {field: TYPED[field]}
    edited = replace(new_contact(first, TODAY), **typed)  # a hand edit: it never touches the import marks

    merged, kept = merge(edited, later)

    assert getattr(merged, field) == TYPED[field]
    assert (field in {name for name, _ in kept}) == (getattr(later, field) is not None)


def test_the_reason_a_field_was_kept_names_both_values() -> None:
    imported = new_contact(as_row(Contact(id="c", name="Rahul Mehta", created_on=TODAY, title="Architect")), TODAY)
    edited = replace(imported, title="Principal Architect")

    _, kept = merge(edited, as_row(replace(edited, title="Architect")))

    assert kept == [("title", "kept 'Principal Architect', as set by hand; the file has 'Architect'")]


def test_defaults_of_a_contact_added_by_hand_are_filled_but_typed_values_are_not() -> None:
    by_hand = Contact(id="c", name="Grace Liu", created_on=TODAY, title="CEO", relationship=Relationship.BOSS)
    row = as_row(replace(by_hand, title="CFO", relationship=Relationship.MENTOR, tier=Tier.A, email="g@example.sg"))

    merged, kept = merge(by_hand, row)

    assert (merged.title, merged.relationship) == ("CEO", Relationship.BOSS)
    assert (merged.tier, merged.email) == (Tier.A, "g@example.sg")
    assert sorted(name for name, _ in kept) == ["relationship", "title"]
