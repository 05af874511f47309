"""Finding a contact from what a person types (domain/names.py)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from circleback.domain.names import folded, match_contact
from tests.factories import contact

ANA = contact("Ana Souza", email="ana@acme.com")
ANABEL = contact("Anabel Ruiz")
JOSE = contact("José  Núñez", email="Jose.Nunez@Globex.com")
MARIA = contact("Ana Maria Souza", email="maria@other.org")
EVERYONE = [ANA, ANABEL, JOSE, MARIA]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ana souza", ANA),  # the whole name, any case
        ("  ANA   SOUZA ", ANA),  # any spacing
        ("jose nunez", JOSE),  # without the accents
        ("JOSÉ NÚÑEZ", JOSE),
        ("jose.nunez@globex.com", JOSE),  # an email, any case
        ("ANA@ACME.COM", ANA),
        ("anabel", ANABEL),  # a whole word that only one name has
        ("nunez", JOSE),
        ("anab", ANABEL),  # the start of the name
        ("ruiz", ANABEL),
        ("ru", ANABEL),  # the start of a later word
        ("maria souza", MARIA),  # several whole words
        ("maria", MARIA),
    ],
)
def test_a_reference_finds_the_one_contact_it_means(typed: str, expected: object) -> None:
    match = match_contact(EVERYONE, typed)
    assert match.found == expected
    assert match.candidates == ()


def test_the_whole_name_wins_over_a_longer_name_that_starts_with_it() -> None:
    # "Ana Souza" is also the end of "Ana Maria Souza"'s words, but it is exactly one name.
    assert match_contact(EVERYONE, "Ana Souza").found == ANA


@pytest.mark.parametrize(
    ("typed", "candidates"),
    [
        ("ana", [ANA, MARIA]),  # a whole word of two names
        ("souza", [ANA, MARIA]),
        ("an", [ANA, MARIA, ANABEL]),  # the start of three names: listed by name
    ],
)
def test_a_reference_that_fits_several_people_lists_them_to_choose_from(typed: str, candidates: list[object]) -> None:
    match = match_contact(EVERYONE, typed)
    assert match.found is None
    assert list(match.candidates) == sorted(candidates, key=lambda c: folded(c.name))  # type: ignore[attr-defined]


def test_two_people_with_the_same_name_are_told_apart_by_email() -> None:
    twin = contact("Ana Souza", email="ana.souza@elsewhere.com")
    match = match_contact([ANA, twin], "ana souza")
    assert match.found is None and set(match.candidates) == {ANA, twin}
    assert match_contact([ANA, twin], "ana.souza@elsewhere.com").found == twin


def test_no_match_suggests_the_closest_names() -> None:
    match = match_contact(EVERYONE, "Ana Sousa")
    assert match.found is None and match.candidates == ()
    assert ANA in match.suggestions
    assert match_contact(EVERYONE, "zzz").suggestions == ()


def test_an_unknown_email_is_never_matched_by_its_name_part() -> None:
    assert match_contact(EVERYONE, "ana@elsewhere.com").found is None


def test_without_prefixes_only_the_whole_name_or_the_email_counts() -> None:
    assert match_contact(EVERYONE, "anabel", prefix=False).found is None
    assert match_contact(EVERYONE, "anabel ruiz", prefix=False).found == ANABEL
    assert match_contact(EVERYONE, "jose nunez", prefix=False).found == JOSE


@pytest.mark.parametrize("typed", ["", "   ", "\t"])
def test_an_empty_reference_finds_nobody(typed: str) -> None:
    assert match_contact(EVERYONE, typed).found is None


names = st.text(st.characters(codec="utf-8", categories=("L", "M", "Zs")), min_size=1, max_size=30).filter(
    lambda name: folded(name) != ""
)


@given(st.lists(names, min_size=1, max_size=8, unique_by=folded), st.data())
def test_every_name_typed_in_full_finds_its_contact_however_it_is_cased(names: list[str], data: st.DataObject) -> None:
    people = [contact(name) for name in names]
    chosen = data.draw(st.sampled_from(people))
    typed = data.draw(st.sampled_from([chosen.name, chosen.name.upper(), chosen.name.casefold()]))
    assert match_contact(people, typed).found == chosen


@given(st.lists(names, min_size=1, max_size=8), st.text(max_size=12))
def test_a_match_is_one_contact_or_candidates_never_both(names: list[str], typed: str) -> None:
    people = [contact(name) for name in names]
    match = match_contact(people, typed)
    assert not (match.found and match.candidates)
    assert len(match.candidates) != 1
    assert all(candidate in people for candidate in match.candidates)


@given(names)
def test_folding_ignores_case_accents_and_spacing(name: str) -> None:
    decomposed = unicodedata.normalize("NFD", name)
    assert folded(name) == folded(decomposed.upper()) == folded(f"  {name}  ")


# --- names typed on an English keyboard (anyascii) ------------------------------------------------------------

SOREN = contact("Søren Kierkegaard")
LUKASZ = contact("Łukasz Nowak")
STRASSE = contact("Lena Straße")
DJORDJE = contact("Đorđe Petrović")
DJORDJE_CYRILLIC = contact("Ђорђе Балашевић")
AERON = contact("Æron Blake")
OLEKSANDR = contact("Олександр Шевченко")
OLGA = contact("Ольга Петрова")
OBRIEN = contact("Siobhán O’Brien")
TOKYO = contact("東京 太郎")
TYPED_IN_ASCII = [SOREN, LUKASZ, STRASSE, DJORDJE, DJORDJE_CYRILLIC, AERON, OLEKSANDR, OLGA, OBRIEN, TOKYO]


@pytest.mark.parametrize(
    ("name", "spelled"),
    [
        ("Søren Kierkegaard", "soren kierkegaard"),
        ("Łukasz Nowak", "lukasz nowak"),
        ("Lena Straße", "lena strasse"),
        ("Đorđe Petrović", "dorde petrovic"),  # anyascii's Latin Đ is a plain d
        ("Ђорђе Балашевић", "djordje balashevic"),  # its Serbian Cyrillic Ђ is dj, ш sh
        ("Æron Blake", "aeron blake"),
        ("Œuvre Þórsson", "oeuvre thorsson"),
        ("Олександр Шевченко", "oleksandr shevchenko"),
        ("Ольга Петрова", "olga petrova"),  # anyascii spells the soft sign as an apostrophe: it goes
        ("Ελένη Παπαδοπούλου", "eleni papadopoyloy"),  # letter by letter: ου is "oy"
        ("東京 太郎", "dongjing tailang"),
        ("Siobhán O’Brien", "siobhan obrien"),  # a typed apostrophe, curly or straight, goes too
        ("Siobhán O'Brien", "siobhan obrien"),
        ("ıSTANBUL İzmir", "istanbul izmir"),
        ("ℌilbert", "hilbert"),
    ],
)
def test_folding_spells_every_name_in_lowercase_ascii(name: str, spelled: str) -> None:
    assert folded(name) == spelled


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("soren", SOREN),
        ("Soren Kierkegaard", SOREN),
        ("kierkegaard", SOREN),
        ("lukasz", LUKASZ),
        ("lukas", LUKASZ),  # the start of the name
        ("strasse", STRASSE),
        ("lena strasse", STRASSE),
        ("dorde", DJORDJE),
        ("djordje", DJORDJE_CYRILLIC),
        ("aeron", AERON),
        ("oleksandr", OLEKSANDR),
        ("Олександр", OLEKSANDR),  # its own script still finds it
        ("shevch", OLEKSANDR),
        ("olga", OLGA),
        ("obrien", OBRIEN),
        ("o'brien", OBRIEN),
        ("dongjing", TOKYO),
    ],
)
def test_a_name_typed_in_ascii_finds_its_contact(typed: str, expected: object) -> None:
    match = match_contact([*EVERYONE, *TYPED_IN_ASCII], typed)
    assert match.found == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("sren", SOREN),  # a word of the name
        ("kirkegaard", SOREN),
        ("lukas nowak", LUKASZ),  # the whole name ("lukas" alone is the start of "lukasz nowak": found)
        ("oleksander", OLEKSANDR),
        ("sevchenko", OLEKSANDR),
    ],
)
def test_a_near_miss_of_an_ascii_spelling_suggests_the_name(typed: str, expected: object) -> None:
    match = match_contact(TYPED_IN_ASCII, typed)
    assert match.found is None and match.candidates == ()
    assert match.suggestions[0] == expected


def test_two_spellings_of_one_name_are_both_candidates() -> None:
    plain = contact("Soren Kierkegaard")
    match = match_contact([SOREN, plain], "soren kierkegaard")
    assert match.found is None and set(match.candidates) == {SOREN, plain}


any_names = st.text(max_size=40)


@given(any_names)
def test_folding_twice_is_folding_once(name: str) -> None:
    assert folded(folded(name)) == folded(name)


@given(any_names)
def test_folded_text_is_lowercase_ascii_single_spaced(name: str) -> None:
    result = folded(name)
    assert result.isascii()
    assert result == result.lower()
    assert result == " ".join(result.split())
    assert "'" not in result


@given(st.text(st.characters(codec="ascii"), max_size=40))
def test_ascii_text_folds_as_the_general_rule_does(name: str) -> None:
    # The fast path for ASCII text gives what the whole rule gives: lower case, no apostrophes, single spaces.
    assert folded(name) == " ".join(name.casefold().replace("'", "").split())


every_script = st.text(st.characters(categories=("L", "M", "Zs", "Nd")), min_size=1, max_size=30).filter(
    lambda name: folded(name) != ""
)


@given(st.lists(every_script, min_size=1, max_size=6), st.data())
def test_a_name_always_finds_itself_among_others_in_any_script(names: list[str], data: st.DataObject) -> None:
    people = [contact(name) for name in names]
    chosen = data.draw(st.sampled_from(people))
    match = match_contact(people, chosen.name)
    assert chosen == match.found or chosen in match.candidates
    same = [person for person in people if folded(person.name) == folded(chosen.name)]
    assert (match.found is not None) == (len(same) == 1)
