"""``core.precompiled``: a read compiled once per shape returns what the ORM returns, and a
builder whose SQL would depend on its values is refused instead of answering wrongly."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Value
from django.test.utils import CaptureQueriesContext

from apps.core.precompiled import Precompiled, get_by_pk
from apps.registration.access import A, actor_for_user
from apps.registration.models import School, User
from apps.registration.tests.factories import SchoolFactory, grant, make_user
from conftest import need_service

pytestmark = pytest.mark.django_db


def _users(*, user_id: int) -> Any:
    return User.objects.filter(pk=user_id).values_list("pk", "is_active", "date_joined", "username")


def test_rows_are_the_orms_rows_converted_and_compiled_once() -> None:
    # given two users and a read of their typed columns
    first = make_user("first", "Test-Password-2026")
    second = make_user("second", "Test-Password-2026", is_active=False)
    read = Precompiled(_users)
    # when each is read
    rows = [read.rows(user_id=u.pk) for u in (first, second)]
    # then the rows are the ORM's, with booleans and instants converted as it converts them
    assert rows == [list(_users(user_id=u.pk)) for u in (first, second)]
    assert rows[1][0][1] is False
    assert isinstance(rows[0][0][2], dt.datetime)
    # and one shape was compiled, and a missing id gives no row
    assert len(read._cache) == 1
    assert read.rows(user_id=first.pk + second.pk + 1000) == []


def test_string_values_are_substituted_too() -> None:
    make_user("alpha", "Test-Password-2026")
    make_user("beta", "Test-Password-2026")
    read = Precompiled(lambda *, name: User.objects.filter(username=name).values_list("username"))
    assert [read.rows(name=n) for n in ("alpha", "beta", "gamma")] == [
        [("alpha",)],
        [("beta",)],
        [],
    ]


def test_a_builder_whose_sql_depends_on_its_values_is_refused() -> None:
    user = make_user("first", "Test-Password-2026")
    # a value turned into another parameter, a value left out, a LIKE pattern made of it
    derived = Precompiled(
        lambda *, user_id: (
            User.objects.filter(pk=user_id)
            .annotate(next_id=Value(user_id + 1))
            .values_list("pk", "next_id")
        )
    )
    ignored = Precompiled(lambda *, user_id: User.objects.filter(pk=1).values_list("pk"))
    pattern = Precompiled(
        lambda *, name: User.objects.filter(username__startswith=name).values_list("pk")
    )
    with pytest.raises(ImproperlyConfigured, match="neither constant nor a value"):
        derived.rows(user_id=user.pk)
    with pytest.raises(ImproperlyConfigured, match="values not in the SQL"):
        ignored.rows(user_id=user.pk)
    with pytest.raises(ImproperlyConfigured, match="neither constant nor a value"):
        pattern.rows(name="fir")


def test_the_actors_scope_is_part_of_the_shape_and_its_ids_are_values() -> None:
    # given two schools, each with its organizer, and a read of schools scoped to the actor
    schools = [SchoolFactory(), SchoolFactory()]
    actors = []
    for k, school in enumerate(schools):
        user = make_user(f"org{k}", "Test-Password-2026")
        grant(user, "school_organizer", school)
        actors.append(actor_for_user(user))
    federal = make_user("fed", "Test-Password-2026")
    grant(federal, "federal", None)
    read = Precompiled(
        lambda actor, action, *, school_id: (
            School.objects.for_actor(actor, action).filter(pk=school_id).values_list("pk")
        )
    )
    action = A.VIEW_ARCHIVE_PASSWORD
    # when each actor reads each school
    seen = {
        (k, j): read.rows(action, actor=actor, school_id=s.pk)
        for k, actor in enumerate(actors)
        for j, s in enumerate(schools)
    }
    # then each sees only its own, as for_actor says
    assert seen == {(0, 0): [(schools[0].pk,)], (0, 1): [], (1, 0): [], (1, 1): [(schools[1].pk,)]}
    # and a federal actor (another shape) sees both; an actor without the action, none (no query)
    fed = actor_for_user(federal)
    assert [read.rows(A.VIEW_ARCHIVE_PASSWORD, actor=fed, school_id=s.pk) for s in schools] == [
        [(schools[0].pk,)],
        [(schools[1].pk,)],
    ]
    with CaptureQueriesContext(connection) as queries:
        assert read.rows(A.MANAGE_BANK, actor=actors[0], school_id=schools[0].pk) == []
    assert len(queries) == 0
    assert len(read._cache) == 3


def test_get_by_pk_loads_every_column() -> None:
    school = SchoolFactory()
    loaded = get_by_pk(School, school.pk)
    assert loaded == school
    assert loaded.get_deferred_fields() == set()
    assert [getattr(loaded, f.attname) for f in School._meta.concrete_fields] == [
        getattr(School.objects.get(pk=school.pk), f.attname) for f in School._meta.concrete_fields
    ]
    assert get_by_pk(School, school.pk + 1000) is None


def test_on_postgresql_a_precompiled_read_is_prepared_once_and_djangos_own_are_not() -> None:
    need_service(
        "PostgreSQL",
        connection.vendor == "postgresql",
        "set DATABASE_URL=postgres://postgres@127.0.0.1:5432/vpr_core_helper",
    )
    users = [make_user(f"u{k}", "Test-Password-2026") for k in range(3)]
    read = Precompiled(_users)

    def prepared() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            return [row[0] for row in cursor.fetchall()]

    before = prepared()
    # when three users are read through the precompiled read, and once through the ORM
    rows = [read.rows(user_id=u.pk) for u in users]
    list(_users(user_id=users[0].pk))
    # then the rows are right, and the session holds one more prepared statement: the read's,
    # with placeholders for its values (the ORM's own statements are not prepared)
    assert rows == [list(_users(user_id=u.pk)) for u in users]
    added = [s for s in prepared() if s not in before]
    assert len(added) == 1, added
    assert '"registration_user"' in added[0]
    assert "$1" in added[0]


def test_small_integer_values_work_and_a_read_emptied_by_its_values_is_refused() -> None:
    # given schools and a read of them by a small-integer column's value
    from apps.campaigns.models import Work
    from apps.campaigns.tests.factories import WorkFactory

    works = [WorkFactory(grade=5), WorkFactory(grade=8)]
    by_grade = Precompiled(lambda *, grade: Work.objects.filter(grade=grade).values_list("pk"))
    # then each grade reads its work (no sentinel outside the column's range)
    assert [by_grade.rows(grade=g) for g in (5, 8, 11)] == [[(works[0].pk,)], [(works[1].pk,)], []]
    # and a read that its values make empty is refused, not cached as empty for every value
    emptied = Precompiled(
        lambda *, user_id: User.objects.filter(pk=user_id, pk__in=[]).values_list("pk")
    )
    with pytest.raises(ImproperlyConfigured, match="its values make it empty"):
        emptied.rows(user_id=1)
