"""Template helpers for the report pages and the navigation."""

from django import template

from branches import access
from targets.reporting import inbox
from unionplan.numbers import format_number

register = template.Library()


@register.filter
def is_reviewer(user):
    """Whether the navigation offers report review and unit registration to ``user``."""
    return access.is_reviewer(user)


@register.filter
def can_file(user):
    """Whether ``user`` files reports for a unit of their own."""
    return bool(user.is_authenticated and user.organisation_id and user.role)


@register.filter
def can_enter_in_bulk(user):
    """Whether ``user`` may enter their grassroots unions' reports from an Excel file."""
    return access.bulk_entry_root(user) is not None


@register.simple_tag(takes_context=True)
def inbox_count(context, user):
    """How many reports wait for ``user``'s review, as the badge writes it ("12", "999+"; one
    bounded query, none on the inbox page, which has counted them already), or None for a
    non-reviewer or an empty inbox."""
    if context.get("inbox_total") is not None:
        waiting = context["inbox_total"]
    else:
        root = access.review_root(user)
        if root is None:
            return None
        waiting = inbox.count(root)
    if not waiting:
        return None
    return f"{format_number(inbox.BADGE_CAP)}+" if waiting > inbox.BADGE_CAP else format_number(waiting)
