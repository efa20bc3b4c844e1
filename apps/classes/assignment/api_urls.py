from django.urls import URLPattern, URLResolver, path

from apps.classes.assignment import api

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "classes/assignment/<int:campaign_id>/config/",
        api.AssignmentConfigApi.as_view(),
        name="api-assignment-config",
    ),
    path(
        "classes/assignment/works/<int:work_id>/",
        api.WorkParticipationApi.as_view(),
        name="api-assignment-work",
    ),
    path(
        "classes/assignment/<int:campaign_id>/runs/",
        api.AssignmentRunListApi.as_view(),
        name="api-assignment-runs",
    ),
    path(
        "classes/assignment/<int:campaign_id>/publish/",
        api.AssignmentPublishApi.as_view(),
        name="api-assignment-publish",
    ),
    path("classes/distribution/", api.DistributionApi.as_view(), name="api-class-distribution"),
    path(
        "classes/distribution/export/",
        api.DistributionExportApi.as_view(),
        name="api-class-distribution-export",
    ),
]
