"""What is wrong with a JSON data file, in its user's words: one schema error of
``jsonschema`` as (field, problem), for the files the project checks against a published
schema (a resolution: ``targets/resolution/resolution.schema.json``; a decision changing the
tree: ``branches/changes.schema.json``)."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .numbers import format_number

TYPE_NAMES = {
    "integer": gettext_lazy("a whole number"),
    "string": gettext_lazy("text"),
    "array": gettext_lazy("a list"),
    "object": gettext_lazy("an object"),
    "number": gettext_lazy("a number"),
    "null": gettext_lazy("empty"),
}


def schema_problem(error):
    """(field, what is wrong) of one schema error."""
    fields = [p for p in error.absolute_path if isinstance(p, str)]
    field = fields[-1] if fields else ""
    value, limit = error.instance, error.validator_value
    kind = error.validator
    if kind == "required":
        missing = re.match(r"'(.+)' is a required property", error.message)
        return (missing.group(1) if missing else field), _("missing")
    if kind == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        extra = sorted(set(value) - known) if isinstance(value, dict) else []
        return ", ".join(extra) or field, _("unknown field")
    if kind in ("enum", "const"):
        choices = limit if kind == "enum" else [limit]
        return field, _("“%(value)s” is not one of: %(choices)s") % {
            "value": value,
            "choices": ", ".join(str(c) for c in choices),
        }
    if kind == "type":
        types = limit if isinstance(limit, list) else [limit]
        return field, _("must be %(type)s") % {"type": _(" or ").join(str(TYPE_NAMES.get(t, t)) for t in types)}
    if kind in ("minimum", "maximum"):
        message = _("%(value)s is below %(limit)s") if kind == "minimum" else _("%(value)s is above %(limit)s")
        return field, message % {"value": format_number(value), "limit": format_number(limit)}
    if kind == "minLength":
        return field, _("must not be empty")
    if kind == "maxLength":
        return field, _("longer than %(limit)s characters") % {"limit": limit}
    if kind == "pattern":
        return field, _("“%(value)s” is not in the expected form") % {"value": value}
    if kind == "minItems":
        return field, _("needs at least %(limit)s item") % {"limit": limit}
    if kind == "uniqueItems":
        return field, _("lists an item twice")
    return field, error.message
