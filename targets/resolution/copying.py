"""Next year in minutes: start a federation's resolution for a new year as a copy of one
of its resolutions (``manage.py copy_resolution``, the admin action).

What is copied: the targets (number, names, text, due month), each linked to the target it
continues; their components (unit of measure, how it is counted, eligibility by level,
sector and workforce, threshold); the priority tasks; with ``with_allocations``, which
units have a share. What is not: the figures. The new year's figures are for its
Executive Committee to set, so every figure (and allocated share) starts at 0, which the
dashboards show as "no figure" until an administrator enters it; the texts keep last
year's wording for the administrator to update with the figures.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from branches.models import Organisation

from .allocations import Allocation
from .models import PriorityTask, Resolution, Target, TargetComponent


def _copied_fields(model, *, leave):
    """Every field of ``model`` but its key and ``leave``: a field added later is copied too."""
    return [f.attname for f in model._meta.concrete_fields if not f.primary_key and f.name not in leave]


TARGET_FIELDS = _copied_fields(Target, leave={"resolution", "continues"})
COMPONENT_FIELDS = _copied_fields(TargetComponent, leave={"target", "figure"})


@transaction.atomic
def copy_resolution(source, year, *, with_allocations=False):
    """Create ``source``'s federation's resolution for ``year`` as a copy of ``source``
    (figures to be set); refuse if that federation already has one for ``year``."""
    if not 2000 <= year <= 2100:
        raise ValidationError(_("Give a year between 2000 and 2100."))
    federation = Organisation.objects.select_related("merged_into").get(pk=source.organisation_id)
    if federation.merged_into_id and federation.dissolved_on and federation.dissolved_on.year < year:
        # The year after a merger there is one federation, and one resolution: the successor's.
        raise ValidationError(
            _(
                "%(federation)s merged into %(successor)s on %(day)s: from %(year)s there is one resolution, "
                "%(successor)s's. Copy that one."
            )
            % {
                "federation": federation,
                "successor": federation.merged_into,
                "day": federation.dissolved_on.strftime("%d/%m/%Y"),
                "year": year,
            }
        )
    if Resolution.objects.filter(organisation=source.organisation_id, year=year).exists():
        raise ValidationError(
            _("%(federation)s already has a resolution for %(year)s.")
            % {"federation": source.organisation, "year": year}
        )
    resolution = Resolution.objects.create(
        organisation=source.organisation,
        year=year,
        issuing_body=source.issuing_body,
        issued_on=datetime.date(year, 1, 1),
        title=source.title.replace(str(source.year), str(year)),
        theme=source.theme,
        report_due_day=source.report_due_day,
    )
    # A target continues the one of the previous year only: a copy across a gap links nothing.
    continues = year == source.year + 1
    for target in source.targets.prefetch_related("components__allocations"):
        copy = Target.objects.create(
            resolution=resolution,
            continues=target if continues else None,
            **{f: getattr(target, f) for f in TARGET_FIELDS},
        )
        for component in target.components.all():
            new = TargetComponent.objects.create(
                target=copy, figure=0, **{f: getattr(component, f) for f in COMPONENT_FIELDS}
            )
            if with_allocations:
                shares = [
                    Allocation(component=new, organisation_id=a.organisation_id, figure=0)
                    for a in component.allocations.all()
                ]
                bulk_create_with_history(shares, Allocation)
    tasks = [
        PriorityTask(resolution=resolution, number=t.number, title=t.title, text=t.text) for t in source.tasks.all()
    ]
    bulk_create_with_history(tasks, PriorityTask)
    return resolution
