"""Every reference to a design document points at a file in the repository, and at a heading it has.

Code, tests, the template and the README cite `docs/<name>.md` and, for the design, its sections by heading
(`docs/design.md, "The table"`). A citation of a file or a heading that does not exist is a broken signpost.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.paths import ROOT

DOC = re.compile(r"\bdocs/([\w.-]+\.md)")
# docs/design.md, "The table" / docs/design.md ("Observability") / ... "The loop" and "The table"
SECTIONS = re.compile(r'docs/design\.md(?:,| \(|\)?,)\s*((?:"[^"\n]+"(?:\s*(?:and|,)\s*)?)+)')
TEXT_SUFFIXES = {".py", ".yaml", ".yml", ".md", ".sh", ".toml", ".txt", ".html", ""}


def tracked_text_files() -> list[Path]:
    git = ["git", "ls-files"]
    listed = subprocess.run(git, cwd=ROOT, capture_output=True, text=True, check=True, timeout=60).stdout.split()  # noqa: S603
    return [ROOT / name for name in listed if Path(name).suffix in TEXT_SUFFIXES and (ROOT / name).is_file()]


def headings(document: Path) -> set[str]:
    return {
        line.lstrip("#").strip() for line in document.read_text(encoding="utf-8").splitlines() if line.startswith("#")
    }


def test_every_cited_document_exists_and_no_file_cites_the_design_outside_the_repository() -> None:
    broken: list[str] = []
    for path in tracked_text_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        where = path.relative_to(ROOT)
        broken += [f"{where}: docs/{name}" for name in DOC.findall(text) if not (ROOT / "docs" / name).is_file()]
        if re.search(r"\bDESIGN(?:\.md| §)", text):
            broken.append(f"{where}: cites DESIGN, which is not in the repository (docs/design.md is)")
    assert broken == []


def test_every_cited_section_of_the_design_is_a_heading_of_it() -> None:
    design = headings(ROOT / "docs" / "design.md")
    cited: dict[str, set[str]] = {}
    for path in tracked_text_files():
        for match in SECTIONS.finditer(path.read_text(encoding="utf-8", errors="replace")):
            for section in re.findall(r'"([^"]+)"', match.group(1)):
                cited.setdefault(section, set()).add(str(path.relative_to(ROOT)))
    assert cited, "the code cites the design by section"
    assert {section: sorted(where) for section, where in cited.items() if section not in design} == {}


def test_the_design_names_only_files_that_exist() -> None:
    text = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    package = ROOT / "layers" / "circleback" / "circleback"
    missing = []
    for name in set(re.findall(r"`((?:[\w-]+/)+[\w.-]+\.(?:py|txt|yaml|md|html|json))`", text)):
        if not any((base / name).exists() for base in (ROOT, package, ROOT / "layers" / "circleback")):
            missing.append(name)
    assert missing == []
