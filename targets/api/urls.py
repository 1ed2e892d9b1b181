from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from . import views

app_name = "api"

router = SimpleRouter()
router.register("resolutions", views.ResolutionViewSet, basename="resolution")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("reports", views.ReportViewSet, basename="report")
router.register("tree-changes", views.TreeChangeViewSet, basename="tree-change")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    path("reports/import/", views.ReportImportView.as_view(), name="report-import"),
    path("progress/", views.ProgressView.as_view(), name="progress"),
    path("completeness/", views.CompletenessView.as_view(), name="completeness"),
    *router.urls,
]
