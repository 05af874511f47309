"""An import writes its new contacts 100 to a transaction (Repository.add_contacts) and its updates one by one,
each on its version; `progress` hears of each batch's rows as it lands, throttling is waited out, and a run cut
short is finished by running it again, without duplicates."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders
from botocore.model import OperationModel

from circleback.adapters.store.repository import ConflictError, Repository
from circleback.formats.csvfile import CONTACT_COLUMNS
from circleback.services.import_report import ImportReport
from circleback.services.importing import import_contacts

TODAY = date(2026, 11, 22)
OWNER = "owner-1"
THROTTLED = "ProvisionedThroughputExceededException"


def rows(count: int, start: int = 0) -> list[dict[str, str]]:
    return [{"name": f"Person {i}", "email": f"person{i}@example.com"} for i in range(start, start + count)]


def contacts_file(entries: list[dict[str, str]]) -> str:
    lines = [",".join(entry.get(column, "") for column in CONTACT_COLUMNS) for entry in entries]
    return "\n".join([",".join(CONTACT_COLUMNS), *lines]) + "\n"


def load(
    repo: Repository, entries: list[dict[str, str]], progress: list[tuple[int, int]] | None = None
) -> ImportReport:
    callback = None if progress is None else lambda done, total: progress.append((done, total))
    return import_contacts(repo, OWNER, contacts_file(entries), TODAY, progress=callback)


class Calls:
    """Counts the table's calls by operation, and answers chosen ones as DynamoDB does when it throttles
    (after the SDK's own retries: this hook stands in front of them, as botocore's Stubber does)."""

    def __init__(self, repo: Repository) -> None:
        self.made: Counter[str] = Counter()
        self.log: list[Any] = []  # the calls' names in order (a test may add its own entries)
        self.throttle: dict[tuple[str, int], bool] = {}
        repo.client.meta.events.register("before-call.dynamodb", self)  # type: ignore[arg-type]

    def __call__(self, model: OperationModel, params: dict[str, Any], **_: Any) -> tuple[AWSResponse, Any] | None:
        self.made[model.name] += 1
        self.log.append(model.name)
        if self.throttle.get((model.name, self.made[model.name])):
            error = {"Error": {"Code": THROTTLED, "Message": "injected"}, "ResponseMetadata": {"HTTPStatusCode": 400}}
            return AWSResponse(str(params.get("url", "")), 400, HTTPHeaders(), None), error
        return None


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("circleback.adapters.store.repository.time.sleep", lambda seconds: None)


def test_250_new_rows_land_in_3_transactions_and_progress_follows(repo: Repository) -> None:
    calls = Calls(repo)

    report = import_contacts(
        repo, OWNER, contacts_file(rows(250)), TODAY, progress=lambda done, total: calls.log.append((done, total))
    )

    assert (report.imported, report.updated, report.rejected) == (250, 0, 0)
    assert calls.made == {"Query": 1, "TransactWriteItems": 3}  # the Query: the contacts already known
    progress = [(done, 250) for done in range(1, 251)]  # row by row, each batch's rows as soon as it lands
    transaction = "TransactWriteItems"
    assert calls.log == [
        "Query",
        transaction,
        *progress[:100],
        transaction,
        *progress[100:200],
        transaction,
        *progress[200:],
    ]
    assert len({c.email for c in repo.list_contacts(OWNER)}) == 250


def test_updates_and_new_rows_together_progress_to_the_total(repo: Repository) -> None:
    load(repo, rows(30))
    changed = [{**row, "company": "Globex"} for row in rows(30)]
    progress: list[tuple[int, int]] = []

    report = load(repo, changed[:10] + rows(120, start=30) + changed[10:], progress)

    assert (report.imported, report.updated, report.unchanged) == (120, 30, 0)
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)
    assert progress[-1] == (150, 150) and {total for _, total in progress} == {150}
    assert len(repo.list_contacts(OWNER)) == 150


@pytest.mark.parametrize("times", [1, 2])
def test_a_throttled_batch_in_the_middle_is_waited_out(repo: Repository, times: int) -> None:
    calls = Calls(repo)
    for n in range(2, 2 + times):
        calls.throttle[("TransactWriteItems", n)] = True

    report = load(repo, rows(250))

    assert report.imported == 250
    assert calls.made["TransactWriteItems"] == 3 + times
    assert len({c.email for c in repo.list_contacts(OWNER)}) == 250


def test_an_import_cut_short_by_throttling_is_finished_by_running_it_again(repo: Repository) -> None:
    calls = Calls(repo)
    for n in range(2, 8):  # the second transaction, and all its retries
        calls.throttle[("TransactWriteItems", n)] = True

    with pytest.raises(ConflictError, match="run the command again"):
        load(repo, rows(250))
    assert len(repo.list_contacts(OWNER)) == 100  # the first transaction landed

    calls.throttle.clear()
    again = load(repo, rows(250))

    assert (again.imported, again.unchanged) == (150, 100)  # the first hundred matched by email, not duplicated
    assert sorted(c.email or "" for c in repo.list_contacts(OWNER)) == sorted(r["email"] for r in rows(250))


def test_a_backup_restored_into_an_empty_account_adds_its_contacts_in_batches(repo: Repository) -> None:
    from datetime import UTC, datetime

    from circleback.services.exporting import export_backup
    from circleback.services.restoring import restore_backup
    from tests import factories

    repo.put_owner(factories.owner(id=OWNER))
    assert load(repo, rows(250)).imported == 250
    backup = export_backup(repo, OWNER)
    calls = Calls(repo)
    progress: list[tuple[int, int]] = []
    reports = restore_backup(
        repo,
        "owner-2",
        backup,
        TODAY,
        now=datetime(2026, 11, 22, tzinfo=UTC),
        progress=lambda done, total: progress.append((done, total)),
    )
    assert {report.kind: report.imported for report in reports}["contacts"] == 250
    assert calls.made["TransactWriteItems"] == 3 and calls.made["PutItem"] <= 1  # the settings' one put at most
    assert progress[-1] == (251, 251) and [done for done, _ in progress] == list(range(1, 252))
