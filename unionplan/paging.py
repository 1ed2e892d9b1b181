"""Table pages of a sensible size: whatever ``per_page`` a URL asks for, a page holds at most
``MAX_PER_PAGE`` rows (a page of 100,000 narratives took 24 seconds to build), and the
person is told when their request was cut."""

from django.contrib import messages
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.utils.translation import gettext as _
from django_tables2 import RequestConfig

MAX_PER_PAGE = 500


class CountedPaginator(Paginator):
    """A paginator told how many rows there are (``count=``), for a page that has counted
    them already: the rows are not counted a second time."""

    def __init__(self, object_list, per_page, *args, count, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.count = count  # the cached property's value, set ahead


class CappedRequestConfig(RequestConfig):
    """django-tables2's RequestConfig with ``per_page`` kept between 1 and ``MAX_PER_PAGE``."""

    def configure(self, table):
        table.request = self.request
        order_by = self.request.GET.getlist(table.prefixed_order_by_field)
        if order_by:
            table.order_by = order_by
        if not self.paginate:
            return table
        kwargs = dict(self.paginate) if hasattr(self.paginate, "items") else {}
        kwargs.pop("silent", None)
        for arg in ("page", "per_page"):
            try:
                kwargs[arg] = int(self.request.GET[getattr(table, f"prefixed_{arg}_field")])
            except (ValueError, KeyError):
                pass
        per_page = kwargs.get("per_page")
        if per_page is not None and per_page > MAX_PER_PAGE:
            messages.info(self.request, _("A page shows at most %(rows)s rows.") % {"rows": MAX_PER_PAGE})
        if per_page is not None:
            kwargs["per_page"] = min(max(per_page, 1), MAX_PER_PAGE)
        try:
            table.paginate(**kwargs)
        except PageNotAnInteger:
            table.page = table.paginator.page(1)
        except EmptyPage:
            table.page = table.paginator.page(table.paginator.num_pages)
        return table
