"""`circleback mail FILE...`: mail in from this machine (docs/design.md, "Mail in"): .eml files, mbox files
(Gmail Takeout, Thunderbird) or folders of them, through the same service the logging address uses."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from circleback.cli.common import Args, JsonFlag, UsageError, finish, note
from circleback.cli.targets import chosen_target, opened, owner_of


def add_commands(app: typer.Typer) -> None:
    app.command(
        "mail",
        help=(
            "Read mail you sent and received, and log who you wrote to and who wrote to you: .eml files, mbox files "
            "(a Google Takeout export, a Thunderbird folder) or folders of them. Your mail to contacts is a note to "
            "each; their mail to you, a note from them; a forwarded contact's message, a note from them on its "
            "day; an invitation, a meeting with each contact invited. The same message never logs twice. Nothing "
            "of a message is kept but who, when and how (its subject too with `settings set --mail-subjects on`)."
        ),
        short_help="log touches from your mail: .eml, mbox (Google Takeout) or folders",
    )(mail_command)


def mail_command(
    ctx: typer.Context,
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE...", help=".eml or mbox files, or folders", show_default=False)
    ],
    json_out: JsonFlag = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="say what would be logged; write nothing")] = False,
) -> None:
    finish(ctx, run_mail, files=files, json=json_out, dry_run=dry_run)


def run_mail(args: Args) -> int:
    from circleback.formats.messages import messages_in
    from circleback.services.inbound import take_in

    missing = [str(path) for path in args.files if not path.exists()]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    target = chosen_target(args)
    with opened(target, args.owner) as repo:
        owner = owner_of(repo, args, target)
        if not owner.email:
            raise UsageError("circleback does not know your address: `settings set --email YOU@...` first")
        report = take_in(repo, owner, messages_in(args.files), datetime.now(UTC), dry_run=args.dry_run)
    if args.json:
        print(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
        return 0
    for logged in report.logged:
        verb = "would log" if args.dry_run else "logged" if logged.written else "already logged"
        print(f"{verb}\t{logged.date}\t{logged.direction}\t{logged.channel}\t{logged.contact}")
    for reply in report.replies:
        verb = "reply" if reply.ran_now else "reply (would run)" if args.dry_run else "reply (run before)"
        for line in reply.outcome.done:
            print(f"{verb}\t{line}")
        for line, why in reply.outcome.unread:
            print(f"{verb}\tnot read: {line!r}: {why}")
    new = sum(1 for logged in report.logged if logged.written)
    said = f"{report.messages} messages read: {new} touches logged"
    if args.dry_run:
        said = f"{report.messages} messages read: {len(report.logged)} touches would be logged (a dry run)"
    note(f"{said}, {len(report.skipped)} messages skipped, {len(report.unknown)} addresses you wrote to that are "
         "not contacts (--json lists them).")  # fmt: skip
    return 0
