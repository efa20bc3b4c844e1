"""The «Where is…?» map of docs/architecture.md points at files that exist."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
PATH = re.compile(r"`((?:apps|vpr_portal|templates|tests|docs)/[\w./-]+\.(?:py|html|md))`")


def _map_section() -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("## Where is…?")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def map_rows() -> list[tuple[str, list[str]]]:
    rows = []
    for line in _map_section().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 2 or cells[0] in {"behaviour", "---"}:
            continue
        rows.append((cells[0], PATH.findall(cells[1])))
    return rows


def test_every_behaviour_of_the_map_names_a_file_that_exists() -> None:
    # given the map's rows
    rows = map_rows()
    # then there are at least 20 behaviours, each naming at least one file
    assert len(rows) >= 20, rows
    assert all(paths for _, paths in rows), [b for b, paths in rows if not paths]
    # and every named file exists
    missing = [p for _, paths in rows for p in paths if not (ROOT / p).is_file()]
    assert not missing, f"docs/architecture.md names missing files: {missing}"


def test_the_map_finds_the_moved_sub_domains() -> None:
    # given the map's paths
    paths = {p for _, found in map_rows() for p in found}
    # then the sub-domain packages are where a newcomer looks for them
    assert {
        "apps/registration/accounts/services.py",
        "apps/registration/reconciliation/imports.py",
        "apps/results/context/xlsx.py",
        "apps/results/monitoring/selectors.py",
    } <= paths


def test_a_missing_file_is_reported() -> None:
    # given a map row naming a file that does not exist
    row = "| somewhere | `apps/core/not_there.py` |"
    # when its path is parsed and looked up
    (found,) = PATH.findall(row)
    # then it is seen as missing
    assert found == "apps/core/not_there.py"
    assert not (ROOT / found).is_file()
