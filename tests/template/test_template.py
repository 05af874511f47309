"""Static checks of template.yaml and samconfig.toml (no AWS, no SAM CLI).

scripts/check-template.sh runs `sam validate --lint`, cfn-lint and `sam build`; these tests pin
the decisions those tools cannot know about (docs/design.md): the table's
protection and keys, python3.13 on arm64 everywhere, no SimpleTable, the schedule's input, retries
and dead letters, the queue's redrive, the alarms, least-privilege IAM, the environment each
handler reads, an access log without tokens, a generated signing key, the outputs the CLI reads.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from circleback.local.api_gateway import template_routes
from circleback.local.emulator import parse_template
from circleback.runtime import Environment, observability
from tests.faults.aws import Site
from tests.faults.test_fault_matrix import INVENTORY

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
SAMCONFIG = ROOT / "samconfig.toml"
LAYER_PACKAGE = ROOT / "layers" / "circleback" / "circleback"

RUNTIME = "python3.13"
ARCHITECTURES = ["arm64"]
FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")

API_BASE_URL = {"Fn::Sub": "https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"}
DEAD_LETTER_QUEUES = ("DigestDeadLetterQueue", "ScheduleDeadLetterQueue", "InboundDeadLetterQueue")
FUNCTIONS = ("DispatchFunction", "DigestFunction", "ActionsFunction", "CalendarFunction", "InboundFunction")

# What each handler reads from circleback.runtime.Environment, and where the template takes it from.
# A field added to the Environment dataclass fails test_every_environment_field_is_set_somewhere until
# it is listed here, and so set by the template for the function that reads it.
FUNCTION_ENVIRONMENT: dict[str, dict[str, Any]] = {
    "DispatchFunction": {
        "TABLE_NAME": {"Ref": "Table"},
        "QUEUE_URL": {"Ref": "DigestQueue"},
        "OWNER_ID": "owner",
        "OWNER_EMAIL": {"Ref": "OwnerEmail"},
        "OWNER_TIMEZONE": {"Ref": "OwnerTimeZone"},
        "OWNER_COUNTRY": {"Ref": "OwnerCountry"},
        "SEND_HOUR": {"Ref": "SendHour"},
        "DIGEST_FREQUENCY": {"Ref": "DigestFrequency"},
    },
    "DigestFunction": {
        "TABLE_NAME": {"Ref": "Table"},
        "SENDER_EMAIL": {"Ref": "SenderEmail"},
        "API_BASE_URL": API_BASE_URL,
        "SIGNING_SECRET_ID": {"Ref": "SigningKeySecret"},
        "SES_CONFIGURATION_SET": {"Ref": "SesConfigurationSet"},
        "LOGGING_ADDRESS": {"Ref": "LoggingAddress"},
    },
    "ActionsFunction": {
        "TABLE_NAME": {"Ref": "Table"},
        "OWNER_ID": "owner",
        "SIGNING_SECRET_ID": {"Ref": "SigningKeySecret"},
    },
    "CalendarFunction": {
        "TABLE_NAME": {"Ref": "Table"},
        "OWNER_ID": "owner",
        "SIGNING_SECRET_ID": {"Ref": "SigningKeySecret"},
    },
    "InboundFunction": {
        "TABLE_NAME": {"Ref": "Table"},
        "OWNER_ID": "owner",
        "OWNER_EMAIL": {"Ref": "OwnerEmail"},
        "OWNER_TIMEZONE": {"Ref": "OwnerTimeZone"},
        "INBOUND_BUCKET": {"Ref": "InboundBucket"},
        "LOGGING_ADDRESS": {"Ref": "LoggingAddress"},
    },
}
# Read by Powertools and the logger, not by the Environment dataclass.
POWERTOOLS_ENVIRONMENT = {
    "POWERTOOLS_SERVICE_NAME": observability.SERVICE,
    "POWERTOOLS_METRICS_NAMESPACE": observability.metrics.namespace,
    "LOG_LEVEL": "INFO",
}

# The lint rules suppressed inline (Metadata cfn-lint ignore_checks), each with its reason in the
# template. A new suppression is a decision: add it here, and say why next to it in the template.
SUPPRESSED_RULES = {
    "DispatchFunction": {"WS1000"},  # no X-Ray until measured (docs/design.md, "Observability")
    "DigestFunction": {"WS1000"},
    "ActionsFunction": {"WS1000"},
    "CalendarFunction": {"WS1000"},
    "InboundFunction": {"WS1000"},
    "ScheduleDeadLetterQueue": {"ES6000"},  # a DLQ needs no DLQ
    "DigestDeadLetterQueue": {"ES6000"},
    "InboundDeadLetterQueue": {"ES6000"},
    "AlarmEmailSubscription": {"ES7000"},  # an email subscription's DLQ would need its own alarm
}

# checkov's failed checks, each skipped inline (Metadata checkov skip) with its reason in the template.
# `make template-check` runs checkov and fails on any other failure; a new skip is a decision: list it here.
FUNCTION_CHECKOV_SKIPS = {"CKV_AWS_115", "CKV_AWS_116", "CKV_AWS_117", "CKV_AWS_173"}
CHECKOV_SKIPS = {
    **dict.fromkeys(FUNCTIONS, FUNCTION_CHECKOV_SKIPS),
    # Invoked asynchronously by SES: its dead-letter queue is set, so CKV_AWS_116 passes.
    "InboundFunction": FUNCTION_CHECKOV_SKIPS - {"CKV_AWS_116"},
    "InboundBucket": {"CKV_AWS_18", "CKV_AWS_21"},  # read once and deleted: no access logs, no versions
    "InboundDeadLetterQueue": {"CKV_AWS_27"},
    **{f"{name}LogGroup": {"CKV_AWS_158"} for name in FUNCTIONS},
    "HttpApiAccessLogGroup": {"CKV_AWS_158"},  # CloudWatch Logs' own encryption; no personal data in logs
    "Table": {"CKV_AWS_119"},  # AWS managed key rather than a customer managed one
    "SigningKeySecret": {"CKV_AWS_149"},
    "AlarmTopic": {"CKV_AWS_26"},
    "ScheduleDeadLetterQueue": {"CKV_AWS_27"},  # SqsManagedSseEnabled, which the check does not recognise
    "DigestQueue": {"CKV_AWS_27"},
    "DigestDeadLetterQueue": {"CKV_AWS_27"},
}

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


# --- the table (docs/design.md, "The table") ----------------------------------------------------------


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
    # The README promises restores to any second of the last 35 days: the default, and the longest.
    assert props["PointInTimeRecoverySpecification"].get("RecoveryPeriodInDays", 35) == 35
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
    assert layer["Metadata"] == {"BuildMethod": "makefile", "BuildArchitecture": "arm64"}


def test_shared_layer_content_is_the_circleback_package() -> None:
    content = ROOT / "layers" / "circleback"
    assert (content / "requirements.txt").is_file()
    assert (content / "circleback").is_dir()
    makefile = (content / "Makefile").read_text(encoding="utf-8")
    assert "build-SharedLayer:" in makefile
    # The same arm64 / python3.13 wheels SAM's own builder would fetch, then bytecode for the cold-start imports.
    assert "--platform manylinux2014_aarch64" in makefile and "--python-version 3.13" in makefile
    assert "precompile.py" in makefile and "cold-start-modules.txt" in makefile


def test_the_bytecode_list_is_what_the_functions_import_on_a_cold_start() -> None:
    """Regenerate layers/circleback/cold-start-modules.txt with scripts/cold_start_modules.py when this fails."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(ROOT / "scripts" / "cold_start_modules.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr


