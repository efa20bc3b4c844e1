from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

admin.site.site_header = "ВПР-портал: администрирование"
admin.site.site_title = "ВПР-портал"
admin.site.index_title = "Федеральный оператор"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("vpr_portal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("", include("apps.core.urls")),
    path("", include("apps.registration.urls")),
    path("", include("apps.applications.urls")),
    path("", include("apps.materials.urls")),
    path("", include("apps.campaigns.urls")),
    path("", include("apps.results.urls")),
    path("", include("apps.analytics.urls")),
]

handler404 = "apps.core.views.page_not_found"
handler403 = "apps.core.views.permission_denied"
