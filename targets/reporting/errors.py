"""The workflow's refusals, each with a message for the user (``services`` and ``year``
raise them; views, the Excel import and the API show them)."""


class ReportError(Exception):
    """A workflow error with a message for the user."""


class ReportConflict(ReportError):
    """The report changed since the page was loaded (stale version)."""


class ReportLocked(ReportError):
    """The report's status does not allow this action."""


class ReportMonthNotOpen(ReportError):
    """The month is outside the resolution's year or still in the future."""


class ReportFourEyes(ReportError):
    """The approver entered the figures on the unit's behalf (``access.approval_by``)."""


class ReportYearLocked(ReportError):
    """The resolution's year is locked and the report was not reopened since."""
