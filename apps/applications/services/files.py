"""Application files to download: the school's form, the summary of a municipality or region and
the monitoring table.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from apps.applications import selectors as sel
from apps.applications import xlsx as forms_xlsx
from apps.applications.audit import ApplicationsAudit
from apps.applications.constants import (
    LEVEL_KEYS,
)
from apps.applications.rules import (
    edit_refusal,
)
from apps.applications.services.common import (
    FileOut,
    _campaign,
    _require,
    _stamp,
    _state,
    _unit_scope,
)
from apps.core.scoping import Level
from apps.core.services import audit_record
from apps.registration.access import A, Actor
from apps.registration.services import school_unit_scope


def application_form_file(*, actor: Actor, application_id: int) -> FileOut:
    """The school's form-application with its current lines (the download is audited)."""
    _require(actor, A.VIEW_APPLICATION)
    app = sel.application_get(actor=actor, application_id=application_id)
    school, campaign = app.school, app.campaign
    state = _state(actor, A.VIEW_APPLICATION, app)
    content = forms_xlsx.build_school_form(
        header=forms_xlsx.SchoolHeader(
            code=school.code,
            name=school.full_name or school.short_name,
            municipality=school.municipality.name,
            campaign_year=campaign.year,
            campaign_name=campaign.label,
            deadline_text=state.deadline_text,
            generated_at=_stamp(school),
            campaign_id=campaign.pk,
        ),
        works=sel.work_refs(actor=actor, campaign=campaign),
        lines=state.lines,
        grades=state.grades,
    )
    audit_record(
        actor=actor,
        action=ApplicationsAudit.APPLICATION_FORM_DOWNLOAD,
        target=app,
        scope=school_unit_scope(school),
    )
    return FileOut(
        forms_xlsx.school_form_filename(campaign_name=campaign.label, school_code=school.code),
        content,
    )


def _coordinator_level(actor: Actor) -> Level:
    level = actor.scope.level
    if level not in (Level.MUNICIPALITY, Level.REGION):
        raise PermissionDenied
    return level


def application_summary_file(
    *,
    actor: Actor,
    unit_kind: str,
    unit_id: int,
    campaign_id: int | None = None,
) -> FileOut:
    """The summary of a unit for the coordinator: every active school, applied or not."""
    _require(actor, A.APPLICATION_SUMMARY)
    level = _coordinator_level(actor)
    unit = sel.unit_get(actor=actor, kind=unit_kind, unit_id=unit_id, action=A.APPLICATION_SUMMARY)
    campaign = _campaign(actor, campaign_id)
    schools = list(sel.unit_schools(actor=actor, unit=unit, action=A.APPLICATION_SUMMARY))
    states = sel.states_for(
        actor=actor, action=A.APPLICATION_SUMMARY, campaign=campaign, schools=schools
    )
    rows = [
        forms_xlsx.SummarySchool(
            code=s.code,
            name=s.short_name,
            municipality=s.municipality.name,
            status_label=sel.summary_status_label(states[s.pk]),
            confirmed=sel.summary_confirmed(level, states[s.pk]),
            locked=edit_refusal(level, states[s.pk].effective_status, deadline_passed=False)
            is not None,
            lines=states[s.pk].lines,
        )
        for s in schools
    ]
    content = forms_xlsx.build_summary(
        header=forms_xlsx.SummaryHeader(
            level=LEVEL_KEYS[level],
            unit_kind=unit.kind,
            unit_code=unit.code,
            unit_name=unit.name,
            campaign_year=campaign.year,
            campaign_name=campaign.label,
            generated_at=_stamp(actor.unit),
            campaign_id=campaign.pk,
        ),
        works=sel.work_refs(actor=actor, campaign=campaign),
        schools=rows,
    )
    audit_record(
        actor=actor,
        action=ApplicationsAudit.APPLICATION_SUMMARY_DOWNLOAD,
        scope=_unit_scope(unit),
        details={"unit": unit.code, "schools": len(rows), "campaign": campaign.year},
    )
    return FileOut(
        forms_xlsx.summary_filename(campaign_name=campaign.label, unit_code=unit.code), content
    )


def application_monitoring_file(
    *,
    actor: Actor,
    unit_kind: str,
    unit_id: int | None,
    campaign_id: int | None = None,
) -> FileOut:
    """Monitoring of a unit as xlsx (audited)."""
    _require(actor, A.MONITOR_APPLICATIONS)
    unit = sel.unit_get(actor=actor, kind=unit_kind, unit_id=unit_id, action=A.MONITOR_APPLICATIONS)
    campaign = _campaign(actor, campaign_id)
    data = sel.monitoring_get(actor=actor, campaign=campaign, unit=unit)
    not_applied = list(sel.not_applied_list(actor=actor, campaign=campaign, unit=unit))
    content = forms_xlsx.build_monitoring(
        data=data,
        works=sel.work_refs(actor=actor, campaign=campaign),
        not_applied=[(s.code, s.short_name, s.municipality.name) for s in not_applied],
        campaign_name=campaign.label,
        generated_at=_stamp(actor.unit),
    )
    audit_record(
        actor=actor,
        action=ApplicationsAudit.APPLICATION_MONITORING_EXPORT,
        scope=_unit_scope(unit),
        details={"unit": unit.code or "РФ", "campaign": campaign.year},
    )
    code = unit.code or "РФ"
    return FileOut(f"Мониторинг заявок {campaign.label} {code}.xlsx", content)
