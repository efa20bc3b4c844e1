"""Input and output shapes of the applications API (rules live in services and rules.py)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from apps.classes.models import ClassWork

STATUS_HELP = (
    "draft — черновик, submitted — подана ОО, confirmed_municipality — подтверждена "
    "муниципалитетом, confirmed_region — подтверждена регионом"
)


class ApplicationCampaignSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    year = serializers.IntegerField()
    name = serializers.CharField()


class ApplicationSchoolSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    short_name = serializers.CharField()


class ApplicationListOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    campaign = ApplicationCampaignSerializer()
    school = ApplicationSchoolSerializer()
    status = serializers.CharField(help_text=STATUS_HELP)
    status_display = serializers.CharField(source="get_status_display")
    updated_at = serializers.DateTimeField()


class ApplicationLineOutputSerializer(serializers.Serializer[Any]):
    work = serializers.IntegerField(help_text="Работа (id)")
    grade = serializers.IntegerField()
    subject = serializers.CharField()
    takes_part = serializers.BooleanField()
    participants = serializers.IntegerField()
    classes = serializers.IntegerField()


class ApplicationDecisionOutputSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    who = serializers.CharField()
    role = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    # (a field named like Field.source / Serializer.errors is fine: DRF pops declared fields)
    source = serializers.CharField(help_text="browser, xlsx или api")  # type: ignore[assignment]
    comment = serializers.CharField(allow_blank=True)


class ApplicationAllowedSerializer(serializers.Serializer[Any]):
    edit = serializers.BooleanField()
    submit = serializers.BooleanField()
    confirm = serializers.BooleanField()
    reopen = serializers.BooleanField()


class ClassLineOutputSerializer(serializers.Serializer[Any]):
    class_work = serializers.IntegerField(help_text="Работа класса (id)")
    school_class = serializers.CharField(help_text="Класс: «4А»")
    class_number = serializers.IntegerField(help_text="Порядковый номер класса")
    grade = serializers.IntegerField()
    pupils = serializers.IntegerField(help_text="Обучающихся в классе по реестру")
    work = serializers.IntegerField(help_text="Работа (id)")
    subject = serializers.CharField()
    source = serializers.CharField(  # type: ignore[assignment]
        help_text="обязательная или по распределению"
    )
    participants = serializers.IntegerField(
        allow_null=True, help_text="Подтверждённое число участников; null — не подтверждено"
    )
    form = serializers.ChoiceField(choices=ClassWork.Form.choices)
    computer_allowed = serializers.BooleanField()
    confirmed = serializers.BooleanField()


class ApplicationOutputSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    campaign = ApplicationCampaignSerializer()
    school = ApplicationSchoolSerializer()
    status = serializers.CharField(help_text=STATUS_HELP)
    status_display = serializers.CharField()
    deadline = serializers.DateTimeField(
        help_text="Конец последнего дня приёма заявок от ОО (по местному времени ОО)"
    )
    deadline_passed = serializers.BooleanField()
    lock_message = serializers.CharField(allow_blank=True)
    allowed = ApplicationAllowedSerializer()
    lines = ApplicationLineOutputSerializer(many=True)
    by_class = serializers.BooleanField(
        help_text="true — заявка формируется по реестру классов: строки по работам считаются "
        "по классам (class_lines), менять их напрямую нельзя"
    )
    class_lines = ClassLineOutputSerializer(many=True)
    decisions = ApplicationDecisionOutputSerializer(many=True)


class ApplicationLineInputSerializer(serializers.Serializer[Any]):
    work = serializers.IntegerField(help_text="Работа (id) кампании заявки")
    takes_part = serializers.BooleanField()
    participants = serializers.IntegerField(default=0)
    classes = serializers.IntegerField(default=0)


class ApplicationLinesInputSerializer(serializers.Serializer[Any]):
    lines = ApplicationLineInputSerializer(
        many=True,
        required=False,
        default=list,
        help_text="Изменяются только названные работы; остальные строки остаются как есть.",
    )


class ClassLineInputSerializer(serializers.Serializer[Any]):
    class_work = serializers.IntegerField(help_text="Работа класса (id) из class_lines заявки")
    participants = serializers.IntegerField(
        help_text="Участников: от 1 до числа обучающихся класса"
    )
    form = serializers.ChoiceField(
        choices=ClassWork.Form.choices,
        required=False,
        error_messages={
            "invalid_choice": "Форма проведения — «paper» (бумажная) или «computer» (компьютерная)."
        },
        help_text="paper — бумажная, computer — компьютерная (где работа допускает); "
        "не указана — остаётся прежней",
    )


class ClassLinesInputSerializer(serializers.Serializer[Any]):
    lines = ClassLineInputSerializer(
        many=True,
        help_text="Подтверждаются только названные работы классов; остальные остаются как есть.",
    )


class ApplicationOpenInputSerializer(serializers.Serializer[Any]):
    school = serializers.IntegerField(help_text="ОО (id)")
    campaign = serializers.IntegerField(
        required=False, help_text="Кампания (id); по умолчанию — текущая"
    )


class DecisionCommentInputSerializer(serializers.Serializer[Any]):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ApplicationTransitionOutputSerializer(serializers.Serializer[Any]):
    changed = serializers.BooleanField(
        help_text="false — состояние уже было таким, ничего не изменено"
    )
    message = serializers.CharField()
    application = ApplicationOutputSerializer()


class SummaryUnitSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(help_text="federal, region, municipality или school")
    id = serializers.IntegerField(allow_null=True)
    code = serializers.CharField(allow_blank=True)
    name = serializers.CharField()


class SummaryCountsSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    id = serializers.IntegerField()
    code = serializers.CharField(allow_blank=True)
    name = serializers.CharField()
    schools = serializers.IntegerField(help_text="Действующих ОО")
    applied = serializers.IntegerField(help_text="Подали заявку (подана или подтверждена)")
    not_applied = serializers.IntegerField()
    confirmed_municipality = serializers.IntegerField(
        help_text="Подтверждено муниципалитетом (включая подтверждённые затем регионом)"
    )
    confirmed_region = serializers.IntegerField()
    participants = serializers.IntegerField()
    status = serializers.CharField(allow_blank=True, help_text="Состояние заявки (только для ОО)")
    application_id = serializers.IntegerField(allow_null=True)


class SummaryWorkTotalSerializer(serializers.Serializer[Any]):
    work = serializers.IntegerField()
    grade = serializers.IntegerField()
    subject = serializers.CharField()
    schools = serializers.IntegerField()
    participants = serializers.IntegerField()
    classes = serializers.IntegerField()


class SummaryOutputSerializer(serializers.Serializer[Any]):
    campaign = ApplicationCampaignSerializer(
        allow_null=True, help_text="null — кампания не заведена"
    )
    unit = SummaryUnitSerializer()
    total = SummaryCountsSerializer()
    children = SummaryCountsSerializer(many=True)
    works = SummaryWorkTotalSerializer(many=True)
