"""The archive build's reads (issue 18): compiled once per process and read as tuples, they
return what the ORM reads returned, under every actor's scope, whatever a class did in the
register; the archive's bytes are those of the ORM reads; the queries do not grow with the
participants; a worker process freezes its start-up objects out of the garbage collector."""

from __future__ import annotations

import gc
from collections import defaultdict
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.campaigns.tests.factories import SubjectFactory
from apps.classes.models import SchoolClass
from apps.core.models import Job
from apps.materials import pdf, selectors, services
from apps.materials.markup import image_names
from apps.materials.models import BankItem, Kit, MaterialFile, Variant
from apps.materials.services import archives
from apps.materials.services.bank_files import _stored_image
from apps.materials.tests.factories import SYSTEM, apply, generate, russian4
from apps.materials.tests.test_codes_by_class import register  # noqa: F401 - the fixture
from apps.registration.access import A, Actor, actor_for_user

pytestmark = pytest.mark.django_db

ACTIONS = (A.DOWNLOAD_MATERIALS, A.GENERATE_MATERIALS)


def _orm_codes(*, actor: Actor, action: str, school_id: int, work: Any) -> list[tuple[Any, ...]]:
    """The reference: model instances, the class number from the model's own property."""
    return [
        (c.code, c.current_class_number, c.reserve)
        for c in selectors.participant_codes(
            actor=actor,
            action=action,
            school_id=school_id,
            campaign_id=work.campaign_id,
            grade=work.grade,
        )
    ]


def _orm_classes(*, actor: Actor, action: str, kit: Kit) -> dict[int, str]:
    from apps.classes.models import ClassWork

    rows = (
        ClassWork.objects.for_actor(actor, action)
        .filter(school_id=kit.school_id, work_id=kit.work_id, school_class__is_active=True)
        .order_by("school_class__number")
        .values_list("school_class__number", "school_class__grade", "school_class__letter")
    )
    return {number: f"{grade}{letter}" for number, grade, letter in rows}


def _orm_code_entries(*, actor: Actor, kit: Kit, action: str) -> list[pdf.CodeEntry]:
    """``kit_code_entries`` as it was written on model instances (before issue 18)."""
    codes = selectors.participant_codes(
        actor=actor,
        action=action,
        school_id=kit.school_id,
        campaign_id=kit.work.campaign_id,
        grade=kit.work.grade,
    )
    classes = _orm_classes(actor=actor, action=action, kit=kit)
    if not classes:
        return [pdf.CodeEntry(c.code, c.current_class_number, c.reserve) for c in codes]
    by_class: dict[int, list[pdf.CodeEntry]] = defaultdict(list)
    for c in codes:
        number = c.current_class_number
        if number is not None and number in classes:
            by_class[number].append(pdf.CodeEntry(c.code, number, c.reserve, classes[number]))
    return [
        entry
        for number in classes
        for entry in sorted(by_class[number], key=lambda e: (e.reserve, e.code))
    ]


def _orm_variant_docs(*, actor: Actor, kit: Kit) -> list[pdf.VariantDoc]:
    """``kit_variant_docs`` as it was written on model instances (before issue 18)."""
    info = archives._work_info(kit.work)
    columns = selectors.work_columns(kit.work)
    variants = list(
        Variant.objects.for_actor(actor, A.DOWNLOAD_MATERIALS).filter(kit=kit).order_by("number")
    )
    ids = {i for v in variants for i in v.items}
    items = {
        i.pk: i for i in BankItem.objects.for_actor(actor, A.GENERATE_MATERIALS).filter(pk__in=ids)
    }
    wanted = {n for i in items.values() for n in image_names(i.text) + image_names(i.answer)}
    stored = {
        row.name: _stored_image(row.path)
        for row in MaterialFile.objects.filter(
            work_id=kit.work_id, kind=MaterialFile.Kind.IMAGE, name__in=wanted
        )
    }

    def images_of(item: BankItem) -> tuple[tuple[str, bytes], ...]:
        names = dict.fromkeys(image_names(item.text) + image_names(item.answer))
        return tuple((n, stored[n]) for n in names if n in stored)

    return [
        pdf.VariantDoc(
            work=info,
            number=v.number,
            uid=v.uid,
            tasks=tuple(
                pdf.TaskSpec(
                    label=col.label,
                    max_score=col.max_score,
                    text=items[item_id].text,
                    answer=items[item_id].answer,
                    images=images_of(items[item_id]),
                )
                for col, item_id in zip(columns, v.items, strict=True)
            ),
        )
        for v in variants
    ]


