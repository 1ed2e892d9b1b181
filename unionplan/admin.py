"""The admin in Vietnamese where Django writes a dash or an English word that no catalogue
translates: the empty choice of a select ("---------", Django's BLANK_CHOICE_DASH and
ModelChoiceField's empty_label, both literal), the empty choice of the actions menu, and the
values in the history of changes (simple-history writes an empty date "None", an empty
foreign key "Deleted user (pk=None)", a yes/no "True"/"False", a person by user name)."""

from django.utils.translation import gettext_lazy as _
from simple_history.template_utils import HistoricalRecordContextHelper

DASHES = "---------"
EMPTY_CHOICE = _("(none)")
NO_ACTION = _("Choose an action")


def with_worded_empty_choice(field):
    """``field`` (a form field or None) with its dashed empty choice put in words."""
    if field is None:
        return field
    if getattr(field, "empty_label", None) == DASHES:
        field.empty_label = EMPTY_CHOICE
    elif hasattr(field, "choices") and not hasattr(field, "queryset"):
        choices = list(field.choices)
        if any(label == DASHES for _value, label in choices):
            field.choices = [(value, EMPTY_CHOICE if label == DASHES else label) for value, label in choices]
    return field


class WordedHistoryValues(HistoricalRecordContextHelper):
    """simple-history's values of a change, as people read them."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        if value is None or getattr(value, "pk", False) is None:
            return "–"
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if hasattr(value, "get_full_name"):
            return value.get_full_name() or value.get_username()
        return value


class WordedChoicesAdmin:
    """Mixin for a ModelAdmin or an inline: empty choices and history values in words, in the
    interface's language."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return with_worded_empty_choice(super().formfield_for_dbfield(db_field, request, **kwargs))

    def get_action_choices(self, request, default_choices=None):
        return super().get_action_choices(request, default_choices=[("", NO_ACTION)])

    def get_historical_record_context_helper(self, request, historical_record):
        """(simple-history's admins) the values of a change in words."""
        return WordedHistoryValues(self.model, historical_record)
