"""Changing a resolution's figures mid-year: with a reason and the month it applies from.

A figure (a component's, or a unit's allocation) never changes silently: the old value is
kept (``previous_figure``, and every version in the history with who, when and why), the
new one applies from ``effective_month`` (dashboards compare earlier months with the old
one), and a target's text that wrote the old number is rewritten with the new one.
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from unionplan.numbers import format_number, number_for_input

from .models import Target, TargetComponent


def written_forms(figure):
    """How a resolution's text may write ``figure``: 5.821, 5821, 03 (zero-padded)."""
    forms = {number_for_input(figure), str(figure)}
    if figure < 10:
        forms.add(f"0{figure}")
    return forms


def _number_in(text, written):
    """Whether ``written`` stands in ``text`` as a whole number (not inside 15.000 or 2020)."""
    return re.search(rf"(?<![0-9.,]){re.escape(written)}(?![0-9]|[.,][0-9])", text) is not None


def text_mentions(text, figure):
    return any(_number_in(text, written) for written in written_forms(figure))


def figures_missing_from_text(target):
    """The components whose figure the target's text does not write (the text disagrees)."""
    return [c for c in target.components.all() if not text_mentions(target.text, c.figure)]


def _rewrite_text(target, old, new):
    """Write ``new`` where the target's text wrote ``old`` (once, unambiguously); else leave
    the text as it is: ``figures_missing_from_text`` flags it."""
    for written in written_forms(old):
        matches = list(re.finditer(rf"(?<![0-9.,]){re.escape(written)}(?![0-9]|[.,][0-9])", target.text))
        if len(matches) == 1:
            match = matches[0]
            target.text = target.text[: match.start()] + number_for_input(new) + target.text[match.end() :]
            return True
    return False


def validate_change(*, reason, effective_month):
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = _("Give the reason for changing the figure.")
    try:
        month = int(effective_month)
    except (TypeError, ValueError):
        month = 0
    if not 1 <= month <= 12:
        errors["effective_month"] = _("Give the month (1 to 12) from which the new figure applies.")
    if errors:
        raise ValidationError(errors)
    return reason.strip(), month


@transaction.atomic
def change_figure(obj, *, figure, reason, effective_month, user=None):
    """Set the figure of ``obj`` (a TargetComponent or an Allocation) to ``figure``, from
    ``effective_month``, for ``reason``. Nothing happens when the figure is the same."""
    reason, month = validate_change(reason=reason, effective_month=effective_month)
    component = obj if isinstance(obj, TargetComponent) else obj.component
    if component.is_share and figure > 100:
        raise ValidationError({"figure": _("A percentage is at most 100.")})
    old = type(obj).objects.filter(pk=obj.pk).values_list("figure", flat=True).get()
    if old == figure:
        return obj
    obj.previous_figure, obj.figure, obj.figure_from_month = old, figure, month
    obj._change_reason = reason
    if user is not None:
        obj._history_user = user
    obj.save(update_fields=["previous_figure", "figure", "figure_from_month"])
    if isinstance(obj, TargetComponent):
        target = Target.objects.select_for_update().get(pk=obj.target_id)
        if _rewrite_text(target, old, figure):
            target._change_reason = _("Figure %(old)s → %(new)s: %(reason)s") % {
                "old": format_number(old),
                "new": format_number(figure),
                "reason": reason,
            }
            if user is not None:
                target._history_user = user
            target.save(update_fields=["text"])
    return obj
