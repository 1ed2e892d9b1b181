"""The reviewer's inbox: every report of the subtree waiting for review, across months and
years, oldest first, with counts; ticked reports approved in one action, each exactly as one
at a time, a refused one listed with its reason and nothing else affected; "approve and open
the next"; the navigation's count."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from targets.models import MonthlyReport
from targets.reporting import ledger, services
from tests.reporting.test_ledger_property import maintained, straight

pytestmark = pytest.mark.django_db

INBOX = "/reports/inbox/"


@pytest.fixture(autouse=True)
def december(settings):
    settings.UNIONPLAN_TODAY = datetime.date(2020, 12, 3)


def members(resolution):
    return resolution.components().get(target__number=1)


def submitted(resolution, unit, officer, month, quantity, *, day):
    """``unit``'s report of ``month`` with ``quantity`` new members, submitted on ``day`` of December."""
    report = services.report_get_or_create(unit=unit, resolution=resolution, month=month)
    services.report_save(
        report=report,
        user=officer,
        figures={members(resolution).pk: {"quantity": quantity}},
        tasks={},
        expected_version=report.version,
        submit=True,
    )
    moment = timezone.make_aware(datetime.datetime(2020, 12, day, 9, 0))
    MonthlyReport.objects.filter(pk=report.pk).update(submitted_at=moment)
    return MonthlyReport.objects.get(pk=report.pk)


@pytest.fixture
def waiting(resolution, tree, users):
    """Four reports of Rạch Giá's units waiting (months 9, 10, 11; submitted on days 3, 1, 2)
    and one of Hà Tiên's; one of RG-3 for August already approved."""
    school, firm = tree["school"], tree["firm"]
    approved = submitted(resolution, firm, users["firm"], 8, 1, day=1)
    services.report_approve(report=approved, user=users["rach_gia"])
    return {
        "school_11": submitted(resolution, school, users["school"], 11, 4, day=3),
        "school_10": submitted(resolution, school, users["school"], 10, 3, day=1),
        "firm_9": submitted(resolution, firm, users["firm"], 9, 7, day=2),
        "ht_11": submitted(resolution, tree["ht_firm"], users["ht_firm"], 11, 2, day=1),
    }


