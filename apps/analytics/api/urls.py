from django.urls import path

from apps.analytics.api import views

urlpatterns = [
    path(f"analytics/<int:pk>/{slug}/", api.as_view(), name=f"api-analytics-{slug}")
    for slug, api in (
        ("marks", views.MarksApi),
        ("scores", views.ScoresApi),
        ("tasks", views.TasksApi),
        ("journal", views.JournalApi),
        ("topics", views.TopicsApi),
        ("groups", views.GroupsApi),
        ("individual", views.IndividualApi),
        ("history", views.HistoryApi),
    )
]
