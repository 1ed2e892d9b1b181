"""A child process of tests/test_concurrent_workflow.py: files, submits, approves and
reopens reports through targets.reporting.services against the database DATABASE_URL names.

Protocol: reads one JSON plan line from stdin, sets Django up, prints ``ready``, waits for
a ``go`` line (so that every process starts at the same moment), then prints one JSON line:
{"done": [successful actions], "refused": {kind: count}, "crashed": [tracebacks]}.
Only ReportConflict and ReportLocked count as refusals; anything else is a crash.
"""

import datetime
import json
import os
import sys
import traceback


def figures_for(report, quantity):
    """Figures for every component on ``report``: ``quantity`` for counted figures, done
    for yes/no ones, ``quantity`` as the value for threshold ones."""
    from targets.models import TargetComponent

    Measure = TargetComponent.Measure
    figures = {}
    for figure in report.figures.select_related("component"):
        measure = figure.component.measure
        if measure == Measure.QUANTITY:
            figures[figure.component_id] = {"quantity": quantity}
        elif measure == Measure.UNITS_DONE:
            done_on = datetime.date(report.resolution.year, report.month, 1)
            figures[figure.component_id] = {"done": True, "done_on": done_on}
        elif measure == Measure.UNITS_AT_THRESHOLD:
            figures[figure.component_id] = {"value": quantity}
    return figures


def run(plan):
    from branches.models import Organisation, User
    from targets.models import MonthlyReport, Resolution
    from targets.reporting import services

    resolution = Resolution.objects.get(pk=plan["resolution"])
    users = {u.pk: u for u in User.objects.select_related("organisation")}
    units = {u.pk: u for u in Organisation.objects.all()}
    done, refused, crashed = [], {}, []

    def fresh(unit_id, month):
        return MonthlyReport.objects.select_related("resolution").get(
            resolution=resolution, organisation_id=unit_id, month=month
        )

    def attempt(action, unit_id, month, call, quantity=None):
        try:
            call()
        except (services.ReportConflict, services.ReportLocked) as error:
            refused[type(error).__name__] = refused.get(type(error).__name__, 0) + 1
            return False
        except Exception:  # noqa: BLE001 - any other error is what the test looks for
            crashed.append(f"{action} unit={unit_id} month={month}\n{traceback.format_exc()}")
            return False
        done.append({"action": action, "unit": unit_id, "month": month, "quantity": quantity})
        return True

    def file(unit_id, filer, month, quantity):
        report = services.report_get_or_create(unit=units[unit_id], resolution=resolution, month=month)
        return attempt(
            "submit",
            unit_id,
            month,
            lambda: services.report_save(
                report=report,
                user=users[filer],
                figures=figures_for(report, quantity),
                tasks={},
                expected_version=report.version,
                submit=True,
            ),
            quantity,
        )

    def approve(unit_id, reviewer, month):
        report = fresh(unit_id, month)
        return attempt("approve", unit_id, month, lambda: services.report_approve(report=report, user=users[reviewer]))

    def reopen(unit_id, reviewer, month):
        report = fresh(unit_id, month)
        return attempt(
            "reopen",
            unit_id,
            month,
            lambda: services.report_reopen(report=report, user=users[reviewer], reason="Sửa số liệu"),
        )

    worker = plan["worker"]
    shared = plan["shared"]
    for month in plan["months"]:
        # Everyone at once on the same unit: one submit and one approval get through.
        file(shared["unit"], shared["filer"], month, 1000 * (worker + 1) + month)
        approve(shared["unit"], shared["reviewer"], month)
        # Each process's own units, under the same upper levels as everyone else's.
        for own in plan["own"]:
            quantity = 10 * (worker + 1) + month
            if file(own["unit"], own["filer"], month, quantity) and approve(own["unit"], own["reviewer"], month):
                if month == plan["months"][0]:
                    # A correction: reopen, file a new figure, approve again.
                    reopen(own["unit"], own["reviewer"], month)
                    file(own["unit"], own["filer"], month, quantity + 5)
                    approve(own["unit"], own["reviewer"], month)
    return {"done": done, "refused": refused, "crashed": crashed}


def main():
    plan = json.loads(sys.stdin.readline())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionplan.settings")
    import django

    django.setup()
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        sys.exit(1)
    result = run(plan)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
