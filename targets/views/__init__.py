from .dashboards import (
    CompletenessView,
    ComponentDashboardView,
    DashboardLandingView,
    PrintDashboardView,
    TasksView,
    UnitDashboardView,
)
from .home import HomeView

__all__ = [
    "CompletenessView",
    "ComponentDashboardView",
    "DashboardLandingView",
    "HomeView",
    "PrintDashboardView",
    "TasksView",
    "UnitDashboardView",
]
