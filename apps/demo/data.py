"""The demo's data files (``apps/demo/data/``): read once, parsed from JSON."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


@cache
def load(name: str) -> Any:
    """The parsed content of ``data/<name>`` (a JSON file), cached per process."""
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        return json.load(fh)


# JSON gives ``Any``: the readers below check and convert each value, so a mistyped data file
# fails at import with the file and the value named, and the tables built from it have exact
# types.


def as_str(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{where}: expected a string, got {value!r}")
    return value


def as_int(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{where}: expected an integer, got {value!r}")
    return value


def as_bool(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{where}: expected true or false, got {value!r}")
    return value


def as_list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"{where}: expected a list, got {value!r}")
    return value


def as_object(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"{where}: expected an object, got {value!r}")
    return value


def as_strs(value: object, where: str) -> tuple[str, ...]:
    return tuple(as_str(v, f"{where}[{i}]") for i, v in enumerate(as_list(value, where)))
