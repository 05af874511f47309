"""The embedded AWS emulator (moto) with the table built from template.yaml's own definition.

Used by `circleback preview`, the demo and the tests, so the local table cannot drift from the deployed one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from circleback.store.repository import Repository

LOCAL_TABLE = "circleback-local"
LOCAL_REGION = "us-east-1"
TABLE_RESOURCE = "Table"
_CREATE_TABLE_KEYS = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")


def repo_root() -> Path:
    """The checkout this package runs from (layers/circleback/circleback/ -> the repository)."""
    return Path(__file__).resolve().parents[3]


def template_path() -> Path:
    override = os.environ.get("CIRCLEBACK_TEMPLATE")
    return Path(override) if override else repo_root() / "template.yaml"


class _CloudFormationLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags (!Ref, !Sub, !GetAtt ...) read as their long form."""


def _construct_intrinsic(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:  # pragma: no cover - PyYAML has no other node kinds
        raise TypeError(f"unexpected YAML node {node!r}")
    if tag_suffix in ("Ref", "Condition"):
        return {tag_suffix: value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{tag_suffix}": value}


_CloudFormationLoader.add_multi_constructor("!", _construct_intrinsic)


def parse_template(text: str) -> dict[str, Any]:
    """A CloudFormation / SAM YAML document, with short-form tags turned into long-form dicts."""
    loader = _CloudFormationLoader(text)
    try:
        document = loader.get_single_data()
    finally:
        loader.dispose()
    if not isinstance(document, dict):
        raise ValueError("a template is a mapping")
    return document


def load_template(path: Path | None = None) -> dict[str, Any]:
    return parse_template((path or template_path()).read_text(encoding="utf-8"))


def create_table_request(template: dict[str, Any], table_name: str = LOCAL_TABLE) -> dict[str, Any]:
    """The CreateTable call for the template's table: same keys, index and billing mode."""
    properties = template["Resources"][TABLE_RESOURCE]["Properties"]
    request = {key: properties[key] for key in _CREATE_TABLE_KEYS if key in properties}
    return {"TableName": table_name, **request}


def create_table(client: Any, table_name: str = LOCAL_TABLE, template: dict[str, Any] | None = None) -> None:
    template = template or load_template()
    client.create_table(**create_table_request(template, table_name))
    ttl = template["Resources"][TABLE_RESOURCE]["Properties"].get("TimeToLiveSpecification")
    if ttl:
        client.update_time_to_live(TableName=table_name, TimeToLiveSpecification=ttl)


def use_loopback_credentials() -> None:
    """Fake credentials and a fixed region, so nothing local can reach a real AWS account."""
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106 - the emulator's dummy value
        AWS_SESSION_TOKEN="testing",  # noqa: S106
        AWS_DEFAULT_REGION=LOCAL_REGION,
        AWS_REGION=LOCAL_REGION,
    )
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
        os.environ.pop(name, None)


@contextmanager
def embedded_repository() -> Iterator[Repository]:
    """A repository over a fresh in-process emulated table, gone when the block ends."""
    import boto3
    from moto import mock_aws

    use_loopback_credentials()
    with mock_aws():
        client = boto3.client("dynamodb", region_name=LOCAL_REGION)
        create_table(client)
        yield Repository(LOCAL_TABLE, client)
