"""DRF pieces shared by the apps' APIs: an endpoint that answers with an xlsx file.

(The audit log's API lives in ``apps/audit/api.py``.)
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework.renderers import BaseRenderer

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class XlsxRenderer(BaseRenderer):
    """Lets an endpoint answer with an xlsx file (the view returns a FileResponse)."""

    media_type = XLSX_MEDIA_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> Any:
        return data


XLSX_RESPONSE = OpenApiResponse(response=OpenApiTypes.BINARY, description="Файл xlsx (вложение).")
