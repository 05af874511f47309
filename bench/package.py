"""Deployment package sizes: `sam build` (python3.13, arm64, as scripts/check-template.sh runs it), each
artifact zipped the way SAM uploads it (deflate), in MB of 10^6 bytes.

The build goes to .aws-sam/bench-build and is reused while none of its inputs changed (a hash of
template.yaml, the layer's and the functions' files), so a second `make bench` does not rebuild.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / ".aws-sam" / "bench-build"
STAMP = BUILD / ".bench-inputs"
SAM = ROOT / ".venv-sam" / "bin" / "sam"
MB = 1_000_000


def inputs_hash() -> str:
    digest = hashlib.sha256()
    files = [ROOT / "template.yaml"]
    for folder in (ROOT / "layers", ROOT / "functions"):
        files += sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build() -> tuple[Path, bool]:
    """The build folder, and whether it was built now (False: reused)."""
    wanted = inputs_hash()
    if STAMP.is_file() and STAMP.read_text(encoding="utf-8") == wanted:
        return BUILD, False
    if not SAM.exists():
        raise FileNotFoundError(f"{SAM} is missing: run `make .venv-sam/.ready` first")
    shutil.rmtree(BUILD, ignore_errors=True)
    env = dict(os.environ)
    env.update(
        AWS_REGION=env.get("AWS_REGION", "us-east-1"),
        AWS_DEFAULT_REGION=env.get("AWS_DEFAULT_REGION", "us-east-1"),
        AWS_EC2_METADATA_DISABLED="true",
        SAM_CLI_TELEMETRY="0",
        PYENV_VERSION=env.get("PYENV_VERSION", "3.11.7:3.12.1:3.13.0"),
    )
    subprocess.run(  # noqa: S603 - the project's own SAM toolchain
        [str(SAM), "build", "--no-cached", "--template", "template.yaml", "--build-dir", str(BUILD)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    STAMP.write_text(wanted, encoding="utf-8")
    return BUILD, True


def zipped_size(folder: Path) -> int:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder))
    return len(buffer.getvalue())


def layer_listing(build_dir: Path) -> list[str]:
    """The layer's top-level modules and packages (what it puts on sys.path), without metadata."""
    python = build_dir / "SharedLayer" / "python"
    names = []
    for entry in sorted(python.iterdir()):
        if entry.name.endswith((".dist-info", ".data")) or entry.name == "requirements.txt":
            continue
        names.append(entry.name.removesuffix(".py"))
    return names


def shipped_bytecode(build_dir: Path) -> list[str]:
    """The layer's modules that ship their python3.13 bytecode, relative to the layer's python/ folder."""
    python = build_dir / "SharedLayer" / "python"
    return sorted(
        source.relative_to(python).as_posix()
        for source in python.rglob("*.py")
        if (source.parent / "__pycache__" / f"{source.stem}.cpython-313.pyc").is_file()
    )


def measure() -> dict[str, Any]:
    build_dir, rebuilt = build()
    artifacts = sorted(p for p in build_dir.iterdir() if p.is_dir())
    zipped = {a.name: zipped_size(a) for a in artifacts}
    unzipped = {a.name: sum(f.stat().st_size for f in a.rglob("*") if f.is_file()) for a in artifacts}
    bytecode = sum(1 for _ in build_dir.rglob("*.pyc"))
    shipped = shipped_bytecode(build_dir)
    return {
        "zipped_mb": {name: round(size / MB, 3) for name, size in zipped.items()},
        "unzipped_mb": {name: round(size / MB, 1) for name, size in unzipped.items()},
        "total_zipped_mb": round(sum(zipped.values()) / MB, 2),
        "pyc_files_in_build": bytecode,
        "rebuilt": rebuilt,
        "layer_top_level": layer_listing(build_dir),
        "layer_modules_with_bytecode": shipped,
    }
