"""Writes of the materials app, one module per sub-domain: the bank (`bank`, `bank_files`),
participant codes (`codes`), kit generation (`generation`), rendering and archives
(`archives`), build jobs (`builds`) and the gated downloads of released materials
(`downloads`). This package re-exports their public names, so ``services.x`` keeps working;
the private ``_helpers`` are imported from their submodule.

Each service owns its transaction and audit row. Secrets (archive passwords, keys) never
reach logs or audit details.
"""

from apps.materials.constants import KIT_BUILD
from apps.materials.services.archives import (
    BUILD_STATS,
    KitDocuments,
    kit_archive_name,
    kit_code_entries,
    kit_pack,
    kit_render,
    kit_storage_dir,
    kit_variant_docs,
)
from apps.materials.services.bank import (
    BANK_IMPORT_KIND,
    BankImportResult,
    bank_export,
    bank_import,
    bank_import_apply,
    bank_import_discard,
    bank_import_get,
    bank_import_upload,
    bank_read_file,
    work_key,
)
from apps.materials.services.bank_files import (
    ATTACHMENTS_DIR,
    kit_attachments,
    material_file_attach,
    material_file_remove,
)
from apps.materials.services.builds import (
    builds_auto_start,
    kit_build_cancel,
    kit_build_request,
    kit_build_run,
)
from apps.materials.services.codes import participant_codes_issue
from apps.materials.services.common import (
    BALANCED_RETRIES,
    COUNTED_APPLICATIONS,
    GENERATE_RETRIES,
)
from apps.materials.services.downloads import (
    Download,
    kit_archive_download,
    kit_criteria_download,
    kit_password_reveal,
    kit_sheet_download,
    variant_lookup,
)
from apps.materials.services.generation import (
    GenerateResult,
    kit_compose,
    kits_generate,
)
from apps.materials.services.verify import manifest_verify

__all__ = [
    "ATTACHMENTS_DIR",
    "BALANCED_RETRIES",
    "BANK_IMPORT_KIND",
    "BUILD_STATS",
    "COUNTED_APPLICATIONS",
    "GENERATE_RETRIES",
    "KIT_BUILD",
    "BankImportResult",
    "Download",
    "GenerateResult",
    "KitDocuments",
    "bank_export",
    "bank_import",
    "bank_import_apply",
    "bank_import_discard",
    "bank_import_get",
    "bank_import_upload",
    "bank_read_file",
    "builds_auto_start",
    "kit_archive_download",
    "kit_archive_name",
    "kit_attachments",
    "kit_build_cancel",
    "kit_build_request",
    "kit_build_run",
    "kit_code_entries",
    "kit_compose",
    "kit_criteria_download",
    "kit_pack",
    "kit_password_reveal",
    "kit_render",
    "kit_sheet_download",
    "kit_storage_dir",
    "kit_variant_docs",
    "kits_generate",
    "manifest_verify",
    "material_file_attach",
    "material_file_remove",
    "participant_codes_issue",
    "variant_lookup",
    "work_key",
]
