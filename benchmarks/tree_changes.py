"""Tree changes at scale: moving many grassroots unions to new parents with one decision,
on a copy of a national database made by ``manage.py generate_scale_data`` (never on one
that others use: the moves are committed).

    createdb -h 127.0.0.1 -U postgres -T up_nat_130000_3y up_tree_nat
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/up_tree_nat .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/up_tree_nat \\
      .venv/bin/python benchmarks/tree_changes.py --units 1000
    dropdb -h 127.0.0.1 -U postgres up_tree_nat

Takes ``--units`` grassroots unions of the first upper levels of the first province (tree
order) and moves them under the last upper level of that province, effective 1 July of
the newest resolution's year, through ``branches.changes`` (the code the pages and
``apply_changes`` use). Prints: the time to plan, to preview (applied and rolled back) and
to apply, per unit, the SQL statements; how long a grassroots officer's report write in
the moved subtree waited while the change ran (one write started in a second process as
the change began); the province dashboard's figures (``scope_progress`` and who reported)
in both views before and after, with their time. Standard library plus the app.
"""

import argparse
import datetime
import multiprocessing
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionplan.settings")


def setup():
    import django

    django.setup()


def file_one(unit_id, resolution_id, started, result):
    """A grassroots report write (the ledger's tracking) in the moved subtree, timed."""
    setup()
    from django.db import connection, transaction

    from branches.models import Organisation
    from targets.reporting import ledger
    from targets.reporting.models import MonthlyReport

    started.wait()
    time.sleep(0.5)
    t0 = time.perf_counter()
    with transaction.atomic():
        unit = Organisation.objects.get(pk=unit_id)
        with ledger.tracking(unit):
            report = MonthlyReport.objects.filter(organisation=unit, resolution_id=resolution_id).first()
            if report is not None:
                report.save(update_fields=["updated_at"])
    result.value = time.perf_counter() - t0
    connection.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=1000)
    args = parser.parse_args()
    setup()
    from django.db import connection
    from django.db.models import Q
    from django.test.utils import CaptureQueriesContext

    from branches import changes
    from branches.changes import Step
    from branches.models import Organisation
    from targets.resolution.models import Resolution
    from targets.restructuring.preview import preview_change
    from targets.rollup.completeness import reported_so_far
    from targets.rollup.figures import Structure
    from targets.rollup.progress import scope_progress

    province = Organisation.objects.filter(kind="province").order_by("path").first()
    resolution = Resolution.objects.for_path(province.path).order_by("-year").first()
    uppers = list(Organisation.objects.filter(parent=province, kind="upper_level").order_by("path"))
    target = uppers[-1]
    day = datetime.date(resolution.year, 7, 1)
    units = list(
        Organisation.objects.under(province)
        .filter(kind="grassroots", dissolved_on__isnull=True)
        .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=day))
        .exclude(path__startswith=target.path)
        .order_by("path")
        .values_list("pk", "code")[: args.units]
    )
    print(f"database: {connection.settings_dict['NAME']}; province {province.code}: {len(uppers)} upper levels")
    print(f"moving {len(units)} grassroots unions under {target.code}, resolution {resolution.year}")

    def dashboard():
        out = {}
        for structure in Structure.CHOICES:
            t0 = time.perf_counter()
            rows = scope_progress(resolution, province, 11, structure=structure)
            reported = reported_so_far(resolution, province, 6, structure)
            out[structure] = (rows[0].achieved, reported, time.perf_counter() - t0)
        return out

    before = dashboard()
    t0 = time.perf_counter()
    change = changes.change_plan(
        federation=province,
        decision_number="BENCH/QĐ",
        effective_on=day,
        steps=[Step("move", units=[code for _pk, code in units], to=target.code)],
    )
    plan_s = time.perf_counter() - t0
    preview_s = None
    if len(units) <= 2000:
        t0 = time.perf_counter()
        preview = preview_change(change)
        preview_s = time.perf_counter() - t0
        assert not preview.errors, preview.errors
    started = multiprocessing.Event()
    waited = multiprocessing.Value("d", -1.0)
    writer = multiprocessing.Process(target=file_one, args=(units[-1][0], resolution.pk, started, waited))
    connection.close()  # the child opens its own
    writer.start()
    t0 = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        started.set()
        changes.change_apply(change)
    apply_s = time.perf_counter() - t0
    writer.join()
    after = dashboard()
    print(f"plan: {plan_s:.1f} s")
    if preview_s is not None:
        print(f"preview (applied and rolled back): {preview_s:.1f} s")
    print(
        f"apply: {apply_s:.1f} s for {len(units)} units = {1000 * apply_s / max(len(units), 1):.1f} ms per unit; "
        f"{len(queries)} SQL statements"
    )
    print(f"a report write in the moved subtree, started 0,5 s into the change, took {waited.value:.2f} s")
    for structure in Structure.CHOICES:
        b, a = before[structure], after[structure]
        print(
            f"province, {structure}: target 1 achieved {b[0]} -> {a[0]}; reported/expected June {b[1]} -> {a[1]}; "
            f"read in {1000 * b[2]:.0f} / {1000 * a[2]:.0f} ms"
        )
    assert before[Structure.CURRENT][0] == after[Structure.CURRENT][0], "a move within the province changed its total"
    assert before[Structure.MONTHLY][0] == after[Structure.MONTHLY][0]


if __name__ == "__main__":
    main()