# --- outputs ----------------------------------------------------------------------------------


def test_outputs_name_the_table_and_the_layer(template: dict[str, Any]) -> None:
    outputs = template["Outputs"]
    assert outputs["TableName"]["Value"] == {"Ref": "Table"}
    assert outputs["TableArn"]["Value"] == {"Fn::GetAtt": ["Table", "Arn"]}
    assert outputs["SharedLayerArn"]["Value"] == {"Ref": "SharedLayer"}
    for name, output in outputs.items():
        assert output.get("Description"), f"output {name} has no Description"


def test_outputs_name_the_api_queues_topic_secret_and_configuration_set(template: dict[str, Any]) -> None:
    outputs = {name: output["Value"] for name, output in template["Outputs"].items()}
    assert outputs["ApiBaseUrl"] == API_BASE_URL
    assert outputs["DigestQueueUrl"] == {"Ref": "DigestQueue"}  # Ref of a queue is its URL
    assert outputs["DigestDeadLetterQueueUrl"] == {"Ref": "DigestDeadLetterQueue"}
    assert outputs["ScheduleDeadLetterQueueUrl"] == {"Ref": "ScheduleDeadLetterQueue"}
    assert outputs["AlarmTopicArn"] == {"Ref": "AlarmTopic"}
    assert outputs["SigningKeySecretArn"] == {"Ref": "SigningKeySecret"}  # Ref of a secret is its ARN
    assert outputs["SesConfigurationSetName"] == {"Ref": "SesConfigurationSet"}


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


# --- helpers for the application resources ----------------------------------------------------


def resources_of_type(template: dict[str, Any], *types: str) -> dict[str, dict[str, Any]]:
    return {name: res for name, res in template["Resources"].items() if res["Type"] in types}


def function_environment(template: dict[str, Any], name: str) -> dict[str, Any]:
    """A SAM function's environment variables: Globals.Function's, overridden by its own."""
    global_env = ((template.get("Globals") or {}).get("Function") or {}).get("Environment") or {}
    own_env = (template["Resources"][name].get("Properties") or {}).get("Environment") or {}
    return {**(global_env.get("Variables") or {}), **(own_env.get("Variables") or {})}


def events_of(template: dict[str, Any], function: str, event_type: str) -> list[dict[str, Any]]:
    events = (template["Resources"][function]["Properties"].get("Events") or {}).values()
    return [event["Properties"] for event in events if event["Type"] == event_type]


