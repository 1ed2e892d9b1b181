"""Vietnamese everywhere: every page of every role, rendered in Vietnamese (the default), holds
no English word of the list below (the pager, the admin's history, the log-in messages, an
empty choice shown as "---------", …), and people appear by their full name, never by their
user name (history, report pages, the review list)."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from branches import changes
from branches.models import TreeChange
from targets.models import ChangeJob, MonthlyReport, TargetComponent
from targets.reporting import services
from tests.test_url_walk import EXPECTED, WHO, _user, job_rows

pytestmark = pytest.mark.django_db

# English a Vietnamese page must not show. Whole words, case-sensitive as they would appear.
ENGLISH = [
    "next",
    "Next",
    "previous",
    "Previous",
    "First",
    "Last",
    "Page",
    "of",
    "History",
    "Date/time",
    "User",
    "Action",
    "Changed",
    "Added",
    "Deleted",
    "Log in",
    "Log out",
    "Username",
    "Password",
    "Please",
    "enter",
    "correct",
    "username",
    "password",
    "Save",
    "Delete",
    "Search",
    "Filter",
    "Home",
    "Welcome",
    "View site",
    "Yes",
    "No",
    "All",
    "Unknown",
    "None",
    "True",
    "False",
    "Submitted",
    "Approved",
    "Returned",
    "Draft",
    "Status",
    "Month",
    "Target",
    "Union",
    "Report",
    "Reports",
    "reports",
    "report",
    "the",
    "and",
    "to",
    "is",
    "by",
    "for",
    "with",
    "on",
    "at",
    "from",
    "this",
    "your",
    "has",
    "not",
    "order",
    "sort",
    "Show",
    "show",
    "more",
    "results",
    "result",
    "total",
    "selected",
    "characters",
    "required",
    "field",
    "This",
    "Your",
    "---------",
]
WORDS = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in ENGLISH) + r")(?![\w-])")


class VisibleText(HTMLParser):
    """What a person reads on a page: text outside script and style, option labels, and the
    words a screen reader or a tooltip says (title, placeholder, aria-label, alt, value of buttons)."""

    SPOKEN = ("title", "placeholder", "aria-label", "alt")

    def __init__(self):
        super().__init__()
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden += 1
        attrs = dict(attrs)
        self.parts += [attrs[a] for a in self.SPOKEN if attrs.get(a)]
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html):
    parser = VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


def english_in(html):
    # The language switch at the foot names the other language in itself: "English".
    return sorted(set(WORDS.findall(visible_text(html).replace("English", ""))))


@pytest.fixture
def history(resolution, tree, users, superuser):
    """Reports with a history: RG-1's March submitted, returned, resubmitted and approved;
    its April submitted and waiting; people with full names."""
    for key, (given, family) in {
        "school": ("Minh Tuấn", "Phạm"),
        "rach_gia": ("Văn Hùng", "Nguyễn"),
        "province": ("Thị Mai", "Trần"),
    }.items():
        users[key].first_name, users[key].last_name = given, family
        users[key].save()
    recruits = TargetComponent.objects.get(target__resolution=resolution, target__number=1, order=1)
    march = services.report_get_or_create(unit=tree["school"], resolution=resolution, month=3)
    services.report_save(
        report=march,
        user=users["school"],
        figures={recruits.pk: {"quantity": 4}},
        tasks={},
        expected_version=1,
        submit=True,
    )
    march.refresh_from_db()
    services.report_return(
        report=march, user=users["rach_gia"], comment="Thiếu số liệu", expected_version=march.version
    )
    march.refresh_from_db()
    services.report_save(
        report=march,
        user=users["school"],
        figures={recruits.pk: {"quantity": 5}},
        tasks={},
        expected_version=march.version,
        submit=True,
    )
    march.refresh_from_db()
    services.report_approve(report=march, user=users["rach_gia"], expected_version=march.version)
    april = services.report_get_or_create(unit=tree["school"], resolution=resolution, month=4)
    services.report_save(report=april, user=users["school"], figures={}, tasks={}, expected_version=1, submit=True)
    # A refused Excel import and a ready file: their pages are read in Vietnamese too.
    upload, made = job_rows(users, tree)
    # A change being prepared (its page shows the preview), and RG-2 moved under Hà Tiên
    # (the timelines show it).
    applied = changes.change_plan(
        federation=tree["province"],
        decision_number="11/QĐ-LĐLĐ",
        effective_on=datetime.date(2020, 11, 1),
        steps=[changes.Step("move", units=["RG-2"], to="HT")],
    )
    changes.change_apply(applied, user=users["province"])
    change = changes.change_plan(
        federation=tree["province"],
        decision_number="12/QĐ-LĐLĐ",
        effective_on=datetime.date(2020, 12, 1),
        steps=[changes.Step("move", units=["RG-1"], to="HT")],
    )
    job = ChangeJob.objects.create(change=change, kind="preview", requested_by=users["province"], status="done")
    return {
        "cjob": job.pk,
        "imp": upload.pk,
        "file": made.pk,
        "rep": march.pk,
        "tok": 1,
        "chg": change.pk,
        "rg": tree["rach_gia"].pk,
        "rg1": tree["school"].pk,
        "c1": recruits.pk,
        "res": resolution.pk,
        "2020": 2020,
        "3": 3,
        "4": 4,
        "march": march,
    }


def pages_of(who, objects):
    """Every page ``who`` opens (GET, 200 in the URL walk's table), and its lists cut into
    pages of one row, so that the pager shows."""
    urls = []
    for (name, method, keys), expected in EXPECTED.items():
        if method == "GET" and expected[who] == 200:
            urls.append(reverse(name, args=[objects[k] for k in keys]))
    if who in ("province", "superuser"):
        # A change applied, and the timeline of the unit it moved.
        applied = TreeChange.objects.get(decision_number="11/QĐ-LĐLĐ")
        urls += [
            reverse("tree-change", args=[applied.pk]),
            reverse("unit-timeline", args=[applied.lines.get().unit_id]),
        ]
    extra = [
        reverse("review_list") + "?month=3&per_page=1",
        reverse("dashboard-tasks") + f"?unit={objects['rg']}&month=4&n-per_page=1",
        reverse("dashboard-completeness") + f"?unit={objects['rg']}&month=4&u-per_page=1",
        reverse("dashboard-component", args=[objects["rg"], objects["c1"]]) + "?month=4&per_page=1",
    ]
    return urls + extra


def admin_pages(march):
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    pages.append(reverse("admin:targets_monthlyreport_change", args=[march.pk]))
    pages.append(reverse("admin:targets_monthlyreport_history", args=[march.pk]))
    pages.append(reverse("admin:targets_resolution_history", args=[march.resolution_id]))
    return pages


def test_every_page_of_every_role_is_in_vietnamese(history, users, superuser):
    found = {}
    for who in WHO:
        client, user = Client(), _user(who, users, superuser)
        if user is not None:
            client.force_login(user)
        urls = pages_of(who, history) if user is not None else [reverse("login")]
        if who == "superuser":
            urls += admin_pages(history["march"])
        for url in urls:
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            words = english_in(response.content.decode())
            if words:
                found[(who, url)] = words
    # A wrong password, in Vietnamese too.
    response = Client().post(reverse("login"), {"username": "tinh", "password": "wrong"})
    words = english_in(response.content.decode())
    if words:
        found[("anonymous", "login POST")] = words
    assert found == {}


def test_people_are_shown_by_their_full_name_never_their_user_name(client, history, users, tree):
    """The report page (who submitted, who reviewed, the history), the review list and the
    menu name people as "Nguyễn Văn Hùng", never "rachgia"."""
    march = history["march"]
    client.force_login(users["rach_gia"])
    pages = [
        reverse("report_detail", args=[2020, 3, tree["school"].pk]),
        reverse("review_list") + "?month=4",
        reverse("dashboard-unit", args=[tree["rach_gia"].pk]),
    ]
    seen = ""
    for url in pages:
        text = visible_text(client.get(url).content.decode())
        assert not re.search(r"(?<![\w-])(rachgia|school)(?![\w-])", text), url
        seen += text
    assert "Phạm Minh Tuấn" in seen  # who submitted
    assert "Nguyễn Văn Hùng" in seen  # who returned and approved, and the menu
    assert march.status == MonthlyReport.Status.APPROVED


def test_the_list_catches_what_it_is_meant_to():
    """The check itself can fail: a pager's "next", an empty "---------" and an English
    tooltip are found."""
    html = '<a title="Next page">sau</a><select><option>---------</option></select><p>trang 1 of 2</p>'
    assert english_in(html) == ["---------", "Next", "of"]
