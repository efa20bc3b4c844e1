"""Input and output serializers of the campaigns API (shape and types only)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.campaigns import rules
from apps.campaigns.models import Campaign, Difficulty, ReserveDayRequest, Session, Subject
from apps.core.uploads import looks_like_formula


def _no_formula(value: str) -> None:
    # A DRF validator: only raising matters, a returned value is discarded.
    if looks_like_formula(value):
        raise serializers.ValidationError("Значение не может начинаться со знака «=».")


# --- output -----------------------------------------------------------------------------------


class CampaignOutputSerializer(serializers.ModelSerializer[Campaign]):
    class Meta:
        model = Campaign
        fields = ["id", "year", "session", "name", "application_deadline", "is_active"]


class SubjectOutputSerializer(serializers.ModelSerializer[Subject]):
    class Meta:
        model = Subject
        fields = ["id", "code", "name"]


class TaskColumnOutputSerializer(serializers.Serializer[Any]):
    position = serializers.IntegerField()
    # DRF's metaclass pops declared fields, so this never shadows Field.label.
    label = serializers.CharField(help_text="Номер задания: 1, 9.1, 4К1")  # type: ignore[assignment]
    header = serializers.SerializerMethodField(help_text="Заголовок столбца формы: «9.1 (1б)»")
    max_score = serializers.IntegerField()
    difficulty = serializers.ChoiceField(choices=Difficulty.choices)
    topic = serializers.CharField()

    def get_header(self, obj: Any) -> str:
        return rules.column_header(obj.label, obj.max_score)


class WorkOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    campaign = serializers.IntegerField(source="campaign_id")
    subject_code = serializers.CharField(source="subject.code")
    subject_name = serializers.CharField(source="subject.name")
    grade = serializers.IntegerField()
    max_score = serializers.IntegerField()
    mark3_from = serializers.IntegerField(help_text="«3» от балла; «2» — ниже")
    mark4_from = serializers.IntegerField()
    mark5_from = serializers.IntegerField()
    duration_minutes = serializers.IntegerField()
    encrypted_archive = serializers.BooleanField()
    variants_per_school = serializers.IntegerField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    recommended_dates = serializers.ListField(child=serializers.DateField())
    materials_publish_date = serializers.DateField()
    results_upload_deadline = serializers.DateField()
    results_release_date = serializers.DateField()
    checking_until = serializers.DateField(
        allow_null=True, help_text="Последний день проверки работ; null — до дня загрузки"
    )
    columns = TaskColumnOutputSerializer(many=True, source="columns.all")


class PlanGraphRowOutputSerializer(serializers.Serializer[Any]):
    work = serializers.IntegerField()
    subject_name = serializers.CharField()
    grade = serializers.IntegerField()
    encrypted_archive = serializers.BooleanField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    recommended_dates = serializers.ListField(child=serializers.DateField())
    materials_publish_date = serializers.DateField()
    latest_materials_date = serializers.DateField(
        help_text="Крайний день публикации: за 4 дня до периода (8 класс — за 3 дня)"
    )
    criteria_rule = serializers.CharField()
    results_form_rule = serializers.CharField()
    password_rule = serializers.CharField(allow_blank=True)
    results_upload_deadline = serializers.DateField()
    results_release_date = serializers.DateField()
    checking_until = serializers.DateField(
        help_text="Последний день проверки работ экспертами ОО (по умолчанию — день загрузки)"
    )


class PlanGraphOutputSerializer(serializers.Serializer[Any]):
    campaign = CampaignOutputSerializer()
    works = PlanGraphRowOutputSerializer(many=True)


class ReserveBriefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    requested_date = serializers.DateField()
    decision = serializers.ChoiceField(source="status", choices=ReserveDayRequest.Status.choices)
    comment = serializers.CharField(allow_blank=True)


class ScheduleRowOutputSerializer(serializers.Serializer[Any]):
    work = serializers.IntegerField()
    subject_name = serializers.CharField()
    grade = serializers.IntegerField()
    encrypted_archive = serializers.BooleanField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    recommended_dates = serializers.ListField(child=serializers.DateField())
    chosen_date = serializers.DateField(allow_null=True)
    is_reserve_day = serializers.BooleanField()
    materials_available_at = serializers.DateTimeField()
    password_release_at = serializers.DateTimeField(allow_null=True)
    criteria_available_at = serializers.DateTimeField(allow_null=True)
    results_form_available_at = serializers.DateTimeField(allow_null=True)
    upload_deadline_at = serializers.DateTimeField(
        help_text="Первый момент после последнего дня загрузки (местное время ОО)"
    )
    release_at = serializers.DateTimeField()
    reserve_days = ReserveBriefSerializer(many=True)


class SchoolScheduleOutputSerializer(serializers.Serializer[Any]):
    school = serializers.IntegerField()
    time_zone = serializers.CharField()
    campaign = CampaignOutputSerializer(allow_null=True)
    works = ScheduleRowOutputSerializer(many=True)


class SchoolDateOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    school = serializers.IntegerField(source="school_id")
    school_code = serializers.CharField(source="school.code")
    work = serializers.IntegerField(source="work_id")
    date = serializers.DateField()
    reserve_day = serializers.IntegerField(source="reserve_id", allow_null=True)
    updated_at = serializers.DateTimeField()


class ReserveDayOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    school = serializers.IntegerField(source="school_id")
    school_code = serializers.CharField(source="school.code")
    work = serializers.IntegerField(source="work_id")
    requested_date = serializers.DateField()
    reason = serializers.CharField()
    classes = serializers.CharField(
        allow_blank=True, help_text="Классы, для которых запрошен день («4А, 4Б»); пусто — вся ОО"
    )
    decision = serializers.ChoiceField(source="status", choices=ReserveDayRequest.Status.choices)
    comment = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


class WorkImportOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    status = serializers.CharField()
    original_name = serializers.CharField()
    preview = serializers.JSONField()
    created_at = serializers.DateTimeField()
    applied_at = serializers.DateTimeField(allow_null=True)


# --- input ------------------------------------------------------------------------------------


class CampaignInputSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    session = serializers.ChoiceField(choices=Session.choices, default=Session.SPRING)
    name = serializers.CharField(max_length=100, validators=[_no_formula])
    application_deadline = serializers.DateField()
    is_active = serializers.BooleanField(default=False)


class SubjectInputSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=100, validators=[_no_formula])


class ColumnInputSerializer(serializers.Serializer[Any]):
    # DRF's metaclass pops declared fields, so this never shadows Field.label.
    label = serializers.CharField(max_length=16)  # type: ignore[assignment]
    max_score = serializers.IntegerField()
    difficulty = serializers.ChoiceField(choices=Difficulty.choices, default=Difficulty.BASIC)
    topic = serializers.CharField(allow_blank=True, default="", validators=[_no_formula])


class WorkInputSerializer(serializers.Serializer[Any]):
    """A whole work; on PATCH only the fields given replace the saved ones (columns as a whole)."""

    campaign = serializers.IntegerField(help_text="Кампания (только при создании)")
    subject_code = serializers.CharField(max_length=40)
    subject_name = serializers.CharField(
        max_length=100,
        required=False,
        default="",
        allow_blank=True,
        help_text="Нужно, только если предмета с таким кодом ещё нет",
        validators=[_no_formula],
    )
    grade = serializers.IntegerField()
    max_score = serializers.IntegerField()
    mark3_from = serializers.IntegerField()
    mark4_from = serializers.IntegerField()
    mark5_from = serializers.IntegerField()
    duration_minutes = serializers.IntegerField(default=45)
    encrypted_archive = serializers.BooleanField(default=False)
    variants_per_school = serializers.IntegerField(default=2)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    recommended_dates = serializers.ListField(child=serializers.DateField(), default=list)
    materials_publish_date = serializers.DateField()
    results_upload_deadline = serializers.DateField()
    results_release_date = serializers.DateField()
    checking_until = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Последний день проверки работ; не раньше конца периода и не позже дня "
        "загрузки результатов; пусто — до последнего дня загрузки",
    )
    columns = ColumnInputSerializer(many=True)


class WorkImportInputSerializer(serializers.Serializer[Any]):
    campaign = serializers.IntegerField()
    file = serializers.FileField(required=False, help_text="Файл .xlsx или .json")
    document = serializers.JSONField(
        required=False, help_text="Документ JSON (вместо файла), как в выгрузке работ"
    )
    apply = serializers.BooleanField(
        default=False, help_text="true — сразу применить; false — только предпросмотр"
    )


class WorkImportApplyInputSerializer(serializers.Serializer[Any]):
    batch = serializers.IntegerField(help_text="Загрузка в состоянии «предпросмотр»")


class SchoolDateInputSerializer(serializers.Serializer[Any]):
    school = serializers.IntegerField()
    work = serializers.IntegerField()
    date = serializers.DateField()


class SchoolDateMoveInputSerializer(SchoolDateInputSerializer):
    reason = serializers.CharField(
        max_length=2000, help_text="Причина переноса (записывается в журнал действий)"
    )


class ReserveDayInputSerializer(serializers.Serializer[Any]):
    school = serializers.IntegerField()
    work = serializers.IntegerField()
    requested_date = serializers.DateField()
    reason = serializers.CharField(max_length=2000)


class ReserveDecisionInputSerializer(serializers.Serializer[Any]):
    request = serializers.IntegerField(help_text="Запрос резервного дня")
    verdict = serializers.ChoiceField(
        choices=[ReserveDayRequest.Status.APPROVED, ReserveDayRequest.Status.REJECTED]
    )
    comment = serializers.CharField(allow_blank=True, default="", max_length=2000)
