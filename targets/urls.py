from django.urls import include, path, re_path

from .api import token_views
from .dashboards import home
from .dashboards import views as dashboards
from .documents import views as documents
from .reporting import inbox_views
from .reporting import views as reports
from .reporting.excel import views as excel
from .restructuring import job_views as restructuring_jobs
from .restructuring import unit_views as restructuring_units
from .restructuring import views as restructuring

urlpatterns = [
    path("api/v1/", include("targets.api.urls")),
    re_path(r"^api/.*$", token_views.api_not_found, name="api-not-found"),
    path("account/api-tokens/", token_views.api_tokens, name="api_tokens"),
    path("account/api-tokens/<int:pk>/revoke/", token_views.api_token_revoke, name="api_token_revoke"),
    path("", home.HomeView.as_view(), name="home"),
    path("dashboard/", dashboards.DashboardLandingView.as_view(), name="dashboard"),
    path("dashboard/unit/<int:unit_pk>/", dashboards.UnitDashboardView.as_view(), name="dashboard-unit"),
    path("dashboard/unit/<int:unit_pk>/print/", dashboards.PrintDashboardView.as_view(), name="dashboard-print"),
    path("dashboard/unit/<int:unit_pk>/draft/", documents.DraftReportView.as_view(), name="dashboard-draft"),
    path(
        "dashboard/unit/<int:unit_pk>/component/<int:component_pk>/",
        dashboards.ComponentDashboardView.as_view(),
        name="dashboard-component",
    ),
    path("dashboard/completeness/", dashboards.CompletenessView.as_view(), name="dashboard-completeness"),
    path("dashboard/tasks/", dashboards.TasksView.as_view(), name="dashboard-tasks"),
    path("dashboard/files/<uuid:pk>/", dashboards.export_file, name="export_file"),
    path("dashboard/files/<uuid:pk>/status/", dashboards.export_file_status, name="export_file_status"),
    path("dashboard/files/<uuid:pk>/download/", dashboards.export_file_download, name="export_file_download"),
    path("reports/", reports.report_index, name="report_index"),
    path("reports/excel/", excel.excel_upload, name="excel_upload"),
    path("reports/excel/template/", excel.excel_template, name="excel_template"),
    path("reports/excel/conflicts/", excel.excel_resolve, name="excel_resolve"),
    path("reports/excel/imports/<uuid:pk>/", excel.excel_job, name="excel_job"),
    path("reports/excel/imports/<uuid:pk>/status/", excel.excel_job_status, name="excel_job_status"),
    path("reports/excel/imports/<uuid:pk>/again/", excel.excel_job_again, name="excel_job_again"),
    path("reports/year/<int:resolution_id>/lock/", reports.year_lock, name="year_lock"),
    path("reports/review/", reports.ReviewListView.as_view(), name="review_list"),
    path("reports/inbox/", inbox_views.InboxView.as_view(), name="inbox"),
    path("reports/<int:year>/<int:month>/<int:unit_id>/", reports.report_detail, name="report_detail"),
    path("reports/<int:year>/<int:month>/<int:unit_id>/edit/", reports.report_edit, name="report_edit"),
    path("reports/<int:year>/<int:month>/<int:unit_id>/review/", reports.report_review, name="report_review"),
    path("reports/<int:year>/<int:month>/<int:unit_id>/withdraw/", reports.report_withdraw, name="report_withdraw"),
    path("tree/changes/", restructuring.change_list, name="tree-changes"),
    path("tree/changes/new/", restructuring.change_new, name="tree-change-new"),
    path("tree/changes/new/unit/", restructuring_units.change_unit_new, name="tree-change-unit"),
    path("tree/changes/<int:change_pk>/", restructuring.change_detail, name="tree-change"),
    path("tree/changes/<int:change_pk>/undo/", restructuring.change_undo, name="tree-change-undo"),
    path("tree/units/<int:unit_pk>/", restructuring.unit_timeline, name="unit-timeline"),
    path("tree/changes/jobs/<uuid:pk>/", restructuring_jobs.change_job, name="tree-change-job"),
    path("tree/changes/jobs/<uuid:pk>/status/", restructuring_jobs.change_job_status, name="tree-change-job-status"),
]
