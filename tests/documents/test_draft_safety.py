"""Who may draft which unit's report, a bad period, and narratives that are text only
(issue 25, items 1 and 5)."""

import re
import zipfile

import pytest
from django.urls import reverse

from branches.models import User
from targets.documents.report import plain
from targets.reporting import services

from .helpers import document, document_text, draft

pytestmark = pytest.mark.django_db

HOSTILE = (
    "{{ settings.SECRET_KEY }} {% for x in y %} "
    '<w:fldSimple w:instr="HYPERLINK http://evil.example"><w:r><w:t>bấm</w:t></w:r></w:fldSimple> '
    'HYPERLINK "http://evil.example" & <b>đậm</b> \x07\x0c\x1b ]]>'
)


def test_the_draft_button_is_on_every_dashboard(client, users, tree):
    for user, unit in (("province", "province"), ("rach_gia", "rach_gia"), ("firm", "firm")):
        client.force_login(users[user])
        page = client.get(reverse("dashboard-unit", args=[tree[unit].pk])).content.decode()
        assert f'action="{reverse("dashboard-draft", args=[tree[unit].pk])}"' in page, user
        assert "Dự thảo báo cáo" in page
        for value in ("month", "half", "year"):
            assert f'<option value="{value}"' in page


def test_a_unit_outside_the_officer_s_subtree_is_not_found(client, users, tree):
    client.force_login(users["ha_tien"])
    url = reverse("dashboard-draft", args=[tree["rach_gia"].pk])
    assert client.get(url, {"period": "year"}).status_code == 404
    client.force_login(users["firm"])
    assert client.get(reverse("dashboard-draft", args=[tree["school"].pk]), {"period": "year"}).status_code == 404
    client.logout()
    response = client.get(url, {"period": "year"})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_period_that_is_not_offered_goes_back_to_the_dashboard_with_a_message(client, users, tree):
    client.force_login(users["province"])
    response = client.get(reverse("dashboard-draft", args=[tree["province"].pk]), {"period": "x", "month": "abc"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("dashboard-unit", args=[tree["province"].pk]))
    page = client.get(response["Location"]).content.decode()
    assert "Chọn kỳ của dự thảo báo cáo" in page


def test_a_narrative_is_inserted_as_text_never_as_a_field_or_a_link(client, users, tree, resolution):
    """Placeholders, a field code and a hyperlink typed into a narrative come out as the
    characters typed: no field, no hyperlink, no relationship in the file."""
    unit = tree["school"]
    officer = users["school"]
    task = resolution.tasks.get(number=1)
    report = services.report_get_or_create(unit=unit, resolution=resolution, month=2)
    services.report_save(
        report=report,
        user=officer,
        figures={},
        tasks={task.pk: {"status": "in_progress", "narrative": HOSTILE}},
        expected_version=report.version,
        submit=True,
    )
    client.force_login(users["province"])
    response = draft(client, tree["province"], period="month", month=2, year=2020)
    text = document_text(document(response))
    assert f"- Đơn vị RG-1 (tháng 2): {plain(HOSTILE).strip()}" in text
    with zipfile.ZipFile(__import__("io").BytesIO(response.content)) as archive:
        body = archive.read("word/document.xml").decode()
        rels = archive.read("word/_rels/document.xml.rels").decode()
    assert "<w:fldSimple" not in body and "<w:hyperlink" not in body and "<w:instrText" not in body
    assert "evil.example" not in rels
    assert "&lt;w:fldSimple" in body  # the characters, escaped
    assert not re.search(r"<b>", body)


def test_an_admin_without_a_unit_drafts_any_unit(client, superuser, tree):
    client.force_login(superuser)
    response = draft(client, tree["ht_firm"], period="year", year=2020)
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao-tong-ket-nam-2020-HT-2.docx"'


def test_a_grassroots_officer_drafts_their_own_union_s_report(client, users, tree):
    assert users["firm"].role == User.Role.GRASSROOTS_OFFICER
    client.force_login(users["firm"])
    text = document_text(document(draft(client, tree["firm"], period="half", year=2020)))
    assert "TM. BAN CHẤP HÀNH" in text and "ĐƠN VỊ RG-3" in text and "Số:        /BC-CĐ" in text
