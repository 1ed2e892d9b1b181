"""manage.py send_reminders, run against a real SMTP server (aiosmtpd) started by the test:
what arrives, to whom, in Vietnamese, with the unit, month, due date and a link; each
reminder once, even when the command runs twice a day; only the month now due or just late
is reminded, older gaps go in the upper level's digest; every federation on its own calendar."""

import datetime
import email
import email.policy
import os
import socket
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command

from branches.models import Organisation, User
from targets.reminders.models import ReminderSent
from targets.reporting import services
from targets.resolution.models import Resolution

pytestmark = pytest.mark.django_db
SITE = "https://unionplan.example.vn"
ROOT = Path(__file__).resolve().parent.parent.parent


class Inbox:
    """aiosmtpd handler keeping what arrived: (recipients, parsed message)."""

    def __init__(self):
        self.arrived = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.arrived.append((sorted(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address):
        return [m for rcpt, m in self.arrived if address in rcpt]

    def one_to(self, address):
        found = self.to(address)
        assert len(found) == 1, [m["Subject"] for m in found]
        return found[0]["Subject"], found[0].get_content()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """A real SMTP server on a loopback port, and the app's mail settings pointing at it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.DEFAULT_FROM_EMAIL = "UnionPlan <nhac-viec@unionplan.example.vn>"
    settings.SITE_URL = SITE
    settings.REMINDER_DAYS_BEFORE_DUE = 3
    settings.REMINDER_LATE_NOTICE_DAYS = 7
    settings.REMINDER_REVIEW_WAITING_DAYS = 5
    yield inbox
    controller.stop()


@pytest.fixture
def addresses(tree, users):
    """Officers with addresses; the firm's officer has none (its contact address is used);
    the state enterprise has no officer and no address at all."""
    for key in ("province", "rach_gia", "ha_tien", "school", "ht_firm"):
        users[key].email = f"{users[key].username}@unionplan.example"
        users[key].save(update_fields=["email"])
    firm = tree["firm"]
    firm.email = "lienhe-firm@unionplan.example"
    firm.save()
    return users


def run(day, settings):
    settings.UNIONPLAN_TODAY = day
    out = StringIO()
    call_command("send_reminders", stdout=out)
    return out.getvalue()


def test_a_reminder_before_the_due_day_reaches_each_unit_not_yet_submitted_once(
    smtp, settings, resolution, tree, addresses
):
    """18/11/2020: October's report is due on 20/11. The school's officer and the firm's contact
    address are reminded, in Vietnamese, with the unit, the month, the due date and a link;
    the unit that already submitted is not; a second run the same day sends nothing."""
    settings.UNIONPLAN_TODAY = datetime.date(2020, 11, 16)
    ht_school = services.report_get_or_create(unit=tree["ht_school"], resolution=resolution, month=10)
    User.objects.create(
        username="htschool", organisation=tree["ht_school"], role="grassroots_officer", email="hts@x.example"
    )
    services.report_save(
        report=ht_school,
        user=User.objects.get(username="htschool"),
        figures={},
        tasks={},
        nothing_to_report=True,
        expected_version=ht_school.version,
        submit=True,
    )

    out = run(datetime.date(2020, 11, 18), settings)

    subject, body = smtp.one_to("school@unionplan.example")
    assert "Đơn vị RG-1" in subject and "10/2020" in subject and "20/11/2020" in subject
    assert "Báo cáo tháng 10/2020 của Đơn vị RG-1" in body
    assert "hạn nộp ngày 20/11/2020" in body
    assert f"{SITE}/reports/2020/10/{tree['school'].pk}/edit/" in body
    subject, body = smtp.one_to("lienhe-firm@unionplan.example")
    assert "Đơn vị RG-3" in subject
    assert smtp.to("hts@x.example") == []  # submitted: nothing to remind
    assert not any("Đơn vị RG-2" in m["Subject"] for _, m in smtp.arrived)  # no address anywhere
    assert "đơn vị không có địa chỉ e-mail" in out
    # No late notice nor digest: no month is just late on 18/11.
    assert set(ReminderSent.objects.values_list("kind", flat=True)) == {ReminderSent.Kind.DUE_SOON}
    arrived, records = len(smtp.arrived), ReminderSent.objects.count()
    assert arrived == records > 0

    run(datetime.date(2020, 11, 18), settings)
    run(datetime.date(2020, 11, 19), settings)

    assert len(smtp.arrived) == arrived
    assert ReminderSent.objects.count() == records


def test_the_day_after_the_due_day_late_units_get_one_notice_and_the_upper_level_a_digest(
    smtp, settings, resolution, tree, addresses
):
    """21/11/2020, nobody has reported anything all year: each late unit hears once, about
    October only; Rạch Giá gets the list of its late units with the older months still
    missing; the province gets the list of its late upper levels. No flood of earlier months."""
    run(datetime.date(2020, 11, 21), settings)

    school = smtp.to("school@unionplan.example")
    assert len(school) == 1
    subject, body = school[0]["Subject"], school[0].get_content()
    assert "[UnionPlan] Quá hạn" in subject and "10/2020" in subject
    assert "đã quá hạn nộp (hạn 20/11/2020)" in body

    # Rạch Giá's officer: the late notice of its own report, and the digest of its units.
    mails = {m["Subject"].strip(): m.get_content() for m in smtp.to("rachgia@unionplan.example")}
    assert len(mails) == 2
    assert "[UnionPlan] Quá hạn: báo cáo tháng 10/2020 của Đơn vị RG (hạn 20/11/2020)" in mails
    body = mails["[UnionPlan] 3 đơn vị chậm báo cáo tháng 10/2020"]
    for name in ("Đơn vị RG-1", "Đơn vị RG-2", "Đơn vị RG-3"):
        assert f"- {name}" in body
    assert "Các tháng trước vẫn chưa báo cáo" in body
    assert "- Đơn vị RG-1: 1/2020, 2/2020, 3/2020, 4/2020, 5/2020, 6/2020, 7/2020, 8/2020, 9/2020" in body
    assert f"{SITE}/dashboard/completeness/?unit={tree['rach_gia'].pk}&month=10" in body

    # The province's officer: its own late notice and the digest of its two late upper levels.
    subjects = sorted(m["Subject"] for m in smtp.to("tinh@unionplan.example"))
    assert len(subjects) == 2
    assert any("2 đơn vị chậm báo cáo tháng 10/2020" in s for s in subjects)
    assert not any("9/2020" in m["Subject"] for _, m in smtp.arrived)

    arrived = len(smtp.arrived)
    run(datetime.date(2020, 11, 22), settings)
    assert len(smtp.arrived) == arrived


def test_a_report_waiting_too_long_is_listed_to_its_reviewers_once(smtp, settings, resolution, tree, addresses):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 10, 5)
    report = services.report_get_or_create(unit=tree["school"], resolution=resolution, month=9)
    services.report_save(
        report=report,
        user=addresses["school"],
        figures={},
        tasks={},
        nothing_to_report=True,
        expected_version=report.version,
        submit=True,
    )

    run(datetime.date(2020, 10, 8), settings)  # three days: not yet
    assert smtp.to("rachgia@unionplan.example") == []

    run(datetime.date(2020, 10, 15), settings)
    subject, body = smtp.one_to("rachgia@unionplan.example")
    assert "1 báo cáo đang chờ duyệt" in subject
    assert "- Đơn vị RG-1, 9/2020, gửi ngày 05/10/2020" in body
    assert f"{SITE}/reports/2020/9/{tree['school'].pk}/" in body

    run(datetime.date(2020, 10, 16), settings)
    assert len(smtp.to("rachgia@unionplan.example")) == 1


def test_each_federation_is_reminded_on_its_own_calendar(smtp, settings, resolution, tree, addresses):
    """Another province's resolution has its reports due on the 10th: on 8/11 its unit is
    reminded of October; Kiên Giang's units (due on the 20th) are not, yet."""
    other = Organisation.objects.create(code="AG", name="LĐLĐ tỉnh An Giang", kind=Organisation.Kind.PROVINCE)
    unit = Organisation.objects.create(
        code="AG-1",
        name="CĐCS Trường Tiểu học Mỹ Bình",
        kind=Organisation.Kind.GRASSROOTS,
        sector=Organisation.Sector.PUBLIC_AGENCY,
        parent=other,
        founded_on=datetime.date(2001, 1, 1),
        email="mybinh@unionplan.example",
    )
    Resolution.objects.create(
        organisation=other,
        year=2020,
        issuing_body="BCH LĐLĐ tỉnh An Giang",
        issued_on=datetime.date(2020, 1, 15),
        title="Nghị quyết năm 2020",
        theme="",
        report_due_day=10,
    )

    run(datetime.date(2020, 11, 8), settings)

    subject, body = smtp.one_to("mybinh@unionplan.example")
    assert "10/2020" in subject and "10/11/2020" in subject
    assert f"/reports/2020/10/{unit.pk}/edit/" in body
    assert smtp.to("school@unionplan.example") == []


def test_a_unit_founded_after_a_month_is_not_reminded_of_it(smtp, settings, resolution, tree, addresses):
    """A union founded in November has no October report to file."""
    tree["school"].founded_on = datetime.date(2020, 11, 2)
    tree["school"].save()
    run(datetime.date(2020, 11, 18), settings)
    assert smtp.to("school@unionplan.example") == []
    assert len(smtp.to("lienhe-firm@unionplan.example")) == 1


@pytest.mark.parametrize(
    "env, backend",
    [
        ({"EMAIL_HOST": "smtp.example.vn", "EMAIL_PORT": "587", "EMAIL_USE_TLS": "1"}, "smtp.EmailBackend 587 True"),
        ({}, "console.EmailBackend"),
    ],
)
def test_mail_goes_through_smtp_when_a_host_is_set_and_to_the_console_otherwise(env, backend):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("EMAIL_")}
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND.rsplit('.', 2)[-2] + '.' + s.EMAIL_BACKEND.rsplit('.', 1)[-1], "
        "getattr(s, 'EMAIL_PORT', '') if s.EMAIL_HOST else '', getattr(s, 'EMAIL_USE_TLS', '') if s.EMAIL_HOST else '')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "unionplan.settings"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == backend.split()


def test_the_queries_of_a_run_do_not_grow_with_the_number_of_units(smtp, settings, resolution, tree, addresses):
    """Set-based: 60 more late units with addresses cost no more queries than none."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(60):
        Organisation.objects.create(
            code=f"RG-X{n}",
            name=f"CĐCS thêm {n}",
            kind=Organisation.Kind.GRASSROOTS,
            sector=Organisation.Sector.PUBLIC_AGENCY,
            parent=tree["rach_gia"] if n % 2 else tree["ha_tien"],
            founded_on=datetime.date(2005, 1, 1),
            email=f"x{n}@unionplan.example",
        )
    settings.UNIONPLAN_TODAY = datetime.date(2020, 11, 21)
    with CaptureQueriesContext(connection) as queries:
        call_command("send_reminders", stdout=StringIO())
    assert len(smtp.to("x59@unionplan.example")) == 1
    assert len(smtp.arrived) > 60
    assert len(queries) < 40, len(queries)
