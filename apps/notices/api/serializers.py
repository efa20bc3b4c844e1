"""Output shapes of the notices API (it takes no input but the id in the URL)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from apps.notices.models import Notice, NoticeFile


class NoticeFileOutputSerializer(serializers.ModelSerializer[NoticeFile]):
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = NoticeFile
        fields = ["id", "version", "original_name", "size", "sha256", "uploaded_at"]
        fields += ["uploaded_by", "download_url"]

    def get_download_url(self, obj: NoticeFile) -> str:
        return reverse("api-notice-file", args=[obj.pk])


class NoticeListOutputSerializer(serializers.ModelSerializer[Notice]):
    author = serializers.CharField(source="author_label", read_only=True)
    audience = serializers.SerializerMethodField()
    is_read = serializers.BooleanField(read_only=True)
    unread = serializers.SerializerMethodField()

    class Meta:
        model = Notice
        fields = ["id", "title", "published_at", "author", "author_level", "audience"]
        fields += ["campaign", "is_read", "unread"]

    def get_audience(self, obj: Notice) -> list[str]:
        return [
            name
            for name, on in (
                ("regions", obj.for_regions),
                ("municipalities", obj.for_municipalities),
                ("schools", obj.for_schools),
            )
            if on
        ]

    def get_unread(self, obj: Any) -> bool:
        return bool(getattr(obj, "addressed", False) and not getattr(obj, "is_read", False))


class NoticeDetailOutputSerializer(NoticeListOutputSerializer):
    files = serializers.SerializerMethodField()

    class Meta(NoticeListOutputSerializer.Meta):
        fields = [*NoticeListOutputSerializer.Meta.fields, "body", "files"]

    def get_files(self, obj: Notice) -> list[dict[str, Any]]:
        files = self.context.get("files", [])
        return NoticeFileOutputSerializer(files, many=True).data  # type: ignore[return-value]


class NoticeReadOutputSerializer(serializers.Serializer[Any]):
    notice = serializers.IntegerField()
    read = serializers.BooleanField(help_text="Прочтение записано (объявление адресовано вам).")
    read_at = serializers.DateTimeField(allow_null=True)


class NoticePublishInputSerializer(serializers.Serializer[Any]):
    """The author's form; the rules (title, audience below the author, file) are the service's."""

    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    body = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)
    for_regions = serializers.BooleanField(default=False)
    for_municipalities = serializers.BooleanField(default=False)
    for_schools = serializers.BooleanField(default=False)
    campaign = serializers.IntegerField(required=False, allow_null=True, default=None)
    file = serializers.FileField(
        required=False, allow_null=True, default=None, help_text="Документ (необязательно)"
    )


class NoticeFileInputSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(
        required=False, allow_null=True, default=None, help_text="Новая версия документа"
    )


class AudienceReadsOutputSerializer(serializers.Serializer[Any]):
    label = serializers.CharField(help_text="«регионов», «муниципалитетов» или «ОО»")  # type: ignore[assignment]
    read = serializers.IntegerField()
    total = serializers.IntegerField()
    unread = serializers.ListField(
        child=serializers.CharField(), help_text="Не прочитавшие (первые по коду)"
    )
    more = serializers.IntegerField(help_text="Не прочитавших сверх списка")


class NoticeReaderOutputSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(source="user.username")
    full_name = serializers.CharField(source="user.full_name")
    level = serializers.IntegerField(help_text="Уровень читателя: 1 — регион, 2 — МСУ, 3 — ОО")
    region_id = serializers.IntegerField(allow_null=True)
    municipality_id = serializers.IntegerField(allow_null=True)
    school_id = serializers.IntegerField(allow_null=True)
    read_at = serializers.DateTimeField()


class NoticeReadsOutputSerializer(serializers.Serializer[Any]):
    notice = serializers.IntegerField()
    stats = AudienceReadsOutputSerializer(many=True)
    readers = NoticeReaderOutputSerializer(many=True)
