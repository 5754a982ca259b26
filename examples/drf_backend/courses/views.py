"""GET /api/v2/course/{id}/users/: the members of a course, for its creator and managers."""

from __future__ import annotations

from rest_framework.generics import ListAPIView, get_object_or_404
from rest_framework.permissions import IsAuthenticated

from courses.authentication import BearerTokenAuthentication
from courses.filters import CourseUsersOrderingFilter, CourseUsersSearchFilter, JoinStatusFilter
from courses.models import Course
from courses.pagination import CourseUsersPagination
from courses.permissions import IsCourseCreatorOrManager
from courses.serializers import CourseUserDashboardSerializer


class CourseUsersView(ListAPIView):
    """The course dashboard's member list: filter by statuses, search, order, page."""

    serializer_class = CourseUserDashboardSerializer
    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [IsAuthenticated, IsCourseCreatorOrManager]
    pagination_class = CourseUsersPagination
    filter_backends = [JoinStatusFilter, CourseUsersSearchFilter, CourseUsersOrderingFilter]
    search_fields = ["user__username", "user__real_name"]
    ordering_fields = ["joined_at", "last_active_at"]
    ordering = ["-joined_at"]

    def get_course(self) -> Course:
        """check-order: after authentication (401), a missing course is a 404, then the role 403."""
        course = get_object_or_404(Course, pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, course)
        return course

    def get_queryset(self):
        return self.get_course().memberships.select_related("user")
