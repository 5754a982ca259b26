"""Limit/offset paging: DRF's LimitOffsetPagination, with 400s instead of silent defaults."""

from __future__ import annotations

import re

from rest_framework.pagination import LimitOffsetPagination

from courses.exceptions import InvalidParameter

_DIGITS = re.compile(r"[0-9]+")


class CourseUsersPagination(LimitOffsetPagination):
    """page-size: 20 by default, capped at 100; offset-start: from 0, empty past the end."""

    default_limit = 20
    max_limit = 100

    def get_limit(self, request) -> int:
        # page-size: DRF falls back to default_limit for a bad limit; the contract wants a 400.
        raw = request.query_params.get(self.limit_query_param)
        if raw is None:
            return self.default_limit
        return min(self.parse(self.limit_query_param, raw, minimum=1), self.max_limit)

    def get_offset(self, request) -> int:
        # offset-start: DRF falls back to 0 for a bad offset; the contract wants a 400.
        raw = request.query_params.get(self.offset_query_param)
        return 0 if raw is None else self.parse(self.offset_query_param, raw, minimum=0)

    @staticmethod
    def parse(name: str, raw: str, minimum: int) -> int:
        """A decimal integer of at least `minimum`, or InvalidParameter naming `name`."""
        if not _DIGITS.fullmatch(raw) or int(raw) < minimum:
            raise InvalidParameter(name, raw, f"an integer of at least {minimum}")
        return int(raw)