def _actors(world: Any) -> list[Actor]:
    names = ("school_organizer", "school_tech", "expert", "municipal", "regional", "federal")
    return [SYSTEM, *(actor_for_user(world.users[n]) for n in names)]


def _assert_reads_equal(world: Any) -> tuple[int, int]:
    """Every actor, action and kit of the register: the compiled reads equal the ORM's.
    Returns how many codes and variants were compared (a test cannot pass on empty reads)."""
    compared = documents = 0
    kits = Kit.objects.select_related("work", "work__campaign", "work__subject", "school")
    for kit in kits:
        for actor in _actors(world):
            for action in ACTIONS:
                fast = selectors.kit_codes(
                    actor=actor,
                    action=action,
                    school_id=kit.school_id,
                    campaign_id=kit.work.campaign_id,
                    grade=kit.work.grade,
                )
                slow = _orm_codes(
                    actor=actor, action=action, school_id=kit.school_id, work=kit.work
                )
                assert [(c.code, c.number, c.reserve) for c in fast] == slow
                compared += len(slow)
                assert selectors.kit_classes(actor=actor, action=action, kit=kit) == (
                    _orm_classes(actor=actor, action=action, kit=kit)
                )
                assert archives.kit_code_entries(actor=actor, kit=kit, action=action) == (
                    _orm_code_entries(actor=actor, kit=kit, action=action)
                )
            try:
                slow_docs = _orm_variant_docs(actor=actor, kit=kit)
            except KeyError:  # sees the variants but not the bank: fails alike
                with pytest.raises(KeyError):
                    archives.kit_variant_docs(actor=actor, kit=kit)
                continue
            assert archives.kit_variant_docs(actor=actor, kit=kit) == slow_docs
            documents += len(slow_docs)
    return compared, documents


def test_the_build_reads_equal_the_orm_reads_whatever_the_register_did(
    world: Any,
    register: dict[str, Any],  # noqa: F811 - the imported fixture
) -> None:
    # given the register's kits (classes 4А № 1, 4Б № 2, 4В № 5; a school without a register)
    school = register["school"]
    classes = {c.letter: c for c in SchoolClass.objects.filter(school=school)}
    # then as issued, the reads are the ORM's for every actor and action
    codes, variants = _assert_reads_equal(world)
    assert min(codes, variants) > 0
    # and so after 4Б is renumbered (its codes follow it), 4В moves to another grade (its codes
    # lose their class), and 4А leaves the register (its codes and its line go)
    steps = (
        (classes["Б"], {"number": 3}),
        (classes["В"], {"grade": 5}),
        (classes["А"], {"is_active": False}),
    )
    for school_class, change in steps:
        SchoolClass.objects.filter(pk=school_class.pk).update(**change)
        codes, variants = _assert_reads_equal(world)
        assert min(codes, variants) > 0
    # and the last state really has codes without a class and a renumbered class
    russian = Kit.objects.get(school=school, work=register["russian"])
    numbers = {c.number for c in selectors.kit_codes(
        actor=SYSTEM, action=A.DOWNLOAD_MATERIALS, school_id=school.pk,
        campaign_id=russian.work.campaign_id, grade=4,
    )}  # fmt: skip
    assert numbers == {None, 3}


