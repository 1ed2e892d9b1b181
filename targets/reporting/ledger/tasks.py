"""The running totals' background job: the nightly check (``check``), run by the scheduler."""

from django_tasks import task

from .check import check_totals


@task()
def check_totals_task():
    """Count every running total afresh, repair and tell the admins on any difference."""
    return str(check_totals())
