"""Two federations and two years on one database: Kiên Giang (2020 from its data file, 2021
from a test file whose targets 1 and 2 continue 2020's 1 and 3) and An Giang (2024, a test
file), each with its own officers and reports."""

import datetime
from pathlib import Path

import pytest

from branches.models import Organisation, User
from targets.resolution.loading import load_resolution_file
from tests.dashboard_data import component, file_report

DATA = Path(__file__).resolve().parent.parent / "data"
KG_2021 = DATA / "resolution-2021-kien-giang.json"
AG_2024 = DATA / "resolution-2024-an-giang.json"


@pytest.fixture
def kg_2021(resolution):
    next_year, _ = load_resolution_file(KG_2021)
    return next_year


@pytest.fixture
def an_giang(db, make_user):
    """An Giang's 2024 resolution, a small tree (Long Xuyên and one enterprise's union),
    its officers, and an approved March report of 4.321 new members."""
    resolution, _ = load_resolution_file(AG_2024)
    province = resolution.organisation
    long_xuyen = Organisation.objects.create(
        code="AG-LX", name="LĐLĐ thành phố Long Xuyên", kind=Organisation.Kind.UPPER_LEVEL, parent=province
    )
    firm = Organisation.objects.create(
        code="AG-LX-1",
        name="CĐCS Công ty Thủy sản Long Xuyên",
        kind=Organisation.Kind.GRASSROOTS,
        sector=Organisation.Sector.NON_STATE_ENTERPRISE,
        parent=long_xuyen,
        workforce=90,
        members=60,
        founded_on=datetime.date(2015, 1, 1),
    )
    file_report(resolution, firm, 3, {component(resolution, 1): {"quantity": 4321}})
    R = User.Role
    return {
        "resolution": resolution,
        "province": province,
        "long_xuyen": long_xuyen,
        "firm": firm,
        "staff": make_user("ag_tinh", province, R.PROVINCIAL_STAFF),
        "upper": make_user("ag_longxuyen", long_xuyen, R.UPPER_LEVEL_OFFICER),
    }
