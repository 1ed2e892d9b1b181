"""The app's models, gathered for Django: each is defined in the step that owns it."""

from .api.idempotency import IdempotentAnswer
from .api.tokens import ApiToken
from .reminders.models import ReminderSent
from .reporting.ledger_models import ProgressTotal, ReportingTotal, TaskStatusTotal
from .reporting.models import MonthlyReport, ReportFigure, TaskProgress
from .resolution.models import Allocation, PriorityTask, Resolution, Target, TargetComponent

__all__ = [
    "Allocation",
    "ApiToken",
    "IdempotentAnswer",
    "MonthlyReport",
    "PriorityTask",
    "ReminderSent",
    "ProgressTotal",
    "ReportFigure",
    "ReportingTotal",
    "Resolution",
    "Target",
    "TargetComponent",
    "TaskProgress",
    "TaskStatusTotal",
]
