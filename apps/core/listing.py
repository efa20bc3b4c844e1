"""Server-side lists: the one parser for ``?sort=``, ``?page=`` and filter parameters.

A list page declares the columns it may be sorted by (a whitelist) and the filters it accepts;
``Listing`` validates the query string once (a malformed or unknown value is a 400 with a Russian
message, like ``core.params``), orders a queryset or a list of rows, cuts one page, and builds
the links of the sortable headers (``includes/sort_th.html``, with ``aria-sort``) and of the
pager (``includes/pager.html``), each keeping every other parameter of the page.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode

from django.core.exceptions import BadRequest
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.core.params import QueryParameterError, int_param

# Rows per page of every long list (the registration lists' size).
PAGE_SIZE = 25
# Parameters a page link never carries over: the page itself and one-off actions.
_NOT_KEPT = frozenset({"page", "format"})
MAX_TEXT = 100


class ListingParameterError(QueryParameterError):
    """A malformed ``sort``, ``page`` or filter value: 400 with the Russian ``message`` (the
    HTML 400 page and the API handler both show it)."""

    def __init__(self, message: str) -> None:
        self.message = message
        BadRequest.__init__(self, message)


@dataclass(frozen=True)
class Column:
    """A sortable column: ``key`` is the value of ``?sort=`` (``-key`` descending); ``order``
    the ORM fields for a queryset, ``value`` the sort key for a list of rows."""

    key: str
    label: str
    order: tuple[str, ...] = ()
    value: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class Filter:
    """A filter parameter: ``id`` (an integer id), ``choice`` (one of ``choices``) or ``text``
    (a search string, trimmed, at most ``MAX_TEXT`` characters)."""

    name: str
    label: str
    kind: Literal["id", "choice", "text"] = "id"
    choices: Collection[str] = ()

    def parse(self, raw: str) -> Any:
        if raw == "":
            return None if self.kind != "text" else ""
        if self.kind == "id":
            try:
                return int_param(raw)
            except QueryParameterError as exc:
                raise ListingParameterError(
                    f"Неверное значение фильтра «{self.label}»: «{_shown(raw)}» — ожидается "
                    f"целое число. Параметр запроса «{self.name}»."
                ) from exc
        if self.kind == "choice":
            if raw not in self.choices:
                allowed = ", ".join(sorted(str(c) for c in self.choices))
                raise ListingParameterError(
                    f"Неверное значение фильтра «{self.label}»: «{_shown(raw)}». "
                    f"Допустимые значения: {allowed}. Параметр запроса «{self.name}»."
                )
            return raw
        return raw.strip()[:MAX_TEXT]


@dataclass(frozen=True)
class Header:
    """What a sortable column header shows: its label, the link that sorts by it (the other
    way when it is the current sort) and its ``aria-sort`` state."""

    key: str
    label: str
    url: str
    active: bool
    descending: bool

    @property
    def aria_sort(self) -> str:
        if not self.active:
            return ""
        return "descending" if self.descending else "ascending"


def _shown(raw: str) -> str:
    return raw if len(raw) <= 40 else raw[:40] + "…"


@dataclass
class Listing:
    """One request's list parameters, validated (``ListingParameterError`` → 400).

    ``listing.filters`` holds the parsed filter values (None / "" when absent);
    ``listing.paginate(rows)`` orders and cuts a queryset or list and returns the page."""

    request: HttpRequest
    columns: Sequence[Column]
    default_sort: str
    filter_specs: Sequence[Filter] = ()
    page_size: int = PAGE_SIZE
    # The name of the sort parameter: a second sortable table on a page takes its own.
    param: str = "sort"
    sort: str = field(init=False)
    descending: bool = field(init=False)
    filters: dict[str, Any] = field(init=False)
    page_number: int = field(init=False)
    page: Page[Any] | None = field(init=False, default=None)
    # Values every link carries even when the request left them out (``pin``).
    pinned: dict[str, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        by_key = {c.key: c for c in self.columns}
        raw_sort = self.request.GET.get(self.param, "") or self.default_sort
        key = raw_sort.removeprefix("-")
        if key not in by_key:
            allowed = ", ".join(by_key)
            raise ListingParameterError(
                f"Нельзя упорядочить список по «{_shown(raw_sort)}». Допустимые значения "
                f"параметра {self.param}: {allowed} (с «-» в начале — по убыванию)."
            )
        self.sort, self.descending = key, raw_sort.startswith("-")
        self.filters = {
            f.name: f.parse(self.request.GET.get(f.name, "")) for f in self.filter_specs
        }
        raw_page = self.request.GET.get("page", "")
        try:
            number = int_param(raw_page)
        except QueryParameterError:
            number = 0
        if raw_page and not number:
            raise ListingParameterError(
                f"Неверный номер страницы «{_shown(raw_page)}»: ожидается целое число от 1."
            )
        self.page_number = number or 1

    # --- ordering and paging ---------------------------------------------------------------

    @property
    def column(self) -> Column:
        return next(c for c in self.columns if c.key == self.sort)

    def order(self, rows: QuerySet[Any] | Iterable[Any]) -> QuerySet[Any] | list[Any]:
        """A queryset ordered by the column's fields (then ``pk``), or a list sorted by its
        ``value`` (empty values last either way)."""
        column = self.column
        if isinstance(rows, QuerySet):
            sign = "-" if self.descending else ""
            fields = column.order or (column.key,)
            return rows.order_by(*(f"{sign}{f}" for f in fields), f"{sign}pk")
        items = list(rows)
        get = column.value or (lambda row: getattr(row, column.key))
        present = [r for r in items if get(r) is not None]
        missing = [r for r in items if get(r) is None]
        present.sort(key=lambda row: _folded(get(row)), reverse=self.descending)
        return present + missing

    def paginate(self, rows: QuerySet[Any] | Iterable[Any]) -> Page[Any]:
        """The requested page of the ordered rows (past the last page: the last page)."""
        paginator = Paginator(self.order(rows), self.page_size)
        self.page = paginator.page(min(self.page_number, paginator.num_pages))
        return self.page

    # --- links --------------------------------------------------------------------------------

    def pin(self, **values: Any) -> None:
        """Carry ``values`` in every link even if the request left them out: a page that opened
        on the current campaign by default keeps that campaign when a new one becomes current."""
        self.pinned.update({k: str(v) for k, v in values.items() if v not in (None, "")})

    def query(self, **changes: Any) -> str:
        """The query string of this page (``?...``) with ``changes`` applied (None removes a
        parameter); the page number and one-off actions are never carried over."""
        params: dict[str, list[str]] = {
            k: self.request.GET.getlist(k) for k in self.request.GET if k not in _NOT_KEPT
        }
        for name, value in self.pinned.items():
            params.setdefault(name, [value])
        for name, value in changes.items():
            if value is None or value == "":
                params.pop(name, None)
            else:
                params[name] = [str(value)]
        pairs = [(k, v) for k, values in params.items() for v in values if v != ""]
        return f"?{urlencode(pairs)}" if pairs else "?"

    @property
    def sort_param(self) -> str:
        """The current ``sort`` value (for a filter form's hidden field)."""
        return f"-{self.sort}" if self.descending else self.sort

    @property
    def headers(self) -> Mapping[str, Header]:
        """Each sortable column's header, by key (``listing.headers.name`` in templates)."""
        out = {}
        for c in self.columns:
            active = c.key == self.sort
            flip = active and not self.descending
            out[c.key] = Header(
                key=c.key,
                label=c.label,
                url=self.query(**{self.param: f"-{c.key}" if flip else c.key}),
                active=active,
                descending=active and self.descending,
            )
        return out

    def page_url(self, number: int) -> str:
        return self.query(page=number if number > 1 else None)

    @property
    def previous_url(self) -> str:
        page = self.page
        return self.page_url(page.previous_page_number()) if page and page.has_previous() else ""

    @property
    def next_url(self) -> str:
        page = self.page
        return self.page_url(page.next_page_number()) if page and page.has_next() else ""


def _folded(value: Any) -> Any:
    """Strings compare case-insensitively («ё» with «е»), so a list sorts as a reader expects."""
    if isinstance(value, str):
        return value.casefold().replace("ё", "е")
    return value
