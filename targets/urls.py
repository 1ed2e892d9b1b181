from django.urls import path

from . import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("dashboard/", views.DashboardLandingView.as_view(), name="dashboard"),
    path("dashboard/unit/<int:unit_pk>/", views.UnitDashboardView.as_view(), name="dashboard-unit"),
    path("dashboard/unit/<int:unit_pk>/print/", views.PrintDashboardView.as_view(), name="dashboard-print"),
    path(
        "dashboard/unit/<int:unit_pk>/component/<int:component_pk>/",
        views.ComponentDashboardView.as_view(),
        name="dashboard-component",
    ),
    path("dashboard/completeness/", views.CompletenessView.as_view(), name="dashboard-completeness"),
    path("dashboard/tasks/", views.TasksView.as_view(), name="dashboard-tasks"),
]
