"""The API's endpoints, a module per resource: thin, as the pages' views are. Lists start
from the querysets of ``branches.access`` (``visible_units``, ``Resolution.visible_to``,
``MonthlyReport.visible_to``, ``visible_tree_changes``); writes call
``targets.reporting.services`` (access checked inside); figures come from ``targets.rollup``
(the dashboards' functions)."""

from .imports import ReportImportView
from .organisations import OrganisationViewSet
from .reports import ReportViewSet
from .resolutions import ResolutionViewSet
from .rollups import CompletenessView, ProgressView
from .tree_changes import TreeChangeViewSet

__all__ = [
    "CompletenessView",
    "OrganisationViewSet",
    "ProgressView",
    "ReportImportView",
    "ReportViewSet",
    "ResolutionViewSet",
    "TreeChangeViewSet",
]
