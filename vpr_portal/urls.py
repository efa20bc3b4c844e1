from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

admin.site.site_header = "ВПР-портал: администрирование"
admin.site.site_title = "ВПР-портал"
admin.site.index_title = "Федеральный оператор"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("vpr_portal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from our static files, its init script a separate request: no CDN, no inline code.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="schema", template_name="core/swagger_ui.html"
        ),
        name="swagger-ui",
    ),
    path("", include("apps.audit.urls")),
    path("", include("apps.cabinet.urls")),
    path("", include("apps.registration.urls")),
    path("", include("apps.applications.urls")),
    path("", include("apps.materials.urls")),
    path("", include("apps.campaigns.urls")),
    path("", include("apps.classes.urls")),
    path("", include("apps.schoolday.urls")),
    path("", include("apps.results.urls")),
    path("", include("apps.analytics.urls")),
    path("", include("apps.objectivity.urls")),
    path("", include("apps.notices.urls")),
    path("", include("apps.families.urls")),
]

handler404 = "apps.core.views.page_not_found"
handler403 = "apps.core.views.permission_denied"
handler400 = "apps.core.views.bad_request"
