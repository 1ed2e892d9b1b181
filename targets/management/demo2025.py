"""The 2025 demo: a smaller federation year that lives through the reorganisation of 2025
(``../shared/domain.md``, "The 2025 reorganisation"), beside the 2020 Kiên Giang demo.

Two demo federations, "Kiên Giang (2025)" and "An Giang (2025)", each with its 2025
resolution (the 2020 targets' vocabulary, new year). Grassroots unions report January to
November; the tree changes under them as decisions, applied by ``branches.changes``:
- 15 June: a wave of dissolutions of unions in wholly state-funded agencies;
- 1 July: the ward union of Rạch Giá is founded, the upper levels are ended and their
  grassroots unions handed to the provincial federation (one decision);
- 1 July: the Kiên Giang federation merges into An Giang's;
- 27 August: Rạch Giá's former grassroots unions move to the ward union;
- 1 January 2026: the merger's hand-over (planned by the merger, applied on its day): the
  former Kiên Giang units come under An Giang, expected against its 2026 resolution (a copy
  of its 2025 one, figures to be set). Play it with ``make run DEMO_TODAY=2026-01-05``.
Reports stay with the units that filed them; the running totals are counted once at the end
(both views). Play it with ``make run DEMO_TODAY=2025-12-03``."""

import datetime
import json
import random
from pathlib import Path

from django.db import transaction

from branches import changes
from branches.changes import Step
from branches.management.demo import DEMO_PASSWORD, demo_email
from branches.models import Organisation, User
from targets.reporting.ledger import recount
from targets.reporting.models import MonthlyReport, ReportFigure
from targets.resolution.copying import copy_resolution
from targets.resolution.loading import load_resolution

RESOLUTION_2020 = Path(__file__).resolve().parent.parent / "data" / "resolution-2020-kien-giang.json"
KG, AG = "KG25", "AG25"
G = Organisation.Kind.GRASSROOTS
UPPER = Organisation.Kind.UPPER_LEVEL
# (code, name, grassroots unions, share in public agencies)
KG_UPPER_LEVELS = [
    ("KG25-RG", "LĐLĐ thành phố Rạch Giá", 16, 0.3),
    ("KG25-HT", "LĐLĐ thành phố Hà Tiên", 8, 0.5),
    ("KG25-GD", "Công đoàn ngành Giáo dục", 12, 1.0),
    ("KG25-YT", "Công đoàn ngành Y tế", 6, 1.0),
]
AG_UPPER_LEVELS = [("AG25-LX", "LĐLĐ thành phố Long Xuyên", 10, 0.4), ("AG25-CD", "LĐLĐ thành phố Châu Đốc", 6, 0.4)]
WARD = ("KG25-PRG", "Công đoàn phường Rạch Giá")
USERS = [
    ("tinh2025", KG, "provincial_staff", "Văn Phúc", "Lâm"),
    ("angiang2025", AG, "provincial_staff", "Thị Hạnh", "Đỗ"),
    ("phuongrachgia", WARD[0], "upper_level_officer", "Minh Tâm", "Huỳnh"),
]


def _resolution(code, name):
    data = json.loads(RESOLUTION_2020.read_text(encoding="utf-8"))
    data.update(
        organisation={"code": code, "name": name, "kind": "province"},
        year=2025,
        issued_on="2025-01-20",
        issuing_body=f"Ban Chấp hành {name}",
        title="Nghị quyết về thực hiện nhiệm vụ công tác công đoàn năm 2025 (dữ liệu minh họa)",
        reference="",
        source="Dữ liệu minh họa năm 2025: chỉ tiêu theo mẫu năm 2020.",
    )
    resolution, _created = load_resolution(data)
    return resolution


def _tree(federation, upper_levels, rng):
    units = []
    for code, name, count, public in upper_levels:
        upper = Organisation.objects.create(
            code=code, name=name, kind=UPPER, parent=federation, founded_on=datetime.date(2008, 1, 1)
        )
        for i in range(1, count + 1):
            sector = (
                Organisation.Sector.PUBLIC_AGENCY if rng.random() < public else Organisation.Sector.NON_STATE_ENTERPRISE
            )
            kind = "Trường" if code.endswith("GD") else "Bệnh viện" if code.endswith("YT") else "Công ty"
            units.append(
                Organisation.objects.create(
                    code=f"{code}-{i:03d}",
                    name=f"CĐCS {kind} {name.split()[-1]} số {i}",
                    kind=G,
                    sector=sector,
                    parent=upper,
                    workforce=rng.randint(20, 400),
                    members=rng.randint(15, 300),
                    founded_on=datetime.date(2012, 1, 1),
                )
            )
    return units


