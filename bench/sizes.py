"""DynamoDB's item size and capacity-unit arithmetic, as documented (pure; no I/O).

Item size ("DynamoDB item sizes and formats", Amazon DynamoDB Developer Guide): the sum over attributes of the
UTF-8 length of the name plus the size of the value, where a string is its UTF-8 length, a number about one byte
per two significant digits plus one, a binary its raw length, a null or a Boolean one byte, and a list or map
3 bytes plus each element's size plus 1 byte per element (a map's elements count their names too). Sets add up
their members.

Capacity ("Read/write capacity mode" and the on-demand pricing page): a read request unit reads up to 4 KB
strongly consistent, or twice that eventually consistent; a write request unit writes up to 1 KB. A Query adds up
the sizes of all the items it reads in one call (one page) and rounds the sum up to 4 KB; a GetItem rounds one
item. A page stops at 1 MB of items read. Transactions cost double.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

READ_UNIT_BYTES = 4096
WRITE_UNIT_BYTES = 1024
PAGE_LIMIT_BYTES = 1024 * 1024  # a Query or Scan page reads at most 1 MB of items
EVENTUAL = 0.5  # an eventually consistent read costs half a strongly consistent one
TRANSACTIONAL = 2.0

Attribute = Mapping[str, Any]  # one wire-format attribute value, e.g. {"S": "text"}
Item = Mapping[str, Attribute]


def number_size(text: str) -> int:
    """About one byte per two significant digits, plus one (leading and trailing zeroes do not count)."""
    digits = text.lstrip("+-").lower().split("e")[0].replace(".", "")
    significant = digits.strip("0") or "0"
    return math.ceil(len(significant) / 2) + 1


def value_size(attribute: Attribute) -> int:
    ((kind, raw),) = attribute.items()
    if kind == "S":
        return len(raw.encode("utf-8"))
    if kind == "N":
        return number_size(raw)
    if kind == "B":
        return len(base64.b64decode(raw)) if isinstance(raw, str) else len(raw)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(v.encode("utf-8")) for v in raw)
    if kind == "NS":
        return sum(number_size(v) for v in raw)
    if kind == "BS":
        return sum(len(base64.b64decode(v)) if isinstance(v, str) else len(v) for v in raw)
    if kind == "L":
        return 3 + sum(value_size(v) + 1 for v in raw)
    if kind == "M":
        return 3 + sum(len(name.encode("utf-8")) + value_size(v) + 1 for name, v in raw.items())
    raise ValueError(f"unknown attribute type {kind!r}")


def item_size(item: Item) -> int:
    """The size DynamoDB bills an item by: attribute names plus values, with the overheads above."""
    return sum(len(name.encode("utf-8")) + value_size(value) for name, value in item.items())


def read_units(size_bytes: int, *, consistent: bool) -> float:
    """Read request units of one GetItem of an item this size, or one Query page whose items add up to it.

    Even an empty read (no item, or an empty page) costs one unit's worth: the sum rounds up to at least 4 KB.
    """
    blocks = max(1, math.ceil(size_bytes / READ_UNIT_BYTES))
    return blocks * (1.0 if consistent else EVENTUAL)


def write_units(size_bytes: int, *, transactional: bool = False) -> float:
    """Write request units of writing one item this size (for an update: the larger of before and after)."""
    blocks = max(1, math.ceil(size_bytes / WRITE_UNIT_BYTES))
    return blocks * (TRANSACTIONAL if transactional else 1.0)


def floor_read_units(sizes: Iterable[int]) -> float:
    """The least any read of these items can cost: their bytes over 8 KB (eventually consistent), unrounded."""
    return sum(sizes) / (READ_UNIT_BYTES / EVENTUAL)


def pages(sizes: Sequence[int], limit: int = PAGE_LIMIT_BYTES) -> list[tuple[int, int]]:
    """Split items (their sizes, in key order) into Query pages of at most `limit` bytes read.

    Returns (start, end) index ranges. A page always takes at least one item, however large.
    """
    ranges: list[tuple[int, int]] = []
    start, total = 0, 0
    for i, size in enumerate(sizes):
        if i > start and total + size > limit:
            ranges.append((start, i))
            start, total = i, 0
        total += size
    if start < len(sizes) or not ranges:
        ranges.append((start, len(sizes)))
    return ranges


def query_read_units(sizes: Sequence[int], *, consistent: bool = False, limit: int = PAGE_LIMIT_BYTES) -> float:
    """Read units of one paginated Query over items of these sizes: each page rounds its own sum up."""
    return sum(read_units(sum(sizes[a:b]), consistent=consistent) for a, b in pages(sizes, limit))
