"""Deterministic demo allocations (``manage.py load_demo``): the province hands each
component's figure to its upper levels in proportion to their eligible grassroots unions
(or members), by the largest remainder so the shares add up exactly. Idempotent."""

from django.db import transaction
from django.db.models import Count, Sum

from branches.models import Organisation
from targets.resolution.allocations import Allocation
from targets.resolution.models import TargetComponent

from .demo import demo_resolution


def _largest_remainder(total, weights):
    """Split ``total`` among keys in proportion to ``weights`` ({key: weight}); shares add up exactly."""
    weight_sum = sum(weights.values())
    if weight_sum <= 0:
        return {}
    shares = {key: total * w // weight_sum for key, w in weights.items()}
    left = total - sum(shares.values())
    by_remainder = sorted(weights, key=lambda key: (-(total * weights[key] % weight_sum), key))
    for key in by_remainder[:left]:
        shares[key] += 1
    return shares


def _allocation_weights(component, province, upper_ids):
    """{upper-level id: weight}. Things counted in units that the upper levels do themselves
    (their own financial inspection): one each. Otherwise the eligible active grassroots
    units under each upper level, or their members for the quantities grassroots unions
    report (people recruited, introduced, entered grow with the unit's size)."""
    if component.counts_units and not component.for_grassroots and component.measure != component.Measure.UNITS_FOUNDED:
        return dict.fromkeys(upper_ids, 1)
    eligible = (
        Organisation.objects.under(province)
        .grassroots()
        .active()
        .filter(parent_id__in=upper_ids, sector__in=component.eligible_sectors())
    )
    if component.min_workforce:
        eligible = eligible.filter(workforce__gte=component.min_workforce)
    by_members = component.measure == TargetComponent.Measure.QUANTITY and component.for_grassroots
    rows = eligible.order_by().values("parent_id").annotate(weight=Sum("members") if by_members else Count("pk"))
    weights = dict.fromkeys(upper_ids, 0)
    weights.update({row["parent_id"]: row["weight"] or 0 for row in rows})
    return weights


@transaction.atomic
def load_demo_allocations():
    """Allocate each component's figure among the upper-level unions under the issuing
    federation (except components only the federation reports), in proportion to their
    eligible active grassroots units (members for quantities), by largest remainder.
    A component that already has allocations is left alone. Returns the rows created."""
    resolution = demo_resolution()
    if resolution is None:
        return 0
    province = resolution.organisation
    uppers = list(Organisation.objects.filter(parent=province).upper_levels().active().order_by("path"))
    if not uppers:
        return 0
    upper_ids = [u.pk for u in uppers]
    components = [
        c for c in resolution.components().order_by("target__number", "order") if c.for_upper_level or c.for_grassroots
    ]
    already = set(
        Allocation.objects.filter(component__in=components, organisation_id__in=upper_ids).values_list(
            "component_id", flat=True
        )
    )
    rows = []
    for component in components:
        if component.pk in already:
            continue
        weights = _allocation_weights(component, province, upper_ids)
        shares = _largest_remainder(component.figure, weights)
        rows += [
            Allocation(component=component, organisation_id=pk, figure=share) for pk, share in shares.items() if share
        ]
    Allocation.objects.bulk_create(rows)
    return len(rows)
