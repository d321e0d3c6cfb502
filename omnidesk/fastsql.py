"""Statements of the hottest paths without the ORM's per-call cost, still built by Django.

Compiling a query costs about a millisecond of Python, running it a tenth of that. For
the handful of statements every inbound event runs, this module does Django's work once:

- `CompiledSelect`: a queryset compiled once per thread (on PostgreSQL); each call runs
  its SQL with new parameters and builds the instances, their `select_related` objects
  included, with Django's own row converters and populators. Elsewhere (SQLite in the
  embedded default) it is simply the queryset.
- `insert_row` / `update_row`: one model row written by a statement made once per model,
  with the values the model's fields prepare (defaults, `auto_now`, JSON), so the row
  is the one `save()` would write. No `pre_save`/`post_save` signals are sent: use them
  only for models nothing listens to.
- `pipelined`: on PostgreSQL, a block in which the writes that need no answer (an
  `update_row`, an `insert_row(..., deferred=True)` of a row whose key is known, such
  as one reserved ahead by `reserve_keys` or `ReservedKeys`) are sent without waiting
  for one: they travel with the next statement that waits, instead of costing a round
  trip each (psycopg's pipeline mode). Every other statement still waits for its
  answer, so the ORM's reads of `rowcount` and its errors behave as outside the block.
- `prepared_cursor`: on PostgreSQL, these statements run as prepared statements, parsed
  and planned once per connection: planning the conversation's four-join SELECT cost
  PostgreSQL four times as long as running it. (Django turns psycopg's prepared
  statements off, for connection poolers in transaction mode; each connection here is
  PostgreSQL's own, or psycopg's pool's. A pgbouncer in front would need 1.21 or later,
  with max_prepared_statements set.)

tests/test_fastsql.py checks each against the ORM for identical rows and instances.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import psycopg
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[int, ...]  # where each argument goes in params
    build: Callable[[tuple[Any, ...]], Model]


class CompiledSelect(Generic[M]):
    """`first(*args)` of the queryset `make(*args)`, compiled once per thread.

    `sentinels` are one made-up value per argument, each unlike any other parameter of
    the query: the query is compiled with them to learn where each argument goes.
    """

    def __init__(self, make: Callable[..., QuerySet[M]], sentinels: Sequence[Any]) -> None:
        self._make = make
        self._sentinels = tuple(sentinels)
        self._local = threading.local()

    def first(self, *args: Any) -> M | None:
        db = _wrapper()
        if db.vendor != "postgresql":
            return self._make(*args).first()
        compiled: _Compiled | None = getattr(self._local, "compiled", None)
        if compiled is None:
            compiled = self._local.compiled = self._compile()
        params = list(compiled.params)
        for slot, value in zip(compiled.slots, args, strict=True):
            params[slot] = value
        with prepared_cursor(db) as cursor:
            cursor.execute(compiled.sql, params)
            row = cursor.fetchone()
        return None if row is None else compiled.build(row)  # type: ignore[return-value]

    def _compile(self) -> _Compiled:
        """What QuerySet.first() and ModelIterable do before and after executing."""
        queryset = self._make(*self._sentinels)
        if not queryset.ordered:
            queryset = queryset.order_by("pk")
        query = queryset[:1].query
        compiler = query.get_compiler(using=connection.alias)
        sql, params = compiler.as_sql()
        slots = tuple(_only_place(params, sentinel) for sentinel in self._sentinels)
        klass_info, select = compiler.klass_info, compiler.select
        assert klass_info is not None and not compiler.annotation_col_map
        model = klass_info["model"]
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        attnames = [column[0].target.attname for column in select[start:end]]
        populators = get_related_populators(klass_info, select, connection.alias)  # type: ignore[call-arg]
        converters = compiler.get_converters([column[0] for column in select[:compiler.col_count]])
        db = connection.alias

        def build(row: tuple[Any, ...]) -> Model:
            if converters:
                row = next(iter(compiler.apply_converters([row], converters)))
            instance = model.from_db(db, attnames, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            return instance  # type: ignore[no-any-return]

        return _Compiled(sql, tuple(params), slots, build)


def _only_place(params: Sequence[Any], sentinel: Any) -> int:
    places = [i for i, value in enumerate(params) if type(value) is type(sentinel)
              and value == sentinel]
    if len(places) != 1:
        raise ValueError(f"sentinel {sentinel!r} is in the query's parameters {len(places)} times")
    return places[0]


@dataclass(frozen=True)
class _Statement:
    sql: str
    fields: tuple[Any, ...]


_inserts: dict[tuple[type[Model], str, bool, bool], _Statement] = {}
_updates: dict[tuple[type[Model], tuple[str, ...]], _Statement] = {}


def insert_row(instance: Model, *, on_conflict: str = "",
               notify: tuple[str, str] | None = None, deferred: bool = False) -> bool:
    """INSERT the unsaved `instance` and take its new primary key, in one round trip (a
    model whose key is not generated, such as a one-to-one's, writes the one it has).
    With `on_conflict` (e.g. "(inbox_id, provider_id) WHERE provider_id IS NOT NULL"),
    a conflicting row writes nothing and the answer is False. With `notify` (a channel
    and a payload), the same statement sends that NOTIFY when it writes the row, which
    PostgreSQL delivers when the transaction commits (and drops if it rolls back).

    `deferred`, for an instance whose key is known (not generated, or reserved and set
    by the caller):
    inside `pipelined()` the row is sent without waiting, the answer is True, and a
    conflict raises Conflict when the block ends; elsewhere it is the plain INSERT."""
    model = type(instance)
    generated = model._meta.auto_field is not None
    keyed = generated and instance.pk is not None  # a reserved key
    assert instance._state.adding and (keyed or (instance.pk is None) is generated)
    key = (model, on_conflict, notify is not None, keyed)
    statement = _inserts.get(key)
    if statement is None:
        statement = _inserts[key] = _insert_statement(*key)
    db = _wrapper()
    values = [f.get_db_prep_save(f.pre_save(instance, True), db) for f in statement.fields]
    if notify is not None:
        values.extend(notify)
    pipeline = _pipeline() if deferred else None
    if pipeline is not None:
        with pipeline.sent_without_waiting(), prepared_cursor(db) as cursor:
            cursor.execute(statement.sql, values)
        pipeline.expect_row(cursor.cursor, instance)
        _saved(instance, db)
        return True
    with prepared_cursor(db) as cursor:
        cursor.execute(statement.sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    instance.pk = row[0]
    _saved(instance, db)
    return True


def _saved(instance: Model, db: BaseDatabaseWrapper) -> None:
    instance._state.adding = False
    instance._state.db = db.alias


def _insert_statement(model: type[Model], on_conflict: str, notifying: bool,
                      keyed: bool) -> _Statement:
    meta = model._meta
    assert meta.pk is not None
    fields = tuple(f for f in meta.concrete_fields if keyed or f is not meta.auto_field)
    conflict = f" ON CONFLICT {on_conflict} DO NOTHING" if on_conflict else ""
    columns = ", ".join(_quoted(f.column) for f in fields)
    values = ", ".join(["%s"] * len(fields))
    returning = _quoted(meta.pk.column)
    sql = f"INSERT INTO {_quoted(meta.db_table)} ({columns}) VALUES ({values})"  # noqa: S608
    sql = f"{sql}{conflict} RETURNING {returning}"
    if notifying:
        sql = f"WITH inserted AS ({sql}) SELECT {returning}, pg_notify(%s, %s) FROM inserted"  # noqa: S608
    return _Statement(sql, fields)


def update_row(instance: Model, fields: tuple[str, ...] = ()) -> None:
    """UPDATE every column of the saved `instance`, as `instance.save()` does; or only
    those of `fields` (names), as `save(update_fields=fields)` does. Inside
    `pipelined()`, sent without waiting."""
    assert not instance._state.adding and instance.pk is not None
    key = (type(instance), fields)
    statement = _updates.get(key)
    if statement is None:
        statement = _updates[key] = _update_statement(*key)
    db = _wrapper()
    values = [f.get_db_prep_save(f.pre_save(instance, False), db) for f in statement.fields]
    pipeline = _pipeline()
    with (pipeline.sent_without_waiting() if pipeline is not None else nullcontext()), \
            prepared_cursor(db) as cursor:
        cursor.execute(statement.sql, [*values, instance.pk])


def _update_statement(model: type[Model], names: tuple[str, ...]) -> _Statement:
    meta = model._meta
    assert meta.pk is not None
    fields = tuple(f for f in meta.concrete_fields
                   if not f.primary_key and (not names or f.name in names))
    assert not names or len(fields) == len(names), names
    assignments = ", ".join(f"{_quoted(f.column)} = %s" for f in fields)
    where = f"{_quoted(meta.pk.column)} = %s"
    return _Statement(f"UPDATE {_quoted(meta.db_table)} SET {assignments} WHERE {where}", fields)  # noqa: S608


def _quoted(name: str | None) -> str:
    # Table and column names are the models', never input; the values are parameters.
    assert name is not None
    return connection.ops.quote_name(name)


# psycopg prepares a statement seen this many times before with the same parameter
# types (a NULL has none, so a statement has a variant per pattern of NULLs): from its
# second run, so that a one-off variant costs no PREPARE round trip.
_PREPARE_THRESHOLD = 1


class _PreparingCursor(psycopg.Cursor[Any]):
    """Binds parameters on the server and runs each statement prepared from its second
    run on the connection."""

    def execute(  # type: ignore[override]
        self, query: Any, params: Any = None, **_options: Any
    ) -> _PreparingCursor:
        # Django sets the connection's prepare_threshold to None (prepared statements
        # off), which psycopg reads on each execute: on for this one only.
        conn = self.connection
        threshold = conn.prepare_threshold
        conn.prepare_threshold = _PREPARE_THRESHOLD
        try:
            return super().execute(query, params)
        finally:
            conn.prepare_threshold = threshold

    def _maybe_prepare_gen(self, pgq: Any, **options: Any) -> Any:
        # psycopg keeps the query it sent (`_query`, whose text Django logs) only when
        # it is not a prepared statement's execution.
        self._query = pgq
        return super()._maybe_prepare_gen(pgq, **options)


def prepared_cursor(db: BaseDatabaseWrapper | None = None) -> CursorWrapper:
    """`connection.cursor()`, whose statements PostgreSQL parses and plans once per
    connection (server-side parameters, each statement prepared on its second run). Only for
    statements run again and again with new parameters: each is kept by the connection
    (psycopg keeps the 100 last used). Elsewhere, Django's own cursor. `db`: the
    default connection, when the caller has it at hand."""
    db = db or _wrapper()
    if db.vendor != "postgresql":
        return db.cursor()
    # What BaseDatabaseWrapper._cursor() does, with a cursor of the class above (the
    # wrapper keeps Django's error mapping, execute wrappers and query logging).
    db.close_if_health_check_failed()
    db.ensure_connection()
    with db.wrap_database_errors:
        cursor = _PreparingCursor(db.connection)
        return db._prepare_cursor(cursor)  # type: ignore[attr-defined, no-any-return]


def reserve_keys(model: type[Model], count: int) -> list[int]:
    """`count` new keys of `model`'s table, in increasing order, from the table's own
    sequence (PostgreSQL; elsewhere none): a row given one is inserted without waiting
    for its key (`insert_row(..., deferred=True)`)."""
    return reserve_keys_of({model: count})[model]


def reserve_keys_of(counts: dict[type[Model], int]) -> dict[type[Model], list[int]]:
    """reserve_keys of several tables in one statement."""
    wanted = {model: count for model, count in counts.items() if count > 0}
    keys: dict[type[Model], list[int]] = {model: [] for model in counts}
    if not wanted or connection.vendor != "postgresql":
        return keys
    one = "ARRAY(SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s))"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join([one] * len(wanted)),
            [value for model, count in wanted.items() for value in (model._meta.db_table, count)],
        )
        row = cursor.fetchone()
    for model, reserved in zip(wanted, row, strict=True):
        keys[model] = sorted(reserved)
    return keys


class ReservedKeys:
    """reserve_keys a block at a time, for rows inserted one by one without waiting for
    their key: one statement per `block` rows. Only for tables whose keys nobody reads
    as an order or a count (jobs): a process's keys interleave with other processes',
    and those it has not used when it exits are never used."""

    def __init__(self, model: type[Model], block: int = 100) -> None:
        self._model, self._block = model, block
        self._keys: list[int] = []
        self._pid = os.getpid()
        self._lock = threading.Lock()

    def take(self) -> int | None:
        """A new key (None elsewhere than PostgreSQL)."""
        with self._lock:
            if self._pid != os.getpid():  # a forked child: its parent's keys are not its own
                self._keys, self._pid = [], os.getpid()
            if not self._keys:
                self._keys = reserve_keys(self._model, self._block)[::-1]
            return self._keys.pop() if self._keys else None


class Conflict(Exception):
    """A row `insert_row(..., deferred=True)` sent inside `pipelined()` was not written
    (it conflicted): raised when the block ends. The caller's transaction must roll back,
    since what followed the INSERT assumed it."""

    def __init__(self, instance: Model) -> None:
        super().__init__(f"{type(instance).__name__} {instance.pk} conflicted")
        self.instance = instance


@dataclass
class _Pipeline:
    pipeline: psycopg.Pipeline
    deferring: bool = False
    waited: int = 0  # statements answered before their callers went on
    expected: list[tuple[psycopg.Cursor[Any], Model]] = field(default_factory=list)

    @contextmanager
    def sent_without_waiting(self) -> Iterator[None]:
        self.deferring = True
        try:
            yield
        finally:
            self.deferring = False

    def expect_row(self, cursor: psycopg.Cursor[Any], instance: Model) -> None:
        self.expected.append((cursor, instance))

    def wait_unless_deferred(self, execute: Callable[..., Any], sql: str, params: Any,
                             many: bool, context: dict[str, Any]) -> Any:
        """A Django execute wrapper: every statement but those sent without waiting is
        answered before its caller goes on (its rows, rowcount and errors), which also
        sends the deferred ones queued before it, in the same round trip."""
        result = execute(sql, params, many, context)
        if not self.deferring:
            self.waited += 1
            with context["connection"].wrap_database_errors:
                self.pipeline.sync()
        return result

    def check_rows(self) -> None:
        """Once every answer is in: each deferred INSERT wrote its row."""
        for cursor, instance in self.expected:
            if cursor.rowcount != 1:
                raise Conflict(instance)


_pipelines = threading.local()


def _pipeline() -> _Pipeline | None:
    return getattr(_pipelines, "current", None)


def pipelining() -> bool:
    """Inside a `pipelined()` block (on PostgreSQL)."""
    return _pipeline() is not None


def statements_waited_for() -> int | None:
    """How many statements the current `pipelined()` block has waited for (None outside
    one): two equal readings say that nothing between them read or wrote other than by
    statements sent without waiting."""
    pipeline = _pipeline()
    return None if pipeline is None else pipeline.waited


@contextmanager
def pipelined() -> Iterator[None]:
    """Writes that need no answer, made in this block, travel with the next statement that
    waits for one (see the module's docstring). Use it only inside a transaction that an
    error rolls back as a whole: a deferred statement's error (or Conflict) is raised by a
    later statement, or when the block ends. Nested blocks are the outer one; elsewhere
    than PostgreSQL, a plain block."""
    db = _wrapper()
    if db.vendor != "postgresql" or _pipeline() is not None:
        yield
        return
    db.ensure_connection()
    # Leaving pipeline mode sends what is still unanswered and waits for every answer.
    with db.wrap_database_errors, db.connection.pipeline() as pipeline:
        state = _Pipeline(pipeline)
        _pipelines.current = state
        try:
            with db.execute_wrapper(state.wait_unless_deferred):
                yield
        finally:
            _pipelines.current = None
    state.check_rows()


def _wrapper() -> BaseDatabaseWrapper:
    """This thread's default connection itself: `django.db.connection` is a proxy that
    looks it up again on each attribute read, and a row's fields read it dozens of times
    while they prepare their values."""
    return connections[DEFAULT_DB_ALIAS]
