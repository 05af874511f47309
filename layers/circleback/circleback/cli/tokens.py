"""`circleback token create | list | revoke`: personal access tokens for the JSON touch API (POST /touches)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from circleback.cli.common import UsageError, note
from circleback.cli.targets import chosen_target, command_parser, opened

NAME_LIMIT = 80


def add_commands(commands: Any) -> None:
    t = command_parser(
        commands,
        "token",
        help="create, list and revoke personal access tokens for the JSON touch API (POST /touches)",
        description=(
            "Personal access tokens authorise `POST /touches` (Authorization: Bearer cbk_...). A token is shown "
            "once, when it is created; only a hash of it is stored. Works against the deployed stack's table."
        ),
    )
    actions = t.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = command_parser(actions, "create", help="make a token and print it once")
    create.add_argument("name", help="what the token is for, such as 'phone shortcut'")
    create.set_defaults(handler=run_create)
    listing = command_parser(actions, "list", help="list tokens (ids, names, creation times; never the secrets)")
    listing.set_defaults(handler=run_list)
    revoke = command_parser(actions, "revoke", help="revoke a token by its id")
    revoke.add_argument("token_id", metavar="ID", help="the id `token list` shows (the part after cbk_)")
    revoke.set_defaults(handler=run_revoke)


def run_create(args: argparse.Namespace) -> int:
    from circleback.auth import access_tokens

    name = " ".join(args.name.split())
    if not 1 <= len(name) <= NAME_LIMIT:
        raise UsageError(f"a token's name is 1 to {NAME_LIMIT} characters")
    text, record = access_tokens.issue(name, datetime.now(UTC))
    with opened(chosen_target(args), args.owner) as repo:
        if not repo.add_access_token(args.owner, record):
            raise UsageError("a token with that id already exists; run the command again")
    print(text)
    note(f"Token {record.id} ({name}) created. This is the only time it is shown: keep it somewhere safe.")
    return 0


def run_list(args: argparse.Namespace) -> int:
    with opened(chosen_target(args), args.owner) as repo:
        tokens = repo.list_access_tokens(args.owner)
    for token in sorted(tokens, key=lambda t: t.created_at):
        print(f"{token.id}\t{token.created_at:%Y-%m-%d %H:%M} UTC\t{token.name}")
    if not tokens:
        note("No tokens. Create one with `circleback token create NAME`.")
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    with opened(chosen_target(args), args.owner) as repo:
        if not repo.revoke_access_token(args.owner, args.token_id):
            raise UsageError(f"no token with id {args.token_id!r}; `circleback token list` shows them")
    note(f"Token {args.token_id} revoked: requests carrying it are refused from now on.")
    return 0