def iam_statements(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every IAM statement the template writes itself: SAM inline policies, roles, policies, resource policies."""
    for name, res in template["Resources"].items():
        props = res.get("Properties") or {}
        documents: list[Any] = []
        if res["Type"] == "AWS::Serverless::Function":
            documents += [p for p in props.get("Policies") or [] if isinstance(p, dict) and "Statement" in p]
        documents += [p.get("PolicyDocument") for p in props.get("Policies") or [] if isinstance(p, dict)]
        for key in ("PolicyDocument", "AssumeRolePolicyDocument"):
            documents.append(props.get(key))
        for document in documents:
            if isinstance(document, dict):
                statements = document.get("Statement") or []
                for statement in statements if isinstance(statements, list) else [statements]:
                    yield name, statement


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def role_of(template: dict[str, Any], function: str) -> str:
    """The logical id of a function's own role (every function names one: SAM then adds no managed policy)."""
    role = template["Resources"][function]["Properties"].get("Role")
    assert role == {"Fn::GetAtt": [f"{function}Role", "Arn"]}, f"{function} does not use its own role"
    return f"{function}Role"


def statements_of(template: dict[str, Any], function: str) -> list[dict[str, Any]]:
    """What a function's role may do: the role's inline policies and every policy attached to it."""
    role = role_of(template, function)
    resources = template["Resources"]
    documents = [policy["PolicyDocument"] for policy in resources[role]["Properties"].get("Policies") or []]
    for res in resources.values():
        props = res.get("Properties") or {}
        attached = props.get("Roles", []) if res["Type"] == "AWS::IAM::Policy" else [props.get("RoleName")]
        if res["Type"] in ("AWS::IAM::RolePolicy", "AWS::IAM::Policy") and {"Ref": role} in attached:
            documents.append(props["PolicyDocument"])
    return [statement for document in documents for statement in as_list(document["Statement"])]


def grants(template: dict[str, Any], function: str) -> set[tuple[str, str]]:
    """(action, resource) pairs a function's role allows, each resource as JSON."""
    found: set[tuple[str, str]] = set()
    for statement in statements_of(template, function):
        assert statement["Effect"] == "Allow", statement
        for action in as_list(statement["Action"]):
            found.update((action, json.dumps(resource, sort_keys=True)) for resource in as_list(statement["Resource"]))
    return found


def alarms(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: res["Properties"] for name, res in resources_of_type(template, "AWS::CloudWatch::Alarm").items()}


def alarms_on(template: dict[str, Any], namespace: str, metric: str, dimensions: list[Any]) -> list[dict[str, Any]]:
    return [
        alarm
        for alarm in alarms(template).values()
        if alarm.get("Namespace") == namespace
        and alarm.get("MetricName") == metric
        and alarm.get("Dimensions") == dimensions
    ]


# --- parameters -------------------------------------------------------------------------------


def test_owner_parameters(template: dict[str, Any]) -> None:
    parameters = template["Parameters"]
    assert set(parameters) == {
        "OwnerEmail",
        "SenderEmail",
        "OwnerTimeZone",
        "OwnerCountry",
        "SendHour",
        "DigestFrequency",
        "AlarmEmail",
        "LoggingAddress",
    }
    assert parameters["LoggingAddress"]["Default"] == ""  # mail in is off until an address is given
    assert "Default" not in parameters["OwnerEmail"]
    assert "Default" not in parameters["SenderEmail"]
    assert parameters["OwnerTimeZone"]["Default"] == "Europe/London"
    assert parameters["OwnerCountry"]["Default"] == "GB"
    assert parameters["SendHour"]["Type"] == "Number"
    assert (parameters["SendHour"]["MinValue"], parameters["SendHour"]["MaxValue"]) == (0, 23)
    assert parameters["SendHour"]["Default"] == 7
    # "off" quoted: YAML 1.1 would read a bare off as the boolean false.
    assert parameters["DigestFrequency"]["AllowedValues"] == ["daily", "weekly", "off"]
    assert parameters["DigestFrequency"]["Default"] == "daily"
    assert parameters["AlarmEmail"]["Default"] == ""  # empty: the owner's address (OwnerEmail)
    assert "OwnerEmail" in parameters["AlarmEmail"]["Description"]


@pytest.mark.parametrize(
    ("parameter", "good", "bad"),
    [
        ("OwnerEmail", ["me@example.com", "a.b+c@mail.example.co.uk"], ["", "me", "me@example", "Me <me@example.com>"]),
        ("SenderEmail", ["digest@example.com"], ["", "a@b@example.com", "digest@ example.com"]),
        (
            "OwnerTimeZone",
            ["Europe/London", "America/Argentina/Buenos_Aires", "UTC", "Etc/GMT+5"],
            ["", "Europe London"],
        ),
        ("OwnerCountry", ["GB", "US", "IN"], ["", "gb", "GBR"]),
        ("AlarmEmail", ["", "ops@example.com"], ["ops", "ops@example"]),
    ],
)
def test_parameter_patterns(template: dict[str, Any], parameter: str, good: list[str], bad: list[str]) -> None:
    # CloudFormation matches AllowedPattern against the whole value.
    pattern = re.compile(template["Parameters"][parameter]["AllowedPattern"])
    assert [value for value in good if not pattern.fullmatch(value)] == []
    assert [value for value in bad if pattern.fullmatch(value)] == []


def test_frequency_values_are_the_domains(template: dict[str, Any]) -> None:
    from circleback.domain.model import Frequency

    assert set(template["Parameters"]["DigestFrequency"]["AllowedValues"]) == {f.value for f in Frequency}


# --- functions: globals, handlers, environment --------------------------------------------------


def test_function_globals(template: dict[str, Any]) -> None:
    function_globals = template["Globals"]["Function"]
    assert function_globals["MemorySize"] == 256
    # Only the actions function, which people wait on, sets its own (see the template's comments).
    functions = {n: r for n, r in template["Resources"].items() if r["Type"] == "AWS::Serverless::Function"}
    sizes = {name: resource["Properties"].get("MemorySize") for name, resource in functions.items()}
    assert sizes == {"DispatchFunction": None, "DigestFunction": None, "ActionsFunction": 512, "CalendarFunction": None,
                     "InboundFunction": None}  # fmt: skip
    assert function_globals["Timeout"] == 30
    assert function_globals["Layers"] == [{"Ref": "SharedLayer"}]
    assert function_globals["Environment"]["Variables"] == {**POWERTOOLS_ENVIRONMENT, "TABLE_NAME": {"Ref": "Table"}}


def test_no_xray_tracing(template: dict[str, Any]) -> None:
    # docs/design.md ("Observability"): a Tracer only once its cold-start cost is measured and worth it.
    assert "Tracing" not in template["Globals"]["Function"]
    for name in function_names(template):
        assert "Tracing" not in template["Resources"][name]["Properties"], name


def test_the_functions(template: dict[str, Any]) -> None:
    assert sorted(function_names(template)) == sorted(FUNCTIONS)
    assert effective_function_setting(template, "DigestFunction", "Timeout") == 60
    assert effective_function_setting(template, "DispatchFunction", "Timeout") == 30


def handler_module(template: dict[str, Any], name: str) -> tuple[str, Path, str]:
    props = template["Resources"][name]["Properties"]
    module, _, attribute = props["Handler"].rpartition(".")
    return module, ROOT / props["CodeUri"] / (module.replace(".", "/") + ".py"), attribute


@pytest.mark.parametrize("name", FUNCTIONS)
def test_handler_points_at_a_function_in_a_module_under_its_code_uri(template: dict[str, Any], name: str) -> None:
    module, path, attribute = handler_module(template, name)
    assert path.is_file(), f"{name}: {path.relative_to(ROOT)} does not exist"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert attribute in defined, f"{name}: {module}.py defines no {attribute}"


def test_handler_modules_are_unique_and_do_not_shadow_the_layer(template: dict[str, Any]) -> None:
    # Every function's module lands on one sys.path with the layer's: names must not collide.
    modules = [handler_module(template, name)[0].split(".")[0] for name in function_names(template)]
    assert len(modules) == len(set(modules)), modules
    assert LAYER_PACKAGE.name not in modules


def test_every_environment_field_is_set_somewhere() -> None:
    fields = {field.name for field in dataclasses.fields(Environment)}
    listed = {variable for variables in FUNCTION_ENVIRONMENT.values() for variable in variables}
    assert listed == fields, "FUNCTION_ENVIRONMENT and circleback.runtime.Environment disagree"


@pytest.mark.parametrize("name", FUNCTIONS)
def test_each_function_gets_the_environment_its_handler_reads(template: dict[str, Any], name: str) -> None:
    environment = function_environment(template, name)
    expected = {**POWERTOOLS_ENVIRONMENT, **FUNCTION_ENVIRONMENT[name]}
    assert environment == expected  # nothing missing, nothing misspelt, nothing unread


def test_the_environment_validates(template: dict[str, Any]) -> None:
    # With plausible values in place of the intrinsics, each function's environment reads without an error.
    stand_ins = {"SEND_HOUR": "7", "DIGEST_FREQUENCY": "weekly", "OWNER_EMAIL": "me@example.com"}
    for name in FUNCTIONS:
        variables = {
            key: value if isinstance(value, str) else stand_ins.get(key, "x")
            for key, value in function_environment(template, name).items()
        }
        Environment.read(variables)


# --- the schedule and the dispatcher ------------------------------------------------------------


@pytest.fixture(scope="module")
def schedule(template: dict[str, Any]) -> dict[str, Any]:
    schedules = events_of(template, "DispatchFunction", "ScheduleV2")
    assert len(schedules) == 1
    return schedules[0]


def test_schedule_fires_every_15_minutes_in_utc(schedule: dict[str, Any]) -> None:
    assert schedule["ScheduleExpression"] in {"rate(15 minutes)", "cron(0/15 * * * ? *)"}
    assert schedule.get("ScheduleExpressionTimezone", "UTC") == "UTC"
    assert schedule.get("State", "ENABLED") == "ENABLED"


def test_schedule_input_carries_the_scheduled_time(schedule: dict[str, Any]) -> None:
    assert json.loads(schedule["Input"]) == {"scheduled_time": "<aws.scheduler.scheduled-time>"}
    # The sample event used by the tests has the same shape.
    sample = json.loads((ROOT / "events" / "dispatch_tick.json").read_text(encoding="utf-8"))
    assert set(sample) == {"scheduled_time"}


def test_schedule_retries_then_dead_letters(schedule: dict[str, Any]) -> None:
    retry = schedule["RetryPolicy"]
    assert 0 <= retry["MaximumRetryAttempts"] <= 185
    assert 60 <= retry["MaximumEventAgeInSeconds"] <= 86400
    assert schedule["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["ScheduleDeadLetterQueue", "Arn"]}}
    # No RoleArn: SAM generates the execution role, with sqs:SendMessage on that queue.
    assert "RoleArn" not in schedule


def test_dispatch_has_an_async_on_failure_destination(template: dict[str, Any]) -> None:
    config = template["Resources"]["DispatchFunction"]["Properties"]["EventInvokeConfig"]
    assert 0 <= config["MaximumRetryAttempts"] <= 2
    assert config["DestinationConfig"]["OnFailure"] == {
        "Type": "SQS",
        "Destination": {"Fn::GetAtt": ["ScheduleDeadLetterQueue", "Arn"]},
    }


# --- the queue and the digest worker ------------------------------------------------------------


def test_digest_reads_the_queue_and_reports_batch_item_failures(template: dict[str, Any]) -> None:
    sqs_events = events_of(template, "DigestFunction", "SQS")
    assert len(sqs_events) == 1
    event = sqs_events[0]
    assert event["Queue"] == {"Fn::GetAtt": ["DigestQueue", "Arn"]}
    assert event["BatchSize"] == 10
    assert event["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_digest_queue_redrives_to_its_dead_letter_queue(resources: dict[str, Any]) -> None:
    props = resources["DigestQueue"]["Properties"]
    assert props["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["DigestDeadLetterQueue", "Arn"]},
        "maxReceiveCount": 5,
    }


def test_digest_queue_visibility_is_six_times_the_digest_timeout(template: dict[str, Any]) -> None:
    timeout = effective_function_setting(template, "DigestFunction", "Timeout")
    assert template["Resources"]["DigestQueue"]["Properties"]["VisibilityTimeout"] == 6 * timeout


def test_queues_are_encrypted_and_dead_letters_kept_14_days(template: dict[str, Any]) -> None:
    queues = resources_of_type(template, "AWS::SQS::Queue")
    assert set(queues) == {"DigestQueue", *DEAD_LETTER_QUEUES}
    for name, queue in queues.items():
        assert queue["Properties"]["SqsManagedSseEnabled"] is True, name
    for name in DEAD_LETTER_QUEUES:
        assert queues[name]["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600


def test_digest_sends_only_as_the_sender_through_the_configuration_set(template: dict[str, Any]) -> None:
    statements = statements_of(template, "DigestFunction")
    ses = [s for s in statements if any(a.startswith("ses:") for a in as_list(s["Action"]))]
    assert len(ses) == 1
    assert sorted(as_list(ses[0]["Action"])) == ["ses:SendEmail", "ses:SendRawEmail"]
    resources = json.dumps(ses[0]["Resource"])
    prefix = "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:"
    assert json.dumps(prefix + "identity/${SenderEmail}") in resources
    assert json.dumps(prefix + "configuration-set/${SesConfigurationSet}") in resources
    sender_domain = {"Fn::Select": [1, {"Fn::Split": ["@", {"Ref": "SenderEmail"}]}]}
    assert [prefix + "identity/${SenderDomain}", {"SenderDomain": sender_domain}] in [
        r["Fn::Sub"] for r in ses[0]["Resource"]
    ]


def test_no_open_or_click_tracking(template: dict[str, Any]) -> None:
    configuration_set = template["Resources"]["SesConfigurationSet"]
    assert configuration_set["Type"] == "AWS::SES::ConfigurationSet"
    assert "TrackingOptions" not in configuration_set["Properties"]
    assert resources_of_type(template, "AWS::SES::ConfigurationSetEventDestination") == {}


# --- IAM as a whole -----------------------------------------------------------------------------


def test_no_iam_statement_grants_everything(template: dict[str, Any]) -> None:
    statements = list(iam_statements(template))
    assert statements, "the helper found no statements"
    for name, statement in statements:
        assert "*" not in as_list(statement.get("Resource")), f"{name}: Resource '*'"
        if statement.get("Effect", "Allow") == "Allow":  # a Deny of every action narrows (the bucket's TLS only)
            assert not [a for a in as_list(statement.get("Action")) if a == "*" or a.endswith(":*")], name
        assert statement.get("Effect", "Allow") == "Allow" or "NotAction" not in statement, name


def test_every_function_has_its_own_role_and_no_sam_policies(template: dict[str, Any]) -> None:
    # A function without Role gets SAM's role, with AWSLambdaBasicExecutionRole (logs on "*") and, for an SQS
    # event, AWSLambdaSQSQueueExecutionRole (every queue): each function names its own role instead.
    roles = resources_of_type(template, "AWS::IAM::Role")
    assert set(roles) == {role_of(template, name) for name in FUNCTIONS}
    for name in FUNCTIONS:
        assert "Policies" not in template["Resources"][name]["Properties"], f"{name}: SAM policies with a Role"
        role = roles[role_of(template, name)]["Properties"]
        assert "ManagedPolicyArns" not in role, "no AWS managed policy: they grant on '*'"
        assert role["AssumeRolePolicyDocument"]["Statement"] == [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ]


# Statements AWS accepts only on Resource "*" (role, Sid): none of the calls here needs one. An entry must
# have a comment just above its Sid in the template saying why.
WILDCARD_EXCEPTIONS: set[tuple[str, str]] = {("InboundFunctionRole", "ReadAndDeleteReceivedMail")}


def wildcards(node: Any) -> bool:
    """A literal "*" anywhere in a resource, Fn::Sub patterns included (a GetAtt's ":*" is the service's)."""
    if isinstance(node, str):
        return "*" in node
    if isinstance(node, dict):
        return any(wildcards(value) for key, value in node.items() if key != "Fn::GetAtt")
    if isinstance(node, list):
        return any(wildcards(item) for item in node)
    return False


@pytest.mark.parametrize("name", FUNCTIONS)
def test_no_function_role_has_a_wildcard_resource_but_the_commented_exceptions(
    template: dict[str, Any], name: str
) -> None:
    lines = TEMPLATE.read_text(encoding="utf-8").splitlines()
    for statement in statements_of(template, name):
        if (role_of(template, name), statement.get("Sid")) in WILDCARD_EXCEPTIONS:
            sid_line = next(i for i, line in enumerate(lines) if line.strip() == f"- Sid: {statement['Sid']}")
            assert lines[sid_line - 1].strip().startswith("#"), f"{statement['Sid']}: say why AWS needs '*'"
            continue
        assert not wildcards(statement["Resource"]), f"{name}: {statement.get('Sid')} has a '*' resource"
    assert wildcards({"Fn::Sub": "${Table.Arn}/*"}) and not wildcards({"Fn::GetAtt": ["Group", "Arn"]})


def resource(kind: str, name: str) -> str:
    return json.dumps({"Fn::GetAtt": [name, "Arn"]} if kind == "arn" else {"Ref": name}, sort_keys=True)


TABLE = resource("arn", "Table")
SCHEDULE_INDEX = json.dumps({"Fn::Sub": "${Table.Arn}/index/GSI1"})
SIGNING_KEY = resource("ref", "SigningKeySecret")
SES_IDENTITIES = "the sender's and owner's identities, the configuration set"  # pinned by the SES test above
# An AWS call and the IAM actions that authorise it (a transaction is authorised item by item).
IAM_ACTIONS = {
    ("dynamodb", "Put"): {"dynamodb:PutItem"},
    ("dynamodb", "Update"): {"dynamodb:UpdateItem"},
    ("dynamodb", "Delete"): {"dynamodb:DeleteItem"},
    ("dynamodb", "ConditionCheck"): {"dynamodb:ConditionCheckItem"},  # a transaction's check: its own action
    ("sqs", "SendMessageBatch"): {"sqs:SendMessage"},
    # SES v2's SendEmail; the role keeps ses:SendRawEmail beside it for the raw MIME content it sends.
    ("sesv2", "SendEmail"): {"ses:SendEmail", "ses:SendRawEmail"},
}
# Which function runs each entry point of the fault matrix's inventory.
ENTRY_FUNCTIONS = {
    "inbound": "InboundFunction",
    "inbound: digest reply": "InboundFunction",
    "dispatch tick": "DispatchFunction",
    "digest": "DigestFunction",
    "link: do": "ActionsFunction",
    "link: undo": "ActionsFunction",
    "unsubscribe": "ActionsFunction",
    "link: snooze": "ActionsFunction",
    "link: undo snooze": "ActionsFunction",
    "link: sort": "ActionsFunction",
    "link: undo sort": "ActionsFunction",
    "link: team lunch": "ActionsFunction",
    "link: undo team lunch": "ActionsFunction",
    "link: not now": "ActionsFunction",
    "link: follow-up done": "ActionsFunction",
    "link: undo follow-up done": "ActionsFunction",
    "link: they helped": "ActionsFunction",
    "link: said thanks": "ActionsFunction",
    "link: undo said thanks": "ActionsFunction",
    "link: i asked": "ActionsFunction",
    "link: shared": "ActionsFunction",
    "unsubscribe: undo": "ActionsFunction",
    "add page": "ActionsFunction",
    "link: add": "ActionsFunction",
    "link page": "ActionsFunction",
    "link page: HEAD": "ActionsFunction",
    "unsubscribe page": "ActionsFunction",
    "unsubscribe page: HEAD": "ActionsFunction",
    "touch API": "ActionsFunction",
    "calendar feed": "CalendarFunction",
    "calendar feed: HEAD": "CalendarFunction",
}


def own_logs(name: str) -> set[tuple[str, str]]:
    return {(action, resource("arn", f"{name}LogGroup")) for action in ("logs:CreateLogStream", "logs:PutLogEvents")}


# What Lambda does with a function's role besides the function's own calls.
PLATFORM_GRANTS = {
    "DispatchFunction": own_logs("DispatchFunction")
    | {("sqs:SendMessage", resource("arn", "ScheduleDeadLetterQueue"))},  # the async on-failure destination
    "DigestFunction": own_logs("DigestFunction")
    | {
        (f"sqs:{action}", resource("arn", "DigestQueue"))
        for action in ("ReceiveMessage", "DeleteMessage", "GetQueueAttributes")
    },
    "ActionsFunction": own_logs("ActionsFunction"),
    "CalendarFunction": own_logs("CalendarFunction"),
    "InboundFunction": own_logs("InboundFunction")
    | {("sqs:SendMessage", resource("arn", "InboundDeadLetterQueue"))},  # Lambda's DLQ for its async events
}
RECEIVED_MAIL = json.dumps({"Fn::Sub": "${InboundBucket.Arn}/inbound/*"}, sort_keys=True)


def needed(site: Site) -> set[tuple[str, str]]:
    """The (action, resource) pairs one call of the inventory needs."""
    if site.service == "dynamodb":
        on = SCHEDULE_INDEX if site.target == "schedule index" else TABLE
        if site.operation == "TransactWriteItems":
            parts = [part.split(" ", 1)[0] for part in site.target.split(" + ")]
            return {(action, on) for part in parts for action in IAM_ACTIONS[("dynamodb", part)]}
        return {(f"dynamodb:{site.operation}", on)}
    if site.service == "secretsmanager":
        return {("secretsmanager:GetSecretValue", SIGNING_KEY)}
    if site.service == "sqs":
        return {(action, resource("arn", "DigestQueue")) for action in IAM_ACTIONS[("sqs", site.operation)]}
    if site.service == "s3":  # the received mail, under the receipt rule's prefix
        return {(f"s3:{site.operation}", RECEIVED_MAIL)}
    return {(action, SES_IDENTITIES) for action in IAM_ACTIONS[(site.service, site.operation)]}


def test_every_entry_point_of_the_fault_matrix_belongs_to_a_function() -> None:
    assert set(ENTRY_FUNCTIONS) == set(INVENTORY)
    assert set(ENTRY_FUNCTIONS.values()) == set(FUNCTIONS)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_each_role_allows_exactly_the_calls_its_function_makes(template: dict[str, Any], name: str) -> None:
    """The fault matrix's inventory lists every AWS call of each entry point (checked there against a recorded
    run); the role allows those, on those resources, and what Lambda itself does with the role: nothing else."""
    calls = {call.site for entry, function in ENTRY_FUNCTIONS.items() if function == name for call in INVENTORY[entry]}
    expected = set().union(*(needed(site) for site in calls)) | PLATFORM_GRANTS[name]
    allowed = {(action, SES_IDENTITIES if action.startswith("ses:") else on) for action, on in grants(template, name)}
    assert allowed - expected == set(), "allowed but never used"
    assert expected - allowed == set(), "used but not allowed"


def test_the_calendar_function_can_only_read(template: dict[str, Any]) -> None:
    actions = {action for action, _ in grants(template, "CalendarFunction")}
    assert {a for a in actions if a.startswith("dynamodb:")} == {"dynamodb:GetItem", "dynamodb:Query"}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_each_function_writes_only_its_own_log_group(template: dict[str, Any], name: str) -> None:
    logs = {(action, on) for action, on in grants(template, name) if action.startswith("logs:")}
    assert logs == own_logs(name)  # no logs:CreateLogGroup: the template creates the group, with its retention
    group = template["Resources"][f"{name}LogGroup"]["Properties"]["LogGroupName"]
    assert group == {"Fn::Sub": f"/aws/lambda/${{{name}}}"}


# --- logs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FUNCTIONS)
def test_each_function_has_a_log_group_with_retention(template: dict[str, Any], name: str) -> None:
    groups = [
        res["Properties"]
        for res in resources_of_type(template, "AWS::Logs::LogGroup").values()
        if res["Properties"].get("LogGroupName") == {"Fn::Sub": f"/aws/lambda/${{{name}}}"}
    ]
    assert len(groups) == 1
    assert groups[0]["RetentionInDays"] >= 30


# --- the HTTP API ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def http_api(resources: dict[str, Any]) -> dict[str, Any]:
    api = resources["HttpApi"]
    assert api["Type"] == "AWS::Serverless::HttpApi"
    properties: dict[str, Any] = api["Properties"]
    return properties


def test_http_api_has_no_cors(template: dict[str, Any], http_api: dict[str, Any]) -> None:
    assert "CorsConfiguration" not in http_api
    assert "CorsConfiguration" not in (template.get("Globals") or {}).get("HttpApi", {})


def test_http_api_routes_are_throttled(http_api: dict[str, Any]) -> None:
    settings = http_api["DefaultRouteSettings"]
    assert 0 < settings["ThrottlingBurstLimit"] <= 100
    assert 0 < settings["ThrottlingRateLimit"] <= 50


def test_the_api_routes_are_the_actions_and_calendar_functions_on_this_api(template: dict[str, Any]) -> None:
    assert {r.key for r in template_routes("CalendarFunction", template)} == {
        "GET /calendar/{file}",
        "HEAD /calendar/{file}",
    }
    routes = template_routes("ActionsFunction", template)
    assert {r.key for r in routes} == {
        "GET /{token}",
        "HEAD /{token}",
        "POST /{token}",
        "GET /a/{token}",
        "HEAD /a/{token}",
        "POST /a/{token}",
        "GET /unsubscribe/{token}",
        "HEAD /unsubscribe/{token}",
        "POST /unsubscribe/{token}",
        "GET /add/{token}",
        "HEAD /add/{token}",
        "POST /add/{token}",
        "POST /touches",
        "ANY $default",
    }
    for function in ("ActionsFunction", "CalendarFunction"):
        events = template["Resources"][function]["Properties"]["Events"].values()
        assert all(e["Properties"]["ApiId"] == {"Ref": "HttpApi"} for e in events if e["Type"] == "HttpApi")


def test_every_other_request_is_answered_by_the_actions_function(template: dict[str, Any]) -> None:
    """An unknown path or method reaches the actions function's own 404, security headers and all, instead of
    API Gateway's bare one (docs/design.md, "Links and the HTTP API")."""
    defaults = [
        (name, e["Properties"])
        for name, resource in resources_of_type(template, "AWS::Serverless::Function").items()
        for e in resource["Properties"].get("Events", {}).values()
        if e["Type"] == "HttpApi" and e["Properties"].get("Path") == "$default"
    ]
    assert defaults == [("ActionsFunction", {"ApiId": {"Ref": "HttpApi"}, "Method": "ANY", "Path": "$default"})]


def test_the_writing_routes_are_throttled_tighter_than_the_pages(http_api: dict[str, Any]) -> None:
    default = http_api["DefaultRouteSettings"]
    routes = http_api["RouteSettings"]
    assert set(routes) == {"POST /a/{token}", "POST /unsubscribe/{token}", "POST /add/{token}", "POST /touches"}
    for settings in routes.values():
        assert 0 < settings["ThrottlingRateLimit"] < default["ThrottlingRateLimit"]
        assert 0 < settings["ThrottlingBurstLimit"] < default["ThrottlingBurstLimit"]


def test_http_api_access_log_has_no_path(resources: dict[str, Any], http_api: dict[str, Any]) -> None:
    settings = http_api["AccessLogSettings"]
    group = settings["DestinationArn"]["Fn::GetAtt"][0]
    assert resources[group]["Type"] == "AWS::Logs::LogGroup"
    assert resources[group]["Properties"]["RetentionInDays"] >= 30
    log_format = settings["Format"]
    # Tokens live in the path: nothing that carries the request's path or query may be logged.
    # $context.routeKey is the route's template ("GET /a/{token}"), which is fine.
    variables = set(re.findall(r"\$context\.[A-Za-z.]+", log_format))
    assert variables, "no $context variables found"
    assert not {v for v in variables if re.search(r"path|uri|querystring|domainprefix", v, re.IGNORECASE)}, variables
    assert not {v for v in variables if v.startswith(("$context.authorizer", "$context.error.messageString"))}
    record = json.loads(re.sub(r"\$context\.[A-Za-z.]+", "-", log_format))  # one JSON object a line
    assert set(record) == {"requestId", "routeKey", "status", "responseLength", "responseLatency"}
    # No caller's address either: personal data, which nothing reads (the log group's checkov skip says none).
    assert not {v for v in variables if v.startswith("$context.identity")}, variables


def test_functions_log_json_and_leave_out_lambdas_platform_lines(template: dict[str, Any]) -> None:
    """START, END and REPORT are INFO-level system logs: at WARN they are not written (docs/cost.md)."""
    config = template["Globals"]["Function"]["LoggingConfig"]
    assert config == {"LogFormat": "JSON", "ApplicationLogLevel": "INFO", "SystemLogLevel": "WARN"}
    assert config["ApplicationLogLevel"] == POWERTOOLS_ENVIRONMENT["LOG_LEVEL"]  # Lambda keeps what Powertools writes
    for name in FUNCTIONS:
        assert "LoggingConfig" not in template["Resources"][name]["Properties"]


def test_api_base_url_is_the_http_api_default_stage(template: dict[str, Any]) -> None:
    assert function_environment(template, "DigestFunction")["API_BASE_URL"] == API_BASE_URL


# --- the link-signing secret ----------------------------------------------------------------------


def test_signing_key_is_generated_by_secrets_manager(resources: dict[str, Any]) -> None:
    secret = resources["SigningKeySecret"]
    assert secret["Type"] == "AWS::SecretsManager::Secret"
    props = secret["Properties"]
    assert props.get("Description")
    assert "SecretString" not in props
    generate = props["GenerateSecretString"]
    assert generate["PasswordLength"] >= 64
    assert generate["ExcludePunctuation"] is True
    assert "SecretStringTemplate" not in generate  # a plain string: the key ring reads the value as the key


def test_no_secret_value_in_the_template(template: dict[str, Any]) -> None:
    text = TEMPLATE.read_text(encoding="utf-8")
    assert not re.search(r"(?<!Generate)SecretString\s*:", text)
    assert "{{resolve:" not in text  # no dynamic references to other secrets either
    assert looks_random("Zk3q9XvR2mT7pL0aB8cD4eF6gH1jK5nQ") and not looks_random("DispatchFunctionEventInvokeConfig")
    # No long random-looking literal anywhere (a pasted key or token).
    assert [word for word in re.findall(r"[A-Za-z0-9+/=_-]{32,}", text) if looks_random(word)] == []


def looks_random(word: str) -> bool:
    """Long, with digits and both cases: a key or a token, not a logical id or a word."""
    return len(word) >= 32 and all(re.search(p, word) for p in (r"\d", r"[a-z]", r"[A-Z]"))


# --- alarms ---------------------------------------------------------------------------------------


# What each alarm watches. Seven, each billed every month ($0.10: docs/cost.md); a function's own errors have no
# alarm of their own, because each way one shows is watched already: a failed tick ends in the schedule's
# dead-letter queue, a failed digest in the digest's (or "uncertain", or waiting in the queue), a failed page or
# feed is the API's 5xx.
ALARMS = {
    "DigestDeadLetterQueueAlarm": ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
    "ScheduleDeadLetterQueueAlarm": ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
    "DigestQueueAgeAlarm": ("AWS/SQS", "ApproximateAgeOfOldestMessage"),
    "HttpApiServerErrorsAlarm": ("AWS/ApiGateway", "5xx"),
    "DigestQuotaExceededAlarm": ("circleback", "DigestQuotaExceeded"),
    "DigestsUncertainAlarm": ("circleback", "DigestsUncertain"),
    "DigestsStaleAlarm": ("circleback", "DigestsStale"),
    # Mail in's, only with a logging address (Condition MailIn): its dead letters, and mail it drops.
    "InboundDeadLetterQueueAlarm": ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
    "InboundDroppedAlarm": ("circleback", "InboundDropped"),
}


def test_the_alarms_are_the_listed_ones(template: dict[str, Any]) -> None:
    found = alarms(template)
    assert {name: (a.get("Namespace"), a.get("MetricName")) for name, a in found.items()} == ALARMS


def test_every_alarm_notifies_the_topic_and_explains_itself(template: dict[str, Any]) -> None:
    found = alarms(template)
    assert found
    for name, alarm in found.items():
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
        assert alarm["TreatMissingData"] == "notBreaching", name
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold", name
        if name not in ("DigestQueueAgeAlarm", "InboundDroppedAlarm"):  # a count: one is already too many
            assert alarm["Threshold"] == 1, name
        assert len(alarm.get("AlarmDescription", "")) >= 100, f"{name}: say what it means and what to do"


@pytest.mark.parametrize("queue", DEAD_LETTER_QUEUES)
def test_an_alarm_watches_each_dead_letter_queue(template: dict[str, Any], queue: str) -> None:
    dimensions = [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}]
    watching = alarms_on(template, "AWS/SQS", "ApproximateNumberOfMessagesVisible", dimensions)
    assert len(watching) == 1
    assert watching[0]["Statistic"] == "Maximum"
    assert watching[0]["Period"] == 300


def test_an_alarm_watches_the_age_of_the_oldest_digest_request(template: dict[str, Any]) -> None:
    """A request nobody takes (the event source disabled, the function throttled to nothing) never reaches the
    dead-letter queue: it waits, then expires with the queue's retention. Its age says so long before."""
    dimensions = [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["DigestQueue", "QueueName"]}}]
    (watching,) = alarms_on(template, "AWS/SQS", "ApproximateAgeOfOldestMessage", dimensions)
    assert watching["Statistic"] == "Maximum"
    # Longer than a failing request's five deliveries (6 minutes apart) take to reach the dead-letter queue, and
    # far shorter than the queue keeps a message.
    visibility = template["Resources"]["DigestQueue"]["Properties"]["VisibilityTimeout"]
    retention = template["Resources"]["DigestQueue"]["Properties"].get("MessageRetentionPeriod", 345_600)
    assert 5 * visibility < watching["Threshold"] <= retention / 24


def test_an_alarm_watches_the_apis_server_errors(template: dict[str, Any]) -> None:
    # The HTTP functions answer AWS failures with their own 503 or 500 (web/http.py), and a function that crashes
    # or times out is API Gateway's own 500: API Gateway counts every 5xx, its own and the functions'.
    watching = alarms_on(template, "AWS/ApiGateway", "5xx", [{"Name": "ApiId", "Value": {"Ref": "HttpApi"}}])
    assert len(watching) == 1
    assert watching[0]["Statistic"] == "Sum"


@pytest.mark.parametrize("metric", ["DigestQuotaExceeded", "DigestsUncertain", "DigestsStale"])
def test_an_alarm_watches_each_digest_metric_that_calls_for_a_look(template: dict[str, Any], metric: str) -> None:
    # The digest handler emits them through the Powertools Metrics of circleback.runtime.observability.
    handler = (ROOT / "functions" / "digest" / "digest_handler.py").read_text(encoding="utf-8")
    assert f'"{metric}"' in handler
    dimensions = [{"Name": "service", "Value": observability.SERVICE}]
    watching = alarms_on(template, observability.metrics.namespace, metric, dimensions)
    assert len(watching) == 1
    assert watching[0]["Statistic"] == "Sum"


def test_alarms_reach_the_owner_unless_another_address_is_given(template: dict[str, Any]) -> None:
    topic = template["Resources"]["AlarmTopic"]
    assert topic["Type"] == "AWS::SNS::Topic"
    # Not alias/aws/sns: CloudWatch alarms cannot publish to a topic under that AWS managed key.
    assert topic["Properties"].get("KmsMasterKeyId") != "alias/aws/sns"
    assert template["Conditions"]["HasAlarmEmail"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]}
    subscriptions = resources_of_type(template, "AWS::SNS::Subscription")
    assert list(subscriptions) == ["AlarmEmailSubscription"]
    subscription = subscriptions["AlarmEmailSubscription"]
    assert "Condition" not in subscription  # always someone: an empty AlarmEmail is the owner's address
    assert subscription["Properties"] == {
        "TopicArn": {"Ref": "AlarmTopic"},
        "Protocol": "email",
        "Endpoint": {"Fn::If": ["HasAlarmEmail", {"Ref": "AlarmEmail"}, {"Ref": "OwnerEmail"}]},
    }


