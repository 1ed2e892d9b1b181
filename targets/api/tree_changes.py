"""The tree's changes as the API answers them: a decision (number, date, text, the day it
takes effect, its status) and its lines, each what happens to one unit, named by code."""

from django.db.models import Prefetch, Q
from rest_framework import serializers

from branches.models import TreeChange, TreeChangeLine


def _code(unit):
    return unit.code if unit is not None else None


class TreeChangeLineSerializer(serializers.ModelSerializer):
    unit_code = serializers.SerializerMethodField(help_text="The unit's code (for a founding, the code it is given).")
    target = serializers.SerializerMethodField(
        help_text="The code of the unit it goes to: the new parent (move, founding), the unit merged into "
        "(merge), the successor (dissolution)."
    )
    old_parent = serializers.SerializerMethodField(help_text="The parent's code before the change (once applied).")
    new_parent = serializers.SerializerMethodField(help_text="The parent's code after a move or a founding.")
    implied = serializers.SerializerMethodField(help_text="Set by another line of the change (units moved along).")

    class Meta:
        model = TreeChangeLine
        fields = [
            "order",
            "kind",
            "unit",
            "unit_code",
            "name",
            "level",
            "target",
            "old_parent",
            "new_parent",
            "implied",
        ]

    def get_unit_code(self, line) -> str | None:
        return line.unit.code if line.unit is not None else (line.code or None)

    def get_target(self, line) -> str | None:
        return _code(line.target)

    def get_old_parent(self, line) -> str | None:
        return _code(line.previous_parent)

    def get_new_parent(self, line) -> str | None:
        moves = (TreeChangeLine.Kind.MOVE, TreeChangeLine.Kind.FOUND)
        return _code(line.target) if line.kind in moves else None

    def get_implied(self, line) -> bool:
        return line.implied_by_id is not None


class TreeChangeSerializer(serializers.ModelSerializer):
    federation_code = serializers.CharField(source="federation.code", read_only=True)
    lines = TreeChangeLineSerializer(many=True, read_only=True)

    class Meta:
        model = TreeChange
        fields = [
            "id",
            "federation",
            "federation_code",
            "decision_number",
            "decision_date",
            "decision_text",
            "effective_on",
            "status",
            "applied_at",
            "lines",
        ]


def with_lines(changes):
    """``changes`` with their federation and lines (and the lines' units) in three queries."""
    lines = TreeChangeLine.objects.select_related("unit", "target", "previous_parent").order_by("order", "pk")
    return changes.select_related("federation").prefetch_related(Prefetch("lines", queryset=lines))


def touching(changes, unit_id):
    """The changes with a line about the unit (changed, or handed something)."""
    about = TreeChangeLine.objects.filter(Q(unit_id=unit_id) | Q(target_id=unit_id)).values("change_id")
    return changes.filter(pk__in=about)