def _reports(resolution, units, rng, last_month=11):
    """Approved reports of new members (target 1), January to November, each unit while active."""
    members = resolution.components().get(target__number=1, order=1)
    for unit in units:
        unit.refresh_from_db()
        for month in range(1, last_month + 1):
            if unit.dissolved_on and unit.dissolved_on <= resolution.month_end(month):
                break
            moment = datetime.datetime(2025 if month < 12 else 2026, month % 12 + 1, 5, 9, tzinfo=datetime.UTC)
            report = MonthlyReport.objects.create(
                resolution=resolution,
                organisation=unit,
                month=month,
                status=MonthlyReport.Status.APPROVED,
                submitted_at=moment,
                first_submitted_at=moment,
                approved_at=moment,
            )
            quantity = rng.randint(0, 6)
            ReportFigure.objects.create(report=report, component=members, quantity=quantity, approved_quantity=quantity)


def _decision(federation, number, day, steps, user):
    change = changes.change_plan(
        federation=federation,
        decision_number=number,
        decision_date=day - datetime.timedelta(days=10),
        decision_text="Sắp xếp tổ chức công đoàn (dữ liệu minh họa)",
        effective_on=day,
        steps=steps,
    )
    change = changes.change_apply(change)
    # Who prepared and applied it, on record. The loader acts as an admin would: the app's
    # clock may stand in 2020 (the API fuzz, `make run`'s server), before the merger that
    # gives An Giang's staff Kiên Giang's tree, so their access is not asked here.
    change.created_by = change.applied_by = user
    change.save(update_fields=["created_by", "applied_by"])
    return change


@transaction.atomic
def load_demo_2025():
    """Load the 2025 demo once; returns a line saying what was done."""
    if Organisation.objects.filter(code=KG).exists():
        return "demo 2025: already loaded"
    rng = random.Random(2025)
    kg = _resolution(KG, "Liên đoàn Lao động tỉnh Kiên Giang (minh họa 2025)")
    ag = _resolution(AG, "Liên đoàn Lao động tỉnh An Giang (minh họa 2025)")
    kg_units = _tree(kg.organisation, KG_UPPER_LEVELS, rng)
    ag_units = _tree(ag.organisation, AG_UPPER_LEVELS, rng)
    for username, code, role, first, last in USERS[:2]:
        _user(username, code, role, first, last)
    staff = User.objects.get(username="tinh2025")
    # 15 June: unions of wholly state-funded agencies dissolved (Giáo dục's and Y tế's, in part).
    state_funded = [
        u.code
        for u in kg_units
        if u.sector == Organisation.Sector.PUBLIC_AGENCY and u.parent.code in ("KG25-GD", "KG25-YT")
    ][::2]
    _decision(kg.organisation, "52/QĐ-LĐLĐ", datetime.date(2025, 6, 15), [Step("dissolve", units=state_funded)], staff)
    # 1 July: the ward union founded; the upper levels ended, their unions handed to the province.
    rach_gia = [u.code for u in Organisation.objects.filter(parent__code="KG25-RG").order_by("code")]
    _decision(
        kg.organisation,
        "85/QĐ-LĐLĐ",
        datetime.date(2025, 7, 1),
        [
            Step("found", to=KG, code=WARD[0], name=WARD[1], level=UPPER),
            Step("dissolve", units=[code for code, *_rest in KG_UPPER_LEVELS], to=KG),
        ],
        staff,
    )
    _user(*USERS[2])
    # 1 July: the federation merges into An Giang's (its staff follow to An Giang).
    _decision(kg.organisation, "4173/TLĐ-ToC", datetime.date(2025, 7, 1), [Step("merge", units=[KG], to=AG)], staff)
    # 27 August: Rạch Giá's former unions move to the ward union (An Giang's staff decide now).
    ag_staff = User.objects.get(username="angiang2025")
    _decision(
        kg.organisation, "120/QĐ-LĐLĐ", datetime.date(2025, 8, 27), [Step("move", units=rach_gia, to=WARD[0])], ag_staff
    )
    _reports(kg, kg_units, rng)
    _reports(ag, ag_units, rng)
    # The next year there is one federation: An Giang's 2026 resolution, which the units of
    # Kiên Giang's join on 1 January (the merger's hand-over, planned).
    copy_resolution(ag, 2026)
    recount.rebuild()
    return (
        f"demo 2025: {len(kg_units) + len(ag_units)} grassroots unions, 4 decisions, reports January–November, "
        "hand-over planned for 01/01/2026"
    )


def _user(username, code, role, first, last):
    if User.objects.filter(username=username).exists():
        return
    user = User(
        username=username,
        organisation=Organisation.objects.get(code=code),
        role=role,
        first_name=first,
        last_name=last,
        email=demo_email(username),
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
