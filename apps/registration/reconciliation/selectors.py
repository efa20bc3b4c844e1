"""Reads of school-list reconciliation batches, as an actor sees them."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.core.models import ImportBatch
from apps.core.params import choice_param
from apps.registration.access import A, Actor
from apps.registration.reconciliation.rules import KIND


def school_list_batch_list(
    *, actor: Actor, region_id: int | None = None, status: str = ""
) -> QuerySet[ImportBatch]:
    """Reconciliation uploads in the actor's scope, newest first (all of them for the federal
    operator, optionally within one region)."""
    qs = (
        ImportBatch.objects.for_actor(actor, A.VIEW_SCHOOL_CHANGES)
        .filter(kind=KIND)
        .select_related("actor")
    )
    if region_id is not None:
        qs = qs.filter(region_id=region_id)
    if choice_param(status, name="status", choices=ImportBatch.Status.values):  # unknown: 400
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def school_list_batch_get(*, actor: Actor, batch_id: int) -> ImportBatch:
    """One upload in the actor's scope (of any kind: the page says when it is not a
    reconciliation); DoesNotExist (→ 404) otherwise."""
    return (
        ImportBatch.objects.for_actor(actor, A.VIEW_SCHOOL_CHANGES)
        .select_related("actor")
        .get(pk=batch_id)
    )
