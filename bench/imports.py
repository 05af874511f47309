"""Cold-start import cost: each handler module (and the clients it needs) against boto3 and the same clients.

Every figure is the min over fresh `python -c` processes of the CPU time of the imports (time.process_time inside
the process, so interpreter start-up is not counted, and a busy machine inflates it less than wall time, which
is reported alongside). Two variants of the handler:

- `with_bytecode`: every module of the layer and the function has its .pyc;
- `as_built`: only the modules the build ships a .pyc for have one (the layer's Makefile compiles the
  cold-start imports, layers/circleback/cold-start-modules.txt; the functions ship none): Lambda's /opt and
  /var/task are read-only, so Python compiles every other module it imports at every cold start. The modules
  the runtime itself provides (the standard library, boto3, botocore) keep their bytecode in both.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

# The clients each function creates on its first invocation, and how the project creates them.
CLIENTS: Mapping[str, Sequence[str]] = {
    "dispatch": ("dynamodb", "sqs"),
    "digest": ("dynamodb", "sesv2", "secretsmanager"),
    "actions": ("dynamodb", "secretsmanager"),
    "inbound": ("dynamodb", "s3"),
}
PROJECT_CLIENT = {
    "dynamodb": "runtime.repository().client",
    "sqs": "runtime.digest_queue().client",
    "sesv2": "runtime.mailer().client",
    "secretsmanager": "SecretsManagerKeyRing(runtime.environment().SIGNING_SECRET_ID).client",
    "s3": "runtime.inbound_store().client",
}
# The runtime provides these (python3.13 on Lambda ships boto3 and its dependencies): they keep their bytecode
# unless the layer carries its own copy.
_HEADER = "import time\nt0, c0 = time.perf_counter(), time.process_time()\n"
_FOOTER = (
    "\nprint(json.dumps({'ms': (time.perf_counter() - t0) * 1000, 'cpu_ms': (time.process_time() - c0) * 1000}))\n"
)


def _no_bytecode_prelude(roots: Sequence[str], shipped: Sequence[str] = ()) -> str:
    """Make the import system ignore any .pyc of files under `roots` but those `shipped` (and write none)."""
    return (
        "import sys, _frozen_importlib_external as _ext\n"
        f"_ROOTS = {tuple(roots)!r}\n"
        f"_SHIPPED = frozenset({tuple(shipped)!r})\n"
        "_cache_from_source = _ext.cache_from_source\n"
        "def _nowhere(path, *args, **kwargs):\n"
        "    if path.startswith(_ROOTS) and path not in _SHIPPED:\n"
        "        return '/nonexistent/__pycache__/' + path.replace('/', '_') + 'c'\n"
        "    return _cache_from_source(path, *args, **kwargs)\n"
        "_ext.cache_from_source = _nowhere\n"
        "sys.dont_write_bytecode = True\n"
    )


def handler_snippet(function: str) -> str:
    clients = "\n".join(PROJECT_CLIENT[name] for name in CLIENTS[function])
    return (
        _HEADER
        + f"import {function}_handler\n"
        + "from circleback import runtime\n"
        + "from circleback.adapters.secrets import SecretsManagerKeyRing\n"
        + clients
        + "\nimport json"
        + _FOOTER
    )


def baseline_snippet(function: str) -> str:
    clients = "\n".join(f"boto3.client({name!r})" for name in CLIENTS[function])
    return _HEADER + "import boto3\n" + clients + "\nimport json" + _FOOTER


def layer_roots(layer_listing: Sequence[str], function: str) -> list[str]:
    """Where the layer's top-level packages live in this checkout's environment, plus the function's folder."""
    site = Path(sysconfig.get_paths()["purelib"])
    roots = [str(ROOT / "functions" / function) + "/"]
    for name in layer_listing:
        if name == "circleback":
            roots.append(str(ROOT / "layers" / "circleback" / "circleback") + "/")
        elif (site / name).is_dir():
            roots.append(str(site / name) + "/")
        elif (site / f"{name}.py").is_file():
            roots.append(str(site / f"{name}.py"))
    return roots


def shipped_paths(shipped: Sequence[str]) -> list[str]:
    """This checkout's files for the layer's modules the build ships bytecode for (paths relative to python/)."""
    site = Path(sysconfig.get_paths()["purelib"])
    own = ROOT / "layers" / "circleback"
    return [str((own if module.startswith("circleback/") else site) / module) for module in shipped]


def _environment(function: str) -> dict[str, str]:
    from bench.worker import ENVIRONMENT

    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))}
    env.update(ENVIRONMENT)
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106 - dummy
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
        PYTHONPATH=os.pathsep.join((str(ROOT / "functions" / function), str(ROOT))),
    )
    return env


def _run(code: str, env: Mapping[str, str], extra_args: Sequence[str] = ()) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, *extra_args, "-c", code],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=ROOT,
    )


def _ms(code: str, env: Mapping[str, str]) -> tuple[float, float]:
    """(CPU ms, wall ms) of the snippet's imports."""
    figures = json.loads(_run(code, env).stdout.strip().splitlines()[-1])
    return float(figures["cpu_ms"]), float(figures["ms"])


def top_imports(function: str, env: Mapping[str, str], top: int = 12) -> list[dict[str, Any]]:
    """`-X importtime` of the handler (bytecode present): own import time summed by top-level package."""
    stderr = _run(handler_snippet(function), env, ("-X", "importtime")).stderr
    by_package: dict[str, int] = {}
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|\s*(\S+)", line)
        if match:
            package = match[3].split(".")[0]
            by_package[package] = by_package.get(package, 0) + int(match[1])
    ranked = sorted(by_package.items(), key=lambda kv: -kv[1])[:top]
    return [{"package": name, "own_ms": round(us / 1000, 1)} for name, us in ranked]


def measure(
    functions: Sequence[str], layer_listing: Sequence[str], shipped: Sequence[str], runs: int
) -> dict[str, Any]:
    """`shipped`: the layer's modules (relative to its python/ folder) that the build ships bytecode for."""
    results: dict[str, Any] = {}
    kept = shipped_paths(shipped)
    for function in functions:
        env = _environment(function)
        _ms(handler_snippet(function), env)  # writes any missing .pyc first
        no_bytecode = _no_bytecode_prelude(layer_roots(layer_listing, function), kept) + handler_snippet(function)
        handler, baseline, as_built = [], [], []
        for _ in range(runs):  # interleaved, so drift in the machine's speed hits all three alike
            baseline.append(_ms(baseline_snippet(function), env))
            handler.append(_ms(handler_snippet(function), env))
            as_built.append(_ms(no_bytecode, env))
        cpu = {name: min(t[0] for t in times) for name, times in (("b", baseline), ("h", handler), ("a", as_built))}
        wall = {name: min(t[1] for t in times) for name, times in (("b", baseline), ("h", handler), ("a", as_built))}
        results[function] = {
            "clients": list(CLIENTS[function]),
            "basis": "CPU time of the imports (time.process_time), min of fresh processes; wall time alongside",
            "boto3_and_clients_ms": round(cpu["b"], 1),
            "handler_and_clients_ms": round(cpu["h"], 1),
            "handler_and_clients_as_built_ms": round(cpu["a"], 1),
            "over_boto3_ms": round(cpu["h"] - cpu["b"], 1),
            "over_boto3_as_built_ms": round(cpu["a"] - cpu["b"], 1),
            "wall_over_boto3_ms": round(wall["h"] - wall["b"], 1),
            "wall_over_boto3_as_built_ms": round(wall["a"] - wall["b"], 1),
            "runs": runs,
            "top_import_packages_own_ms": top_imports(function, env),
        }
    return results
