"""Allocations follow the tree's changes: an ended unit's share of each figure passes to its
successors (``branches.signals.unit_ended``) as a figure change with the decision as its
reason, from the month the change takes effect, so that the months before still compare
the ended unit with what it had been given; undoing the change gives it back."""

from django.utils.translation import gettext as _

from branches.models import Organisation

from .allocations import Allocation
from .services import change_figure


def _reason(line, unit):
    change = line.change
    return _("%(kind)s of %(unit)s, decision %(number)s effective %(day)s") % {
        "kind": line.get_kind_display(),
        "unit": unit.name,
        "number": change.decision_number,
        "day": change.effective_on.strftime("%d/%m/%Y"),
    }


def _snapshot(allocation):
    return {
        "id": allocation.pk,
        "figure": allocation.figure,
        "previous_figure": allocation.previous_figure,
        "figure_from_month": allocation.figure_from_month,
    }


def shared_out(figure, successors):
    """``figure`` split by the successors' shares (percent), what rounding leaves to the first."""
    parts = [(unit, figure * share // 100) for unit, share in successors]
    if parts:
        first, amount = parts[0]
        parts[0] = (first, amount + figure - sum(a for _u, a in parts))
    return parts


def allocations_pass_on(line, unit, successors):
    """Pass ``unit``'s allocations of the change's year and later to ``successors``
    [(unit, share)]; the records needed to undo it go into ``line.allocations_moved``."""
    day = line.change.effective_on
    reason = _reason(line, unit)
    user = line.change.applied_by
    moved = []
    allocations = (
        Allocation.objects.select_for_update()
        .filter(organisation=unit, component__target__resolution__year__gte=day.year)
        .select_related("component__target__resolution")
        .order_by("pk")
    )
    for allocation in allocations:
        resolution = allocation.component.target.resolution
        month = day.month if resolution.year == day.year else 1
        figure = allocation.figure
        moved.append(_snapshot(allocation))
        shares = (
            [(u, figure) for u, _share in successors]
            if allocation.component.is_share
            else shared_out(figure, successors)
        )
        for successor, amount in shares:
            if successor.pk == resolution.organisation_id or not amount:
                continue  # the federation answers for the whole figure already
            existing = (
                Allocation.objects.select_for_update()
                .filter(component=allocation.component, organisation=successor)
                .first()
            )
            if existing is None:
                created = Allocation(component=allocation.component, organisation=successor, figure=0)
                created._change_reason = reason
                created.save()
                moved.append({"id": created.pk, "created": True})
                existing = created
            else:
                moved.append(_snapshot(existing))
            if allocation.component.is_share:
                new_figure = existing.figure or amount  # a percentage is not added up
            else:
                new_figure = existing.figure + amount
            change_figure(existing, figure=new_figure, reason=reason, effective_month=month, user=user)
        change_figure(allocation, figure=0, reason=reason, effective_month=month, user=user)
    line.allocations_moved = moved


def allocations_given_back(line, unit):
    """Undo ``allocations_pass_on``: every allocation as it was before the change."""
    reason = _("Change undone: %(number)s") % {"number": line.change.decision_number}
    for record in reversed(line.allocations_moved):
        allocation = Allocation.objects.filter(pk=record["id"]).first()
        if allocation is None:
            continue
        if record.get("created"):
            allocation._change_reason = reason
            allocation.delete()
            continue
        allocation.figure = record["figure"]
        allocation.previous_figure = record["previous_figure"]
        allocation.figure_from_month = record["figure_from_month"]
        allocation._change_reason = reason
        allocation.save(update_fields=["figure", "previous_figure", "figure_from_month"])


def on_unit_ended(sender, line, unit, successors, **kwargs):
    allocations_pass_on(line, unit, [(s, share) for s, share in successors if isinstance(s, Organisation)])


def on_unit_restored(sender, line, unit, **kwargs):
    allocations_given_back(line, unit)
