"""The one HTML view base and the one API base of every import's apply and discard.

An app names its kind (``apps.core.imports.ImportKind``), the operation and, for pages, the URL
name of the batch's page; the base scopes the batch, calls ``import_apply``/``import_discard`` and
answers: a page flashes the outcome (or the refusal with its first problems) and goes back to the
batch; the API answers ``{"done", "message", "batch"}`` (a refused apply: ``done`` false with the
reason; a stale preview: the one error body with 409).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.generic import View
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api_errors import ErrorSerializer
from apps.core.errors import DomainError
from apps.core.imports import (
    APPLY,
    DISCARD,
    ImportKind,
    ImportOutcome,
    import_apply,
    import_discard,
)
from apps.core.models import ImportBatch
from apps.core.uploads import UploadError
from apps.registration.access import ScopedAPIMixin, ScopedViewMixin

SHOWN_PROBLEMS = 5


def refusal_text(exc: DomainError) -> str:
    """A refusal as one sentence for a page: the message and its first problems."""
    if isinstance(exc, UploadError):
        problems = [str(e) for e in exc.errors[:SHOWN_PROBLEMS]]
        head = "Файл больше нельзя применить; ничего не изменено"
        return f"{head}: " + "; ".join(problems) if problems else head + "."
    shown = [str(d.get("message") or "") for d in exc.details[:SHOWN_PROBLEMS]]
    shown = [s for s in shown if s]
    return exc.message + (" " + "; ".join(shown) if shown else "")


def run_operation(kind: ImportKind, operation: str, *, actor: Any, batch_id: int) -> ImportOutcome:
    if operation == APPLY:
        return import_apply(kind, actor=actor, batch_id=batch_id)
    if operation == DISCARD:
        return import_discard(kind, actor=actor, batch_id=batch_id)
    raise ValueError(operation)


class ImportActionView(ScopedViewMixin, View):
    """POST: apply or discard one batch, then back to its page with the outcome flashed."""

    scoped_model = ImportBatch
    kind: ClassVar[ImportKind]
    operation: ClassVar[str] = APPLY
    detail_url: ClassVar[str]  # the URL name of the batch's page (takes ``pk``)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "kind" in cls.__dict__ and "action" not in cls.__dict__:
            cls.action = cls.kind.action

    def run(self, pk: int) -> ImportOutcome:
        return run_operation(self.kind, self.operation, actor=self.actor, batch_id=pk)

    def after(self, request: HttpRequest, outcome: ImportOutcome) -> None:
        """Flash the outcome (kinds with a richer result override this)."""
        (messages.success if outcome.done else messages.warning)(request, outcome.message)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            outcome = self.run(pk)
        except ImportBatch.DoesNotExist as exc:
            raise Http404 from exc
        except DomainError as exc:
            messages.error(request, refusal_text(exc))
        else:
            self.after(request, outcome)
        return redirect(self.detail_url, pk=pk)


class ImportOutcomeSerializer(serializers.Serializer[Any]):
    done = serializers.BooleanField(
        help_text="False: ничего не сделано (уже применено, отменено, чужая загрузка), см. message"
    )
    message = serializers.CharField(help_text="Что сделано или почему нет (по-русски)")
    batch = serializers.IntegerField(source="batch.pk", help_text="Загрузка (ImportBatch)")
    status = serializers.CharField(source="batch.status", help_text="Состояние загрузки")


class ImportActionApi(ScopedAPIMixin, APIView):
    """POST ``…/<pk>/apply/`` or ``…/<pk>/discard/``: the outcome as ``{"done", "message", …}``."""

    scoped_model = ImportBatch
    kind: ClassVar[ImportKind]
    operation: ClassVar[str] = APPLY
    output_serializer: ClassVar[type[serializers.Serializer[Any]]] = ImportOutcomeSerializer

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "kind" in cls.__dict__ and "method_actions" not in cls.__dict__:
            cls.method_actions = {"POST": cls.kind.action}

    def outcome_data(self, outcome: ImportOutcome) -> Any:
        return self.output_serializer(outcome).data

    @extend_schema(
        request=None,
        responses={200: ImportOutcomeSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        outcome = run_operation(self.kind, self.operation, actor=self.actor, batch_id=pk)
        return Response(self.outcome_data(outcome))