def rows(page):
    """The units and months of the inbox's rows, in order."""
    import re

    table = page.split('id="inbox"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'name="report" value="(\d+):\d+"', table)


def test_the_navigation_badge_counts_up_to_its_cap(client, users, waiting, monkeypatch):
    """On every page the badge says how many reports wait, up to a cap ("999+" in the app;
    "2+" with a cap of 2 for Rạch Giá's three), counting no further than the cap + 1 rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from targets.reporting import inbox

    client.force_login(users["rach_gia"])
    page = client.get(reverse("review_list")).content.decode()
    assert 'id="inbox-count">3<' in page  # a page other than the inbox, which counts them all
    monkeypatch.setattr(inbox, "BADGE_CAP", 2)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("review_list")).content.decode()
    assert 'id="inbox-count">2+<' in page
    bounded = "LIMIT 3) subquery"  # the cap + 1 rows at most
    badge = [q["sql"] for q in captured if q["sql"].startswith("SELECT COUNT(*)") and bounded in q["sql"]]
    assert len(badge) == 1, [q["sql"][-200:] for q in captured if "COUNT" in q["sql"]]


def test_the_inbox_lists_what_waits_oldest_first_with_counts(client, users, waiting):
    """Rạch Giá sees its three waiting reports (not Hà Tiên's, not the approved one), the
    oldest submission first, counted per month and per upper level; the province sees all four."""
    client.force_login(users["rach_gia"])
    page = client.get(INBOX).content.decode()
    assert rows(page) == [str(waiting[k].pk) for k in ("school_10", "firm_9", "school_11")]
    assert "3 báo cáo đang chờ duyệt, cũ nhất trước" in page
    by_month = page.split('id="inbox-by-month"')[1].split("</ul>")[0]
    assert "09/2020" in by_month and "10/2020" in by_month and "11/2020" in by_month
    assert "08/2020" not in by_month
    assert 'id="inbox-count">3<' in page  # the navigation's count
    client.force_login(users["province"])
    page = client.get(INBOX).content.decode()
    assert len(rows(page)) == 4
    by_upper = page.split('id="inbox-by-upper-level"')[1].split("</ul>")[0]
    assert 'Đơn vị RG</a> <span class="badge bg-secondary">3<' in by_upper
    assert 'Đơn vị HT</a> <span class="badge bg-secondary">1<' in by_upper


def test_the_inbox_filters(client, users, tree, waiting):
    """By month, by upper level, by kind of wait and by name or code."""
    client.force_login(users["province"])
    assert rows(client.get(INBOX + "?period=2020-11").content.decode()) == [
        str(waiting["ht_11"].pk),
        str(waiting["school_11"].pk),
    ]
    assert len(rows(client.get(INBOX + f"?upper_level={tree['ha_tien'].pk}").content.decode())) == 1
    assert rows(client.get(INBOX + "?q=RG-3").content.decode()) == [str(waiting["firm_9"].pk)]
    # A return, then a resubmission: "resubmitted after return".
    report = waiting["firm_9"]
    services.report_return(report=report, user=users["rach_gia"], comment="Sai số", expected_version=report.version)
    report.refresh_from_db()
    services.report_save(
        report=report, user=users["firm"], figures={}, tasks={}, expected_version=report.version, submit=True
    )
    page = client.get(INBOX + "?waiting=resubmitted").content.decode()
    assert rows(page) == [str(report.pk)] and "Gửi lại sau khi bị trả lại" in page
    # A month that is not a choice is a form error, never a server error.
    assert client.get(INBOX + "?period=2020-13").status_code == 200


def test_bulk_approval_approves_the_ticked_reports_and_lists_the_refused_one(client, resolution, users, tree, waiting):
    """Three ticked; one changed since the page was loaded (its unit withdrew and resubmitted
    it): two approved, the third refused with the reason and left as it is; the running
    totals equal a fresh sum."""
    client.force_login(users["rach_gia"])
    page = client.get(INBOX).content.decode()
    ticks = [f"{r.pk}:{r.version}" for r in (waiting["school_10"], waiting["firm_9"], waiting["school_11"])]
    assert all(f'value="{t}"' in page for t in ticks)
    stale = waiting["school_11"]
    services.report_withdraw(report=stale, user=users["school"], expected_version=stale.version)
    stale.refresh_from_db()
    services.report_save(
        report=stale, user=users["school"], figures={}, tasks={}, expected_version=stale.version, submit=True
    )
    response = client.post(INBOX, {"report": ticks}, follow=True)
    page = response.content.decode()
    assert "Đã duyệt 2 báo cáo." in page
    assert "Chưa duyệt: Đơn vị RG-1 – 11/2020. Người khác đã lưu báo cáo này" in page
    statuses = dict(MonthlyReport.objects.values_list("pk", "status"))
    assert statuses[waiting["school_10"].pk] == statuses[waiting["firm_9"].pk] == "approved"
    assert statuses[stale.pk] == "submitted" and statuses[waiting["ht_11"].pk] == "submitted"
    assert rows(page) == [str(stale.pk)]  # back on the inbox: what is left
    for scope in (tree["province"], tree["rach_gia"]):
        assert maintained(scope, 12) == straight(resolution, scope, 12)


def test_bulk_approval_goes_through_the_same_rules(client, users, tree, waiting):
    """Hà Tiên's officer cannot approve Rạch Giá's reports by forging the boxes; nothing ticked
    is a message; a grassroots officer has no inbox."""
    client.force_login(users["ha_tien"])
    report = waiting["school_10"]
    page = client.post(INBOX, {"report": [f"{report.pk}:{report.version}"]}, follow=True).content.decode()
    assert "không thuộc phạm vi bạn duyệt" in page
    report.refresh_from_db()
    assert report.status == "submitted"
    page = client.post(INBOX, {"report": ["x:y"]}, follow=True).content.decode()
    assert "Hãy đánh dấu các báo cáo cần duyệt trước." in page
    client.force_login(users["school"])
    assert client.get(INBOX).status_code == 403
    assert client.post(INBOX, {"report": [f"{report.pk}:{report.version}"]}).status_code == 403
    report.refresh_from_db()
    assert report.status == "submitted"


def test_approve_and_open_the_next_waiting_report(client, users, tree, waiting):
    """From the oldest report, "approve and open the next" approves it and opens the next
    oldest; from the last one it lands on the inbox."""
    client.force_login(users["rach_gia"])
    order = [waiting[k] for k in ("school_10", "firm_9", "school_11")]
    detail = client.get(reverse("report_detail", args=[2020, 10, tree["school"].pk])).content.decode()
    assert "Duyệt và mở báo cáo tiếp theo" in detail
    for report, following in zip(order, [*order[1:], None], strict=True):
        response = client.post(
            reverse("report_review", args=[2020, report.month, report.organisation_id]),
            {"action": "approve_next", "version": str(report.version)},
        )
        report.refresh_from_db()
        assert report.status == "approved"
        expected = (
            reverse("report_detail", args=[2020, following.month, following.organisation_id])
            if following
            else reverse("inbox")
        )
        assert response.status_code == 302 and response["Location"] == expected


def test_reports_of_every_year_of_the_federation_wait_in_one_inbox(client, resolution, users, tree):
    """A December 2019 report against last year's resolution and a November 2020 one: both in
    Rạch Giá's inbox, last year's first."""
    from targets.resolution.models import Resolution

    last_year = Resolution.objects.create(
        organisation=tree["province"],
        year=2019,
        issuing_body=resolution.issuing_body,
        issued_on=datetime.date(2019, 1, 15),
        title="Nghị quyết 2019",
        theme="2019",
    )
    # Filed as the app files (inside the ledger's tracking), so the counts see it.
    with transaction.atomic(), ledger.tracking(tree["firm"]):
        old = MonthlyReport.objects.create(
            resolution=last_year,
            organisation=tree["firm"],
            month=12,
            status="submitted",
            submitted_at=timezone.make_aware(datetime.datetime(2020, 1, 10, 8, 0)),
        )
    new = submitted(resolution, tree["school"], users["school"], 11, 1, day=1)
    client.force_login(users["rach_gia"])
    page = client.get(INBOX).content.decode()
    assert rows(page) == [str(old.pk), str(new.pk)]
    assert "12/2019" in page


def test_the_inbox_page_costs_the_same_few_queries_for_many_rows(
    client, resolution, users, tree, django_assert_max_num_queries
):
    """Three waiting reports or twenty-four: the same number of queries (no query per row)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(users["province"])
    for month in (1, 2, 3):
        submitted(resolution, tree["school"], users["school"], month, 1, day=1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(INBOX).status_code == 200
    units = [tree[k] for k in ("school", "soe", "firm", "ht_school", "ht_firm")]
    officers = {}
    from branches.models import User

    for unit in units:
        officers[unit.pk] = User.objects.create(username=f"o{unit.pk}", organisation=unit, role="grassroots_officer")
    for unit in units:
        for month in range(4, 9):
            if unit != tree["school"] or month > 3:
                submitted(resolution, unit, officers[unit.pk], month, 1, day=2)
    with CaptureQueriesContext(connection) as many:
        page = client.get(INBOX).content.decode()
    assert len(rows(page)) == 28
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_the_inbox_pages_are_not_counted_again(client, users, waiting):
    """The counts by month say how many reports wait (read from the totals): the table's
    pages are not counted again, each says whether another follows, and together they hold
    every waiting report, filtered or not."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(users["province"])
    for url in (INBOX, INBOX + "?per_page=3"):
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        counts = [q["sql"] for q in captured if q["sql"].startswith("SELECT COUNT(*)")]
        assert not counts, counts
    first = client.get(INBOX + "?per_page=3").context["table"]
    assert len(first.page.object_list) == 3 and first.page.has_next()
    second = client.get(INBOX + "?per_page=3&page=2").context["table"]
    assert len(second.page.object_list) == 1 and not second.page.has_next()
    shown = {row.record.pk for table in (first, second) for row in table.page.object_list}
    assert shown == {report.pk for report in waiting.values()}
    november = client.get(INBOX + "?per_page=3&period=2020-11").context["table"]
    assert len(november.page.object_list) == 2 and not november.page.has_next()
