"""Hot reads compiled to SQL once per process and run with fresh values (issue 18).

Building and compiling a queryset costs Django far more than running it: the 07:30 password
read (a kit, its work and school, the school's day through the same scoping) takes ~1.9 ms to
build and compile and ~0.2 ms to execute. ``Precompiled`` keeps the compiled SQL of a queryset
*shape* and substitutes only the values on later calls. The queryset is still built by the same
code (``for_actor`` included), so what it returns is what the ORM returns; nothing here decides
visibility.

How a shape is found: the builder is called twice with two sets of sentinels (integers,
strings) in place of the values (the id and key arguments, and the ids of the actor's scope).
Both compilations must give the same SQL, and their parameters must differ exactly where one
set's sentinel stands against the other's; every value argument must appear. Otherwise the
builder's SQL depends on the values themselves (a ``None``, a list's length, a ``LIKE``
pattern) and ``ImproperlyConfigured`` is raised on first use. The cache key is the shape: the
builder's non-value arguments, the values' types, and for an actor its role, scope level, and
which ids of its scope are set (what ``for_actor`` branches on).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import QuerySet

# Within the range of every integer column (a small-integer field refuses larger ones: Django
# makes a lookup beyond a column's range match nothing). A constant of the query that happens to
# equal a sentinel is still told apart: it does not change between the two compilations.
_FIRST, _SECOND = 20_011, 26_011
_SCOPE_IDS = ("anchor_id", "region_id", "municipality_id", "school_id", "user_id")


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[str | None, ...]  # per parameter: the value name it takes, or None (constant)
    converters: dict[int, Any]  # the first compilation's: position → (converters, expression)
    empty: bool  # the queryset is empty whatever the values (``none()``)


def _sentinel_actor(actor: Any, base: int, names: dict[str, int]) -> Any:
    """``actor`` with every set id of its scope replaced by a sentinel (recorded in ``names``)."""
    scope = actor.scope
    changes: dict[str, int] = {}
    for k, name in enumerate(_SCOPE_IDS):
        if getattr(scope, name) is not None:
            changes[name] = names[f"scope.{name}"] = base + 100 + k
    return replace(actor, scope=replace(scope, **changes))


def actor_shape(actor: Any) -> Hashable:
    """What of an actor its scoped querysets' SQL depends on: role, level, set ids."""
    if actor is None:
        return None
    scope = actor.scope
    return (actor.role, scope.level, tuple(getattr(scope, name) is None for name in _SCOPE_IDS))


