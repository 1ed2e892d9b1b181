from .reports import MonthlyReport, ReportFigure, TaskProgress
from .resolution import Allocation, PriorityTask, Resolution, Target, TargetComponent
from .totals import ProgressTotal, TaskStatusTotal

__all__ = [
    "Allocation",
    "MonthlyReport",
    "PriorityTask",
    "ProgressTotal",
    "ReportFigure",
    "Resolution",
    "Target",
    "TargetComponent",
    "TaskProgress",
    "TaskStatusTotal",
]
