"""The listing's filter backends: statuses, DRF's search, DRF's ordering.

Stock DRF does the searching and the ordering; the subclasses only add what the contract's
decisions (openapi/decisions.yaml, named by id) require beyond it.
"""

from __future__ import annotations

import json

from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend, OrderingFilter, SearchFilter

from courses.exceptions import InvalidParameter
from courses.models import JoinStatus

_STATUS_CHOICES = ", ".join(JoinStatus.values)


class JoinStatusFilter(BaseFilterBackend):
    """`?statuses=`: the members whose join_status is among the given ones."""

    param = "statuses"
    # The docs' default: `["manager", "joined"]`.
    default = (JoinStatus.MANAGER, JoinStatus.JOINED)

    def filter_queryset(self, request, queryset, view):
        return queryset.filter(join_status__in=self.get_statuses(request))

    def get_statuses(self, request) -> set[str]:
        """statuses-wire-forms: the union over every value, each a status or a JSON list."""
        values = request.query_params.getlist(self.param)
        if not values:
            return set(self.default)
        return {status for value in values for status in self.parse_value(value)}

    def parse_value(self, value: str) -> list[str]:
        """One wire value: `joined` or `["joined","manager"]`; `[]` names none. Else a 400."""
        if not value.lstrip().startswith("["):
            # A comma form (`joined,manager`) is no status, so it is a 400 here too.
            return [self._status(value)]
        try:
            parsed = json.loads(value)
        except ValueError:
            raise InvalidParameter(self.param, value, "a JSON list of statuses") from None
        if not isinstance(parsed, list):
            raise InvalidParameter(self.param, value, "a JSON list of statuses")
        return [self._status(item) for item in parsed]

    def _status(self, value: object) -> str:
        if value not in JoinStatus.values:
            expected = f"one of {_STATUS_CHOICES}, or a JSON list of them"
            raise InvalidParameter(self.param, str(value), expected)
        return str(value)


class CourseUsersSearchFilter(SearchFilter):
    """DRF's SearchFilter (3.15+ term splitting, icontains on every search field), unchanged."""

    def get_search_terms(self, request):
        # error-meanings: DRF refuses a NUL with a list body (`["Null characters are not
        # allowed."]`); the contract wants `{"detail": ...}` naming the parameter.
        try:
            return super().get_search_terms(request)
        except ValidationError:
            value = request.query_params.get(self.search_param, "")
            expected = "text without NUL characters"
            raise InvalidParameter(self.search_param, value, expected) from None


class CourseUsersOrderingFilter(OrderingFilter):
    """DRF's OrderingFilter over the view's ordering_fields, ascending or `-` descending."""

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        allowed = [f"{sign}{name}" for name in view.ordering_fields for sign in ("", "-")]
        # ordering-descending: DRF ignores an unknown ordering; the contract wants a 400.
        if raw is not None and raw not in allowed:
            raise InvalidParameter(self.ordering_param, raw, f"one of {', '.join(allowed)}")
        # ordering-ties: ties broken by user id ascending, so offset pages are stable.
        return [*super().get_ordering(request, queryset, view), "user_id"]
