"""A campaign's works file as a kind of the import framework (``apps.core.imports``, ADR 0019).

The federal operator uploads the works of one campaign as xlsx or as the JSON document the
export writes. The file is read whole (every problem by sheet, row and column, or by work, task
and field), checked against the campaign it is uploaded into, and previewed work by work: new,
replaced whole, or unchanged. The apply locks the campaign, reads the stored file again and
refuses it if the campaign's works are no longer what the preview was made from
(``ImportStaleError``); otherwise it writes every changed work and the campaign's name and
deadline in the apply's one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from apps.campaigns import documents, rules, selectors
from apps.campaigns import xlsx as works_xlsx
from apps.campaigns.audit import CampaignsAudit
from apps.campaigns.messages import (
    WORKS_APPLIED,
    WORKS_FILE_DEADLINE,
    WORKS_FILE_EMPTY,
    WORKS_FILE_OLD_XLS,
    WORKS_FILE_OTHER_CAMPAIGN,
    WORKS_FILE_UNKNOWN,
    WORKS_STALE_WHAT,
)
from apps.campaigns.models import Campaign, Session, Subject, Work
from apps.campaigns.rules import CampaignSpec, WorkSpec
from apps.campaigns.services import _apply_spec, _d, _subject_for
from apps.core.imports import (
    Applied,
    ImportAudit,
    ImportKind,
    ImportStaleError,
    Staged,
    Target,
    import_file,
)
from apps.core.models import ImportBatch
from apps.core.uploads import XLSX_MAGIC, CellError, UploadError
from apps.registration.access import A

OLD_XLS_MAGIC = b"\xd0\xcf\x11\xe0"


def _refused(message: str) -> UploadError:
    return UploadError([CellError(0, 0, message)])


def _fingerprint(spec: CampaignSpec) -> str:
    return hashlib.sha256(documents.build_json(spec)).hexdigest()


def _is_xlsx(content: bytes) -> bool:
    return content.startswith(XLSX_MAGIC)


def _parse(content: bytes, name: str) -> tuple[str, CampaignSpec]:
    """The file's format and the campaign it describes (``UploadError`` listing every problem)."""
    if not content:
        raise _refused(WORKS_FILE_EMPTY)
    if _is_xlsx(content):
        return "xlsx", works_xlsx.parse_workbook(content).spec
    stripped = content.lstrip(b"\xef\xbb\xbf \t\r\n")
    if name.lower().endswith(".json") or stripped.startswith(b"{"):
        return "json", documents.parse_json(content)
    if name.lower().endswith(".xls") or content.startswith(OLD_XLS_MAGIC):
        raise _refused(WORKS_FILE_OLD_XLS)
    raise _refused(WORKS_FILE_UNKNOWN)


def _changed_fields(old: WorkSpec, new: WorkSpec) -> list[str]:
    a, b = documents.work_document(old), documents.work_document(new)
    return [rules.FIELD_LABELS.get(k, k) for k in a if a[k] != b[k]]


def _current(actor: Any, campaign: Campaign) -> CampaignSpec:
    return selectors.campaign_spec(actor=actor, campaign_id=campaign.pk, action=A.MANAGE_CAMPAIGNS)


def _preview(*, actor: Any, campaign: Campaign, spec: CampaignSpec) -> dict[str, Any]:
    current = _current(actor, campaign)
    by_key = {w.key: w for w in current.works}
    codes = set(Subject.objects.for_actor(actor, A.MANAGE_CAMPAIGNS).values_list("code", flat=True))
    rows = []
    counts = {"created": 0, "replaced": 0, "unchanged": 0}
    for work in spec.works:
        old = by_key.get(work.key)
        if old is None:
            outcome, changes = "created", []
        else:
            changes = _changed_fields(old, work)
            outcome = "replaced" if changes else "unchanged"
        counts[outcome] += 1
        rows.append(
            {
                "subject_code": work.subject_code,
                "subject": work.subject_name,
                "grade": work.grade,
                "columns": len(work.columns),
                "max_score": work.max_score,
                "outcome": outcome,
                "changes": changes,
                "new_subject": work.subject_code not in codes,
            }
        )
    untouched = [
        {"subject": w.subject_name, "grade": w.grade}
        for w in current.works
        if w.key not in {x.key for x in spec.works}
    ]
    campaign_changes = []
    if spec.name != campaign.name:
        campaign_changes.append(f"наименование: «{campaign.name}» → «{spec.name}»")
    if spec.application_deadline != campaign.application_deadline:
        campaign_changes.append(
            "последний день подачи заявок: "
            f"{_d(campaign.application_deadline)} → {_d(spec.application_deadline)}"
        )
    return {
        "campaign": {"id": campaign.pk, "name": campaign.name, "label": campaign.label},
        "rows": rows,
        "counts": counts,
        "untouched": untouched,
        "campaign_changes": campaign_changes,
        "fingerprint": _fingerprint(current),
    }


