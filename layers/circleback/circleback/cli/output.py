"""What a person sees: Rich tables, progress bars and prompts on a terminal, plain lines in a pipe.

Rich is imported only when something is drawn on a terminal; a pipe gets the same rows as aligned plain text,
and scripts have `--json` on every listing.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress as Bar
    from rich.progress import TaskID

PLAIN_WIDTH = 40  # a pipe's longest cell: the rest of a long note or company name is cut
PROGRESS_FROM = 200  # rows: a smaller file is done before a bar would be worth drawing


def stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Rows under a header: a Rich table on a terminal, columns padded with two spaces in a pipe."""
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(*header, box=None, header_style="bold", pad_edge=False)
        for row in rows:
            table.add_row(*row)
        Console(highlight=False).print(table)
        return
    lines = [tuple(header), *(tuple(row) for row in rows)]
    widths = [min(max(len(line[i]) for line in lines), PLAIN_WIDTH) for i in range(len(header) - 1)]
    for line in lines:
        cells = [cell[:PLAIN_WIDTH].ljust(width) for cell, width in zip(line, widths, strict=False)]
        print("  ".join([*cells, line[-1]]).rstrip())


def choose_number(question: str, highest: int) -> int | None:
    """A number from 1 to `highest` asked on the terminal; None when the person just presses Enter."""
    from rich.prompt import Prompt

    choices = [str(n) for n in range(1, highest + 1)]
    answer = Prompt.ask(question, choices=[*choices, ""], show_choices=False, console=stderr_console())
    return int(answer) if answer else None  # Prompt asks again until the answer is one of the choices


def confirmed(question: str) -> bool:
    """Yes or no on the terminal; anything but y or yes is no (Rich's Confirm would ask again forever)."""
    answer = stderr_console().input(f"{question} [y/N] ")
    return answer.strip().casefold() in ("y", "yes")


class Progress:
    """`progress(done, total)` for a long import: a Rich bar on standard error when it is a terminal and the job
    is big enough to wait for; nothing otherwise.
    """

    def __init__(self, label: str) -> None:
        self.label = label
        self._bar: Bar | None = None
        self._task: TaskID | None = None

    def __call__(self, done: int, total: int) -> None:
        if total < PROGRESS_FROM or not sys.stderr.isatty():
            return
        if self._bar is None or self._task is None:
            from rich.progress import Progress as Bar

            self._bar = Bar(console=stderr_console(), transient=False)
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=total)
        self._bar.update(self._task, completed=done, total=total)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


@contextmanager
def progress(label: str) -> Iterator[Progress]:
    bar = Progress(label)
    try:
        yield bar
    finally:
        bar.close()
