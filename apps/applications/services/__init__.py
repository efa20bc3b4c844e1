"""Writes of applications, one module per sub-domain: shared results, errors and helpers
(`common`), the school's application and its lines (`lines`), the approval chain (`decisions`),
files to download (`files`), the lines derived from the class register (`by_class`) and the
upload → preview → apply of filled forms (`imports`, thin calls into the import framework; the
kind is ``apps/applications/imports.py``). This package re-exports their names, so
``services.x`` keeps working.

Every transition (submit, confirm, reopen) runs in a transaction on the application row taken
FOR UPDATE, writes one ``ApplicationDecision`` (who, role, when, from → to, source) and one audit
row. Line edits write one audit row per save.
"""

from apps.applications.services.by_class import (
    ParticipationInput,
    application_class_lines_save,
    sync_derived_lines,
    unconfirmed_refusal,
)
from apps.applications.services.common import (
    FileOut,
    LinesInvalidError,
    Outcome,
    _campaign,
    _create_application,
    _locked,
    _record_lines,
    _require,
    _stamp,
    _state,
    _transition,
    _unit_scope,
    _write_lines,
)
from apps.applications.services.decisions import (
    _step,
    application_confirm,
    application_reopen,
    application_submit,
)
from apps.applications.services.files import (
    _coordinator_level,
    application_form_file,
    application_monitoring_file,
    application_summary_file,
)
from apps.applications.services.imports import (
    application_import_apply,
    application_import_discard,
    application_import_upload,
    application_not_applied_file,
)
from apps.applications.services.lines import _parse_lines, application_lines_save, application_open

__all__ = [
    "FileOut",
    "LinesInvalidError",
    "Outcome",
    "ParticipationInput",
    "_campaign",
    "_coordinator_level",
    "_create_application",
    "_locked",
    "_parse_lines",
    "_record_lines",
    "_require",
    "_stamp",
    "_state",
    "_step",
    "_transition",
    "_unit_scope",
    "_write_lines",
    "application_class_lines_save",
    "application_confirm",
    "application_form_file",
    "application_import_apply",
    "application_import_discard",
    "application_import_upload",
    "application_lines_save",
    "application_monitoring_file",
    "application_not_applied_file",
    "application_open",
    "application_reopen",
    "application_submit",
    "application_summary_file",
    "sync_derived_lines",
    "unconfirmed_refusal",
]