def _check_target(campaign: Campaign, spec: CampaignSpec) -> None:
    """The file describes this campaign, its works are of the campaign's grades, and its
    deadline comes before the first period."""
    if (spec.year, spec.session) != (campaign.year, campaign.session):
        raise _refused(
            WORKS_FILE_OTHER_CAMPAIGN.format(
                year=spec.year,
                session=Session(spec.session).label,
                name=campaign.name,
                campaign_year=campaign.year,
                campaign_session=campaign.get_session_display(),
            )
        )
    grades = selectors.campaign_grade_numbers(campaign.pk)
    wrong = [
        CellError(0, 0, f"Работа № {i} «{work.title}»: {problem.message}")
        for i, work in enumerate(spec.works, start=1)
        if (problem := rules.grade_problem(work.grade, grades)) is not None
    ]
    if wrong:
        raise UploadError(wrong)
    in_file = {w.key for w in spec.works}
    starts: list[dt.date] = [w.period_start for w in spec.works] + [
        start
        for code, grade, start in campaign.works.values_list(
            "subject__code", "grade", "period_start"
        )
        if (code, grade) not in in_file
    ]
    first = min(starts)
    if spec.application_deadline >= first:
        raise _refused(WORKS_FILE_DEADLINE.format(first=_d(first)))


@dataclass
class WorksPlan:
    """A works batch read again under the campaign's row lock."""

    campaign: Campaign
    spec: CampaignSpec
    current: CampaignSpec


class WorksImport(ImportKind):
    """A campaign's works file (xlsx or JSON), the federal operator's."""

    code = selectors.IMPORT_KIND
    action = A.MANAGE_CAMPAIGNS
    label = "работам кампании"
    folder = "works"
    audit = ImportAudit(
        upload=CampaignsAudit.WORKS_IMPORT_UPLOAD,
        rejected=CampaignsAudit.WORKS_IMPORT_REJECTED,
        apply=CampaignsAudit.WORKS_IMPORT_APPLY,
        discard=CampaignsAudit.WORKS_IMPORT_DISCARD,
    )

    def target(self, *, actor: Any, **params: Any) -> Target:
        """The campaign the file is uploaded into (federal: no unit scope)."""
        campaign = Campaign.objects.for_actor(actor, A.MANAGE_CAMPAIGNS).get(
            pk=params["campaign_id"]
        )
        return Target(obj=campaign, details={"campaign_id": campaign.pk}, data=campaign)

    def extension(self, content: bytes, name: str) -> str:
        return ".xlsx" if _is_xlsx(content) else ".json"

    def stage(self, *, actor: Any, target: Target, content: bytes, name: str) -> Staged:
        campaign: Campaign = target.data
        fmt, spec = _parse(content, name)
        _check_target(campaign, spec)
        preview = _preview(actor=actor, campaign=campaign, spec=spec)
        preview["format"] = fmt
        return Staged(preview=preview, counts={"counts": preview["counts"]})

    def plan(self, *, actor: Any, batch: ImportBatch) -> WorksPlan:
        """Lock the campaign, read the stored file again; stale if the works changed."""
        campaign = (
            Campaign.objects.for_actor(actor, A.MANAGE_CAMPAIGNS)
            .select_for_update()
            .get(pk=int(batch.preview["campaign"]["id"]))
        )
        _, spec = _parse(import_file(batch), batch.original_name)
        _check_target(campaign, spec)
        current = _current(actor, campaign)
        if _fingerprint(current) != batch.preview.get("fingerprint"):
            raise ImportStaleError(what=WORKS_STALE_WHAT)
        return WorksPlan(campaign=campaign, spec=spec, current=current)

    def write(self, *, actor: Any, batch: ImportBatch, plan: Any) -> Applied:
        """The campaign's name and deadline, then every work that differs (replaced whole)."""
        campaign, spec = plan.campaign, plan.spec
        campaign.name = spec.name
        campaign.application_deadline = spec.application_deadline
        campaign.full_clean()
        campaign.save(update_fields=["name", "application_deadline", "updated_at"])
        existing = {
            (w.subject.code, w.grade): w
            for w in Work.objects.for_actor(actor, A.MANAGE_CAMPAIGNS)
            .filter(campaign=campaign)
            .select_related("subject")
        }
        by_key = {w.key: w for w in plan.current.works}
        for work_spec in spec.works:
            old = by_key.get(work_spec.key)
            if old is not None and old == work_spec:
                continue
            work = existing.get(work_spec.key) or Work(campaign=campaign)
            _apply_spec(work, work_spec, _subject_for(actor, work_spec))
        return Applied(
            message=WORKS_APPLIED,
            details={"campaign_id": campaign.pk, "counts": batch.preview.get("counts", {})},
        )


WORKS = WorksImport()
