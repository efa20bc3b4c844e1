"""core.listing: validated sort / page / filter parameters, ordering, paging and links."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import BadRequest
from django.test import RequestFactory

from apps.core.listing import Column, Filter, Listing, ListingParameterError


@dataclass(frozen=True)
class Row:
    name: str
    size: int | None


COLUMNS = (Column("name", "Название"), Column("size", "Размер"))
FILTERS = (
    Filter("campaign", "кампания"),
    Filter("grade", "класс", kind="choice", choices=("4", "5")),
    Filter("q", "поиск", kind="text"),
)
ROWS = [Row("Ёлка", 3), Row("арбуз", 10), Row("Берёза", None), Row("дуб", 1)]


def _listing(query: str, page_size: int = 25) -> Listing:
    request = RequestFactory().get(f"/list/?{query}")
    return Listing(request, COLUMNS, "name", FILTERS, page_size=page_size)


def _params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sort=colour", "Нельзя упорядочить список по «colour»"),
        ("sort=--name", "Нельзя упорядочить список по «--name»"),
        ("page=0", "Неверный номер страницы «0»"),
        ("page=abc", "Неверный номер страницы «abc»"),
        ("page=-2", "Неверный номер страницы «-2»"),
        ("campaign=x1", "Неверное значение фильтра «кампания»: «x1»"),
        ("grade=12", "Неверное значение фильтра «класс»: «12». Допустимые значения: 4, 5."),
    ],
)
def test_a_bad_sort_page_or_filter_is_a_400_in_russian(query: str, expected: str) -> None:
    # given a malformed parameter
    # when the listing parses it
    with pytest.raises(ListingParameterError) as caught:
        _listing(query)
    # then it is refused as a bad request (400) with a Russian message naming the value
    assert isinstance(caught.value, BadRequest)
    assert expected in caught.value.message


def test_a_list_is_sorted_by_the_whitelisted_column_either_way_empty_values_last() -> None:
    # given rows with mixed case, «ё» and an empty size
    # when sorted by name, by name descending, by size and by size descending
    by_name = [r.name for r in _listing("").order(ROWS)]
    by_name_desc = [r.name for r in _listing("sort=-name").order(ROWS)]
    by_size = [r.size for r in _listing("sort=size").order(ROWS)]
    by_size_desc = [r.size for r in _listing("sort=-size").order(ROWS)]
    # then the order is a reader's (case and «ё» folded), and an empty value comes last
    assert by_name == ["арбуз", "Берёза", "дуб", "Ёлка"]
    assert by_name_desc == ["Ёлка", "дуб", "Берёза", "арбуз"]
    assert by_size == [1, 3, 10, None]
    assert by_size_desc == [10, 3, 1, None]


@pytest.mark.django_db
def test_a_queryset_is_ordered_by_the_column_fields() -> None:
    from apps.registration.models import Region
    from apps.registration.tests.factories import RegionFactory

    # given three regions
    for name in ("Бета", "Альфа", "Гамма"):
        RegionFactory(name=name)
    listing = Listing(
        RequestFactory().get("/?sort=-name"), (Column("name", "Регион"),), "name", page_size=2
    )
    # when the queryset is paged in descending name order
    page = listing.paginate(Region.objects.all())
    # then the first page holds the two last names, and there is a second page
    assert [r.name for r in page] == ["Гамма", "Бета"]
    assert page.paginator.num_pages == 2


def test_paging_keeps_the_filters_and_the_sort_and_a_page_past_the_end_is_the_last() -> None:
    # given a filtered, sorted list of 4 rows, 3 to a page, asked for page 9
    listing = _listing("grade=4&q=%D0%B4%D1%83%D0%B1&sort=-size&page=9&format=xlsx", page_size=3)
    page = listing.paginate(ROWS)
    # then the last page is shown
    assert (page.number, [r.size for r in page]) == (2, [None])
    # and the link back keeps every filter and the sort, but not the one-off format
    back = _params(listing.previous_url)
    assert back == {"grade": ["4"], "q": ["дуб"], "sort": ["-size"]}
    assert listing.next_url == ""
    # and the filters are parsed
    assert listing.filters == {"campaign": None, "grade": "4", "q": "дуб"}


def test_headers_link_to_the_other_direction_of_the_current_sort_and_say_aria_sort() -> None:
    # given a list sorted by size, on page 2, filtered by grade
    listing = _listing("sort=size&page=2&grade=5")
    name, size = listing.headers["name"], listing.headers["size"]
    # then the current column says «ascending» and its link sorts descending
    assert (size.active, size.aria_sort) == (True, "ascending")
    assert _params(size.url) == {"sort": ["-size"], "grade": ["5"]}
    # and another column is not marked and sorts ascending from page 1, keeping the filter
    assert (name.active, name.aria_sort) == (False, "")
    assert _params(name.url) == {"sort": ["name"], "grade": ["5"]}
    # and descending is said as such
    assert _listing("sort=-size").headers["size"].aria_sort == "descending"


def test_a_pinned_value_is_carried_by_every_link_unless_the_request_names_its_own() -> None:
    # given a page opened without a campaign (the current one was shown) and pinned to it
    listing = _listing("grade=4", page_size=1)
    listing.pin(campaign=7)
    listing.paginate(ROWS)
    # then its sort and page links name that campaign
    assert _params(listing.headers["size"].url)["campaign"] == ["7"]
    assert _params(listing.next_url) == {"grade": ["4"], "campaign": ["7"], "page": ["2"]}
    # and a campaign the request named wins
    named = _listing("campaign=3")
    named.pin(campaign=7)
    assert _params(named.query()) == {"campaign": ["3"]}
