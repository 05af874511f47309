"""The local tables, built from template.yaml's own definition so none can drift from the deployed one: the
in-memory engine (engine.py) for `circleback preview` and `--local`, the embedded AWS emulator (moto) for the demo.

An installed package has no template.yaml beside it, so it carries the table's definition in table.json, copied
from the template (`make table-definition`); tests/template checks that the two agree, and the tests themselves
build their tables from the template. PyYAML is imported only to read a template: `--local` reads table.json.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from circleback.adapters.store.repository import Repository

if TYPE_CHECKING:
    from circleback.local.engine import Engine

LOCAL_TABLE = "circleback-local"
LOCAL_REGION = "us-east-1"
TABLE_RESOURCE = "Table"
_CREATE_TABLE_KEYS = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")
_DEFINITION_KEYS = (*_CREATE_TABLE_KEYS, "TimeToLiveSpecification")
TABLE_DEFINITION = Path(__file__).with_name("table.json")


class NoCheckout(Exception):
    """Something that needs circleback's source tree (the template, the functions) was asked for without one."""


def checkout_root(start: Path | None = None) -> Path | None:
    """The circleback checkout: the folder holding template.yaml and functions/, found from `start` (the current
    folder) upwards, else from this package's own folder upwards (an editable install lives in its checkout).
    None for an installed package run away from any checkout.
    """
    for origin in (start or Path.cwd(), Path(__file__).resolve().parent):
        for folder in (origin, *origin.parents):
            if (folder / "template.yaml").is_file() and (folder / "functions").is_dir():
                return folder
    return None


def require_checkout() -> Path:
    root = checkout_root()
    if root is None:
        raise NoCheckout("this needs a checkout of circleback (template.yaml and functions/): run it from one")
    return root


def template_path() -> Path:
    override = os.environ.get("CIRCLEBACK_TEMPLATE")
    return Path(override) if override else require_checkout() / "template.yaml"


@cache
def _cloudformation_loader() -> type[Any]:
    """YAML with CloudFormation's short-form tags (!Ref, !Sub, !GetAtt ...) read as their long form."""
    import yaml

    class CloudFormationLoader(yaml.SafeLoader):
        pass

    def construct_intrinsic(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
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

    CloudFormationLoader.add_multi_constructor("!", construct_intrinsic)
    return CloudFormationLoader


def parse_template(text: str) -> dict[str, Any]:
    """A CloudFormation / SAM YAML document, with short-form tags turned into long-form dicts."""
    loader = _cloudformation_loader()(text)
    try:
        document = loader.get_single_data()
    finally:
        loader.dispose()
    if not isinstance(document, dict):
        raise ValueError("a template is a mapping")
    return document


def load_template(path: Path | None = None) -> dict[str, Any]:
    return parse_template((path or template_path()).read_text(encoding="utf-8"))


def table_definition(template: dict[str, Any] | None = None) -> dict[str, Any]:
    """The table's keys, index, billing mode and TTL: the template's when given, else the packaged copy."""
    if template is None:
        definition: dict[str, Any] = json.loads(TABLE_DEFINITION.read_text(encoding="utf-8"))
        return definition
    properties = template["Resources"][TABLE_RESOURCE]["Properties"]
    return {key: properties[key] for key in _DEFINITION_KEYS if key in properties}


def create_table_request(definition: dict[str, Any], table_name: str = LOCAL_TABLE) -> dict[str, Any]:
    """The CreateTable call for a table definition (`table_definition`): same keys, index and billing mode."""
    return {"TableName": table_name, **{key: definition[key] for key in _CREATE_TABLE_KEYS if key in definition}}


def create_table(client: Any, table_name: str = LOCAL_TABLE, template: dict[str, Any] | None = None) -> None:
    definition = table_definition(template)
    client.create_table(**create_table_request(definition, table_name))
    ttl = definition.get("TimeToLiveSpecification")
    if ttl:
        client.update_time_to_live(TableName=table_name, TimeToLiveSpecification=ttl)


def write_table_definition(template: dict[str, Any], path: Path = TABLE_DEFINITION) -> None:
    """Copy the template's table definition into the package (`make table-definition`)."""
    path.write_text(json.dumps(table_definition(template), indent=2, sort_keys=True) + "\n", encoding="utf-8")


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


def local_engine(
    template: dict[str, Any] | None = None, table_name: str = LOCAL_TABLE, *, botocore: bool = False
) -> Engine:
    """The in-memory engine (engine.py) with a fresh, empty table: the template's, else the packaged definition.
    Its client is the engine's own `DirectClient`, or with `botocore` a botocore client (for the contract tests).
    """
    from circleback.local.engine import Engine

    engine = Engine(LOCAL_REGION, botocore=botocore)
    create_table(engine.client, table_name, template)
    return engine


@contextmanager
def engine_repository(template: dict[str, Any] | None = None, *, botocore: bool = False) -> Iterator[Repository]:
    """A repository over a fresh table of the in-memory engine (the template's, else the packaged definition):
    what `circleback --local` and `circleback preview` run on. Loopback credentials are set as for moto, so no
    other client made meanwhile can reach a real AWS account.
    """
    use_loopback_credentials()
    yield Repository(LOCAL_TABLE, local_engine(template, botocore=botocore).client)


@contextmanager
def embedded_repository(template: dict[str, Any] | None = None) -> Iterator[Repository]:
    """A repository over a fresh table of moto, with SQS, SES and Secrets Manager beside it (the demo's needs); for
    the table alone, `engine_repository` is the same table at a fraction of the cost.
    """
    import boto3
    from moto import mock_aws

    use_loopback_credentials()
    with mock_aws():
        client = boto3.client("dynamodb", region_name=LOCAL_REGION)
        create_table(client, template=template)
        yield Repository(LOCAL_TABLE, client)


if __name__ == "__main__":
    write_table_definition(load_template())
