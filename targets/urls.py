from django.urls import path

from . import views
from .views import excel, reports

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
    path("reports/", reports.report_index, name="report_index"),
    path("reports/excel/", excel.excel_upload, name="excel_upload"),
    path("reports/excel/template/", excel.excel_template, name="excel_template"),
    path("reports/review/", reports.ReviewListView.as_view(), name="review_list"),
    path("reports/<int:year>/<int:month>/<int:unit_id>/", reports.report_detail, name="report_detail"),
    path("reports/<int:year>/<int:month>/<int:unit_id>/edit/", reports.report_edit, name="report_edit"),
    path("reports/<int:year>/<int:month>/<int:unit_id>/review/", reports.report_review, name="report_review"),
]