def test_a_kit_renders_the_same_bytes_as_with_the_orm_reads(
    register: dict[str, Any],  # noqa: F811 - the imported fixture
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for kit in Kit.objects.filter(work=register["russian"]):
        # when a kit is rendered and packed with the compiled reads and with the ORM's
        fast = archives.kit_render(actor=SYSTEM, kit=kit)
        with monkeypatch.context() as m:
            m.setattr(archives, "kit_variant_docs", _orm_variant_docs)
            m.setattr(archives, "kit_code_entries", _orm_code_entries)
            slow = archives.kit_render(actor=SYSTEM, kit=kit)
        # then every file and the archive are byte-identical
        assert [(f.name, f.content) for f in fast.files] == [
            (f.name, f.content) for f in slow.files
        ]
        assert fast.criteria == slow.criteria
        assert archives.kit_pack(kit=kit, documents=fast) == archives.kit_pack(
            kit=kit, documents=slow
        )


def _build_queries(world: Any, school_key: str, participants: int, subject: str) -> int:
    work = russian4(subject=SubjectFactory(code=subject, name=subject))
    apply(world.schools[school_key], work, participants=participants, classes=2)
    generate(work)
    kit = Kit.objects.get(work=work)
    services.kit_build_request(actor=SYSTEM, work_id=work.pk)
    job = Job.objects.get(key=f"{services.KIT_BUILD}:{kit.pk}")
    with CaptureQueriesContext(connection) as queries:
        services.kit_build_run(job_id=job.pk)
    assert Kit.objects.get(pk=kit.pk).status == Kit.Status.READY
    return len(queries)


def test_a_builds_queries_do_not_grow_with_its_participants(world: Any) -> None:
    # when kits of 30 and of 110 participants are built
    small = _build_queries(world, "A1a", 30, "Русский язык")
    big = _build_queries(world, "B1a", 110, "Математика")
    # then both take the same queries: the job's claim and close, the kit, its columns,
    # variants, items, classes, codes and attachments (savepoints included)
    assert small == big == 15


def test_a_worker_process_freezes_its_start_up_objects() -> None:
    from celery.signals import worker_process_init

    from vpr_portal.celery import gc_freeze_startup

    # given the Celery app's hooks
    receivers = [receiver for _key, receiver in worker_process_init.receivers]
    assert gc_freeze_startup in receivers
    # when a worker process is initialised
    try:
        worker_process_init.send(sender=None)
        # then what is alive sits in the permanent generation, out of every collection
        assert gc.get_freeze_count() > 0
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def _loaded(kit: Kit) -> list[dict[str, Any]]:
    """Every column of the kit and what ``kit_get`` loads with it, read without a query."""
    objects = (kit, kit.work, kit.work.campaign, kit.work.subject, kit.school)
    return [
        {f.attname: getattr(o, f.attname) for f in type(o)._meta.concrete_fields} for o in objects
    ]


def test_kit_get_loads_what_select_related_loaded_under_every_scope(
    world: Any,
    register: dict[str, Any],  # noqa: F811 - the imported fixture
) -> None:
    seen = hidden = 0
    for kit_id in Kit.objects.values_list("pk", flat=True):
        for actor in _actors(world):
            for action in (A.GENERATE_MATERIALS, A.DOWNLOAD_MATERIALS, A.VIEW_ARCHIVE_PASSWORD):
                reference = Kit.objects.for_actor(actor, action).select_related(
                    "work", "work__campaign", "work__subject", "school"
                )
                try:
                    expected = reference.get(pk=kit_id)
                except Kit.DoesNotExist:
                    # a kit the actor does not see is not found either way
                    with pytest.raises(Kit.DoesNotExist):
                        selectors.kit_get(actor=actor, kit_id=kit_id, action=action)
                    hidden += 1
                    continue
                kit = selectors.kit_get(actor=actor, kit_id=kit_id, action=action)
                with CaptureQueriesContext(connection) as queries:
                    loaded = _loaded(kit)
                assert len(queries) == 0
                assert loaded == _loaded(expected)
                assert not kit._state.adding
                seen += 1
    assert min(seen, hidden) > 0
