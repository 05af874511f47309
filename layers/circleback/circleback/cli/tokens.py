"""`circleback token create | list | revoke`: personal access tokens for the JSON touch API (POST /touches)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer

from circleback.cli.common import Args, JsonFlag, UsageError, finish, note
from circleback.cli.targets import chosen_target, opened

NAME_LIMIT = 80


def add_commands(app: typer.Typer) -> None:
    token = typer.Typer(
        help=(
            "Personal access tokens authorise `POST /touches` (Authorization: Bearer cbk_...). A token is shown "
            "once, when it is created; only a hash of it is stored. Works against the deployed stack's table."
        ),
        short_help="create, list and revoke personal access tokens for the JSON touch API (POST /touches)",
        no_args_is_help=True,
    )
    app.add_typer(token, name="token")
    token.command("create", help="Make a token and print it once.")(create_command)
    token.command("list", help="List tokens (ids, names, creation times; never the secrets).")(list_command)
    token.command("revoke", help="Revoke a token by its id.")(revoke_command)


def create_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="what the token is for, such as 'phone shortcut'", show_default=False)],
) -> None:
    finish(ctx, run_create, name=name)


def list_command(ctx: typer.Context, json_out: JsonFlag = False) -> None:
    finish(ctx, run_list, json=json_out)


def revoke_command(
    ctx: typer.Context,
    token_id: Annotated[
        str, typer.Argument(metavar="ID", help="the id `token list` shows (the part after cbk_)", show_default=False)
    ],
) -> None:
    finish(ctx, run_revoke, token_id=token_id)


def run_create(args: Args) -> int:
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


def run_list(args: Args) -> int:
    with opened(chosen_target(args), args.owner) as repo:
        tokens = repo.list_access_tokens(args.owner)
    if args.json:
        rows = [
            {"id": t.id, "name": t.name, "created_at": t.created_at.isoformat()}
            for t in sorted(tokens, key=lambda t: t.created_at)
        ]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    for token in sorted(tokens, key=lambda t: t.created_at):
        print(f"{token.id}\t{token.created_at:%Y-%m-%d %H:%M} UTC\t{token.name}")
    if not tokens:
        note("No tokens. Create one with `circleback token create NAME`.")
    return 0


def run_revoke(args: Args) -> int:
    with opened(chosen_target(args), args.owner) as repo:
        if not repo.revoke_access_token(args.owner, args.token_id):
            raise UsageError(f"no token with id {args.token_id!r}; `circleback token list` shows them")
    note(f"Token {args.token_id} revoked: requests carrying it are refused from now on.")
    return 0
