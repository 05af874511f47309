"""Finding the deployed table: the stack's TableName output, read through CloudFormation."""

from __future__ import annotations

from typing import Any

DEFAULT_STACK = "circleback"  # samconfig.toml's stack_name
TABLE_OUTPUT = "TableName"


class StackNotFound(Exception):
    pass


def table_name_of(stack_name: str, client: Any = None) -> str:
    """The table the stack deployed, or StackNotFound saying what to check."""
    if client is None:
        import boto3

        client = boto3.client("cloudformation")
    try:
        stacks = client.describe_stacks(StackName=stack_name)["Stacks"]
    except client.exceptions.ClientError as error:
        raise StackNotFound(f"stack {stack_name!r}: {error.response['Error'].get('Message', 'not found')}") from None
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
    if TABLE_OUTPUT not in outputs:
        raise StackNotFound(f"stack {stack_name!r} has no {TABLE_OUTPUT} output: is it a circleback stack?")
    return str(outputs[TABLE_OUTPUT])
