from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.registration.api import views

router = SimpleRouter()
router.register("regions", views.RegionViewSet, basename="api-region")
router.register("municipalities", views.MunicipalityViewSet, basename="api-municipality")
router.register("schools", views.SchoolViewSet, basename="api-school")

urlpatterns = [path("me/", views.MeApi.as_view(), name="api-me"), *router.urls]
