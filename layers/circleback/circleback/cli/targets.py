"""Where a command's data lives: the local store on this machine, or a deployed stack's table.

Chosen by options before (or after) the command: `--local [--data-dir DIR]`, `--stack NAME [--region R]` or
`--table NAME`; else the default remembered in a small config file (`circleback use`); else the stack
`circleback` (samconfig.toml's name). The first --local or --stack given becomes the default when none is
remembered yet. Every write goes through the same Repository the Lambdas use.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from circleback.adapters.store.repository import Repository
from circleback.cli.common import UsageError, note
from circleback.domain.model import Owner

DEFAULT_OWNER = "owner"  # the deployment's owner (the template's OWNER_ID), and the local store's
LOCAL = "local"
STACK = "stack"
TABLE = "table"
CONFIG_ENV = "CIRCLEBACK_CONFIG"


@dataclass(frozen=True, slots=True)
class Target:
    kind: str  # LOCAL, STACK or TABLE
    data_dir: Path | None = None  # LOCAL: None is the platform's data folder
    stack: str | None = None  # STACK
    region: str | None = None  # STACK or TABLE: None is the AWS configuration's region
    table: str | None = None  # TABLE

    def describe(self) -> str:
        if self.kind == LOCAL:
            from circleback.local.store import default_data_dir

            return f"the local store in {self.data_dir or default_data_dir()}"
        where = f" in {self.region}" if self.region else ""
        return f"the stack {self.stack!r}{where}" if self.kind == STACK else f"the table {self.table!r}{where}"


def add_target_options(parser: argparse.ArgumentParser, *, again: bool = False) -> None:
    """The target options. `again`: on a command, after its name, where they only override what was given
    before it (`circleback --local contacts list` and `circleback contacts list --local` are the same).
    """

    def default(value: object) -> object:
        return argparse.SUPPRESS if again else value

    group = parser.add_argument_group("where your data is (before or after the command)")
    group.add_argument(
        "--local", action="store_true", default=default(False), help="the local store on this machine, to try it out"
    )
    group.add_argument("--data-dir", type=Path, default=default(None), metavar="DIR", help="the local store's folder")
    group.add_argument("--stack", default=default(None), metavar="NAME", help="the deployed stack (default circleback)")
    group.add_argument("--region", default=default(None), help="the stack's AWS region (default: your AWS config's)")
    group.add_argument("--table", default=default(None), metavar="NAME", help="a table by name, instead of a stack")
    group.add_argument("--owner", default=default(DEFAULT_OWNER), metavar="ID", help=f"the owner id ({DEFAULT_OWNER})")


def command_parser(commands: Any, name: str, **options: Any) -> argparse.ArgumentParser:
    """A command (or a command's action) that takes the target options after its name too."""
    parser: argparse.ArgumentParser = commands.add_parser(name, **options)
    add_target_options(parser, again=True)
    return parser


# --- the remembered default ---------------------------------------------------------------------------------


def config_path() -> Path:
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override)
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    return base / "circleback" / "config.toml"


def remembered() -> Target | None:
    path = config_path()
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise UsageError(f"{path}: cannot be read ({error}); fix it or delete it") from None
    section = document.get("target")
    section = section if isinstance(section, dict) else {}
    kind = section.get("kind")
    if kind not in (LOCAL, STACK, TABLE):
        raise UsageError(f"{path}: [target] kind is local, stack or table; fix it or delete it")
    text = {key: value for key, value in section.items() if isinstance(value, str) and value}
    data_dir = Path(text["data_dir"]) if "data_dir" in text else None
    return Target(kind, data_dir, text.get("stack"), text.get("region"), text.get("table"))


def remember(target: Target) -> Path:
    """Write the default target; the file holds nothing else."""
    values = {"kind": target.kind, "data_dir": str(target.data_dir) if target.data_dir else None}
    values.update(stack=target.stack, region=target.region, table=target.table)
    lines = ["# circleback's default target, written by `circleback use`.", "[target]"]
    # A JSON string is a TOML basic string: the same quotes and escapes.
    lines += [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in values.items() if value]
    path = config_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError as error:
        raise UsageError(f"{path}: {error.strerror}") from None
    return path


