"""Totals are never stale (issue 13 item 7): after an administrator edits what counts for a
component, in the admin change form or with ``load_resolution --update``, the dashboards
equal an independent SQL sum over the approved reports at once (no rebuild_totals)."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

from targets.models import TargetComponent
from targets.reporting import ledger, services
from targets.resolution import counting
from targets.rollup.progress import scope_progress
from tests.conftest import RESOLUTION_FILE

pytestmark = pytest.mark.django_db

# Written apart from the app's code: the component's current definition, read from its row,
# decides which approved figures count.
SQL = """
SELECT COALESCE(SUM(f.approved_quantity), 0)
FROM targets_reportfigure f
JOIN targets_monthlyreport r ON r.id = f.report_id
JOIN branches_organisation o ON o.id = r.organisation_id
JOIN targets_targetcomponent c ON c.id = f.component_id
WHERE f.component_id = %s AND r.month <= %s AND o.path LIKE %s AND r.approved_at IS NOT NULL
  AND (
    (o.kind = 'grassroots' AND c.for_grassroots
      AND ((o.sector = 'public_agency' AND c.for_public_agency)
        OR (o.sector = 'state_enterprise' AND c.for_state_enterprise)
        OR (o.sector = 'non_state_enterprise' AND c.for_non_state_enterprise))
      AND (c.min_workforce IS NULL OR o.workforce >= c.min_workforce))
    OR (o.kind = 'upper_level' AND c.for_upper_level)
    OR (o.kind IN ('province', 'confederation') AND c.for_province))
"""


def sql_sum(component, scope, month=12):
    with connection.cursor() as cursor:
        cursor.execute(SQL, [component.pk, month, scope.path + "%"])
        return cursor.fetchone()[0]


def shown(resolution, component, scope, month=12):
    return next(r for r in scope_progress(resolution, scope, month) if r.component.pk == component.pk).achieved


@pytest.fixture
def members(resolution, tree, users, settings):
    """Target 1 (new members, grassroots of every sector) approved for three units."""
    settings.UNIONPLAN_TODAY = datetime.date(2020, 12, 5)
    component = resolution.components().get(target__number=1)
    for unit, officer, quantity in (("school", "school", 10), ("firm", "firm", 30), ("ht_firm", "ht_firm", 25)):
        report = services.report_get_or_create(unit=tree[unit], resolution=resolution, month=3)
        services.report_save(
            report=report,
            user=users[officer],
            figures={component.pk: {"quantity": quantity}},
            tasks={},
            expected_version=report.version,
            submit=True,
        )
        report.refresh_from_db()
        reviewer = users["rach_gia"] if tree[unit].parent == tree["rach_gia"] else users["ha_tien"]
        services.report_approve(report=report, user=reviewer)
    return component


def assert_dashboards_equal_sql(resolution, component, tree):
    for scope in ("province", "rach_gia", "ha_tien"):
        assert shown(resolution, component, tree[scope]) == sql_sum(component, tree[scope]), scope


def test_admin_change_form_recounts_at_once(client, superuser, resolution, tree, members):
    assert shown(resolution, members, tree["province"]) == 65
    client.force_login(superuser)
    url = reverse("admin:targets_targetcomponent_change", args=[members.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    data.pop("for_public_agency")  # schools no longer count
    data["min_workforce"] = 100  # nor firms of fewer than 100 workers
    data |= {"allocations-TOTAL_FORMS": 0, "allocations-INITIAL_FORMS": 0}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    members.refresh_from_db()
    assert (members.for_public_agency, members.min_workforce) == (False, 100)
    assert shown(resolution, members, tree["province"]) == 30 == sql_sum(members, tree["province"])
    assert_dashboards_equal_sql(resolution, members, tree)


def test_loader_update_recounts_at_once(resolution, tree, members, tmp_path):
    data = json.loads(RESOLUTION_FILE.read_text(encoding="utf-8"))
    data["targets"][0]["components"][0]["sectors"] = ["non_state_enterprise"]
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    call_command("load_resolution", str(path), "--update")
    assert shown(resolution, members, tree["province"]) == 55 == sql_sum(members, tree["province"])
    assert_dashboards_equal_sql(resolution, members, tree)
    # Levels too: reported by upper levels only, no grassroots figure counts any more.
    data["targets"][0]["components"][0]["reported_by"] = ["upper_level"]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    call_command("load_resolution", str(path), "--update")
    assert shown(resolution, members, tree["province"]) == 0 == sql_sum(members, tree["province"])
    assert_dashboards_equal_sql(resolution, members, tree)


def _historical_component(pk):
    """The component as a data migration's code sees it: the historical model, whose save()
    is Django's own and sends no signal of ours."""
    state = MigrationLoader(connection).project_state()
    return state.apps.get_model("targets", "TargetComponent").objects.get(pk=pk)


def test_a_data_migration_edit_is_recounted_when_migrate_ends(resolution, tree, members):
    """A data migration stops counting non-state enterprises for target 1 through the
    historical model: no signal is sent, and ``migrate`` recounts it before it ends."""
    component = _historical_component(members.pk)
    component.for_non_state_enterprise = False
    component.save()
    assert shown(resolution, members, tree["province"]) == 65  # stale until migrate ends
    assert sql_sum(members, tree["province"]) == 10

    call_command("migrate", verbosity=0)

    assert shown(resolution, members, tree["province"]) == 10
    assert_dashboards_equal_sql(resolution, members, tree)
    members.refresh_from_db()
    assert members.counted_as == counting.fingerprint(members)


def test_a_queryset_update_is_recounted_when_migrate_ends(resolution, tree, members):
    """The same through ``QuerySet.update`` (a RunPython or a shell session): a workforce
    floor of 100 leaves the firm (120 workers) counted, the school and Hà Tiên's firm not."""
    TargetComponent.objects.filter(pk=members.pk).update(min_workforce=100)
    assert ledger.recount_changed_components() == [members]
    assert_dashboards_equal_sql(resolution, members, tree)
    assert shown(resolution, members, tree["province"]) == sql_sum(members, tree["province"])
    # Nothing changed since: nothing to recount, whatever is run again.
    assert ledger.recount_changed_components() == []
    call_command("migrate", verbosity=0)
    assert_dashboards_equal_sql(resolution, members, tree)
