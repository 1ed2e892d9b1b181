import datetime
from pathlib import Path

import pytest

from branches.models import Organisation, User
from targets.resolution.loading import load_resolution_file

RESOLUTION_FILE = Path(__file__).resolve().parent.parent / "targets" / "data" / "resolution-2020-kien-giang.json"
PASSWORD = "a-long-test-password-2020"


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    """Background jobs run at once, in the test's process and transaction; the tests of the
    worker itself (tests/jobs) run them through a real worker process instead."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def resolution(db):
    """The 2020 Kiên Giang resolution, loaded from its data file."""
    resolution, _ = load_resolution_file(RESOLUTION_FILE)
    return resolution


@pytest.fixture
def tree(resolution):
    """A small hand-built tree under the province: two upper levels, five grassroots unions."""
    province = resolution.organisation
    G = Organisation.Kind.GRASSROOTS
    S = Organisation.Sector

    def unit(code, parent, kind=G, sector="", workforce=50, founded=datetime.date(2010, 1, 1)):
        return Organisation.objects.create(
            code=code,
            name=f"Đơn vị {code}",
            kind=kind,
            sector=sector,
            parent=parent,
            workforce=workforce,
            members=workforce // 2,
            founded_on=founded,
        )

    rach_gia = unit("RG", province, Organisation.Kind.UPPER_LEVEL)
    ha_tien = unit("HT", province, Organisation.Kind.UPPER_LEVEL)
    return {
        "province": province,
        "rach_gia": rach_gia,
        "ha_tien": ha_tien,
        "school": unit("RG-1", rach_gia, sector=S.PUBLIC_AGENCY, workforce=40),
        "soe": unit("RG-2", rach_gia, sector=S.STATE_ENTERPRISE, workforce=300),
        "firm": unit("RG-3", rach_gia, sector=S.NON_STATE_ENTERPRISE, workforce=120),
        "ht_school": unit("HT-1", ha_tien, sector=S.PUBLIC_AGENCY, workforce=30),
        "ht_firm": unit("HT-2", ha_tien, sector=S.NON_STATE_ENTERPRISE, workforce=80),
    }


@pytest.fixture
def make_user(db):
    def make(username, unit=None, role="", **extra):
        user = User(username=username, organisation=unit, role=role, **extra)
        user.set_password(PASSWORD)
        user.save()
        return user

    return make


@pytest.fixture
def users(tree, make_user):
    R = User.Role
    return {
        "province": make_user("tinh", tree["province"], R.PROVINCIAL_STAFF),
        "rach_gia": make_user("rachgia", tree["rach_gia"], R.UPPER_LEVEL_OFFICER),
        "ha_tien": make_user("hatien", tree["ha_tien"], R.UPPER_LEVEL_OFFICER),
        "school": make_user("school", tree["school"], R.GRASSROOTS_OFFICER),
        "firm": make_user("firm", tree["firm"], R.GRASSROOTS_OFFICER),
        "ht_firm": make_user("htfirm", tree["ht_firm"], R.GRASSROOTS_OFFICER),
    }


@pytest.fixture
def superuser(make_user):
    return make_user("admin", is_superuser=True, is_staff=True)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Test users' passwords are hashed with a fast hasher: the suite is about behaviour."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
