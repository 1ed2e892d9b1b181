"""Tree changes at scale: moving many grassroots unions to new parents with one decision,
on a copy of a national database made by ``manage.py generate_scale_data`` (never on one
that others use: the moves are committed).

    createdb -h 127.0.0.1 -U postgres -T up_nat_130000_3y up_tree_nat
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/up_tree_nat .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/up_tree_nat \\
      .venv/bin/python benchmarks/tree_changes.py --units 1000
    dropdb -h 127.0.0.1 -U postgres up_tree_nat

Takes ``--units`` grassroots unions of the first upper levels of each province in tree
order (as many provinces as it takes: a national province has ~2,200) and moves them, in
one decision, under the last upper level of their own province, effective 1 July of the
newest resolution's year, through ``branches.changes`` (the code the pages and
``apply_changes`` use). Prints: the time to plan, to preview (applied and rolled back) and
to apply (and with ``--undo`` to undo it), per unit, the SQL statements; how long grassroots officers'
report writes waited while the change ran (a second process files, one after another, a
report of units being moved and of a unit under a new parent,
from 0,5 s into the preview, the change and the undo to their end: count, median, p95 and max); the first province's
dashboard figures (``scope_progress`` and who reported) in both views before and after,
with their time. Standard library plus the app.
"""

import argparse
import datetime
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionplan.settings")


def load():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def setup():
    import django

    django.setup()


def file_some(unit_ids, resolution_id, started, finished, result):
    """Report writes (the ledger's tracking) of ``unit_ids`` in turn while the change runs, timed."""
    setup()
    from django.db import connection, transaction

    from branches.models import Organisation
    from targets.reporting import ledger
    from targets.reporting.models import MonthlyReport

    started.wait()
    time.sleep(0.5)
    waits, index = [], 0
    while not finished.is_set():
        unit_id = unit_ids[index % len(unit_ids)]
        index += 1
        t0 = time.perf_counter()
        with transaction.atomic():
            unit = Organisation.objects.get(pk=unit_id)
            with ledger.tracking(unit, resolution_id):
                report = MonthlyReport.objects.filter(organisation=unit, resolution_id=resolution_id).first()
                if report is not None:
                    report.save(update_fields=["updated_at"])
        waits.append(time.perf_counter() - t0)
        time.sleep(0.05)
    result.put(waits)
    connection.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--undo", action="store_true", help="then undo the change (its time and the writes meanwhile)")
    args = parser.parse_args()
    setup()
    from django.db import connection
    from django.db.models import Q
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from branches import changes
    from branches.changes import Step
    from branches.models import Organisation, TreeChange
    from targets.resolution.models import Resolution
    from targets.restructuring.preview import preview_change
    from targets.rollup.completeness import reported_so_far
    from targets.rollup.figures import Structure
    from targets.rollup.progress import scope_progress

    provinces = list(Organisation.objects.filter(kind="province").order_by("path"))
    province = provinces[0]
    resolution = Resolution.objects.for_path(province.path).order_by("-year").first()
    day = datetime.date(resolution.year, 7, 1)
    units, targets, federations = [], {}, set()
    for each in provinces:
        if len(units) >= args.units:
            break
        uppers = list(Organisation.objects.filter(parent=each, kind="upper_level").order_by("path"))
        if len(uppers) < 2:
            continue
        target = uppers[-1]
        found = list(
            Organisation.objects.under(each)
            .filter(kind="grassroots", dissolved_on__isnull=True)
            .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=day))
            .exclude(path__startswith=target.path)
            .order_by("path")
            .values_list("pk", "code")[: args.units - len(units)]
        )
        units += found
        targets[target.code] = [code for _pk, code in found]
        federations.add(each.pk)
    federation = province if len(federations) == 1 else Organisation.objects.filter(parent__isnull=True).first()
    print(f"database: {connection.settings_dict['NAME']}; {len(federations)} province(s), load {load()}")
    print(f"moving {len(units)} grassroots unions under {len(targets)} upper level(s), resolution {resolution.year}")

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
        federation=federation,
        decision_number="BENCH/QĐ",
        effective_on=day,
        steps=[Step("move", units=codes, to=code) for code, codes in targets.items()],
    )
    plan_s = time.perf_counter() - t0
    # Writers: a unit moved early, one in the middle, one moved last, and one already under
    # the first new parent (whose totals every step of its units writes).
    stay = (
        Organisation.objects.filter(parent__code=next(iter(targets)), kind="grassroots")
        .values_list("pk", flat=True)
        .first()
    )
    writers = [units[0][0], units[len(units) // 2][0], units[-1][0], *([stay] if stay else [])]

    def with_writers(call):
        """``call()`` while a second process files reports of ``writers``: (seconds, SQL
        statements, the writes' waits)."""
        started, finished = multiprocessing.Event(), multiprocessing.Event()
        waited = multiprocessing.Queue()
        writer = multiprocessing.Process(target=file_some, args=(writers, resolution.pk, started, finished, waited))
        connection.close()  # the child opens its own
        writer.start()
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            started.set()
            outcome = call()
        seconds = time.perf_counter() - t0
        finished.set()
        waits = sorted(waited.get())
        writer.join()
        return seconds, len(queries), waits, outcome

    def print_waits(what, waits):
        if waits:
            p95 = waits[min(len(waits) - 1, round(0.95 * (len(waits) - 1)))]
            print(
                f"report writes while {what}: {len(waits)}, median {statistics.median(waits):.3f} s, "
                f"p95 {p95:.3f} s, max {waits[-1]:.3f} s"
            )
        else:
            print(f"report writes while {what}: none (it took under 0.5 s)")

    preview_s, _n, preview_waits, preview = with_writers(lambda: preview_change(change))
    assert not preview.errors, preview.errors
    apply_s, statements, waits, _change = with_writers(lambda: changes.change_apply(change))
    after = dashboard()
    print(f"plan: {plan_s:.1f} s")
    print(f"preview (applied and rolled back): {preview_s:.1f} s")
    print_waits("the preview ran", preview_waits)
    print(
        f"apply: {apply_s:.1f} s for {len(units)} units = {1000 * apply_s / max(len(units), 1):.1f} ms per unit; "
        f"{statements} SQL statements"
    )
    print_waits("the change ran", waits)
    if args.undo:
        # The writes above were the benchmark's own: as if nothing had been filed since.
        TreeChange.objects.filter(pk=change.pk).update(updated_at=timezone.now())
        change.refresh_from_db()
        undo_s, statements, undo_waits, _change = with_writers(lambda: changes.change_undo(change))
        print(f"undo: {undo_s:.1f} s, {statements} SQL statements")
        print_waits("the undo ran", undo_waits)
        undone = dashboard()
        for structure in Structure.CHOICES:
            assert undone[structure][:2] == before[structure][:2], (structure, before[structure], undone[structure])
        print("after the undo: the province's figures are those before the change, in both views")
    print(f"load after: {load()}")
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
