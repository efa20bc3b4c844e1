"""Announcements and documents: notices published down the hierarchy, their versioned files and
who has read them.

Visibility runs two ways, so ``Notice`` has its own ``for_actor``:

* with ``A.PUBLISH_NOTICES`` (the author's side: editing, new file versions, read receipts) an
  actor sees the notices authored in its own subtree — the usual downward scoping over the
  copied ``region_id``/``municipality_id`` columns of the author unit;
* with ``A.VIEW_NOTICES`` (the reader's side) it sees those plus what came from above and is
  addressed to its level: a school sees the notices of its municipality, its region and the
  federal level that name schools in the audience; a municipality those of its region and the
  federal level that name municipalities; a region the federal ones that name regions.

Everything else answers 404, like a missing notice.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.models import BaseModel, UnitScopedModel
from apps.core.scoping import ActorLike, Level, Scope, ScopedModel, ScopedQuerySet
from apps.registration.access import A


class AuthorLevel(models.IntegerChoices):
    """The level of the unit that published a notice (the same numbers as ``core.Level``)."""

    FEDERAL = int(Level.FEDERAL), "Федеральный оператор"
    REGION = int(Level.REGION), "Региональный координатор"
    MUNICIPALITY = int(Level.MUNICIPALITY), "Муниципальный координатор"


def _from_above(scope: Scope, prefix: str = "") -> Q:
    """Notices published above ``scope`` and addressed to its level."""
    f = prefix
    federal = Q(**{f"{f}author_level": AuthorLevel.FEDERAL})
    if scope.level is Level.REGION:
        return federal & Q(**{f"{f}for_regions": True})
    if scope.level is Level.MUNICIPALITY:
        region = Q(**{f"{f}author_level": AuthorLevel.REGION, f"{f}region_id": scope.region_id})
        return (federal | region) & Q(**{f"{f}for_municipalities": True})
    if scope.level is Level.SCHOOL:
        region = Q(**{f"{f}author_level": AuthorLevel.REGION, f"{f}region_id": scope.region_id})
        muni = Q(
            **{
                f"{f}author_level": AuthorLevel.MUNICIPALITY,
                f"{f}municipality_id": scope.municipality_id,
            }
        )
        return (federal | region | muni) & Q(**{f"{f}for_schools": True})
    return Q(pk__in=[])


def _authored_below(scope: Scope, prefix: str = "") -> Q:
    """Notices published by the unit of ``scope`` or by a unit below it."""
    if scope.level is Level.REGION:
        return Q(**{f"{prefix}region_id": scope.anchor_id})
    if scope.level is Level.MUNICIPALITY:
        return Q(**{f"{prefix}municipality_id": scope.anchor_id})
    return Q(pk__in=[])


def notice_filter(actor: ActorLike, action: str, prefix: str = "") -> Q | None:
    """The filter of the notices ``actor`` may use under ``action``: None means all of them,
    ``Q(pk__in=[])`` none. ``prefix`` is the lookup path from another model to its notice."""
    if not actor.can(action):
        return Q(pk__in=[])
    scope = actor.scope
    if scope.level is Level.FEDERAL:
        return None
    if scope.anchor_id is None:
        return Q(pk__in=[])
    if action == A.PUBLISH_NOTICES:
        return _authored_below(scope, prefix)
    return _authored_below(scope, prefix) | _from_above(scope, prefix)


def addressed_filter(scope: Scope, prefix: str = "") -> Q:
    """Notices addressed to ``scope``'s level from above (the ones that count as unread)."""
    return _from_above(scope, prefix)


class NoticeQuerySet(ScopedQuerySet["Notice"]):
    def for_actor(self, actor: ActorLike, action: str) -> Self:
        where = notice_filter(actor, action)
        return self if where is None else self.filter(where)


class NoticeFileQuerySet(ScopedQuerySet["NoticeFile"]):
    def for_actor(self, actor: ActorLike, action: str) -> Self:
        where = notice_filter(actor, action, prefix="notice__")
        return self if where is None else self.filter(where)


class Notice(BaseModel, ScopedModel):
    """An announcement or instruction that a unit publishes to the levels below it.

    ``region``/``municipality`` are the author unit (a municipality's notice carries its region
    too, copied by the service), so the downward scoping is one indexed column as elsewhere.
    """

    scope_fields = {Level.REGION: "region_id", Level.MUNICIPALITY: "municipality_id"}

    author_level = models.PositiveSmallIntegerField("уровень автора", choices=AuthorLevel.choices)
    region = models.ForeignKey(
        "registration.Region",
        verbose_name="регион автора",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    municipality = models.ForeignKey(
        "registration.Municipality",
        verbose_name="муниципалитет автора",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    for_regions = models.BooleanField("регионам", default=False)
    for_municipalities = models.BooleanField("муниципалитетам", default=False)
    for_schools = models.BooleanField("ОО", default=False)
    title = models.CharField("заголовок", max_length=200)
    body = models.TextField("текст", blank=True)
    published_at = models.DateTimeField("опубликовано", db_index=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name="кампания",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="автор", on_delete=models.PROTECT, related_name="+"
    )

    objects: ClassVar = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = "объявление"
        verbose_name_plural = "объявления и документы"
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(for_regions=True) | Q(for_municipalities=True) | Q(for_schools=True),
                name="notice_has_audience",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def author_unit(self) -> Any:
        """The publishing unit (None for the federal operator)."""
        if self.author_level == AuthorLevel.MUNICIPALITY:
            return self.municipality
        if self.author_level == AuthorLevel.REGION:
            return self.region
        return None

    @property
    def author_label(self) -> str:
        unit = self.author_unit
        return unit.name if unit is not None else "Федеральный оператор"

    @property
    def audience_label(self) -> str:
        parts = [
            label
            for flag, label in (
                (self.for_regions, "регионам"),
                (self.for_municipalities, "муниципалитетам"),
                (self.for_schools, "ОО"),
            )
            if flag
        ]
        return ", ".join(parts)


class NoticeFile(BaseModel, ScopedModel):
    """One version of a notice's document, stored through the storage API. A new version never
    replaces the old ones: each stays downloadable under its own number."""

    scope_fields = {
        Level.REGION: "notice__region_id",
        Level.MUNICIPALITY: "notice__municipality_id",
    }

    notice = models.ForeignKey(
        Notice, verbose_name="объявление", on_delete=models.PROTECT, related_name="files"
    )
    version = models.PositiveIntegerField("версия")
    original_name = models.CharField("имя файла", max_length=255)
    path = models.CharField("путь в хранилище", max_length=500)
    size = models.PositiveBigIntegerField("размер, байт")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField("загружено")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="загрузил",
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects: ClassVar = NoticeFileQuerySet.as_manager()

    class Meta:
        verbose_name = "файл объявления"
        verbose_name_plural = "файлы объявлений"
        ordering = ["notice_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "version"], name="notice_file_version"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} (версия {self.version})"


class NoticeRead(UnitScopedModel):
    """The first time a user opened a notice. The reader's unit ids are copied from its scope, so
    the author counts readers per unit from this table alone."""

    notice = models.ForeignKey(
        Notice, verbose_name="объявление", on_delete=models.CASCADE, related_name="reads"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="пользователь",
        on_delete=models.CASCADE,
        related_name="+",
    )
    level = models.PositiveSmallIntegerField("уровень читателя")
    read_at = models.DateTimeField("впервые прочитано")

    objects: ClassVar = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "прочтение объявления"
        verbose_name_plural = "прочтения объявлений"
        constraints = [
            models.UniqueConstraint(fields=["notice", "user"], name="notice_read_once"),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id}: {self.user_id}"
