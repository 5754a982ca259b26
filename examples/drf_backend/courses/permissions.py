"""The operation's required role: creator or manager of the course."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from courses.models import JoinStatus

COURSE_STAFF = (JoinStatus.CREATOR, JoinStatus.MANAGER)


class IsCourseCreatorOrManager(BasePermission):
    """An object permission on the course, so a missing course is a 404 first (check-order)."""

    def has_object_permission(self, request, view, obj) -> bool:
        return obj.memberships.filter(user=request.user, join_status__in=COURSE_STAFF).exists()
