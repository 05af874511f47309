"""Finding a contact from what a person types: an email, a name in any case, without its accents or spelled in
ASCII (`soren` for Søren, `oleksandr` for Олександр), or the start of a name. One answer, a list to choose from,
or none with the closest names.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from circleback.domain.model import Contact

SUGGESTIONS = 3
CUTOFF = 0.6  # difflib's own default: how alike a near miss and a name must be


def folded(text: str) -> str:
    """The text as a person types it on an English keyboard: case, accents, spacing and apostrophes aside, other
    letters and scripts spelled in ASCII ("José  Núñez" -> "jose nunez", "Søren" -> "soren", "Straße" -> "strasse",
    "Олександр" -> "oleksandr", "Ольга" -> "olga", "O’Brien" -> "obrien").

    The spelling is anyascii's, one character at a time (Đ is "d", Æ "ae", Þ "th", 北京 "beijing"). Apostrophes go:
    anyascii writes Cyrillic's soft sign as one (Ольга is "Ol'ga"), and nobody types one to find "olga".
    """
    if text.isascii():  # the common case, and what the rest gives for it
        return " ".join(text.lower().replace("'", "").split())
    from anyascii import anyascii  # only for non-ASCII text: its first use reads tables (tens of ms)

    # Upper then casefold: some letters only meet their other case that way (the dotless ı and I, ᾳ and ΑΙ).
    # Twice: taking the marks off (NFKD) can leave letters that fold further (ℌ becomes H).
    once = _without_marks(text.upper().casefold())
    ascii_text = anyascii(_without_marks(once.upper().casefold()))
    return " ".join(ascii_text.lower().replace("'", "").split())


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
        return _decided([c for c in contacts if any(e.casefold() == key for e in c.emails)])
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
    """The contacts whose folded name, or a word or the last words of it, is closest to `key` (difflib's ratio,
    at least CUTOFF): "sren" suggests Søren Kierkegaard, "kirkegaard" him too. Best first, at most SUGGESTIONS.
    """
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(key)
    scored: list[tuple[float, str, str, Contact]] = []
    for contact, name in names:
        best = 0.0
        for part in {name, *name.split(" "), *_later_words(name)}:
            matcher.set_seq1(part)
            if matcher.real_quick_ratio() >= CUTOFF and matcher.quick_ratio() >= CUTOFF:
                best = max(best, matcher.ratio())
        if best >= CUTOFF:
            scored.append((-best, name, contact.id, contact))
    return tuple(contact for *_, contact in sorted(scored, key=lambda s: s[:3]))[:SUGGESTIONS]
