"""What every command shares: the exit statuses, value parsers, reading and writing files, one-line errors.

Kept light to import: every command's module is loaded to build the command line, so the services each command
uses are imported inside the command (docs/design.md, "The command line").
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace as Args
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from typer import BadParameter, Context, Exit, Option

from circleback.domain.countries import COMMON_MISTAKES, COUNTRY_NAMES, is_country_code

if TYPE_CHECKING:
    from circleback.domain.model import Owner
    from circleback.services.import_report import ImportReport

EXIT_REJECTED = 1  # some rows were refused
EXIT_USAGE = 2  # the command itself was wrong, or what it names is not there
EXIT_AWS = 3  # AWS could not be reached or refused the call: nothing about the command was wrong
EXIT_INTERRUPTED = 130

__all__ = ["Args"]  # a command's options and the target's, as one namespace for its run function

# Every listing's --json, one definition.
JsonFlag = Annotated[bool, Option("--json", help="print JSON, for scripts")]


class UsageError(Exception):
    """A mistake the person can fix; the message says how. Printed as one line, exit status 2."""


def did_you_mean(word: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str:
    """ " Did you mean 'x'?" for the closest of `choices`, or nothing when none is close."""
    close = difflib.get_close_matches(word.casefold(), [c.casefold() for c in choices], n=1, cutoff=cutoff)
    return f"; did you mean {close[0]!r}?" if close else ""


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadParameter(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def zone(text: str) -> str:
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        import zoneinfo

        hint = did_you_mean(text, zoneinfo.available_timezones(), cutoff=0.5)
        raise BadParameter(f"{text!r} is not an IANA time zone (such as Europe/London){hint}") from None
    return text


def country(text: str) -> str:
    code = text.strip().upper()
    if is_country_code(code):
        return code
    raise BadParameter(f"{text!r} is not an ISO 3166 two-letter country code (such as US){_country_hint(text)}")


def _country_hint(text: str) -> str:
    """A code for what was meant: UK is GB, "Germany" is DE, "Brasil" is BR."""
    code = text.strip().upper()
    if code in COMMON_MISTAKES:
        return f"; did you mean {COMMON_MISTAKES[code]}?"
    from circleback.domain.names import folded

    by_name = {folded(name): code for code, name in COUNTRY_NAMES.items()}
    close = difflib.get_close_matches(folded(text), list(by_name), n=1, cutoff=0.7)
    return f"; did you mean {by_name[close[0]]} ({COUNTRY_NAMES[by_name[close[0]]]})?" if close else ""


def bounded(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise BadParameter(f"expected a whole number, got {text!r}") from None
        if not low <= value <= high:
            raise BadParameter(f"expected a number from {low} to {high}, got {value}")
        return value

    return parse


def today_of(owner: Owner) -> date:
    """Today where the owner lives: the day a command dates what it records."""
    return datetime.now(ZoneInfo(owner.timezone)).date()


def read_text(path: Path | None, encoding: str | None = None) -> str | None:
    """The file's text in whatever encoding it was written (cli/encodings.py); says which when it is not UTF-8."""
    if path is None:
        return None
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except OSError as error:
        raise UsageError(f"{path}: {error.strerror}") from None
    from circleback.cli.encodings import NotText, decoded

    try:
        text, used = decoded(data, encoding)
    except NotText as error:
        raise UsageError(f"{path}: {error}") from None
    if used is not None and encoding is None:
        note(f"{path}: not UTF-8; read as {used} (if names look wrong, say which with --encoding)")
    return text


def write_output(path: Path, content: bytes) -> None:
    """Write to the file, or to standard output for `-`."""
    if str(path) == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return
    try:
        path.write_bytes(content)
    except OSError as error:
        raise UsageError(f"{path}: {error.strerror}") from None


def first_problem(error: Any) -> str:
    """A pydantic error as one line naming the field: "kind: Input should be 'new_job', ..."."""
    first = error.errors(include_url=False, include_input=False)[0]
    field = ".".join(str(part) for part in first["loc"]) or "value"
    return f"{field}: {first['msg'].removeprefix('Value error, ')}"


def report_rejections(reports: Sequence[ImportReport], paths: dict[str, Path | None]) -> None:
    for report in reports:
        if report.rejected:
            for error in report.errors:
                print(f"{paths[report.kind]}: {error}", file=sys.stderr)
            print(report.summary(), file=sys.stderr)


def note(text: str) -> None:
    """A message for the person, not for a pipe: standard error."""
    print(text, file=sys.stderr)


def on_terminal() -> bool:
    """Whether a person is at the keyboard (standard input and error are a terminal): then a command may ask."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def run_command(handler: Callable[[Args], int], args: Args) -> int:
    """Run one command's function; how each way it can end maps to an exit status and one line on stderr."""
    try:
        return handler(args)
    except UsageError as error:
        print(f"circleback: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # the reader (`| head`) has what it wanted
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        note("circleback: stopped; what was written before is kept, and running the command again is safe")
        return EXIT_INTERRUPTED
    except Exception as error:
        if not _from_aws(error):
            raise
        print(f"circleback: AWS: {_aws_reason(error)}", file=sys.stderr)
        return EXIT_AWS


def finish(ctx: Context, handler: Callable[[Args], int], **options: Any) -> None:
    """The end of every command: its options with the target's (kept by the root command), run, exit status."""
    code = run_command(handler, Args(**ctx.find_root().obj, **options))
    if code:
        raise Exit(code)


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
