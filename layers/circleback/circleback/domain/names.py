"""Finding a contact from what a person types: an email, a name in any case or without its accents, or the
start of a name. One answer, a list to choose from, or none with the closest names.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from circleback.domain.model import Contact

SUGGESTIONS = 3


def folded(text: str) -> str:
    """The text as a person means it: case, accents and spacing aside ("José  Núñez" -> "jose nunez")."""
    # Upper then casefold: some letters only meet their other case that way (the dotless ı and I, ᾳ and ΑΙ).
    # Twice: taking the marks off (NFKD) can leave letters that fold further (ℌ becomes H).
    once = _without_marks(text.upper().casefold())
    return " ".join(_without_marks(once.upper().casefold()).split())


def _without_marks(text: str) -> str:
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))


@dataclass(frozen=True, slots=True)
class NameMatch:
    """What a reference found: `found` when it is one contact, else the `candidates` to choose from, else
    `suggestions` (the closest names) when nothing matched.
    """

    found: Contact | None
    candidates: tuple[Contact, ...] = ()
    suggestions: tuple[Contact, ...] = ()


def match_contact(contacts: Sequence[Contact], wanted: str, *, prefix: bool = True) -> NameMatch:
    """The contact `wanted` names, trying the strictest reading first.

    An email address (any case) decides on its own. Then the whole name (case, accents and spacing aside);
    then, with `prefix`, whole words of it ("ana" or "souza" for Ana Souza, not for Anabel), then the start
    of the name ("anab"), then the start of a later word ("souz"). A step that finds several people stops
    there: they are the candidates.
    """
    key = folded(wanted)
    if not key:
        return NameMatch(None)
    if "@" in key:
        return _decided([c for c in contacts if c.email and c.email.casefold() == key])
    names = [(contact, folded(contact.name)) for contact in contacts]
    steps = [[c for c, name in names if name == key]]
    if prefix:
        steps.append([c for c, name in names if _whole_words_in(key, name)])
        steps.append([c for c, name in names if name.startswith(key)])
        steps.append([c for c, name in names if any(word.startswith(key) for word in _later_words(name))])
    for found in steps:
        if found:
            return _decided(found)
    return NameMatch(None, suggestions=_closest(names, key))


def _whole_words_in(key: str, name: str) -> bool:
    """Whether `key` is one or more whole, consecutive words of `name`."""
    return f" {key} " in f" {name} "


def _later_words(name: str) -> list[str]:
    """Each later word's rest of the name: "ana maria souza" -> ["maria souza", "souza"]."""
    words = name.split(" ")
    return [" ".join(words[i:]) for i in range(1, len(words))]


def _decided(found: Sequence[Contact]) -> NameMatch:
    if len(found) == 1:
        return NameMatch(found[0])
    ordered = tuple(sorted(found, key=lambda c: (folded(c.name), c.email or "", c.id)))
    return NameMatch(None, candidates=ordered)


def _closest(names: Sequence[tuple[Contact, str]], key: str) -> tuple[Contact, ...]:
    by_name: dict[str, list[Contact]] = {}
    for contact, name in names:
        by_name.setdefault(name, []).append(contact)
    close = difflib.get_close_matches(key, list(by_name), n=SUGGESTIONS, cutoff=0.6)
    return tuple(contact for name in close for contact in by_name[name])[:SUGGESTIONS]
