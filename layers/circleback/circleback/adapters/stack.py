"""Finding the deployed stack's resources: its outputs (TableName, ApiBaseUrl, ...), read through CloudFormation."""

from __future__ import annotations

from typing import Any

DEFAULT_STACK = "circleback"  # samconfig.toml's stack_name
TABLE_OUTPUT = "TableName"
API_URL_OUTPUT = "ApiBaseUrl"
SIGNING_SECRET_OUTPUT = "SigningKeySecretArn"  # noqa: S105 - an output's name, not a secret


class StackNotFound(Exception):
    pass


def stack_outputs(stack_name: str, *names: str, client: Any = None) -> dict[str, str]:
    """The named outputs of the stack, or StackNotFound saying what to check."""
    if client is None:
        import boto3

        client = boto3.client("cloudformation")
    try:
        stacks = client.describe_stacks(StackName=stack_name)["Stacks"]
    except client.exceptions.ClientError as error:
        raise StackNotFound(f"stack {stack_name!r}: {error.response['Error'].get('Message', 'not found')}") from None
    outputs = {o["OutputKey"]: str(o["OutputValue"]) for o in stacks[0].get("Outputs", [])}
    missing = [name for name in names if name not in outputs]
    if missing:
        raise StackNotFound(f"stack {stack_name!r} has no {', '.join(missing)} output: is it a circleback stack?")
    return {name: outputs[name] for name in names}


def table_name_of(stack_name: str, client: Any = None) -> str:
    """The table the stack deployed."""
    return stack_outputs(stack_name, TABLE_OUTPUT, client=client)[TABLE_OUTPUT]
