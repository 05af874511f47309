"""Names in domain/matching.py: a file's row or a touch's `contact` cell matches a name exactly as written; who a
person could mean by a name (`same_name`, asked by `contacts add`) is by folded name."""

from __future__ import annotations

from circleback.domain.matching import ContactIndex
from tests.factories import contact

SOREN = contact("Søren Kierkegaard")
SOREN_MAILED = contact("Søren Kierkegaard", email="soren@example.dk")
SOREN_LINKED = contact("Søren Kierkegaard", linkedin_url="https://www.linkedin.com/in/soren-k")


def test_a_files_row_and_a_touch_cell_match_a_name_only_as_written() -> None:
    # A row matched by a folded name would be merged over the contact, and rewrite "Søren" as "Soren".
    index = ContactIndex([SOREN])
    assert index.match_by([], None, "Søren Kierkegaard") == ("name", [SOREN])
    assert index.match_by([], None, "Soren Kierkegaard") == (None, [])
    assert index.resolve("Søren Kierkegaard") == (SOREN, None)
    assert index.resolve("Soren Kierkegaard") == (None, "no contact with the name 'Soren Kierkegaard'")


def test_same_name_finds_every_spelling_when_nothing_tells_them_apart() -> None:
    index = ContactIndex([SOREN])
    assert index.same_name("Soren Kierkegaard") == [SOREN]
    assert index.same_name("SØREN  KIERKEGAARD") == [SOREN]
    assert index.same_name("Soren Kierkegaard", ["soren@example.dk"]) == [SOREN]  # he has no email to contradict it
    assert index.same_name("Soren") == []  # the whole name, not a part of it


def test_same_name_leaves_out_whom_an_email_or_linkedin_address_tells_apart() -> None:
    assert ContactIndex([SOREN_MAILED]).same_name("Soren Kierkegaard", ["other@example.com"]) == []
    assert ContactIndex([SOREN_MAILED]).same_name("Soren Kierkegaard", ["Soren@Example.dk"]) == [SOREN_MAILED]
    linkedin = "https://linkedin.com/in/someone-else"
    assert ContactIndex([SOREN_LINKED]).same_name("Soren Kierkegaard", [], linkedin) == []


def test_same_name_lists_the_exact_spellings_first() -> None:
    plain = contact("Soren Kierkegaard")
    other = contact("Søren Kierkegaard", email="another@example.com")
    index = ContactIndex([plain, SOREN, other])
    assert index.same_name("Søren Kierkegaard") == [SOREN, other, plain]
    assert index.same_name("Soren Kierkegaard") == [plain, SOREN, other]
    assert index.same_name("Søren Kierkegaard", ["soren@example.dk"]) == [SOREN, plain]


def test_same_name_sees_contacts_added_to_the_index_after_it_was_first_asked() -> None:
    index = ContactIndex([SOREN])
    assert index.same_name("Lukasz Nowak") == []
    lukasz = contact("Łukasz Nowak")
    index.add(lukasz, [], None, lukasz.name)
    assert index.same_name("Lukasz Nowak") == [lukasz]


def test_a_name_of_no_letters_is_like_no_other_name() -> None:
    quote = contact("'")
    index = ContactIndex([quote])
    assert index.same_name("''") == []
    assert index.match_by([], None, "'") == ("name", [quote])  # as written, it is itself
