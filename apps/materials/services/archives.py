"""Rendering a kit (variant PDFs, codes, criteria) and packing the plain or encrypted archive."""

from __future__ import annotations

import os
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from apps.campaigns.models import SESSION_SHORT, Work
from apps.core import crypto
from apps.materials import archive as arch
from apps.materials import pdf, selectors
from apps.materials.markup import image_names
from apps.materials.models import BankItem, Kit, MaterialFile
from apps.materials.services.bank_files import _stored_image, kit_attachments
from apps.materials.xlsx import code_list_xlsx
from apps.registration.access import A, Actor

BUILD_STATS: dict[str, float] = defaultdict(float)


@contextmanager
def _timed(part: str) -> Iterator[None]:
    """Accumulate time per build stage (read by bench/materials_build.py)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        BUILD_STATS[part] += time.perf_counter() - started


def _work_info(work: Work) -> pdf.WorkInfo:
    return pdf.WorkInfo(
        year=work.campaign.year,
        subject=work.subject.name,
        grade=work.grade,
        duration_minutes=work.duration_minutes,
        encrypted=work.encrypted_archive,
        session=SESSION_SHORT.get(work.campaign.session, ""),
    )


@lru_cache(maxsize=64)
def _instruction(info: pdf.WorkInfo) -> bytes:
    return pdf.instruction_pdf(info)


@dataclass(frozen=True)
class KitDocuments:
    """Everything rendered for one kit (pure bytes), before packing."""

    variants: list[arch.ArchiveFile]
    criteria: bytes
    others: list[arch.ArchiveFile]
    manifest: bytes

    @property
    def files(self) -> list[arch.ArchiveFile]:
        return arch.signed_files([*self.variants, *self.others], self.manifest)


def kit_variant_docs(*, actor: Actor, kit: Kit) -> list[pdf.VariantDoc]:
    work = kit.work
    info = _work_info(work)
    columns = selectors.work_column_heads(kit.work_id)
    variants = selectors.kit_variants(actor=actor, action=A.DOWNLOAD_MATERIALS, kit_id=kit.pk)
    ids = {i for _number, _uid, items in variants for i in items}
    items: dict[int, tuple[str, str]] = {
        pk: (text, answer)
        for pk, text, answer in BankItem.objects.for_actor(actor, A.GENERATE_MATERIALS)
        .filter(pk__in=ids)
        .values_list("pk", "text", "answer")
    }
    wanted = {n for text, answer in items.values() for n in image_names(text) + image_names(answer)}
    stored = {}
    if wanted:
        stored = {
            row.name: _stored_image(row.path)
            for row in MaterialFile.objects.for_actor(actor, A.GENERATE_MATERIALS).filter(
                work_id=kit.work_id, kind=MaterialFile.Kind.IMAGE, name__in=wanted
            )
        }

    def images_of(text: str, answer: str) -> tuple[tuple[str, bytes], ...]:
        names = dict.fromkeys(image_names(text) + image_names(answer))
        return tuple((n, stored[n]) for n in names if n in stored)

    return [
        pdf.VariantDoc(
            work=info,
            number=number,
            uid=uid,
            tasks=tuple(
                pdf.TaskSpec(
                    label=label,
                    max_score=max_score,
                    text=items[item_id][0],
                    answer=items[item_id][1],
                    images=images_of(*items[item_id]),
                )
                for (label, max_score), item_id in zip(columns, variant_items, strict=True)
            ),
        )
        for number, uid, variant_items in variants
    ]


def kit_code_entries(*, actor: Actor, kit: Kit, action: str) -> list[pdf.CodeEntry]:
    """The codes printed for a kit: its grade's codes, or for a school with a class register
    the codes of the classes writing its work, class by class (labelled «4А»), each class's
    participants' codes before its reserve. A code's class is its class's current number
    (``ParticipantCode.current_class_number``): a renumbered class keeps its codes."""
    codes = selectors.kit_codes(
        actor=actor,
        action=action,
        school_id=kit.school_id,
        campaign_id=kit.work.campaign_id,
        grade=kit.work.grade,
    )
    classes = selectors.kit_classes(actor=actor, action=action, kit=kit)
    if not classes:
        return [pdf.CodeEntry(c.code, c.number, c.reserve) for c in codes]
    by_class: dict[int, list[pdf.CodeEntry]] = defaultdict(list)
    for c in codes:
        number = c.number
        if number is not None and number in classes:
            by_class[number].append(pdf.CodeEntry(c.code, number, c.reserve, classes[number]))
    return [
        entry
        for number in classes
        for entry in sorted(by_class[number], key=lambda e: (e.reserve, e.code))
    ]


def _codes_xlsx(kit: Kit, codes: list[pdf.CodeEntry]) -> bytes:
    return code_list_xlsx(
        title=f"Коды участников {kit.work.campaign.label}, {kit.work.grade} класс, "
        f"ОО {kit.school.code}",
        codes=codes,
    )


def kit_render(*, actor: Actor, kit: Kit) -> KitDocuments:
    """Render every file of a kit. Deterministic: the same kit gives the same bytes."""
    work, school = kit.work, kit.school
    info = _work_info(work)
    docs = kit_variant_docs(actor=actor, kit=kit)
    codes = kit_code_entries(actor=actor, kit=kit, action=A.DOWNLOAD_MATERIALS)
    grade = work.grade
    with _timed("pdf"):
        variants = [arch.ArchiveFile(f"Вариант {d.number}.pdf", pdf.variant_pdf(d)) for d in docs]
        criteria = pdf.criteria_pdf(info, docs, school.code)
        others = [
            arch.ArchiveFile("Инструкция по проведению.pdf", _instruction(info)),
            arch.ArchiveFile(
                f"Коды участников {grade} класс.pdf",
                pdf.code_sheet_pdf(
                    year=info.year,
                    grade=grade,
                    school_code=school.code,
                    codes=codes,
                    session=info.session,
                ),
            ),
            arch.ArchiveFile(
                "Протокол проведения.pdf",
                pdf.protocol_pdf(
                    work=info, school_code=school.code, school_name=school.short_name, codes=codes
                ),
            ),
        ]
    with _timed("xlsx"):
        others.append(
            arch.ArchiveFile(f"Коды участников {grade} класс.xlsx", _codes_xlsx(kit, codes))
        )
    others += kit_attachments(actor=actor, kit=kit)
    manifest = arch.manifest_bytes(
        files=[*variants, *others],
        work={
            "year": info.year,
            "subject": info.subject,
            "grade": grade,
            "work_id": work.pk,
            "encrypted": work.encrypted_archive,
        },
        school={"id": school.pk, "code": school.code},
        variants=[{"number": d.number, "uid": d.uid} for d in docs],
    )
    return KitDocuments(variants=variants, criteria=criteria, others=others, manifest=manifest)


def kit_archive_name(kit: Kit) -> str:
    ext = "7z" if kit.work.encrypted_archive else "zip"
    work = kit.work
    return f"{work.campaign.label} {work.subject.name} {work.grade} класс {kit.school.code}.{ext}"


def kit_storage_dir(kit: Kit) -> str:
    return f"materials/{kit.work.campaign.year}/{kit.school.code}/work-{kit.work_id}"


def _publish(data: bytes, final: str) -> str:
    """Write to a temporary name, then move into place: a reader never sees a half file.

    On local disk the move is an atomic rename; on object storage a PUT of the whole object is
    itself atomic, so the final object is written in one call.
    """
    temp = default_storage.save(f"{final}.part-{uuid.uuid4().hex}", ContentFile(data))
    try:
        local_temp = default_storage.path(temp)
        local_final = default_storage.path(final)
    except NotImplementedError:
        if default_storage.exists(final):
            default_storage.delete(final)
        saved = default_storage.save(final, ContentFile(data))
        default_storage.delete(temp)
        return saved
    os.replace(local_temp, local_final)
    return final


def _clean_parts(directory: str, prefix: str) -> None:
    """Remove temporary files left by builds that died before publishing."""
    try:
        _dirs, files = default_storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in files:
        if name.startswith(prefix) and ".part-" in name:
            default_storage.delete(f"{directory}/{name}")


def kit_pack(*, kit: Kit, documents: KitDocuments) -> bytes:
    files = documents.files
    with _timed("compression"):
        if kit.work.encrypted_archive:
            password = crypto.decrypt(kit.password_token).decode()
            return arch.sevenzip_bytes(files, password=password)
        return arch.zip_bytes(files)
