"""Input and output shapes of the results API (separate classes, as the style guide asks)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class ResultsUploadInputSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="Заполненная форма сбора результатов (.xlsx)")
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text="Только проверить файл, ничего не сохраняя"
    )
    observer = serializers.IntegerField(
        required=False,
        help_text="Общественный наблюдатель при загрузке: id активного наблюдателя этой ОО "
        "(участник дня проведения); другой id отклоняется с кодом 400",
    )
    confirm_dropped = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Подтвердить удаление участников прежней версии, которых нет в новом файле "
        "(без подтверждения такая загрузка отклоняется с кодом 409 и списком кодов)",
    )


class ResultsChangesSerializer(serializers.Serializer[Any]):
    added = serializers.IntegerField()
    changed = serializers.IntegerField()
    removed = serializers.IntegerField()


class ResultsVersionOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()
    uploaded_by = serializers.CharField(allow_null=True)
    # A declared field named like Field.source; DRF's metaclass collects it as a field.
    source = serializers.CharField()  # type: ignore[assignment]
    file_sha256 = serializers.CharField()
    participants = serializers.IntegerField()
    absent = serializers.IntegerField()
    late = serializers.BooleanField()
    changes = ResultsChangesSerializer()
    checked_by = serializers.DictField(
        child=serializers.CharField(),
        help_text="Кто проверял: код участника → ФИО эксперта на момент загрузки",
    )
    observer = serializers.IntegerField(
        allow_null=True, help_text="Общественный наблюдатель при загрузке (id)"
    )
    observer_name = serializers.CharField(
        allow_blank=True, help_text="ФИО наблюдателя на момент загрузки"
    )


class ResultsStateOutputSerializer(serializers.Serializer[Any]):
    school = serializers.DictField()
    work = serializers.DictField()
    held_on = serializers.DateField(allow_null=True)
    form_at = serializers.DateTimeField(
        allow_null=True, help_text="Публикация формы сбора результатов (8 класс — вместе с архивом)"
    )
    opens_at = serializers.DateTimeField(
        allow_null=True, help_text="Начало приёма результатов (вместе с критериями оценивания)"
    )
    deadline_at = serializers.DateTimeField()
    reopened_until = serializers.DateTimeField(allow_null=True)
    upload_open = serializers.BooleanField()
    current_version = ResultsVersionOutputSerializer(allow_null=True)
    versions = ResultsVersionOutputSerializer(many=True)
    federal_since = serializers.DateTimeField(
        allow_null=True,
        required=False,
        help_text="ВПР с контролем объективности: с этого момента официальные результаты — "
        "баллы федеральной проверки (загрузки ОО меняют только баллы ОО рядом с ними)",
    )


class ResultsUploadOutputSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
    dry_run = serializers.BooleanField()
    unchanged = serializers.BooleanField()
    participants = serializers.IntegerField()
    unused_codes = serializers.IntegerField()
    dropped_codes = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="При проверке: коды участников текущей версии, которых нет в файле",
    )
    version = ResultsVersionOutputSerializer(allow_null=True)
    own_only = serializers.BooleanField(
        required=False,
        help_text="Официальные результаты работы — федеральные: файл сохранён как баллы ОО, "
        "текущая версия не изменилась",
    )


class ResultsCellChangeSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    column = serializers.CharField()
    old = serializers.CharField(allow_blank=True)
    new = serializers.CharField(allow_blank=True)


class ResultsDiffOutputSerializer(serializers.Serializer[Any]):
    version = ResultsVersionOutputSerializer()
    against = serializers.IntegerField(
        allow_null=True, help_text="Номер версии, с которой сравнили"
    )
    added = serializers.ListField(child=serializers.CharField())
    removed = serializers.ListField(child=serializers.CharField())
    changed = ResultsCellChangeSerializer(many=True)


class ExpertEntryInputSerializer(serializers.Serializer[Any]):
    expert = serializers.IntegerField(
        required=False,
        help_text="Организатор ОО: id эксперта, за которого вносятся баллы (эксперт — не "
        "указывает)",
    )
    rows = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField(allow_blank=True)),
        max_length=5000,
        help_text="Строки эксперта, как в таблице формы: код, вариант (или «отсутствовал»), "
        "баллы по заданиям (0 … максимум или X), порядковый номер класса, отметка",
    )


class ExpertPersonSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class ExpertColumnSerializer(serializers.Serializer[Any]):
    label = serializers.CharField()  # type: ignore[assignment]
    max_score = serializers.IntegerField()


class ExpertEntryOutputSerializer(serializers.Serializer[Any]):
    expert = ExpertPersonSerializer(allow_null=True)
    experts = ExpertPersonSerializer(many=True, help_text="Эксперты с работами этой параллели")
    on_behalf = serializers.BooleanField()
    opens_at = serializers.DateTimeField(allow_null=True, help_text="Начало проверки (UTC)")
    closes_at = serializers.DateTimeField(help_text="Конец проверки (UTC)")
    open = serializers.BooleanField()
    headers = serializers.ListField(child=serializers.CharField())
    columns = ExpertColumnSerializer(many=True)
    codes = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))


class ReopenInputSerializer(serializers.Serializer[Any]):
    until = serializers.DateField(
        help_text="Последний день приёма (включительно, по местному времени ОО), ГГГГ-ММ-ДД"
    )
    reason = serializers.CharField(max_length=2000, help_text="Причина переоткрытия приёма")


class ReopenOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    school = serializers.IntegerField()
    work = serializers.IntegerField()
    until_day = serializers.DateField()
    until_at = serializers.DateTimeField(help_text="Приём открыт до этого момента (UTC)")
    reason = serializers.CharField()
    detail = serializers.CharField()


class RemindInputSerializer(serializers.Serializer[Any]):
    work = serializers.IntegerField(help_text="Работа, результаты которой не загружены")
    region = serializers.IntegerField(
        required=False, allow_null=True, help_text="Только ОО этого региона"
    )
    municipality = serializers.IntegerField(
        required=False, allow_null=True, help_text="Только ОО этого муниципалитета"
    )


class JobStateSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    finished = serializers.BooleanField()
    url = serializers.CharField(help_text="Адрес состояния задания (GET /api/v1/jobs/{id}/)")


class RemindOutputSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
    queued = serializers.IntegerField(help_text="ОО, которым уйдёт письмо")
    without_email = serializers.IntegerField(help_text="ОО без адреса электронной почты")
    job = JobStateSerializer()


class EntryRowsField(serializers.ListField):
    """The browser table's rows: code, variant (or «отсутствовал»), scores (0 … max or X),
    class number, mark — as texts, in the form's column order."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            child=serializers.ListField(child=serializers.CharField(allow_blank=True)),
            max_length=5000,
            **kwargs,
        )


class EntryInputSerializer(serializers.Serializer[Any]):
    rows = EntryRowsField(help_text="Строки таблицы в порядке столбцов формы")


class EntrySubmitInputSerializer(EntryInputSerializer):
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text="Только проверить, ничего не сохраняя"
    )
    confirm_dropped = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Подтвердить удаление участников прежней версии, которых нет в таблице",
    )
    observer = serializers.IntegerField(required=False, allow_null=True)


class EntryOutputSerializer(serializers.Serializer[Any]):
    headers = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    draft = serializers.BooleanField(help_text="Показан сохранённый черновик")
