"""What an import or a restore did, or would do (a dry run), to each record of a file; and the writing loop they share.

services/importing.py (contact, touch and life event files) and services/restoring.py (JSON backups) both
report through `ImportReport`, so the command line tells every kind of file's outcome the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from circleback.domain.changes import FieldChange
from circleback.formats.csvfile import RowError, RowNote
from circleback.formats.rows import ContactRow

Progress = Callable[[int, int], None]
"""Called with (rows done, rows to do) while an import writes, so a command line can draw a bar."""
NEW_CONTACTS_BATCH = 100  # new contacts go to the store this many at a time: one transaction (add_contacts)


@dataclass(slots=True)
class ImportReport:
    """What became of every record of one kind: imported, updated, unchanged, skipped (harmless, with why) or
    rejected (with why: the import exits 1); warnings are about records that were imported all the same.

    In a dry run nothing is written and the counts say what would become of each record; `changes` names
    every value an update would replace (a restore asks before it puts older values back).
    """

    kind: str
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = True
    unwritten: str = "--strict and some rows were rejected"  # why nothing was written, when it was not
    kept: list[RowNote] = field(default_factory=list)  # fields left as edited by hand (see `merge`)
    skipped: list[RowNote] = field(default_factory=list)
    warnings: list[RowNote] = field(default_factory=list)
    changes: list[FieldChange] = field(default_factory=list)
    news: list[RowNote] = field(default_factory=list)  # new jobs and promotions recorded as life events
    dry_run: bool = False

    @property
    def rejected(self) -> int:
        return len(self.errors)

    def summary(self) -> str:
        if self.dry_run:
            text = (
                f"{self.kind}: {self.imported} to import, {self.updated} to update, {self.unchanged} unchanged, "
                f"{len(self.skipped)} to skip, {self.rejected} rejected"
            )
        else:
            text = (
                f"{self.kind}: {self.imported} imported, {self.updated} updated, {self.unchanged} unchanged, "
                f"{len(self.skipped)} skipped, {self.rejected} rejected"
            )
        extras = [counted(len(self.warnings), "warning")] if self.warnings else []
        if self.kept:
            extras.append(f"{counted(len(self.kept), 'field')} kept as edited by hand")
        if self.news:
            extras.append(f"{counted(len(self.news), 'new job or promotion', 'new jobs or promotions')} recorded")
        if extras:
            text += "; " + "; ".join(extras)
        return text if self.written else text + f" (nothing written: {self.unwritten})"

    def notes(self) -> list[RowNote]:
        """Every line about a record, in the file's order: refusals, skips, warnings, fields kept and news."""
        notes = [*self.errors, *self.skipped, *self.warnings, *self.kept, *self.news]
        return sorted(notes, key=lambda note: (note.unit, note.row))


def counted(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def emails_of(row: ContactRow) -> list[str]:
    return [*([row.email] if row.email else []), *row.other_emails]


def ambiguous(key: str | None, count: int, row: ContactRow) -> str:
    """Why a row that several known contacts match is refused, by the key that matched them."""
    if key == "email":
        emails = emails_of(row)
        if len(emails) > 1:
            return f"{count} contacts have one of the emails {', '.join(map(repr, emails))}"
        return f"{count} contacts have the email {row.email!r}"
    if key == "linkedin_url":
        return f"{count} contacts have the LinkedIn address {row.linkedin_url!r}"
    return f"{count} contacts are called {row.name!r}; add their email to tell them apart"


def ticker(progress: Progress | None, total: int) -> Callable[..., Any]:
    """A function to call once per item written: it reports progress and returns what it is given."""
    done = 0

    def tick(result: Any = None) -> Any:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)
        return result

    return tick


def refused(reports: ImportReport | Sequence[ImportReport], strict: bool) -> bool:
    """Put each report's errors in row order; under --strict, any error in any of them means nothing is written."""
    reports = [reports] if isinstance(reports, ImportReport) else reports
    for report in reports:
        report.errors.sort(key=lambda e: (e.unit, e.row))  # cards apart from stray lines, each in order
    if strict and any(report.errors for report in reports):
        for report in reports:
            report.written = False
    return not all(report.written for report in reports)


def write_new[T](
    report: ImportReport, items: Sequence[T], write: Callable[[T], bool], strict: bool, *, dry_run: bool = False
) -> ImportReport:
    """Write each item; `write` says False when the item was already there (a re-import). In a dry run, `write`
    is asked only whether the item is new (the caller passes a check that writes nothing)."""
    report.dry_run = dry_run
    if refused(report, strict):
        return report
    for item in items:
        if write(item):
            report.imported += 1
        else:
            report.unchanged += 1
    return report
