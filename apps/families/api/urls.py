from django.urls import path

from apps.families.api import views

urlpatterns = [
    path(
        "schools/<int:school_id>/families/",
        views.SchoolFamiliesApi.as_view(),
        name="api-families-school",
    ),
    path(
        "families/results/<int:pk>/slips.pdf",
        views.SlipsPdfApi.as_view(),
        name="api-families-slips",
    ),
    path(
        "families/results/<int:pk>/informed/",
        views.InformedListCreateApi.as_view(),
        name="api-families-informed",
    ),
    path(
        "families/informed/<int:pk>/",
        views.InformedUndoApi.as_view(),
        name="api-families-informed-undo",
    ),
    path("families/overview/", views.FamiliesOverviewApi.as_view(), name="api-families-overview"),
]
