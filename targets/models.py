"""The app's models, gathered for Django: each is defined in the step that owns it."""

from .documents.models import ReportTemplate
from .reminders.models import ReminderSent
from .reporting.ledger.models import ProgressTotal, ReportingTotal, TaskStatusTotal
from .reporting.models import MonthlyReport, ReportFigure, TaskProgress
from .resolution.allocations import Allocation
from .resolution.models import PriorityTask, Resolution, Target, TargetComponent

__all__ = [
    "Allocation",
    "MonthlyReport",
    "PriorityTask",
    "ReminderSent",
    "ReportTemplate",
    "ProgressTotal",
    "ReportFigure",
    "ReportingTotal",
    "Resolution",
    "Target",
    "TargetComponent",
    "TaskProgress",
    "TaskStatusTotal",
]
