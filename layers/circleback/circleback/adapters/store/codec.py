"""A lean translation between plain Python values and DynamoDB's attribute values.

The store writes only strings, integers, booleans, lists of strings and maps of those; it reads every type.
None is never written: an absent attribute means "not set".
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any


def encode_value(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, list | tuple):
        return {"L": [encode_value(v) for v in value]}
    if isinstance(value, Mapping):
        return {"M": encode_item(value)}
    raise TypeError(f"cannot store a {type(value).__name__}")


def encode_item(values: Mapping[str, Any]) -> dict[str, Any]:
    return {key: encode_value(value) for key, value in values.items() if value is not None}


def decode_value(attribute: Mapping[str, Any]) -> Any:
    """One attribute value, as botocore parses it or as it is on the wire (a Query page read raw by the store).

    The two differ only in binary values: bytes once parsed, base64 text on the wire. Numbers are ints when
    whole and written without exponent, else floats; sets are sorted lists.
    """
    ((kind, raw),) = attribute.items()
    if kind == "S" or kind == "BOOL":
        return raw
    if kind == "N":
        return _number(raw)
    if kind == "L":
        return [decode_value(v) for v in raw]
    if kind == "M":
        return decode_item(raw)
    if kind == "SS":
        return sorted(raw)
    if kind == "NULL":
        return None
    if kind == "NS":
        return sorted(_number(n) for n in raw)
    if kind == "B":
        return _binary(raw)
    if kind == "BS":
        return sorted(_binary(b) for b in raw)
    raise TypeError(f"unexpected attribute type {kind}")


def decode_item(item: Mapping[str, Any]) -> dict[str, Any]:
    # Most attributes are strings: take those without the general dispatch (the digest decodes ~20,000 items).
    decoded = {}
    for key, attribute in item.items():
        text = attribute.get("S")
        decoded[key] = text if text is not None else decode_value(attribute)
    return decoded


def _number(raw: str) -> int | float:
    return int(raw) if raw.lstrip("-").isdigit() else float(raw)


def _binary(raw: bytes | str) -> bytes:
    return raw if isinstance(raw, bytes) else base64.b64decode(raw)
