from django.urls import path

from apps.cabinet import views

urlpatterns = [
    path("cabinet/", views.TodoView.as_view(), name="cabinet"),
]
