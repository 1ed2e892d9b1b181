"""A draft report of a union with many units under it is made by the background worker (issue
25, item 5, through issue 22's jobs): the button answers at once with the file's page, which
follows the job to the download link; the file is the same draft, handed only to the user
who asked for it while they may still see the union."""

import pytest
from django.urls import reverse

from targets.dashboards.models import ExportFile
from tests.dashboard_data import build_scenario

from .helpers import DOCX, assert_same_figures, dashboard_rows, document, draft

pytestmark = pytest.mark.django_db


def test_a_large_union_s_draft_is_made_by_the_worker_for_its_requester_only(client, users, tree, resolution, settings):
    build_scenario(resolution, tree)
    settings.DRAFT_IN_REQUEST_UNITS = 3  # the province has more units under it than that
    client.force_login(users["province"])
    url = reverse("dashboard-draft", args=[tree["province"].pk])
    response = client.get(url, {"period": "month", "month": 3, "year": 2020})
    assert response.status_code == 302 and "/files/" in response["Location"]

    job = ExportFile.objects.get()  # the immediate backend has run it
    assert job.status == "ready" and job.file_name == "bao-cao-ket-qua-den-thang-3-2020-KG.docx"
    page = client.get(response["Location"]).content.decode()
    assert 'id="file-download"' in page and "Tệp đã sẵn sàng. Tệp được giữ trong một ngày." in page
    download = client.get(reverse("export_file_download", args=[job.pk]))
    assert download["Content-Type"] == DOCX
    assert download["Content-Disposition"] == f'attachment; filename="{job.file_name}"'
    assert_same_figures(document(download), dashboard_rows(client, tree["province"], month=3, year=2020))

    client.force_login(users["rach_gia"])
    assert client.get(reverse("export_file_download", args=[job.pk])).status_code == 404


def test_a_union_with_few_units_gets_its_draft_at_once(client, users, tree, resolution, settings):
    settings.DRAFT_IN_REQUEST_UNITS = 3
    client.force_login(users["rach_gia"])
    draft(client, tree["school"], period="month", month=3, year=2020)
    assert not ExportFile.objects.exists()
