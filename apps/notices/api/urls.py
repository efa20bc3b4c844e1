from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.notices.api import views

router = SimpleRouter()
router.register("notices", views.NoticeViewSet, basename="api-notice")

urlpatterns = [
    path("notices/<int:pk>/read/", views.NoticeReadApi.as_view(), name="api-notice-read"),
    path("notices/<int:pk>/files/", views.NoticeFileAddApi.as_view(), name="api-notice-files"),
    path("notices/<int:pk>/reads/", views.NoticeReadsApi.as_view(), name="api-notice-reads"),
    path("notice-files/<int:pk>/", views.NoticeFileApi.as_view(), name="api-notice-file"),
    *router.urls,
]
