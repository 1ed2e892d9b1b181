"""Generate a realistic tree and one or more years of reports at any size, by bulk loading.

Used by ``manage.py generate_scale_data`` and the benchmarks: ``--grassroots 2000`` gives
one province; ``--grassroots 130000`` the whole country (a confederation, ~60 provinces,
~1,300 upper-level unions). ``years`` > 1 adds the earlier years' resolutions (copies of the
same targets, each continuing last year's when the model has ``Target.continues``) with a
closed year of reports each, as a federation has after a few years. On PostgreSQL rows go
in with COPY, elsewhere bulk INSERT. The same arguments give the same data.
"""

import datetime
import json
import multiprocessing
import os
import random
import time
from pathlib import Path

from django.db import connection, connections, transaction
from django.utils import timezone

from branches.models import Organisation, path_segment
from targets.reporting.ledger import rebuild as rebuild_totals
from targets.reporting.models import MonthlyReport, ReportFigure, TaskProgress
from targets.resolution.loading import load_resolution
from targets.resolution.models import Resolution, Target, TargetComponent

from .bulk_load import Copier, copy_rows, keys_and_indexes_built_once, next_id, reset_sequences

RESOLUTION_FILE = Path(__file__).resolve().parent.parent / "data" / "resolution-2020-kien-giang.json"
PROVINCE_GRASSROOTS = 1603  # the demo province the 2020 figures were set for
SECTORS = ["public_agency"] * 77 + ["non_state_enterprise"] * 22 + ["state_enterprise"]
STATUS_WEIGHTS = [("approved", 80), ("submitted", 8), ("returned", 2), ("draft", 3), (None, 7)]
# A closed year: everything filed was reviewed; some units never reported some months.
PAST_STATUS_WEIGHTS = [("approved", 93), (None, 7)]
# What officers write about a task they have started (the priority-task page lists them).
NARRATIVES = [
    "Đã tổ chức hội nghị triển khai đến toàn thể đoàn viên, phân công cán bộ theo dõi.",
    "Phối hợp với chuyên môn đồng cấp, lồng ghép vào kế hoạch công tác tháng {month}.",
    "Đã hoàn thành các nội dung theo kế hoạch; tiếp tục duy trì và báo cáo kết quả.",
]


def _pick(rng, weighted):
    total = sum(w for _, w in weighted)
    r = rng.uniform(0, total)
    for value, weight in weighted:
        r -= weight
        if r <= 0:
            return value
    return weighted[-1][0]


def generate(*, grassroots, year=2020, years=1, months=12, seed=1, log=print):
    """Create a tree with about ``grassroots`` grassroots unions and, for each of the
    ``years`` years ending with ``year``, a resolution whose figures are scaled to the tree
    and its reports: ``months`` months of ``year``, the whole of each earlier (closed) year.
    Returns counts."""
    started = time.monotonic()
    counts, resolutions, root = _load(grassroots, year, years, months, seed, started, log)
    # Bulk loading bypasses the services: build the dashboards' running totals once, at the end.
    _rebuild_each(resolutions, log)
    counts["seconds"] = round(time.monotonic() - started, 1)
    counts["resolution"] = resolutions[-1].pk
    counts["years"] = [r.year for r in resolutions]
    counts["root"] = root.code
    log(f"generated: {counts}")
    return counts


@transaction.atomic
def _load(grassroots, year, years, months, seed, started, log):
    """The tree, the resolutions and their reports, in one transaction."""
    rng = random.Random(seed)
    root, units, organisations = _tree(rng, grassroots=grassroots, year=year, prefix=f"S{seed}-")
    log(f"tree: {organisations} organisations ({time.monotonic() - started:.1f} s)")
    counts = {"organisations": organisations, "reports": 0, "figures": 0, "task_progress": 0}
    resolutions = []
    with keys_and_indexes_built_once(MonthlyReport, ReportFigure, TaskProgress):
        _years(rng, root, units, grassroots, year, years, months, resolutions, counts, started, log)
    reset_sequences(MonthlyReport, ReportFigure, TaskProgress)
    return counts, resolutions, root


