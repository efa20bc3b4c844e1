from django.urls import path

from apps.notices import views

urlpatterns = [
    path("notices/", views.NoticeListView.as_view(), name="notice-list"),
    path("notices/new/", views.NoticeCreateView.as_view(), name="notice-create"),
    path("notices/<int:pk>/", views.NoticeDetailView.as_view(), name="notice-detail"),
    path("notices/<int:pk>/files/new/", views.NoticeFileAddView.as_view(), name="notice-file-add"),
    path("notices/<int:pk>/reads/", views.NoticeReadsView.as_view(), name="notice-reads"),
    path("notices/files/<int:pk>/", views.NoticeFileDownloadView.as_view(), name="notice-file"),
]
