"""The reviewer's inbox: every report of their subtree waiting for review, across months
and years, with bulk approval. Reads are ``inbox``; approving is ``services.reports_approve``
(each report exactly as one approved on its own page)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin
from django_tables2.paginators import LazyPaginator

from branches import access
from unionplan.paging import CappedRequestConfig

from . import inbox, services
from .filters import InboxFilter
from .tables import InboxTable


def parse_selection(values):
    """{report id: version} from the ticked boxes ("id:version"); anything else is dropped."""
    selection = {}
    for value in values:
        pk, _sep, version = value.partition(":")
        if pk.isdigit() and version.isdigit():
            selection[int(pk)] = int(version)
    return selection


class InboxView(LoginRequiredMixin, SingleTableMixin, FilterView):
    """GET: the inbox, filtered; POST: approve the ticked reports."""

    table_class = InboxTable
    filterset_class = InboxFilter
    template_name = "reports/inbox.html"
    # Only the table paginates (a ListView paginator too would count the inbox twice).
    table_pagination = {"per_page": 50}

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.root = access.review_root(request.user)
        if self.root is None:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return inbox.inbox(self.root)

    def get_filterset_kwargs(self, filterset_class):
        self.by_month = inbox.counts_by_month(self.root)
        periods = [(row["resolution__year"], row["month"]) for row in self.by_month]
        return super().get_filterset_kwargs(filterset_class) | {"root": self.root, "periods": periods}

    def get_table(self, **kwargs):
        # ?per_page is capped as on every list page (unionplan.paging).
        table = self.get_table_class()(data=self.get_table_data(), **kwargs)
        # Pages are not counted (the counts by month say how many wait): each page says
        # whether another follows.
        paginate = dict(self.get_table_pagination(table), paginator_class=LazyPaginator)
        return CappedRequestConfig(self.request, paginate=paginate).configure(table)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context |= {
            "root": self.root,
            "by_month": self.by_month,
            "by_upper_level": inbox.counts_by_branch(self.root),
            "total": sum(row["n"] for row in self.by_month),
            # The navigation's badge reads it instead of counting again.
            "inbox_total": sum(row["n"] for row in self.by_month),
        }
        return context

    def post(self, request, *args, **kwargs):
        back = HttpResponseRedirect(reverse("inbox") + (f"?{request.GET.urlencode()}" if request.GET else ""))
        selection = parse_selection(request.POST.getlist("report"))
        if not selection:
            messages.error(request, _("Tick the reports to approve first."))
            return back
        found, missing = inbox.pick(self.root, selection)
        result = services.reports_approve(reports=found, user=request.user)
        if result.approved:
            count = len(result.approved)
            messages.success(
                request,
                ngettext("%(count)s report was approved.", "%(count)s reports were approved.", count)
                % {"count": count},
            )
        for report, reason in result.refused:
            messages.error(request, _("Not approved: %(report)s. %(reason)s") % {"report": report, "reason": reason})
        for pk in missing:
            messages.error(request, _("Report no. %(id)s is not one you review: nothing was done.") % {"id": pk})
        return back