# --- choosing the target --------------------------------------------------------------------------------------


def given(args: argparse.Namespace) -> Target | None:
    """The target the options name, or None when they name none."""
    local = args.local or args.data_dir is not None
    chosen = [name for name, on in (("--local", local), ("--stack", args.stack), ("--table", args.table)) if on]
    if len(chosen) > 1:
        raise UsageError(f"{' and '.join(chosen)} name two places; give one")
    if local:
        if args.region:
            raise UsageError("--region is for a stack or table; the local store has none")
        return Target(LOCAL, data_dir=args.data_dir.expanduser().resolve() if args.data_dir else None)
    if args.stack:
        return Target(STACK, stack=args.stack, region=args.region)
    if args.table:
        return Target(TABLE, table=args.table, region=args.region)
    if args.region:
        default = remembered()
        if default is not None and default.kind != LOCAL:
            return replace(default, region=args.region)
        return Target(STACK, stack=_default_stack(), region=args.region)
    return None


def chosen_target(args: argparse.Namespace) -> Target:
    """The options' target (a first --local or --stack is remembered as the default), else the default.

    A --table is not remembered on its own: it is for one-off work, such as exporting a restored copy.
    """
    explicit = given(args)
    if explicit is not None:
        if explicit.kind != TABLE and remembered() is None:
            path = remember(explicit)
            note(f"Remembered {explicit.describe()} as your default ({path}); `circleback use` changes it.")
        return explicit
    table = os.environ.get("CIRCLEBACK_TABLE")  # the functions' own variable, for scripts
    if table:
        return Target(TABLE, table=table)
    return remembered() or Target(STACK, stack=_default_stack())


def invocation(target: Target) -> str:
    """How to name `target` in a suggested command: nothing when it is the default."""
    if target == remembered():
        return "circleback"
    if target.kind == LOCAL:
        return "circleback --local" + (f" --data-dir {target.data_dir}" if target.data_dir else "")
    region = f" --region {target.region}" if target.region else ""
    return (
        f"circleback --stack {target.stack}{region}" if target.kind == STACK else f"circleback --table {target.table}"
    )


def _default_stack() -> str:
    from circleback.adapters.stack import DEFAULT_STACK

    return DEFAULT_STACK


@contextmanager
def opened(target: Target, owner_id: str) -> Iterator[Repository]:
    """The target's repository, for the length of one command on `owner_id`'s data."""
    if target.kind == LOCAL:
        from circleback.local.store import LocalStoreError, default_data_dir, persistent_repository

        try:
            with persistent_repository(target.data_dir or default_data_dir(), owner_id) as repo:
                yield repo
        except LocalStoreError as error:
            raise UsageError(str(error)) from None
        return
    if target.region:
        os.environ["AWS_DEFAULT_REGION"] = target.region  # this process's AWS calls: CloudFormation and DynamoDB
    yield Repository(target.table or _stack_table(target))


def _stack_table(target: Target) -> str:
    from circleback.adapters.stack import StackNotFound, table_name_of

    try:
        return table_name_of(target.stack or _default_stack())
    except StackNotFound as error:
        raise UsageError(f"{error}. To try circleback on this machine instead, use --local") from None


def deployed_target(args: argparse.Namespace) -> Target:
    """The target of a command that needs the deployed stack (its API, its signing key), with the stack named:
    the target's own, else the default one. The local store is refused.
    """
    target = chosen_target(args)
    if target.kind == LOCAL:
        raise UsageError("this needs the deployed stack (its API and signing key), not the local store: use --stack")
    if target.region:
        os.environ["AWS_DEFAULT_REGION"] = target.region
    return replace(target, stack=target.stack or _default_stack())


def owner_of(repo: Repository, args: argparse.Namespace, target: Target) -> Owner:
    """The owner's settings. The local store makes its owner on first use; a stack's comes from its deployment."""
    owner = repo.get_owner(args.owner)
    if owner is not None:
        return owner
    if target.kind != LOCAL:
        raise UsageError(f"no owner {args.owner!r} in {target.describe()}; is the stack deployed and has it run once?")
    from circleback.cli.settings import first_local_owner

    return first_local_owner(repo, args.owner)
