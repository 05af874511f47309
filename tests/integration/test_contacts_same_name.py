"""Adding a contact whose name is already known, as a person types it (services/contacts.py: add); a file's row
spelled another way (services/importing.py through domain/matching.py) is another contact."""

from __future__ import annotations

from datetime import date

import pytest

from circleback.adapters.store.repository import Repository
from circleback.services.contacts import AlreadyKnown, SameName, add
from circleback.services.importing import import_contacts

TODAY = date(2026, 11, 22)
OWNER = "owner-1"


def names(repo: Repository) -> list[str]:
    return sorted(contact.name for contact in repo.list_contacts(OWNER))


def test_a_name_spelled_without_its_accents_is_refused_as_the_same_name(repo: Repository) -> None:
    soren = add(repo, OWNER, {"name": "Søren Kierkegaard"}, TODAY)

    with pytest.raises(SameName) as refused:
        add(repo, OWNER, {"name": "Soren Kierkegaard"}, TODAY)

    assert refused.value.existing == (soren,)
    assert refused.value.contact == soren and refused.value.field == "name"
    assert str(refused.value) == "Søren Kierkegaard is already a contact (the same name)"
    assert isinstance(refused.value, AlreadyKnown)  # a caller that does not ask is refused, never given a duplicate
    assert names(repo) == ["Søren Kierkegaard"]


def test_the_exact_name_is_the_same_name_too_and_a_second_person_is_added_when_allowed(repo: Repository) -> None:
    first = add(repo, OWNER, {"name": "Ana Souza"}, TODAY)
    with pytest.raises(SameName) as refused:
        add(repo, OWNER, {"name": "ana  souza"}, TODAY)
    assert refused.value.existing == (first,)

    second = add(repo, OWNER, {"name": "Ana Souza", "company": "Initech"}, TODAY, allow_same_name=True)

    assert second.id != first.id
    with pytest.raises(SameName) as again:
        add(repo, OWNER, {"name": "Ana Souza"}, TODAY)
    assert set(again.value.existing) == {first, second}
    assert str(again.value) == "2 contacts are already called Ana Souza"


def test_every_spelling_is_listed_exact_first(repo: Repository) -> None:
    plain = add(repo, OWNER, {"name": "Soren Kierkegaard"}, TODAY)
    accented = add(repo, OWNER, {"name": "Søren Kierkegaard"}, TODAY, allow_same_name=True)

    with pytest.raises(SameName) as refused:
        add(repo, OWNER, {"name": "Søren Kierkegaard"}, TODAY)

    assert refused.value.existing == (accented, plain)
    assert str(refused.value) == "2 contacts are already called Søren Kierkegaard or Soren Kierkegaard"


def test_an_email_or_linkedin_match_stays_a_hard_refusal(repo: Repository) -> None:
    ana = add(repo, OWNER, {"name": "Ana Souza", "email": "ana@acme.com"}, TODAY)
    rahul = add(repo, OWNER, {"name": "Rahul Mehta", "linkedin_url": "https://www.linkedin.com/in/rahulmehta"}, TODAY)

    for cells, known, field in [
        ({"name": "Someone Else", "email": "ANA@acme.com"}, ana, "email"),
        ({"name": "Rahul M.", "linkedin_url": "linkedin.com/in/rahulmehta/"}, rahul, "linkedin_url"),
    ]:
        with pytest.raises(AlreadyKnown) as refused:
            add(repo, OWNER, cells, TODAY, allow_same_name=True)
        assert not isinstance(refused.value, SameName)
        assert (refused.value.contact, refused.value.field) == (known, field)
    assert len(names(repo)) == 2


def test_the_same_name_with_an_email_that_tells_them_apart_is_another_person(repo: Repository) -> None:
    add(repo, OWNER, {"name": "Søren Kierkegaard", "email": "soren@example.dk"}, TODAY)

    other = add(repo, OWNER, {"name": "Soren Kierkegaard", "email": "soren@elsewhere.com"}, TODAY)

    assert other.email == "soren@elsewhere.com"
    assert names(repo) == ["Soren Kierkegaard", "Søren Kierkegaard"]


def test_an_import_row_spelled_another_way_is_another_contact(repo: Repository) -> None:
    # A file's rows match names exactly (domain/matching.py says why): seen in the list, never a lost spelling.
    soren = add(repo, OWNER, {"name": "Søren Kierkegaard"}, TODAY)

    report = import_contacts(repo, OWNER, "name,company\nSoren Kierkegaard,Copenhagen University\n", TODAY)

    assert (report.imported, report.updated, report.rejected) == (1, 0, 0)
    assert names(repo) == ["Soren Kierkegaard", "Søren Kierkegaard"]
    assert repo.get_contact(OWNER, soren.id) == soren
