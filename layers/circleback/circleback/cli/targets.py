"""Where a command's data lives: the local store on this machine, or a deployed stack's table.

Chosen by options before (or after) the command: `--local [--data-dir DIR]`, `--stack NAME [--region R]` or
`--table NAME`; else the default remembered in a small config file (`circleback use`); else the stack
`circleback` (samconfig.toml's name). The first --local or --stack given becomes the default when none is
remembered yet. Every write goes through the same Repository the Lambdas use.
"""

from __future__ import annotations

import json
import os
import sys
import tomllib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from circleback.cli.common import Args, UsageError, note

if TYPE_CHECKING:
    from circleback.adapters.store.repository import Repository
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


# The options that say where the data is, with whether each takes a value. They may come before the command or
# after it (`circleback --local contacts list` is `circleback contacts list --local`): `hoisted` moves those
# given after it to the front, where the root command reads them.
TARGET_OPTIONS = {
    "--local": False,
    "--data-dir": True,
    "--stack": True,
    "--region": True,
    "--table": True,
    "--owner": True,
}


def hoisted(argv: Sequence[str]) -> list[str]:
    """`argv` with the target options found after the command moved before it (nothing moves after `--`)."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        word = argv[i]
        if word == "--":
            rest.extend(argv[i:])
            break
        name, equals, _ = word.partition("=")
        if name in TARGET_OPTIONS:
            takes_value = TARGET_OPTIONS[name] and not equals
            front.extend(argv[i : i + 2] if takes_value else [word])
            i += 2 if takes_value else 1
            continue
        rest.append(word)
        i += 1
    return front + rest


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


def given(args: Args) -> Target | None:
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


def chosen_target(args: Args) -> Target:
    """The options' target (a first --local or --stack is remembered as the default), else the default.

    A --table or a --data-dir is not remembered: they are for one-off work (exporting a restored copy, a store
    kept in a project's folder), and nothing is written outside the folder given.
    """
    explicit = given(args)
    if explicit is not None:
        one_off = explicit.kind == TABLE or explicit.data_dir is not None
        if not one_off and remembered() is None:
            path = remember(explicit)
            note(f"Remembered {explicit.describe()} as your default ({path}); `circleback use` changes it.")
        return explicit
    return quiet_target(args)


def quiet_target(args: Args) -> Target:
    """The target, as `chosen_target` finds it, without remembering anything (shell completion)."""
    explicit = given(args)
    if explicit is not None:
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
    yield table_repository(target.table or _stack_table(target))


def table_repository(table_name: str) -> Repository:
    """A repository over a deployed table (its boto3 client made on first use); the tests give their own."""
    from circleback.adapters.store.repository import Repository

    return Repository(table_name)


def _stack_table(target: Target) -> str:
    from circleback.adapters.stack import StackNotFound, table_name_of

    try:
        return table_name_of(target.stack or _default_stack())
    except StackNotFound as error:
        raise UsageError(f"{error}. To try circleback on this machine instead, use --local") from None


def deployed_target(args: Args) -> Target:
    """The target of a command that needs the deployed stack (its API, its signing key), with the stack named:
    the target's own, else the default one. The local store is refused.
    """
    target = chosen_target(args)
    if target.kind == LOCAL:
        raise UsageError("this needs the deployed stack (its API and signing key), not the local store: use --stack")
    if target.region:
        os.environ["AWS_DEFAULT_REGION"] = target.region
    return replace(target, stack=target.stack or _default_stack())


def owner_of(repo: Repository, args: Args, target: Target) -> Owner:
    """The owner's settings. The local store makes its owner on first use; a stack's comes from its deployment."""
    owner = repo.get_owner(args.owner)
    if owner is not None:
        return owner
    if target.kind != LOCAL:
        raise UsageError(f"no owner {args.owner!r} in {target.describe()}; is the stack deployed and has it run once?")
    from circleback.cli.settings import first_local_owner

    return first_local_owner(repo, args.owner)
