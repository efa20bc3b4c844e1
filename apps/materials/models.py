"""Materials: the item bank, per-school kits with their variants, and participant codes.

* ``WorkBank`` / ``BankItem`` — the bank (банк оценочных средств) of one work, federal data.
  Items are never edited once a variant uses them; an import bumps the bank's revision and
  retires items instead of deleting them, so any kit can be regenerated from its recorded seed
  and bank revision.
* ``Kit`` — one school × one work: the recorded seed, the variants, the built archive and
  (grade 8) the archive password, Fernet-encrypted at rest.
* ``Variant`` — one variant of a kit with its global identifier printed on every page.
* ``ParticipantCode`` — 5-digit codes of a school, per grade (and register class), for all its
  works.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from apps.core.models import BaseModel, SchoolIdOwnedModel, SchoolOwnedModel
from apps.core.scoping import Level, ScopedModel, ScopedQuerySet

if TYPE_CHECKING:
    from apps.classes.models import SchoolClass


class WorkBank(BaseModel, ScopedModel):
    """The bank of one work: its current revision. Federal data: no org unit sees it."""

    scope_fields: dict[Level, str] = {}

    work = models.OneToOneField(
        "campaigns.Work", verbose_name="работа", on_delete=models.PROTECT, related_name="+"
    )
    revision = models.PositiveIntegerField("версия банка", default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "банк заданий работы"
        verbose_name_plural = "банки заданий"

    def __str__(self) -> str:
        return f"Банк {self.work_id} v{self.revision}"


class BankItem(BaseModel, ScopedModel):
    """One item of the bank for one task column: text (markup), answer/criteria, difficulty.

    An item belongs to bank revisions ``since_revision`` .. ``until_revision - 1``.
    """

    scope_fields: dict[Level, str] = {}

    work = models.ForeignKey(
        "campaigns.Work", verbose_name="работа", on_delete=models.PROTECT, related_name="+"
    )
    column = models.ForeignKey(
        "campaigns.TaskColumn",
        verbose_name="задание (столбец формы)",
        on_delete=models.PROTECT,
        related_name="+",
    )
    code = models.CharField("шифр", max_length=40)
    text = models.TextField("текст задания")
    answer = models.TextField("ответ и критерии оценивания")
    difficulty = models.PositiveSmallIntegerField(
        "сложность (1–5)", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    topic = models.CharField("тема", max_length=300, blank=True)
    since_revision = models.PositiveIntegerField("с версии банка")
    until_revision = models.PositiveIntegerField("до версии банка", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "задание банка"
        verbose_name_plural = "задания банка"
        ordering = ["work", "column__position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["work", "code"], name="bank_item_code_unique"),
            models.CheckConstraint(
                condition=models.Q(difficulty__gte=1) & models.Q(difficulty__lte=5),
                name="bank_item_difficulty_range",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Kit(BaseModel, SchoolOwnedModel):
    """The materials of one school for one work (комплект): variants, archive, password."""

    class Status(models.TextChoices):
        GENERATED = "generated", "варианты сформированы"
        READY = "ready", "архив готов"
        FAILED = "failed", "ошибка сборки"

    school = models.ForeignKey(
        "registration.School", verbose_name="ОО", on_delete=models.PROTECT, related_name="+"
    )
    work = models.ForeignKey(
        "campaigns.Work", verbose_name="работа", on_delete=models.PROTECT, related_name="+"
    )
    seed = models.BigIntegerField("зерно генерации")
    bank_revision = models.PositiveIntegerField("версия банка")
    balanced = models.BooleanField(
        "сложность вариантов выровнена",
        default=True,
        help_text="Нет — если неповторяющихся выровненных вариантов в муниципалитете не хватило.",
    )
    participants = models.PositiveIntegerField("участников по заявке")
    status = models.CharField(
        "состояние", max_length=16, choices=Status.choices, default=Status.GENERATED
    )
    archive_path = models.CharField("архив в хранилище", max_length=500, blank=True)
    archive_name = models.CharField("имя файла архива", max_length=255, blank=True)
    archive_sha256 = models.CharField("SHA-256 архива", max_length=64, blank=True)
    archive_size = models.PositiveBigIntegerField("размер архива", default=0)
    archive_built_at = models.DateTimeField("архив собран", null=True, blank=True)
    criteria_path = models.CharField("критерии в хранилище", max_length=500, blank=True)
    # A Fernet token (apps.core.crypto) of the grade-8 archive password; never plain.
    password_token = models.TextField("пароль архива (зашифрован)", blank=True)

    class Meta:
        verbose_name = "комплект материалов ОО"
        verbose_name_plural = "комплекты материалов ОО"
        ordering = ["work", "school__code"]
        constraints = [
            models.UniqueConstraint(fields=["school", "work"], name="kit_unique_per_school_work")
        ]

    def __str__(self) -> str:
        return f"Комплект {self.school_id}/{self.work_id}"


class Variant(BaseModel, SchoolIdOwnedModel):
    """One variant of a kit. ``uid`` is printed on every page and traces a page to its school.

    ``signature`` (SHA-256 of the item ids in column order) is unique per municipality and
    work: no two schools of a municipality get an identical variant (the DB enforces it).
    """

    kit = models.ForeignKey(
        Kit, verbose_name="комплект", on_delete=models.CASCADE, related_name="variants"
    )
    work = models.ForeignKey(
        "campaigns.Work", verbose_name="работа", on_delete=models.PROTECT, related_name="+"
    )
    number = models.PositiveSmallIntegerField("номер варианта")
    uid = models.CharField("идентификатор варианта", max_length=16, unique=True)
    signature = models.CharField("состав (SHA-256)", max_length=64)
    items = models.JSONField("задания банка по столбцам")
    difficulty = models.PositiveSmallIntegerField("суммарная сложность")

    class Meta:
        verbose_name = "вариант"
        verbose_name_plural = "варианты"
        ordering = ["kit", "number"]
        constraints = [
            models.UniqueConstraint(fields=["kit", "number"], name="variant_number_unique"),
            models.UniqueConstraint(
                fields=["work", "municipality_id", "signature"],
                name="variant_unique_in_municipality",
            ),
        ]

    def __str__(self) -> str:
        return f"Вариант {self.number} ({self.uid})"


class ParticipantCode(BaseModel, SchoolOwnedModel):
    """A 5-digit participant code of a school: one per participant for all works of a grade.

    Unique within the school for the campaign; ``reserve`` marks the spare codes. A code issued
    per class of the school's register belongs to that class (``school_class``); its
    «Порядковый номер класса» is then the class's current number (``current_class_number``),
    so a class renumbered in the register keeps its codes. ``class_number`` is the number the
    code was last issued (or re-attached) under: the only number of a code issued per grade
    or for a school without a register.
    """

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name="кампания", on_delete=models.PROTECT, related_name="+"
    )
    school = models.ForeignKey(
        "registration.School", verbose_name="ОО", on_delete=models.PROTECT, related_name="+"
    )
    grade = models.PositiveSmallIntegerField("класс (параллель)")
    class_number = models.PositiveSmallIntegerField("порядковый номер класса", null=True)
    school_class = models.ForeignKey(
        "classes.SchoolClass",
        verbose_name="класс реестра",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="codes",
        help_text="Класс реестра ОО, для которого выдан код (коды, выданные на параллель, — "
        "без класса).",
    )
    code = models.CharField("код участника", max_length=5)
    reserve = models.BooleanField("резервный", default=False)
    # ОВЗ: marked by the school organizer (apps/materials/ovz.py); codes only, never names.
    ovz = models.BooleanField("участник с ОВЗ", default=False)
    accommodations = models.JSONField("специальные условия", default=list, blank=True)

    class Meta:
        verbose_name = "код участника"
        verbose_name_plural = "коды участников"
        ordering = ["school", "grade", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "school", "code"], name="participant_code_unique_in_school"
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def current_class(self) -> SchoolClass | None:
        """The register class the code belongs to now: its class while that class is active and
        of the code's grade (a class removed or moved to another grade holds no codes).
        Load ``school_class`` with the code (``select_related``)."""
        school_class = self.school_class
        if school_class is None or not school_class.is_active or school_class.grade != self.grade:
            return None
        return school_class

    @property
    def current_class_number(self) -> int | None:
        """The code's «Порядковый номер класса» as of now, the one place every reader takes it
        from (code sheets, protocols, the results form): its register class's current number;
        none once that class left the register (or its grade); the number it was issued under
        for a code issued per grade or for a school without a register."""
        if self.school_class_id is None:
            return self.class_number
        current = self.current_class
        return None if current is None else current.number


class MaterialFile(BaseModel, ScopedModel):
    """A file of a work's bank, stored through ``default_storage`` under its SHA-256.

    * ``attachment`` — an accompanying file (dictation audio, a PDF) of the work or of one bank
      item; it goes into every archive of the work (the item's: when the kit uses the item);
    * ``image`` — an image referenced from item markup as ``[img:<name>]``, drawn into the PDFs.

    Federal data: no org unit sees it. The stored content of a name never changes under a kit
    (images are immutable per name; see ``services.bank_import``).
    """

    class Kind(models.TextChoices):
        ATTACHMENT = "attachment", "сопровождающий файл"
        IMAGE = "image", "изображение в тексте задания"

    scope_fields: dict[Level, str] = {}

    work = models.ForeignKey(
        "campaigns.Work", verbose_name="работа", on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(
        BankItem,
        verbose_name="задание банка",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    kind = models.CharField("вид", max_length=16, choices=Kind.choices)
    name = models.CharField("имя файла", max_length=200)
    path = models.CharField("путь в хранилище", max_length=500)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField("размер")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "файл банка"
        verbose_name_plural = "файлы банка"
        ordering = ["work", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["work", "kind", "name"], name="material_file_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name