def _rebuild_one(resolution_id):
    """Rebuild one resolution's totals (in a process of its own); returns what it logged."""
    lines = []
    rebuild_totals(Resolution.objects.get(pk=resolution_id), log=lines.append)
    connection.close()
    return lines


def _rebuild_each(resolutions, log):
    """Each resolution's totals rebuilt. On PostgreSQL, once the load is committed, the
    resolutions are rebuilt side by side, one process each up to the machine's cores (their
    totals are separate rows): Python's counting and the database's reading then fill every
    core. Inside a transaction (the tests) or elsewhere, one after the other."""
    if connection.vendor != "postgresql" or connection.in_atomic_block or len(resolutions) < 2:
        for resolution in resolutions:
            rebuild_totals(resolution, log=log)
        return
    connections.close_all()  # each process opens its own
    processes = min(len(resolutions), os.cpu_count() or 1)
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        for lines in pool.imap_unordered(_rebuild_one, [r.pk for r in resolutions]):
            for line in lines:
                log(line)


def _years(rng, root, units, grassroots, year, years, months, resolutions, counts, started, log):
    """Each year's resolution and reports, the earlier (closed) years whole."""
    for each_year in range(year - years + 1, year + 1):
        resolution = _resolution(root, grassroots, each_year, previous=resolutions[-1] if resolutions else None)
        closed = each_year < year
        added = _reports(
            rng,
            resolution,
            units,
            months=12 if closed else months,
            weights=PAST_STATUS_WEIGHTS if closed else STATUS_WEIGHTS,
        )
        for key, value in added.items():
            counts[key] += value
        resolutions.append(resolution)
        log(f"{each_year}: {added['reports']:,} reports ({time.monotonic() - started:.1f} s)")


def _tree(rng, *, grassroots, year, prefix):
    """The organisation tree, top down, loaded in one COPY. Returns the root, the units that
    report as (id, kind, sector, workforce, founded_on), and the number of organisations."""
    national = grassroots > 5000
    provinces = max(1, round(grassroots / 2200)) if national else 1
    uppers_per_province = max(3, round(grassroots / provinces / 100))
    upper_count = provinces * uppers_per_province
    # Grassroots unions per upper level, adding up to exactly ``grassroots``.
    per_upper = [grassroots // upper_count + (i < grassroots % upper_count) for i in range(upper_count)]

    if national:
        root = Organisation.objects.create(
            code=prefix + "VN", name="Tổng Liên đoàn Lao động Việt Nam", kind=Organisation.Kind.CONFEDERATION
        )
    else:
        root = Organisation.objects.create(
            code=prefix + "P1", name="Liên đoàn Lao động tỉnh 1", kind=Organisation.Kind.PROVINCE
        )

    # Explicit ids and paths, so that nothing needs a second pass.
    org_id = next_id(Organisation)
    org_columns = [
        "id",
        "parent_id",
        "path",
        "code",
        "name",
        "kind",
        "sector",
        "workforce",
        "members",
        "founded_on",
        "dissolved_on",
        "contact_person",
        "phone",
        "email",
    ]
    org_rows, units = [], []  # units: (id, kind, sector, workforce, founded_on)
    province_nodes = []
    if national:
        for p in range(1, provinces + 1):
            pid, org_id = org_id, org_id + 1
            path = root.path + path_segment(pid)
            org_rows.append(
                (
                    pid,
                    root.pk,
                    path,
                    f"{prefix}P{p}",
                    f"Liên đoàn Lao động tỉnh {p}",
                    "province",
                    "",
                    0,
                    0,
                    None,
                    None,
                    "",
                    "",
                    "",
                )
            )
            province_nodes.append((pid, path))
    else:
        province_nodes.append((root.pk, root.path))
    for p, (pid, ppath) in enumerate(province_nodes, start=1):
        for u in range(1, uppers_per_province + 1):
            uid, org_id = org_id, org_id + 1
            upath = ppath + path_segment(uid)
            org_rows.append(
                (
                    uid,
                    pid,
                    upath,
                    f"{prefix}P{p}-U{u}",
                    f"Công đoàn cấp trên {p}.{u}",
                    "upper_level",
                    "",
                    0,
                    0,
                    None,
                    None,
                    f"Cán bộ {p}.{u}",
                    "0297 3000000",
                    "",
                )
            )
            units.append((uid, "upper_level", "", 0, None))
            for g in range(1, per_upper[(p - 1) * uppers_per_province + u - 1] + 1):
                gid, org_id = org_id, org_id + 1
                sector = rng.choice(SECTORS)
                workforce = rng.randint(8, 90) if sector == "public_agency" else int(rng.lognormvariate(4.0, 0.9)) + 10
                if sector != "public_agency" and rng.random() < 0.1:
                    founded = datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))
                else:
                    founded = datetime.date(rng.randint(1990, year - 1), rng.randint(1, 12), rng.randint(1, 28))
                dissolved = datetime.date(year, rng.randint(2, 12), 1) if rng.random() < 0.01 else None
                if dissolved and dissolved <= founded:
                    dissolved = None
                org_rows.append(
                    (
                        gid,
                        uid,
                        upath + path_segment(gid),
                        f"{prefix}P{p}-U{u}-G{g}",
                        f"CĐCS đơn vị {p}.{u}.{g}",
                        "grassroots",
                        sector,
                        workforce,
                        max(1, int(workforce * 0.8)),
                        founded,
                        dissolved,
                        f"Chủ tịch {g}",
                        "0900000000",
                        "",
                    )
                )
                units.append((gid, "grassroots", sector, workforce, founded))
    copy_rows(Organisation, org_columns, org_rows)
    reset_sequences(Organisation)
    return root, units, len(org_rows) + 1


