"""The org hierarchy (Region → Municipality → School), the user, and the grants.

A user's grant is a django-guardian object permission on the one org unit it serves
(direct-FK tables, one row per grant). What a user may see follows from the grant through
the FK paths declared in each model's ``scope_fields``.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from guardian.models import UserObjectPermissionBase

from apps.core.models import BaseModel, UnitScopedModel
from apps.core.scoping import Level, ScopedModel, ScopedQuerySet
from apps.registration import constants as c


class User(AbstractUser):
    """A portal account. Its role and org unit come from its grant, not from fields here."""

    full_name = models.CharField("ФИО", max_length=300, blank=True)
    position = models.CharField("должность", max_length=300, blank=True)
    phone = models.CharField("телефон", max_length=50, blank=True)
    must_change_password = models.BooleanField("сменить пароль при входе", default=False)
    # Two-factor login (RFC 6238). The secret is a Fernet token (apps.core.crypto), never
    # plain; it is set while enabling and becomes active only after a confirmed code.
    totp_secret = models.TextField("секрет TOTP (зашифрован)", blank=True)
    totp_enabled = models.BooleanField("вход с одноразовым кодом", default=False)
    totp_last_counter = models.BigIntegerField("последний принятый шаг TOTP", null=True, blank=True)
    disabled_at = models.DateTimeField("отключена", null=True, blank=True)

    class Meta:
        verbose_name = "пользователь"
        verbose_name_plural = "пользователи"

    def __str__(self) -> str:
        return f"{self.username} ({self.full_name})" if self.full_name else self.username


class Region(BaseModel, ScopedModel):
    """A subject of the Russian Federation."""

    scope_fields = {Level.REGION: "pk"}
    instant_whose = "время региона"  # the label of instants shown on its clock (core.instants)

    code = models.CharField(
        "код", max_length=2, unique=True, validators=[RegexValidator(c.REGION_CODE_REGEX)]
    )
    name = models.CharField("наименование", max_length=200)
    time_zone = models.CharField(
        "часовой пояс", max_length=40, choices=c.TIME_ZONE_CHOICES, default="Europe/Moscow"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "регион"
        verbose_name_plural = "регионы"
        ordering = ["code"]
        permissions = [
            ("operate_federal", "Федеральный оператор"),
            ("coordinate_region", "Региональный координатор"),
            ("mark_federal", "Эксперт федеральной комиссии"),
            ("mark_region", "Эксперт региональной комиссии"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Municipality(BaseModel, ScopedModel):
    """A municipal district or city district of a region."""

    scope_fields = {Level.REGION: "region_id", Level.MUNICIPALITY: "pk"}
    instant_whose = "время МО"

    region = models.ForeignKey(
        Region, verbose_name="регион", on_delete=models.PROTECT, related_name="municipalities"
    )
    code = models.CharField(
        "код", max_length=16, unique=True, validators=[RegexValidator(c.MUNICIPALITY_CODE_REGEX)]
    )
    name = models.CharField("наименование", max_length=300)
    time_zone = models.CharField(
        "часовой пояс",
        max_length=40,
        choices=c.TIME_ZONE_CHOICES,
        blank=True,
        help_text="Если не указан, берётся часовой пояс региона.",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "муниципалитет"
        verbose_name_plural = "муниципалитеты"
        ordering = ["code"]
        permissions = [
            ("coordinate_municipality", "Муниципальный координатор"),
            ("mark_municipality", "Эксперт муниципальной комиссии"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        # The zone defaults to the region's (one-row rule: the region is this row's parent).
        if not self.time_zone and self.region_id:
            self.time_zone = self.region.time_zone


class School(BaseModel, ScopedModel):
    """An educational organisation (ОО). A school with history is closed, never deleted."""

    scope_fields = {
        Level.REGION: "region_id",
        Level.MUNICIPALITY: "municipality_id",
        Level.SCHOOL: "pk",
    }
    instant_whose = "время ОО"

    municipality = models.ForeignKey(
        Municipality, verbose_name="муниципалитет", on_delete=models.PROTECT, related_name="schools"
    )
    # Copied from the municipality by services: one indexed column for regional scoping.
    region = models.ForeignKey(
        Region, verbose_name="регион", on_delete=models.PROTECT, related_name="schools"
    )
    code = models.CharField(
        "код (логин)", max_length=9, unique=True, validators=[RegexValidator(c.SCHOOL_CODE_REGEX)]
    )
    full_name = models.CharField("полное наименование", max_length=500)
    short_name = models.CharField("краткое наименование", max_length=200)
    address = models.CharField("адрес", max_length=500, blank=True)
    school_type = models.CharField(
        "тип ОО", max_length=16, choices=c.SchoolType.choices, default=c.SchoolType.SOSH
    )
    status = models.CharField(
        "статус", max_length=8, choices=c.SchoolStatus.choices, default=c.SchoolStatus.ACTIVE
    )
    time_zone = models.CharField(
        "часовой пояс",
        max_length=40,
        choices=c.TIME_ZONE_CHOICES,
        blank=True,
        help_text="Если не указан, берётся часовой пояс муниципалитета.",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "образовательная организация"
        verbose_name_plural = "образовательные организации"
        ordering = ["code"]
        permissions = [
            ("organize_school", "Ответственный организатор ОО"),
            ("assist_school", "Технический специалист ОО"),
            ("check_school", "Эксперт по проверке работ ОО"),
        ]
        indexes = [models.Index(fields=["municipality", "status"])]

    def __str__(self) -> str:
        return f"{self.code} {self.short_name}"

    def clean(self) -> None:
        if self.municipality_id:
            self.region_id = self.municipality.region_id
            if not self.time_zone:
                self.time_zone = self.municipality.time_zone or self.municipality.region.time_zone


class RegionGrant(UserObjectPermissionBase):
    """A user's object permission on a region (regional coordinator)."""

    content_object = models.ForeignKey(Region, verbose_name="регион", on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "право на регион"
        verbose_name_plural = "права на регионы"


class MunicipalityGrant(UserObjectPermissionBase):
    """A user's object permission on a municipality (municipal coordinator)."""

    content_object = models.ForeignKey(
        Municipality, verbose_name="муниципалитет", on_delete=models.CASCADE
    )

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "право на муниципалитет"
        verbose_name_plural = "права на муниципалитеты"


class SchoolGrant(UserObjectPermissionBase):
    """A user's object permission on a school (organizer, technical specialist or expert)."""

    content_object = models.ForeignKey(School, verbose_name="ОО", on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "право на ОО"
        verbose_name_plural = "права на ОО"


class CredentialsFile(BaseModel, UnitScopedModel):
    """A credentials file (unit, ФИО, login, one-time password) for the coordinator who issued it.

    The passwords exist in plaintext nowhere: ``payload`` is a Fernet token of the rows, the xlsx
    is built at download, and the payload is wiped by that single download (or on expiry).
    The scope columns are those of the unit whose accounts the file holds.
    """

    issued_by = models.ForeignKey(
        User, verbose_name="кто выдал", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("наименование", max_length=300)
    logins = models.JSONField("логины", default=list, blank=True)
    payload = models.TextField("содержимое (зашифровано)", blank=True)
    expires_at = models.DateTimeField("хранится до")
    downloaded_at = models.DateTimeField("скачан", null=True, blank=True)
    downloaded_by = models.ForeignKey(
        User,
        verbose_name="кто скачал",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    batch = models.ForeignKey(
        "core.ImportBatch",
        verbose_name="загрузка",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "файл с учётными данными"
        verbose_name_plural = "файлы с учётными данными"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class SettlementType(models.TextChoices):
    CITY = "city", "Город"
    TOWN = "town", "Посёлок городского типа"
    RURAL = "rural", "Сельская местность"


class SchoolProfile(BaseModel, ScopedModel):
    """The school questionnaire («опросный лист ОО»), filled by the school in the browser.

    ``grades`` maps a grade ("4".."11") to {"classes": n, "pupils": n}.
    Staff contacts only: participants' names are never stored anywhere.
    """

    scope_fields = {
        Level.REGION: "school__region_id",
        Level.MUNICIPALITY: "school__municipality_id",
        Level.SCHOOL: "school_id",
    }

    school = models.OneToOneField(
        School, verbose_name="ОО", on_delete=models.PROTECT, related_name="profile"
    )
    school_type = models.CharField("тип ОО", max_length=16, choices=c.SchoolType.choices)
    settlement_type = models.CharField(
        "тип населённого пункта", max_length=8, choices=SettlementType.choices
    )
    address = models.CharField("адрес", max_length=500)
    director_name = models.CharField("ФИО руководителя", max_length=300)
    phone = models.CharField("телефон", max_length=50)
    email = models.EmailField("электронная почта")
    grades = models.JSONField("классы и обучающиеся по параллелям", default=dict)
    time_zone_confirmed = models.BooleanField("часовой пояс подтверждён", default=False)
    filled_at = models.DateTimeField("заполнен", null=True, blank=True)
    filled_by = models.ForeignKey(
        User,
        verbose_name="кто заполнил",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "опросный лист ОО"
        verbose_name_plural = "опросные листы ОО"

    def __str__(self) -> str:
        return f"Опросный лист {self.school_id}"
