from django.urls import path

from apps.families import views

urlpatterns = [
    path(
        "schools/<int:school_id>/families/",
        views.FamiliesSchoolView.as_view(),
        name="families-school",
    ),
    path(
        "families/results/<int:pk>/slips.pdf", views.SlipsPdfView.as_view(), name="families-slips"
    ),
    path(
        "families/results/<int:pk>/informed/",
        views.InformedMarkView.as_view(),
        name="families-informed-mark",
    ),
    path(
        "families/informed/<int:pk>/undo/",
        views.InformedUndoView.as_view(),
        name="families-informed-undo",
    ),
    path("families/overview/", views.FamiliesOverviewView.as_view(), name="families-overview"),
]
