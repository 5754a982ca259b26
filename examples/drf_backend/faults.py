"""TEST-ONLY: deliberate bugs a DRF team could plausibly ship, for testing the conformance suite.

`DRF_EXAMPLE_FAULT=<name>` makes config/urls.py serve `view_for(name)` instead of the product's
`CourseUsersView`. Each fault is a subclass of the product view (or of one of its filter,
pagination, permission classes) that changes one thing, so the product modules never look at the
switch. tests/examples/test_drf_backend.py names, for every fault, the check it must fail.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db.models import F
from django.db.models.functions import Coalesce
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import exception_handler

from courses.exceptions import InvalidParameter
from courses.filters import CourseUsersOrderingFilter, CourseUsersSearchFilter, JoinStatusFilter
from courses.models import Course, JoinStatus
from courses.pagination import CourseUsersPagination
from courses.permissions import COURSE_STAFF, IsCourseCreatorOrManager
from courses.views import CourseUsersView

# --- Ordering ---


class OrderingIgnored(CourseUsersOrderingFilter):
    """The `ordering` parameter is validated, then forgotten: always the default order."""

    def get_ordering(self, request, queryset, view):
        super().get_ordering(request, queryset, view)
        return [*self.get_default_ordering(view), "user_id"]


class TiesByIdDescending(CourseUsersOrderingFilter):
    """Ties broken by `-id` ("newest users first") instead of id ascending."""

    def get_ordering(self, request, queryset, view):
        return [*super().get_ordering(request, queryset, view)[:-1], "-user_id"]


class NullsInTheMiddle(CourseUsersOrderingFilter):
    """ "Never active" counted as "active when they joined": nulls sort among the dates."""

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        field = ordering[0].lstrip("-")
        if field != "last_active_at":
            return queryset.order_by(*ordering)
        key = Coalesce(F("last_active_at"), F("joined_at"))
        return queryset.order_by(
            key.desc() if ordering[0].startswith("-") else key.asc(), "user_id"
        )


class DefaultOrderingAscending(CourseUsersView):
    """The default order is oldest member first."""

    ordering = ["joined_at"]


# --- Statuses ---


class InvitedLeaksIntoJoined(JoinStatusFilter):
    """`joined` also lists invited users ("they will join anyway")."""

    def get_statuses(self, request):
        statuses = super().get_statuses(request)
        return statuses | {JoinStatus.INVITED} if JoinStatus.JOINED in statuses else statuses


class DefaultStatusesAll(JoinStatusFilter):
    """No `statuses` lists every member, not managers and joined ones."""

    default = tuple(JoinStatus.values)


class JsonListIgnored(JoinStatusFilter):
    """Values that are not a plain status (the SDK's JSON list) are skipped, not parsed."""

    def get_statuses(self, request):
        values = [v for v in request.query_params.getlist(self.param) if v in JoinStatus.values]
        return set(values) if values else set(self.default)


class CommaFormAccepted(JoinStatusFilter):
    """`statuses=joined,manager` is split on commas instead of refused."""

    def parse_value(self, value):
        if value.lstrip().startswith("["):
            return super().parse_value(value)
        return [self._status(part) for part in value.split(",")]


# --- Search ---


class SearchUsernameOnly(CourseUsersView):
    """The search looks at usernames only."""

    search_fields = ["user__username"]


class SearchOldSplit(CourseUsersSearchFilter):
    """DRF before 3.15: commas to spaces, split on whitespace, quotes kept as characters."""

    def get_search_terms(self, request):
        value = request.query_params.get(self.search_param, "")
        return value.replace("\x00", "").replace(",", " ").split()


# --- Paging ---


class NextDropsFilters(CourseUsersPagination):
    """`next` is built from the path and the page only, so the filters are lost."""

    def get_next_link(self):
        if self.offset + self.limit >= self.count:
            return None
        url = self.request.build_absolute_uri(self.request.path)
        return f"{url}?limit={self.limit}&offset={self.offset + self.limit}"


class CountExcludesYou(CourseUsersPagination):
    """`count` leaves out the requesting user (who sees themself in the results anyway)."""

    def get_count(self, queryset):
        return queryset.exclude(user=self.request_user).count()

    def paginate_queryset(self, queryset, request, view=None):
        self.request_user = request.user
        return super().paginate_queryset(queryset, request, view)


class MaxLimitNotApplied(CourseUsersPagination):
    """No page cap: `limit=1000` returns 1000 members."""

    max_limit = None

    def get_limit(self, request):
        raw = request.query_params.get(self.limit_query_param)
        return self.default_limit if raw is None else self.parse(self.limit_query_param, raw, 1)


class PreviousNotClamped(CourseUsersPagination):
    """`previous` is offset - limit even when that is negative (a link to a 400)."""

    def get_previous_link(self):
        if self.offset <= 0:
            return None
        url = self.request.build_absolute_uri()
        url = replace_query_param(url, self.limit_query_param, self.limit)
        return replace_query_param(url, self.offset_query_param, self.offset - self.limit)


class OffsetPastEndShowsLastPage(CourseUsersPagination):
    """An offset past the end shows the last page instead of an empty one."""

    def paginate_queryset(self, queryset, request, view=None):
        page = super().paginate_queryset(queryset, request, view)
        if page or self.count == 0:
            return page
        self.offset = max(0, self.count - self.limit)
        return list(queryset[self.offset : self.offset + self.limit])


class StockLimitOffset(LimitOffsetPagination):
    """Stock DRF paging: a bad limit or offset silently falls back to the default."""

    default_limit = 20
    max_limit = 100


class ErrorsAsFieldLists(CourseUsersPagination):
    """A bad limit raises DRF's ValidationError: `{"limit": ["..."]}`, no `detail`."""

    def get_limit(self, request):
        try:
            return super().get_limit(request)
        except InvalidParameter as exc:
            raise ValidationError({self.limit_query_param: [str(exc)]}) from None


# --- Authentication, permissions, errors ---


class RoleCheckedBeforeCourse(IsCourseCreatorOrManager):
    """The role is checked from the URL before the course is looked up: 403 for a missing one."""

    def has_permission(self, request, view):
        course = view.kwargs["pk"]
        return request.user.memberships.filter(
            course_id=course, join_status__in=COURSE_STAFF
        ).exists()


class AnyMemberAllowed(BasePermission):
    """Any member of the course may list it, not only its creator and managers."""

    def has_object_permission(self, request, view, obj):
        return obj.memberships.filter(user=request.user).exists()


class CourseGetNot404(CourseUsersView):
    """`Course.objects.get` instead of get_object_or_404: a missing course is a 500."""

    def get_course(self):
        course = Course.objects.get(pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, course)
        return course


def _rebuilt_response_handler(exc, context):
    """A custom handler that rebuilds every error response and so drops its headers."""
    response = exception_handler(exc, context)
    return None if response is None else Response(response.data, status=response.status_code)


class HeadersDroppedOnErrors(CourseUsersView):
    """401s lose `WWW-Authenticate` to the custom exception handler."""

    def get_exception_handler(self):
        return _rebuilt_response_handler


def _filters(**replace: type) -> dict[str, object]:
    """View attributes: the product's filter backends, some replaced (keyed by class name)."""
    backends = [replace.get(cls.__name__, cls) for cls in CourseUsersView.filter_backends]
    return {"filter_backends": backends}


# Each fault: a view subclass, or the view attributes that differ from the product's.
_VARIANTS: dict[str, type[CourseUsersView] | dict[str, object]] = {
    "ordering-ignored": _filters(CourseUsersOrderingFilter=OrderingIgnored),
    "ties-by-id-descending": _filters(CourseUsersOrderingFilter=TiesByIdDescending),
    "nulls-in-the-middle": _filters(CourseUsersOrderingFilter=NullsInTheMiddle),
    "default-ordering-ascending": DefaultOrderingAscending,
    "invited-leaks-into-joined": _filters(JoinStatusFilter=InvitedLeaksIntoJoined),
    "default-statuses-all": _filters(JoinStatusFilter=DefaultStatusesAll),
    "json-list-ignored": _filters(JoinStatusFilter=JsonListIgnored),
    "comma-form-accepted": _filters(JoinStatusFilter=CommaFormAccepted),
    "search-username-only": SearchUsernameOnly,
    "search-old-split": _filters(CourseUsersSearchFilter=SearchOldSplit),
    "next-drops-filters": {"pagination_class": NextDropsFilters},
    "count-excludes-you": {"pagination_class": CountExcludesYou},
    "max-limit-not-applied": {"pagination_class": MaxLimitNotApplied},
    "previous-not-clamped": {"pagination_class": PreviousNotClamped},
    "offset-past-end-shows-last-page": {"pagination_class": OffsetPastEndShowsLastPage},
    "stock-limit-offset": {"pagination_class": StockLimitOffset},
    "errors-as-field-lists": {"pagination_class": ErrorsAsFieldLists},
    "role-checked-before-course": {
        "permission_classes": [*CourseUsersView.permission_classes, RoleCheckedBeforeCourse]
    },
    "any-member-allowed": {
        "permission_classes": [CourseUsersView.permission_classes[0], AnyMemberAllowed]
    },
    "course-get-not-404": CourseGetNot404,
    "headers-dropped-on-errors": HeadersDroppedOnErrors,
}
FAULTS: dict[str, type[CourseUsersView]] = {
    name: variant
    if isinstance(variant, type)
    else type(f"CourseUsersView[{name}]", (CourseUsersView,), variant)
    for name, variant in _VARIANTS.items()
}


def view_for(name: str) -> type[CourseUsersView]:
    """The view with fault `name`; ImproperlyConfigured (one line, naming them all) if unknown."""
    try:
        return FAULTS[name]
    except KeyError:
        known = ", ".join(sorted(FAULTS))
        raise ImproperlyConfigured(f"DRF_EXAMPLE_FAULT={name!r} is not one of: {known}") from None
