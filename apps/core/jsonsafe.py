"""JSON from outside (request bodies, uploaded documents) with a bound on nesting.

``json.loads`` recurses once per level: a body of 100,000 brackets exhausts Python's recursion
and the request ends in a 500. No document of the portal nests deeper than a handful of levels,
so anything deeper than ``MAX_DEPTH`` is refused before it is parsed, as malformed input.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

MAX_DEPTH = 32
# One pass in C: whole strings (which may hold brackets), runs of anything but brackets and
# quotes, and a lone quote of an unterminated string. What is left is the bracket skeleton.
_NOT_BRACKETS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[^\[\]{}"]+|"')
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class JSONTooDeepError(json.JSONDecodeError):
    """Nested deeper than allowed; a ``JSONDecodeError``, so callers report it as bad JSON."""

    def __init__(self, doc: str, pos: int, max_depth: int) -> None:
        super().__init__(f"nesting deeper than {max_depth} levels", doc, pos)
        self.max_depth = max_depth


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in ``text`` (brackets inside strings ignored)."""
    skeleton = _NOT_BRACKETS.sub("", text)
    return max(accumulate(map(_STEP.__getitem__, skeleton)), default=0)


def _too_deep_at(text: str, max_depth: int) -> int:
    """Where the nesting first goes past ``max_depth`` (only called once it is known to)."""
    depth = 0
    for match in re.finditer(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', text):
        token = match.group()
        if token in _STEP:
            depth += _STEP[token]
            if depth > max_depth:
                return match.start()
    return 0  # pragma: no cover - json_depth said it does


def loads(text: str, *, max_depth: int = MAX_DEPTH, **kwargs: Any) -> Any:
    """``json.loads`` that raises ``JSONTooDeepError`` instead of recursing past ``max_depth``."""
    if json_depth(text) > max_depth:
        raise JSONTooDeepError(text, _too_deep_at(text, max_depth), max_depth)
    return json.loads(text, **kwargs)