# --- lint suppressions ----------------------------------------------------------------------------


def test_lint_suppressions_are_the_known_ones_each_with_a_reason(template: dict[str, Any]) -> None:
    suppressed = {
        name: set(res["Metadata"]["cfn-lint"]["config"]["ignore_checks"])
        for name, res in template["Resources"].items()
        if "cfn-lint" in (res.get("Metadata") or {})
    }
    assert suppressed == SUPPRESSED_RULES
    assert "cfn-lint" not in (template.get("Metadata") or {}), "suppress per resource, not for the whole template"
    lines = TEMPLATE.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if line.strip() == "ignore_checks:":
            for rule_line in lines[index + 1 :]:
                if not re.match(r"\s*- ", rule_line):
                    break
                assert re.match(r"\s*- [A-Z]+\d+ # \S.{15,}", rule_line), f"no reason given: {rule_line.strip()}"


def test_every_checkov_skip_is_listed_and_says_why(resources: dict[str, Any]) -> None:
    skips = {
        name: (resource.get("Metadata") or {}).get("checkov", {}).get("skip", [])
        for name, resource in resources.items()
    }
    assert {name: {s["id"] for s in found} for name, found in skips.items() if found} == CHECKOV_SKIPS
    for name, found in skips.items():
        for skip in found:
            assert len(skip.get("comment", "")) > 20, f"{name}: {skip['id']} is skipped without a reason"


def test_the_cost_model_bills_every_alarm_the_template_creates(template: dict[str, Any]) -> None:
    from bench import cost
    from bench.__main__ import template_alarms

    conditional = {name for name, alarm in resources_of_type(template, "AWS::CloudWatch::Alarm").items()
                   if template["Resources"][name].get("Condition") == "MailIn"}  # fmt: skip
    assert conditional == {"InboundDeadLetterQueueAlarm", "InboundDroppedAlarm"}
    assert template_alarms() == len(ALARMS) - len(conditional) == 7  # mail in off: the default, which is billed
    assert cost.Assumptions().alarms == 7  # the model's default, which docs/cost.md quotes