class Precompiled:
    """A read whose queryset is compiled once per shape; ``rows()`` runs it with new values.

    ``build(actor, *shape, **values)`` returns a ``values_list`` queryset; ``values`` are the
    integers or strings that vary from call to call (ids, keys), ``shape`` the hashable
    arguments that change the SQL (an action name). Rows come back as tuples, converted as the
    ORM converts them.
    """

    def __init__(self, build: Callable[..., QuerySet[Any]], using: str = DEFAULT_DB_ALIAS):
        self.build = build
        self.using = using
        self._cache: dict[Hashable, _Compiled] = {}
        self._lock = threading.Lock()

    def _compile_once(
        self, actor: Any, shape: Sequence[Hashable], names: Sequence[tuple[str, type]], base: int
    ) -> tuple[str, tuple[Any, ...], dict[str, Any], Any, bool]:
        sentinels: dict[str, Any] = {
            name: base + k if kind is int else f"~precompiled~{base + k}~"
            for k, (name, kind) in enumerate(names)
        }
        built_actor = _sentinel_actor(actor, base, sentinels) if actor is not None else None
        values = {name: sentinels[name] for name, _ in names}
        queryset = (
            self.build(built_actor, *shape, **values)
            if actor is not None
            else self.build(*shape, **values)
        )
        compiler = queryset.query.get_compiler(using=self.using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            if not queryset.query.is_empty():
                # empty because of a value (a lookup beyond its column's range, an empty list),
                # not by construction (``none()``): the emptiness would be cached for every value
                raise ImproperlyConfigured(
                    f"{self.build.__qualname__} cannot be precompiled: its values make it empty"
                ) from None
            return "", (), sentinels, compiler, True
        return sql, tuple(params), sentinels, compiler, False

    def _compile(
        self, actor: Any, shape: Sequence[Hashable], names: Sequence[tuple[str, type]]
    ) -> _Compiled:
        sql, params, first, compiler, empty = self._compile_once(actor, shape, names, _FIRST)
        sql2, params2, second, _, empty2 = self._compile_once(actor, shape, names, _SECOND)
        problem = ""
        if (sql, empty, len(params)) != (sql2, empty2, len(params2)):
            problem = "the SQL changes with the values"
        by_first = {v: k for k, v in first.items()}
        slots: list[str | None] = []
        for a, b in zip(params, params2, strict=False):
            name = by_first.get(a) if isinstance(a, int | str) else None
            if name is not None and second[name] == b:
                slots.append(name)
            elif a == b:
                slots.append(None)
            else:
                problem = problem or f"a parameter ({a!r}) is neither constant nor a value"
                slots.append(None)
        missing = {name for name, _ in names} - set(filter(None, slots))
        if not empty and missing:
            problem = problem or f"values not in the SQL: {sorted(missing)}"
        if problem:
            raise ImproperlyConfigured(
                f"{self.build.__qualname__} cannot be precompiled: {problem}"
            )
        converters: dict[int, Any] = {}
        if not empty:
            selected = [s[0] for s in compiler.select[0 : compiler.col_count]]
            converters = compiler.get_converters(selected)
        return _Compiled(sql, params, tuple(slots), converters, empty)

    def rows(
        self, *shape: Hashable, actor: Any = None, **values: int | str
    ) -> list[tuple[Any, ...]]:
        connection = connections[self.using]
        names = tuple(
            (name, str if isinstance(values[name], str) else int) for name in sorted(values)
        )
        key = (connection.vendor, actor_shape(actor), shape, names)
        compiled = self._cache.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._cache.get(key)
                if compiled is None:
                    compiled = self._cache[key] = self._compile(actor, shape, names)
        if compiled.empty:
            return []
        given = dict(values)
        if actor is not None:
            for name in _SCOPE_IDS:
                given[f"scope.{name}"] = getattr(actor.scope, name)
        params = [
            p if slot is None else given[slot]
            for p, slot in zip(compiled.params, compiled.slots, strict=True)
        ]
        with prepared_cursor(connection) as cursor:
            cursor.execute(compiled.sql, params)
            rows: list[Any] = cursor.fetchall()
        if not compiled.converters:
            return [tuple(row) for row in rows]
        converted = []
        for row in rows:  # SQLCompiler.apply_converters, with this thread's connection
            cells = list(row)
            for position, (functions, expression) in compiled.converters.items():
                value = cells[position]
                for function in functions:
                    value = function(value, expression, connection)
                cells[position] = value
            converted.append(tuple(cells))
        return converted


class _Prepared:
    """Django's cursor wrapper over a server-binding cursor; ``execute`` also logs a prepared
    statement's text, which Django reads from what psycopg last sent and finds empty."""

    def __init__(self, wrapper: Any, connection: Any) -> None:
        self.wrapper = wrapper
        self.connection = connection

    def execute(self, sql: str, params: Sequence[Any]) -> None:
        self.wrapper.execute(sql, params)
        log = self.connection.queries_log
        if self.connection.queries_logged and log and log[-1]["sql"] is None:
            log[-1]["sql"] = self.connection.ops.compose_sql(sql, params)

    def fetchone(self) -> Any:
        return self.wrapper.fetchone()

    def fetchall(self) -> list[Any]:
        rows: list[Any] = self.wrapper.fetchall()
        return rows

    def __enter__(self) -> _Prepared:
        return self

    def __exit__(self, *exc: object) -> None:
        self.wrapper.close()


def prepared_cursor(connection: Any) -> Any:
    """Django's cursor; on PostgreSQL one that binds on the server, so that psycopg prepares the
    statement on its first run on a connection and PostgreSQL plans it once (the actor's
    grants take ~0.7 ms to plan and ~0.1 ms to run). Django's own cursors bind on the client
    and never prepare, whatever the connection's threshold (psycopg's ``ClientCursor``); only
    these do. Behind a pooler in transaction mode this needs protocol-level prepared statement
    support (PgBouncer ≥ 1.21, ``max_prepared_statements``; ADR 0028)."""
    wrapper = connection.cursor()  # Django's checks, debug logging and execute wrappers
    if connection.vendor != "postgresql":
        return wrapper
    from django.db.backends.postgresql.base import ServerBindingCursor
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.postgres import types
    from psycopg.pq import Format

    raw = connection.connection
    if raw.prepare_threshold is None:  # Django's default: no statement is prepared
        raw.prepare_threshold = 0  # server-bound cursors (only these) prepare on first run
    wrapper.cursor.close()
    cursor = ServerBindingCursor(raw)  # type: ignore[call-arg]  # psycopg 3's class
    tzloader = raw.adapters.get_loader(types["timestamptz"].oid, Format.TEXT)
    if connection.timezone != tzloader.timezone:  # as DatabaseWrapper.create_cursor
        register_tzloader(connection.timezone, cursor)
    wrapper.cursor = cursor
    return _Prepared(wrapper, connection)


def instance(model: type[models.Model], using: str, values: dict[str, Any]) -> Any:
    """A model instance as the ORM loads it with ``only(*values)``: the other fields deferred."""
    present = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(using, present, [values[name] for name in present])


def _row_by_pk(model: type[models.Model], *, pk: int) -> QuerySet[Any]:
    names = [f.attname for f in model._meta.concrete_fields]
    return model._base_manager.filter(pk=pk).order_by().values_list(*names)


_BY_PK = Precompiled(_row_by_pk)


def get_by_pk(model: type[models.Model], pk: int) -> Any:
    """``model._base_manager.get(pk=pk)`` (every column), compiled once per model; ``None`` when
    missing. For reads already decided by their caller's scope (an actor's own unit)."""
    rows = _BY_PK.rows(model, pk=pk)
    if not rows:
        return None
    names = [f.attname for f in model._meta.concrete_fields]
    return model.from_db(_BY_PK.using, names, list(rows[0]))


def attnames(model: type[models.Model]) -> list[str]:
    """Every concrete column of ``model`` by attribute name, in the order the ORM loads them."""
    return [f.attname for f in model._meta.concrete_fields]


def joined_names(parts: Sequence[tuple[str, type[models.Model]]]) -> list[str]:
    """The ``values_list`` names of a row that holds every column of each (prefix, model)
    part, in order: what ``select_related`` over those relations loads."""
    return [prefix + name for prefix, model in parts for name in attnames(model)]


def joined_instances(
    using: str, parts: Sequence[tuple[str, type[models.Model]]], row: Sequence[Any]
) -> dict[str, Any]:
    """Prefix → the instance of each part of a ``joined_names`` row (as the ORM builds them)."""
    instances, start = {}, 0
    for prefix, model in parts:
        names = attnames(model)
        instances[prefix] = model.from_db(using, names, list(row[start : start + len(names)]))
        start += len(names)
    return instances
