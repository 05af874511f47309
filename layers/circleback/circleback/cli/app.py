"""`circleback`: the parser that puts the command groups together, the demo, and how errors end a command."""

from __future__ import annotations

import argparse
import errno
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from circleback.cli import calendar, files, life_events, people, settings, tokens
from circleback.cli.common import EXIT_USAGE, UsageError, bounded, country, note, zone
from circleback.cli.targets import add_target_options

EXIT_AWS = 3  # AWS could not be reached or refused the call: nothing about the command was wrong

EPILOG = """\
start here, on this machine:
  circleback --local import Connections.csv   LinkedIn's export (also Google CSV, vCards, a backup)
  circleback preview                          tomorrow morning's digest
  circleback touch "Ana" --channel coffee     log that you were in touch

--local is remembered after its first use; `circleback use --stack NAME` switches to your deployed stack.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="circleback",
        description="Keep in touch with the people who know your work best.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_target_options(parser)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    files.add_commands(commands)
    people.add_commands(commands)
    life_events.add_commands(commands)
    settings.add_commands(commands)
    calendar.add_commands(commands)
    tokens.add_commands(commands)
    _add_demo(commands)
    return parser


def _add_demo(commands: Any) -> None:
    d = commands.add_parser(
        "demo",
        help="run the morning job locally: the real handlers on the embedded emulator, with the samples",
        description=(
            "Create the emulated table, queue, SES identity and signing secret; run the dispatch and digest "
            "handlers with events shaped as the schedule and the queue deliver them; write the email SES "
            "received to OUT/digest.eml, digest.html and digest.txt."
        ),
    )
    d.add_argument("--out", type=Path, default=Path("out"), help="folder for the digest files (default out)")
    d.add_argument("--email", default="you@example.com", help="the owner's address (default you@example.com)")
    d.add_argument("--timezone", type=zone, default="Europe/London", help="the owner's time zone")
    d.add_argument("--country", type=country, default="GB", help="the owner's country")
    d.add_argument(
        "--no-serve", dest="serve", action="store_false", help="write the digest and exit instead of serving its links"
    )
    d.add_argument(
        "--port", type=bounded(1, 65535), default=8000, help="port on 127.0.0.1 for the links (default 8000)"
    )
    d.set_defaults(handler=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    from circleback.local import demo
    from circleback.local.api_gateway import wait_for_interrupt

    try:
        with demo.running(
            args.out, args.email, args.timezone, args.country, port=args.port, serve=args.serve
        ) as session:
            result = session.result
            print(f"Sent: {result.subject}")
            for path in (result.eml, result.html, result.txt):
                print(f"  {path}")
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
            raise UsageError(f"port {args.port} on 127.0.0.1 is taken; choose another with --port") from None
        raise
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except UsageError as error:
        print(f"circleback: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # the reader (`| head`) has what it wanted
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        note("circleback: stopped; what was written before is kept, and running the command again is safe")
        return 130
    except Exception as error:
        if not _from_aws(error):
            raise
        print(f"circleback: AWS: {_aws_reason(error)}", file=sys.stderr)
        return EXIT_AWS
    return code


def _from_aws(error: BaseException) -> bool:
    return type(error).__module__.startswith(("botocore", "boto3"))


def _aws_reason(error: BaseException) -> str:
    """One line: what AWS said, and what to check."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        problem = response.get("Error", {})
        text = f"{problem.get('Code', 'error')}: {problem.get('Message', '')}".rstrip(": ")
    else:
        text = str(error)
    return f"{text}. Check your AWS credentials and region (--region), or use --local to work on this machine"


if __name__ == "__main__":
    sys.exit(main())
