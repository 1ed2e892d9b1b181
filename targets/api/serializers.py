"""What the API answers and accepts. Field names in English; ids are the database's
(stable: a unit keeps its id when it moves in the tree)."""

from rest_framework import serializers

from branches.models import Organisation
from targets.reporting.models import MonthlyReport, ReportFigure, TaskProgress
from targets.resolution.models import PriorityTask, Resolution, Target, TargetComponent
from targets.rollup.pace import Status


class FigureChangeSerializer(serializers.Serializer):
    figure = serializers.IntegerField()
    previous_figure = serializers.IntegerField(allow_null=True)
    from_month = serializers.IntegerField(allow_null=True)
    changed_at = serializers.DateTimeField()
    reason = serializers.CharField(allow_null=True)


class ComponentSerializer(serializers.ModelSerializer):
    figure_changes = serializers.SerializerMethodField()

    class Meta:
        model = TargetComponent
        fields = [
            "id",
            "order",
            "label",
            "figure",
            "previous_figure",
            "figure_from_month",
            "unit_of_measure",
            "measure",
            "figure_kind",
            "threshold",
            "threshold_unit",
            "min_workforce",
            "for_province",
            "for_upper_level",
            "for_grassroots",
            "for_public_agency",
            "for_state_enterprise",
            "for_non_state_enterprise",
            "figure_changes",
        ]

    def get_figure_changes(self, component) -> FigureChangeSerializer(many=True):
        changes = self.context.get("figure_changes", {}).get(component.pk, [])
        return FigureChangeSerializer(changes, many=True).data


class TargetSerializer(serializers.ModelSerializer):
    components = ComponentSerializer(many=True, read_only=True)

    class Meta:
        model = Target
        fields = ["id", "number", "short_name", "text", "due_month", "continues", "components"]


class TaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = PriorityTask
        fields = ["id", "number", "title", "text"]


class ResolutionSerializer(serializers.ModelSerializer):
    targets = TargetSerializer(many=True, read_only=True)
    tasks = TaskSerializer(many=True, read_only=True)
    is_locked = serializers.BooleanField(read_only=True)

    class Meta:
        model = Resolution
        fields = [
            "id",
            "organisation",
            "year",
            "reference",
            "issuing_body",
            "issued_on",
            "title",
            "theme",
            "report_due_day",
            "is_locked",
            "targets",
            "tasks",
        ]


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "sector",
            "parent",
            "workforce",
            "members",
            "founded_on",
            "dissolved_on",
        ]


class ReportFigureSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportFigure
        fields = [
            "component",
            "quantity",
            "done",
            "done_on",
            "value",
            "approved_quantity",
            "approved_done",
            "approved_value",
        ]


class TaskProgressSerializer(serializers.ModelSerializer):
    class Meta:
        model = TaskProgress
        fields = ["task", "status", "narrative"]


class ReportSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="resolution.year", read_only=True)
    unit = serializers.IntegerField(source="organisation_id", read_only=True)
    unit_code = serializers.CharField(source="organisation.code", read_only=True)
    figures = ReportFigureSerializer(many=True, read_only=True)
    tasks = TaskProgressSerializer(many=True, read_only=True, source="task_progress")

    class Meta:
        model = MonthlyReport
        fields = [
            "id",
            "resolution",
            "year",
            "month",
            "unit",
            "unit_code",
            "status",
            "version",
            "revision",
            "nothing_to_report",
            "note",
            "entry_channel",
            "self_approved",
            "created_at",
            "updated_at",
            "submitted_at",
            "first_submitted_at",
            "reviewed_at",
            "approved_at",
            "review_comment",
            "figures",
            "tasks",
        ]


# --- what writes accept ---------------------------------------------------------------


class FigureInputSerializer(serializers.Serializer):
    """A component's figures for the month: ``quantity`` (a count or an amount), ``value``
    (compared with the component's threshold), or ``done`` with ``done_on``."""

    component = serializers.IntegerField()
    quantity = serializers.IntegerField(required=False, allow_null=True)
    value = serializers.DecimalField(max_digits=20, decimal_places=2, required=False, allow_null=True)
    done = serializers.BooleanField(required=False)
    done_on = serializers.DateField(required=False, allow_null=True)


