"""A lean translation between plain Python values and DynamoDB's attribute values.

Only the shapes the store writes: strings, integers, booleans, lists of strings and maps of those.
None is never written: an absent attribute means "not set".
"""

from __future__ import annotations

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
    ((kind, raw),) = attribute.items()
    if kind == "S" or kind == "BOOL":
        return raw
    if kind == "N":
        return int(raw) if raw.lstrip("-").isdigit() else float(raw)
    if kind == "L":
        return [decode_value(v) for v in raw]
    if kind == "M":
        return decode_item(raw)
    if kind == "SS":
        return sorted(raw)
    if kind == "NULL":
        return None
    raise TypeError(f"unexpected attribute type {kind}")


def decode_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {key: decode_value(value) for key, value in item.items()}
