"""Files in whatever encoding the software that wrote them chose: UTF-8 (with or without a BOM), UTF-16 (Outlook's
"Unicode" CSV, some Windows address books), Windows-1252 (Excel's plain "CSV" and Outlook on Western Windows),
and the other legacy code pages charset-normalizer recognises.

The encoding is chosen in this order: a byte-order mark; strict UTF-8 (most files, and fast); charset-normalizer's
guess. Short Western files often fit several code pages equally well (José is the same bytes in Windows-1250 and
Windows-1252, while ñ is not), and charset-normalizer then picks the first in its own order; among the equally
good guesses Windows-1252 is preferred, as it writes most such files. The person is told which encoding was used
(docs/imports.md), and `import --encoding` overrides the guess.
"""

from __future__ import annotations

import codecs

# Byte-order marks, longest first: UTF-32's little-endian mark begins with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_PREFERRED = "cp1252"
_SAME_FIT = 0.005  # coherence closer than this is a tie: the text says nothing to tell the two apart
_ZIP = b"PK\x03\x04"  # .xlsx, .numbers, .docx: a workbook, not a CSV
_NAMES = {
    "utf_8": "UTF-8",
    "utf_8_sig": "UTF-8",
    "utf_16": "UTF-16",
    "utf_16_le": "UTF-16 (little-endian)",
    "utf_16_be": "UTF-16 (big-endian)",
    "utf_32": "UTF-32",
    "latin_1": "ISO-8859-1",
    "mac_roman": "Mac OS Roman",
}


class NotText(ValueError):
    """The bytes are not text in any encoding circleback can tell."""


def decoded(data: bytes, encoding: str | None = None) -> tuple[str, str | None]:
    """The text, and the name of its encoding when it is not UTF-8 (None for UTF-8, with or without a BOM).

    `encoding` (a codec name, as `--encoding` gives it) is used as it is; a byte it cannot decode is a NotText.
    """
    if encoding is not None:
        return _decoded_as(data, encoding), _display(encoding)
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _decoded_as(data, codec)
            return text, None if codec == "utf-8-sig" else _display(codec)
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    if data.startswith(_ZIP):
        raise NotText("a workbook or other zip file, not text: save it as CSV (CSV UTF-8 in Excel)")
    guessed = _guess(data)
    if guessed is None:
        raise NotText("not text in any encoding circleback recognises; save the file as UTF-8 (CSV UTF-8 in Excel)")
    return _decoded_as(data, guessed), _display(guessed)


def _guess(data: bytes) -> str | None:
    from charset_normalizer import from_bytes  # only for files that are not UTF-8: it takes tens of milliseconds

    matches = list(from_bytes(data))
    if not matches:
        return None
    best = matches[0]
    for match in matches:
        tied = match.chaos == best.chaos and abs(match.coherence - best.coherence) < _SAME_FIT
        # A match stands for every code page that reads the bytes as the same text (could_be_from_charset).
        if tied and _PREFERRED in (match.encoding, *match.could_be_from_charset):
            return _PREFERRED
    return str(best.encoding)


def _decoded_as(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding).removeprefix("\ufeff")
    except LookupError:
        raise NotText(f"{encoding!r} is not an encoding Python knows (such as utf-8, cp1252, utf-16)") from None
    except UnicodeDecodeError as error:
        raise NotText(f"not {_display(encoding)} text: the byte at offset {error.start} cannot be read as it") from None


def _display(encoding: str) -> str:
    """Windows-1252 for cp1252, UTF-16 for utf_16: the names people see in their software's save dialog."""
    name = codecs.lookup(encoding).name.replace("-", "_")
    if name in _NAMES:
        return _NAMES[name]
    if name.startswith("cp") and name[2:].isdigit() and name[2:].startswith("12"):
        return f"Windows-{name[2:]}"
    return name.replace("_", "-").upper() if name.startswith("iso") else name
