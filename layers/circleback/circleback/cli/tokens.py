"""`circleback token create | list | revoke`: personal access tokens for the JSON touch API (POST /touches)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from circleback.cli.common import UsageError, note
from circleback.cli.targets import add_target_options, chosen_target, opened

NAME_LIMIT = 80


def add_commands(commands: Any) -> None:
    t = commands.add_parser(
        "token",
        help="create, list and revoke personal access tokens for the JSON touch API (POST /touches)",
        description=(
            "Personal access tokens authorise `POST /touches` (Authorization: Bearer cbk_...). A token is shown "
            "once, when it is created; only a hash of it is stored. Works against the deployed stack's table."
        ),
    )
    add_target_options(t, again=True)
    actions = t.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="make a token and print it once")
    add_target_options(create, again=True)
    create.add_argument("name", help="what the token is for, such as 'phone shortcut'")
    create.set_defaults(handler=run_create)
    listing = actions.add_parser("list", help="list tokens (ids, names, creation times; never the secrets)")
    add_target_options(listing, again=True)
    listing.set_defaults(handler=run_list)
    revoke = actions.add_parser("revoke", help="revoke a token by its id")
    add_target_options(revoke, again=True)
    revoke.add_argument("token_id", metavar="ID", help="the id `token list` shows (the part after cbk_)")
    revoke.set_defaults(handler=run_revoke)


def run_create(args: argparse.Namespace) -> int:
    from circleback.links import access_tokens

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
