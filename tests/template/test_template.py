"""Static checks of template.yaml and samconfig.toml (no AWS, no SAM CLI).

scripts/check-template.sh runs `sam validate --lint`, cfn-lint and `sam build`; these tests pin
the decisions those tools cannot know about (DESIGN.md sections 2, 3 and 10): the table's
protection and keys, python3.13 on arm64 everywhere, no SimpleTable, the outputs the CLI reads.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from circleback.local import parse_template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
SAMCONFIG = ROOT / "samconfig.toml"

RUNTIME = "python3.13"
ARCHITECTURES = ["arm64"]
FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")


# --- loading: the same reader the local emulator builds its table from -------------------------

load_cfn_yaml = parse_template


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_cfn_yaml(TEMPLATE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def resources(template: dict[str, Any]) -> dict[str, Any]:
    resources: dict[str, Any] = template["Resources"]
    return resources


@pytest.fixture(scope="module")
def table(resources: dict[str, Any]) -> dict[str, Any]:
    table: dict[str, Any] = resources["Table"]
    return table


@pytest.fixture(scope="module")
def layer(resources: dict[str, Any]) -> dict[str, Any]:
    layer: dict[str, Any] = resources["SharedLayer"]
    return layer


# --- helpers shared by the checks (and checked themselves below) -----------------------------


def effective_function_setting(template: dict[str, Any], name: str, key: str) -> Any:
    """A function's Runtime/Architectures: its own property, else SAM's Globals.Function."""
    resource = template["Resources"][name]
    properties = resource.get("Properties") or {}
    if key in properties:
        return properties[key]
    if resource["Type"] == "AWS::Serverless::Function":
        return ((template.get("Globals") or {}).get("Function") or {}).get(key)
    return None  # Globals do not apply to plain AWS::Lambda::Function


def function_names(template: dict[str, Any]) -> list[str]:
    return [name for name, res in template["Resources"].items() if res["Type"] in FUNCTION_TYPES]


def referenced_names(node: Any) -> set[str]:
    """Every name used by Ref, Fn::GetAtt or a ${Name} / ${Name.Attr} in Fn::Sub."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                target = value.split(".", 1)[0] if isinstance(value, str) else value[0]
                found.add(target)
            elif key == "Fn::Sub":
                pattern = value if isinstance(value, str) else value[0]
                found.update(m.split(".", 1)[0] for m in re.findall(r"\$\{(?!!)([^}]+)\}", pattern))
            found.update(referenced_names(value))
    elif isinstance(node, list):
        for item in node:
            found.update(referenced_names(item))
    return found


def unused_parameters(template: dict[str, Any]) -> list[str]:
    body = {key: value for key, value in template.items() if key != "Parameters"}
    used = referenced_names(body)
    return sorted(name for name in template.get("Parameters") or {} if name not in used)


SYNTHETIC = """
Transform: AWS::Serverless-2016-10-31
Parameters:
  Used:    {Type: String}
  InSub:   {Type: String}
  Unused:  {Type: String}
Globals:
  Function:
    Runtime: python3.13
    Architectures: [arm64]
Resources:
  FromGlobals:
    Type: AWS::Serverless::Function
    Properties:
      Handler: a.handler
      Environment: {Variables: {A: !Ref Used, B: !Sub "x-${InSub}-${AWS::Region}-${!Literal}"}}
  OwnX86:
    Type: AWS::Serverless::Function
    Properties: {Handler: b.handler, Architectures: [x86_64]}
  PlainLambda:
    Type: AWS::Lambda::Function
    Properties: {Handler: c.handler, Role: !GetAtt Role.Arn}
"""


def test_helpers_resolve_globals_and_find_unused_parameters() -> None:
    synthetic = load_cfn_yaml(SYNTHETIC)
    assert function_names(synthetic) == ["FromGlobals", "OwnX86", "PlainLambda"]
    assert effective_function_setting(synthetic, "FromGlobals", "Runtime") == "python3.13"
    assert effective_function_setting(synthetic, "OwnX86", "Architectures") == ["x86_64"]
    assert effective_function_setting(synthetic, "PlainLambda", "Runtime") is None
    assert synthetic["Resources"]["PlainLambda"]["Properties"]["Role"] == {"Fn::GetAtt": ["Role", "Arn"]}
    assert unused_parameters(synthetic) == ["Unused"]


# --- the template as a whole ------------------------------------------------------------------


def test_is_a_sam_template(template: dict[str, Any]) -> None:
    assert template["AWSTemplateFormatVersion"] == "2010-09-09"
    assert template["Transform"] == "AWS::Serverless-2016-10-31"


def test_no_simple_table(template: dict[str, Any]) -> None:
    types = {res["Type"] for res in template["Resources"].values()}
    assert "AWS::Serverless::SimpleTable" not in types
    assert "AWS::Serverless::SimpleTable" not in TEMPLATE.read_text(encoding="utf-8")


def test_every_parameter_is_used(template: dict[str, Any]) -> None:
    # cfn-lint skips W2001 (unused parameter) on templates with a Transform, so check it here.
    assert unused_parameters(template) == []