class TaskInputSerializer(serializers.Serializer):
    task = serializers.IntegerField()
    status = serializers.ChoiceField(choices=TaskProgress.Status.choices, required=False)
    narrative = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class ReportChangeSerializer(serializers.Serializer):
    """What a unit writes into its month's report (figures not named stay as they are)."""

    figures = FigureInputSerializer(many=True, required=False, max_length=200)
    tasks = TaskInputSerializer(many=True, required=False, max_length=100)
    nothing_to_report = serializers.BooleanField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ReportCreateSerializer(ReportChangeSerializer):
    unit = serializers.IntegerField()
    year = serializers.IntegerField(min_value=1900, max_value=2999)
    month = serializers.IntegerField(min_value=1, max_value=12)
    submit = serializers.BooleanField(required=False, default=False)


class ReviewCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000)


class ReopenReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class EmptySerializer(serializers.Serializer):
    pass


# --- roll-ups ---------------------------------------------------------------------------


class CoverageSerializer(serializers.Serializer):
    reported = serializers.IntegerField()
    expected = serializers.IntegerField()


class ComponentProgressSerializer(serializers.Serializer):
    component = serializers.IntegerField(source="component.pk")
    target = serializers.IntegerField(source="component.target.number")
    label = serializers.CharField(source="component.label")
    unit_of_measure = serializers.CharField(source="component.unit_of_measure")
    figure = serializers.IntegerField(allow_null=True)
    achieved = serializers.IntegerField()
    pending = serializers.IntegerField()
    eligible = serializers.IntegerField()
    expected = serializers.IntegerField(allow_null=True)
    projected = serializers.IntegerField(allow_null=True)
    percent = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    share = serializers.SerializerMethodField(help_text="For a percentage of the eligible units: that percentage.")
    status = serializers.CharField()
    status_label = serializers.SerializerMethodField()

    def get_share(self, row) -> float | None:
        return row.share if row.is_share else None

    def get_status_label(self, row) -> str:
        return str(Status(row.status).label)


class ProgressSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    resolution = serializers.IntegerField()
    year = serializers.IntegerField()
    month = serializers.IntegerField()
    closed = serializers.BooleanField()
    coverage = CoverageSerializer()
    components = ComponentProgressSerializer(many=True)


class CompletenessRowSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="unit.pk")
    code = serializers.CharField(source="unit.code")
    name = serializers.CharField(source="unit.name")
    expected = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    missing = serializers.IntegerField()
    not_yet_due = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


class CompletenessSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    resolution = serializers.IntegerField()
    year = serializers.IntegerField()
    month = serializers.IntegerField()
    total = CompletenessRowSerializer()
    branches = CompletenessRowSerializer(many=True)


# --- the bulk import ---------------------------------------------------------------------


class ImportRowSerializer(serializers.Serializer):
    """One value: a component's figure, a task's progress, or "nothing to report"."""

    unit = serializers.CharField(max_length=32, help_text="The unit's code.")
    year = serializers.IntegerField(min_value=1900, max_value=2999)
    month = serializers.IntegerField(min_value=1, max_value=12)
    component = serializers.IntegerField(required=False, min_value=1)
    quantity = serializers.IntegerField(required=False, allow_null=True)
    value = serializers.DecimalField(max_digits=20, decimal_places=2, required=False, allow_null=True)
    done = serializers.BooleanField(required=False)
    done_on = serializers.DateField(required=False, allow_null=True)
    task = serializers.IntegerField(required=False, min_value=1)
    status = serializers.ChoiceField(choices=TaskProgress.Status.choices, required=False)
    narrative = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    nothing_to_report = serializers.BooleanField(required=False)


class ImportRequestSerializer(serializers.Serializer):
    rows = ImportRowSerializer(many=True)


class ImportCountsSerializer(serializers.Serializer):
    imported = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    refused = serializers.IntegerField()


class RefusedRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    unit = serializers.CharField(allow_null=True)
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class ImportSummarySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["ok", "partial", "refused"])
    dry_run = serializers.BooleanField()
    rows = serializers.IntegerField()
    counts = ImportCountsSerializer()
    refused = RefusedRowSerializer(many=True)