def _resolution(root, grassroots, year, previous):
    """``year``'s resolution of ``root``: the 2020 file's targets and tasks, figures scaled
    from the 2020 province to this tree; each target continues ``previous``'s of the same
    number when the model knows ``Target.continues``."""
    data = json.loads(RESOLUTION_FILE.read_text(encoding="utf-8"))
    scale = grassroots / PROVINCE_GRASSROOTS
    data["organisation"] = {"code": root.code, "name": root.name, "kind": root.kind}
    data["year"] = year
    data["issued_on"] = f"{year}{data['issued_on'][4:]}"
    data["title"] = data["title"].replace("2020", str(year))
    for target in data["targets"]:
        for component in target["components"]:
            if component.get("figure_kind") != "all_eligible":
                component["figure"] = max(1, round(component["figure"] * scale))
    resolution, _ = load_resolution(data)
    if previous is not None and any(f.name == "continues" for f in Target._meta.get_fields()):
        last_year = dict(previous.targets.values_list("number", "pk"))
        targets = list(resolution.targets.all())
        for target in targets:
            target.continues_id = last_year.get(target.number)
        Target.objects.bulk_update(targets, ["continues"])
    return resolution


def _reports(rng, resolution, units, *, months, weights):
    """Months 1 to ``months`` of reports of ``resolution``'s year for every unit (none before
    it was founded; a status drawn from ``weights``, None for no report). Returns counts."""
    year = resolution.year
    components = list(TargetComponent.objects.filter(target__resolution=resolution).select_related("target"))
    tasks = list(resolution.tasks.values_list("id", flat=True))
    now = timezone.now()
    report_id, figure_id, progress_id = next_id(MonthlyReport), next_id(ReportFigure), next_id(TaskProgress)
    eligible_cache = {}
    counts = {"reports": 0, "figures": 0, "task_progress": 0}
    batch = 20000

    def eligible(kind, sector, workforce):
        key = (kind, sector, workforce >= 25)
        if key not in eligible_cache:
            probe = Organisation(kind=kind, sector=sector, workforce=workforce)
            eligible_cache[key] = [c for c in components if c.is_reported and c.is_eligible(probe)]
        return eligible_cache[key]

    # Made once, used by the millions: the day each report was submitted (as the aware
    # datetime the column takes), each task's narrative of a month.
    submitted_at_of = {}
    narrative_of = {}
    task_statuses = ("not_started", "in_progress", "done")
    Measure = TargetComponent.Measure
    copying = Copier((MonthlyReport, REPORT_COLUMNS), (ReportFigure, FIGURE_COLUMNS), (TaskProgress, PROGRESS_COLUMNS))
    kinds = ("reports", "figures", "task_progress")

    reports, figures, progress = [], [], []
    for unit_id, kind, sector, workforce, founded in units:
        done_month = {}
        quantities = (0, 0, 1, 1, 2, 3, 5) if kind == "grassroots" else (0, 0, 1)
        unit_components = eligible(kind, sector, workforce)
        for month in range(1, months + 1):
            if founded and (founded.year, founded.month) > (year, month):
                continue
            status = _pick(rng, weights)
            if status is None:
                continue
            submitted_on = resolution.due_date(month) + datetime.timedelta(days=rng.randint(-15, 6))
            submitted_at = None
            if status != "draft":
                submitted_at = submitted_at_of.get(submitted_on)
                if submitted_at is None:
                    submitted_at = timezone.make_aware(datetime.datetime.combine(submitted_on, datetime.time(9)))
                    submitted_at_of[submitted_on] = submitted_at
            approved = status == "approved"
            reviewed_at = submitted_at if approved else None
            reports.append(
                (report_id, resolution.pk, unit_id, month, status, False, "", 1, 0, now, now, submitted_at)
                + (submitted_at, None, reviewed_at, None, "", reviewed_at)
            )
            for component in unit_components:
                quantity = done_on = value = None
                done = False
                if component.measure == Measure.QUANTITY:
                    quantity = rng.choice(quantities)
                elif component.measure == Measure.UNITS_DONE:
                    if component.pk not in done_month and rng.random() < 0.08:
                        done_month[component.pk] = month
                        done, done_on = True, datetime.date(year, month, rng.randint(1, 28))
                elif component.measure == Measure.UNITS_AT_THRESHOLD:
                    value = rng.choice((12000, 13000, 15000, 16000, 18000, 20000))
                figure = (figure_id, report_id, component.pk, quantity, done, done_on, value)
                figures.append(figure + ((quantity, done, value) if approved else (None, False, None)))
                figure_id += 1
            for task, task_status in zip(tasks, rng.choices(task_statuses, k=len(tasks)), strict=True):
                if task_status == "not_started":
                    narrative = ""
                else:
                    narrative = narrative_of.get((task, month))
                    if narrative is None:
                        narrative = narrative_of[(task, month)] = NARRATIVES[(task + month) % 3].format(month=month)
                progress.append((progress_id, report_id, task, task_status, narrative))
                progress_id += 1
            report_id += 1
        if len(reports) >= batch:
            for kind, rows in zip(kinds, (reports, figures, progress), strict=True):
                counts[kind] += len(rows)
            copying.put(reports, figures, progress)
            reports, figures, progress = [], [], []
    for kind, rows in zip(kinds, (reports, figures, progress), strict=True):
        counts[kind] += len(rows)
    copying.put(reports, figures, progress)
    copying.finish()
    return counts


REPORT_COLUMNS = [
    "id",
    "resolution_id",
    "organisation_id",
    "month",
    "status",
    "nothing_to_report",
    "note",
    "version",
    "revision",
    "created_at",
    "updated_at",
    "submitted_at",
    "first_submitted_at",
    "submitted_by_id",
    "reviewed_at",
    "reviewed_by_id",
    "review_comment",
    "approved_at",
]
FIGURE_COLUMNS = [
    "id",
    "report_id",
    "component_id",
    "quantity",
    "done",
    "done_on",
    "value",
    "approved_quantity",
    "approved_done",
    "approved_value",
]
PROGRESS_COLUMNS = ["id", "report_id", "task_id", "status", "narrative"]
