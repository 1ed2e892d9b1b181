"""The app's models, gathered for Django: each is defined in the step that owns it."""

from unionplan.background import ScheduledJob, WorkerHeartbeat

from .api.idempotency import IdempotentAnswer
from .api.tokens import ApiToken
from .dashboards.models import ExportFile
from .documents.models import ReportTemplate
from .reminders.models import ReminderSent
from .reporting.excel.models import ExcelImport
from .reporting.ledger.models import ProgressTotal, ReportingTotal, TaskStatusTotal
from .reporting.models import MonthlyReport, ReportFigure, TaskProgress
from .resolution.allocations import Allocation
from .resolution.models import PriorityTask, Resolution, Target, TargetComponent
from .restructuring.models import ChangeJob

__all__ = [
    "Allocation",
    "ChangeJob",
    "ExcelImport",
    "ExportFile",
    "ScheduledJob",
    "WorkerHeartbeat",
    "ApiToken",
    "IdempotentAnswer",
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
