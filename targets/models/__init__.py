from .reports import MonthlyReport, ReportFigure, TaskProgress
from .resolution import Allocation, PriorityTask, Resolution, Target, TargetComponent

__all__ = [
    "Allocation",
    "MonthlyReport",
    "PriorityTask",
    "ReportFigure",
    "Resolution",
    "Target",
    "TargetComponent",
    "TaskProgress",
]