def test_parameters_are_described_and_constrained(template: dict[str, Any]) -> None:
    for name, parameter in (template.get("Parameters") or {}).items():
        assert parameter.get("Description"), f"parameter {name} has no Description"
        assert {"AllowedPattern", "AllowedValues", "MinValue"} & parameter.keys(), f"parameter {name} accepts any value"


# --- functions --------------------------------------------------------------------------------


def test_globals_pin_python313_on_arm64(template: dict[str, Any]) -> None:
    function_globals = template["Globals"]["Function"]
    assert function_globals["Runtime"] == RUNTIME
    assert function_globals["Architectures"] == ARCHITECTURES


def test_every_function_runs_python313_on_arm64(template: dict[str, Any]) -> None:
    for name in function_names(template):
        assert effective_function_setting(template, name, "Runtime") == RUNTIME, name
        assert effective_function_setting(template, name, "Architectures") == ARCHITECTURES, name


# --- the table (DESIGN.md section 3) ----------------------------------------------------------


def test_table_is_a_plain_dynamodb_table_kept_on_delete_and_replace(table: dict[str, Any]) -> None:
    assert table["Type"] == "AWS::DynamoDB::Table"
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"
    assert "TableName" not in table["Properties"], "let CloudFormation name the table"


def test_table_is_on_demand_protected_backed_up_and_encrypted(table: dict[str, Any]) -> None:
    props = table["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert "ProvisionedThroughput" not in props
    assert props["DeletionProtectionEnabled"] is True
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["SSESpecification"]["SSEEnabled"] is True


def test_table_expires_items_on_expires_at(table: dict[str, Any]) -> None:
    ttl = table["Properties"]["TimeToLiveSpecification"]
    assert ttl == {"AttributeName": "expires_at", "Enabled": True}


def test_table_keys(table: dict[str, Any]) -> None:
    props = table["Properties"]
    assert props["KeySchema"] == [
        {"AttributeName": "PK", "KeyType": "HASH"},
        {"AttributeName": "SK", "KeyType": "RANGE"},
    ]
    # DynamoDB accepts only attributes that some key uses, and they are all strings here.
    assert {d["AttributeName"]: d["AttributeType"] for d in props["AttributeDefinitions"]} == {
        "PK": "S",
        "SK": "S",
        "GSI1PK": "S",
        "GSI1SK": "S",
    }


def test_table_has_one_sparse_keys_only_gsi1(table: dict[str, Any]) -> None:
    indexes = table["Properties"]["GlobalSecondaryIndexes"]
    assert [index["IndexName"] for index in indexes] == ["GSI1"]
    gsi1 = indexes[0]
    assert gsi1["KeySchema"] == [
        {"AttributeName": "GSI1PK", "KeyType": "HASH"},
        {"AttributeName": "GSI1SK", "KeyType": "RANGE"},
    ]
    assert gsi1["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    assert "LocalSecondaryIndexes" not in table["Properties"]


# --- the shared layer -------------------------------------------------------------------------


def test_shared_layer_is_built_by_sam_for_python313_arm64(layer: dict[str, Any]) -> None:
    assert layer["Type"] == "AWS::Serverless::LayerVersion"
    props = layer["Properties"]
    assert props["ContentUri"].rstrip("/") == "layers/circleback"
    assert props["CompatibleRuntimes"] == [RUNTIME]
    assert props["CompatibleArchitectures"] == ARCHITECTURES
    assert props["RetentionPolicy"] == "Delete"
    assert layer["Metadata"] == {"BuildMethod": RUNTIME, "BuildArchitecture": "arm64"}


def test_shared_layer_content_is_the_circleback_package() -> None:
    content = ROOT / "layers" / "circleback"
    assert (content / "requirements.txt").is_file()
    assert (content / "circleback").is_dir()


# --- outputs ----------------------------------------------------------------------------------


def test_outputs_name_the_table_and_the_layer(template: dict[str, Any]) -> None:
    outputs = template["Outputs"]
    assert outputs["TableName"]["Value"] == {"Ref": "Table"}
    assert outputs["TableArn"]["Value"] == {"Fn::GetAtt": ["Table", "Arn"]}
    assert outputs["SharedLayerArn"]["Value"] == {"Ref": "SharedLayer"}
    for name, output in outputs.items():
        assert output.get("Description"), f"output {name} has no Description"


# --- samconfig.toml ---------------------------------------------------------------------------


def test_samconfig_defaults() -> None:
    config = tomllib.loads(SAMCONFIG.read_text(encoding="utf-8"))
    assert config["version"] == 0.1
    default = config["default"]
    assert default["global"]["parameters"]["stack_name"] == "circleback"
    assert default["build"]["parameters"] == {"cached": True, "parallel": True}
    assert default["validate"]["parameters"]["lint"] is True
    deploy = default["deploy"]["parameters"]
    assert deploy["capabilities"] == "CAPABILITY_IAM"
    assert deploy["confirm_changeset"] is True
    assert deploy["resolve_s3"] is True
