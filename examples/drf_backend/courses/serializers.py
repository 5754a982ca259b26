"""One member of a course with their dashboard stats."""

from __future__ import annotations

from rest_framework import serializers

from courses.models import Membership


class CourseUserDashboardSerializer(serializers.ModelSerializer):
    """The user's identity from the user, the stats from the membership."""

    id = serializers.IntegerField(source="user_id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    real_name = serializers.CharField(source="user.real_name", read_only=True)
    # avatar-url: DRF's ImageField writes the file's absolute URL, or null without one.
    avatar = serializers.ImageField(source="user.avatar", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "username",
            "real_name",
            "avatar",
            "join_status",
            "user_completion_rate",
            "last_active_at",
            "joined_at",
        ]
        read_only_fields = fields
