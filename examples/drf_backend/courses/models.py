"""Users, courses, memberships with the dashboard stats, and bearer tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import MaxValueValidator
from django.db import models


class User(AbstractUser):
    """A community user; the listing shows username, real_name and avatar."""

    # name-lengths: 255, not AbstractUser's 150.
    username = models.CharField(
        max_length=255, unique=True, validators=[UnicodeUsernameValidator()]
    )
    real_name = models.CharField(max_length=255, blank=True)
    avatar = models.ImageField(upload_to="avatars/", blank=True)


class Course(models.Model):
    """A course; its members (creator included) are its memberships."""

    title = models.CharField(max_length=255, blank=True)
    members = models.ManyToManyField(User, through="Membership", related_name="courses")

    def __str__(self) -> str:
        return self.title or f"course {self.pk}"


class JoinStatus(models.TextChoices):
    CREATOR = "creator"
    MANAGER = "manager"
    JOINED = "joined"
    INVITED = "invited"
    REQUESTED = "requested"


class Membership(models.Model):
    """One user's relation to one course, with the stats of the course dashboard."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    join_status = models.CharField(max_length=16, choices=JoinStatus.choices)
    user_completion_rate = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(100)]
    )
    joined_at = models.DateTimeField()
    # last-active-nullable: null until the member completes a lesson.
    last_active_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "user"], name="one_membership_per_user"),
            models.CheckConstraint(
                condition=models.Q(user_completion_rate__lte=100), name="completion_rate_le_100"
            ),
        ]
        indexes = [models.Index(fields=["course", "join_status"])]


class BearerToken(models.Model):
    """An API token sent as `Authorization: Bearer <key>`."""

    key = models.CharField(max_length=255, primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="bearer_tokens")
    created = models.DateTimeField(auto_now_add=True)
