"""`circleback`: the command line (Typer and Rich), its groups of commands put together, and the demo.

Typer builds the commands from the functions' signatures, with shell completion (`circleback
--install-completion`), "did you mean" for commands and options, and `-h` everywhere. Every module's top imports
stay light; what a command uses is imported when it runs, so `contacts list` does not pay for the importer.
"""

from __future__ import annotations

import errno
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from circleback.cli import calendar, files, life_events, loops, mail, people, places, settings, sorting, tokens
from circleback.cli.common import Args, UsageError, bounded, country, finish, zone
from circleback.cli.targets import DEFAULT_OWNER, hoisted

EPILOG = """\
Start here, on this machine:

\b
  circleback --local import Connections.csv   LinkedIn's export (also Google CSV, vCards, a backup)
  circleback preview                          today's digest, as planned for this morning
  circleback touch "Ana" --channel coffee     log that you were in touch

--local is remembered after its first use; `circleback use --stack NAME` switches to your deployed stack.
Tab completion for your shell: `circleback --install-completion`.
"""

app = typer.Typer(
    name="circleback",
    help="Keep in touch with the people who know your work best.",
    epilog=EPILOG,
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help and one-line errors a script can read; Rich draws tables and bars
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
TARGET_PANEL = "Where your data is (before or after the command)"


def _target(name: str, help: str, metavar: str | None = None) -> Any:
    return typer.Option(name, help=help, metavar=metavar, rich_help_panel=TARGET_PANEL, show_default=False)


@app.callback()
def target_options(
    ctx: typer.Context,
    local: Annotated[bool, _target("--local", "the local store on this machine, to try it out")] = False,
    data_dir: Annotated[
        Path | None, _target("--data-dir", "the local store's folder, for this command only", "DIR")
    ] = None,
    stack: Annotated[str | None, _target("--stack", "the deployed stack (default circleback)", "NAME")] = None,
    region: Annotated[
        str | None, _target("--region", "the stack's AWS region (default: your AWS config's)", "REGION")
    ] = None,
    table: Annotated[
        str | None, _target("--table", "a table by name, instead of a stack, for this command only", "NAME")
    ] = None,
    owner: Annotated[str, _target("--owner", f"the owner id ({DEFAULT_OWNER})", "ID")] = DEFAULT_OWNER,
) -> None:
    ctx.obj = {"local": local, "data_dir": data_dir, "stack": stack, "region": region, "table": table, "owner": owner}


files.add_commands(app)
people.add_commands(app)
sorting.add_commands(app)
life_events.add_commands(app)
places.add_commands(app)
loops.add_commands(app)
mail.add_commands(app)
settings.add_commands(app)
calendar.add_commands(app)
tokens.add_commands(app)


@app.command(
    help=(
        "Run the morning job locally: the real handlers on the embedded emulator, with the samples. Creates the "
        "emulated table, queue, SES identity and signing secret; runs the dispatch and digest handlers with events "
        "shaped as the schedule and the queue deliver them; writes the email SES received to OUT/digest.eml, "
        "digest.html and digest.txt."
    ),
    short_help="run the morning job locally, on the embedded emulator, with the samples",
)
def demo(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="folder for the digest files")] = Path("out"),
    email: Annotated[str, typer.Option(help="the owner's address")] = "you@example.com",
    timezone: Annotated[str, typer.Option(parser=zone, help="the owner's time zone")] = "Europe/London",
    country_code: Annotated[str, typer.Option("--country", parser=country, help="the owner's country")] = "GB",
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="serve the digest's links until Ctrl-C, or write and exit")
    ] = True,
    port: Annotated[int, typer.Option(parser=bounded(1, 65535), help="port on 127.0.0.1 for the links")] = 8000,
) -> None:
    finish(ctx, run_demo, out=out, email=email, timezone=timezone, country=country_code, serve=serve, port=port)


def run_demo(args: Args) -> int:
    from circleback.local import demo as local_demo
    from circleback.local.api_gateway import wait_for_interrupt

    try:
        with local_demo.running(
            args.out, args.email, args.timezone, args.country, port=args.port, serve=args.serve
        ) as session:
            result = session.result
            print(f"Sent: {result.subject}")
            for path in (result.eml, result.html, result.txt):
                print(f"  {path}")
            mailed = local_demo.deliver_sample_mail()
            gone = "no longer lists them" if not mailed.due_after else "still lists them"
            print(f"Mail in: a note to {mailed.contact}, BCC'd to {local_demo.LOGGING_ADDRESS}, delivered as SES "
                  f"does: {mailed.outcome}; the next digest {gone}.")  # fmt: skip
            if not args.serve:
                print("Open the .html file in a browser to see the digest as it arrives.")
                return 0
            print(f"\nOpen {result.html} in a browser and click a link: the actions API answers on {session.base_url}")
            print(f"Your next digest, planned from what you have recorded so far: {session.base_url}/")
            print(f"Your calendar feed (add it to a calendar app, or open it): {session.calendar_url}")
            print("Press Ctrl-C to stop.", flush=True)
            wait_for_interrupt()
    except OSError as error:
        if error.errno in (errno.EADDRINUSE, errno.EACCES):
            raise UsageError(f"port {args.port} on 127.0.0.1 is taken; {_another_port(args.port)}") from None
        raise
    return 0


def _another_port(port: int) -> str:
    """How to choose another port where the person ran the demo: `make demo PORT=` under make, else --port."""
    import os

    if "MAKELEVEL" in os.environ:  # make sets it for the commands it runs
        return f"choose another with `make demo PORT={port + 1}`"
    return f"choose another with --port {port + 1}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line on `argv` (default: the process's arguments); the exit status."""
    words = hoisted(sys.argv[1:] if argv is None else argv)
    command = typer.main.get_command(app)
    try:
        command.main(args=words, prog_name="circleback", standalone_mode=True)
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
