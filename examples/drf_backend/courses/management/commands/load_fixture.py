"""`manage.py load_fixture PATH`: replace the database's data with a fixture dataset.

The file is read and fully validated by the contract project's own loader
(`fixtures.load_dataset`, the format of `python -m fixtures validate`), then written in one
transaction: users, courses, memberships and bearer tokens, keeping the file's ids.
"""

from __future__ import annotations

from urllib.parse import unquote

from course_users.fixtures import Dataset, FixtureError, load_dataset
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction

from courses.models import BearerToken, Course, Membership, User


class Command(BaseCommand):
    help = "Replace all users, courses, memberships and tokens with a fixture file's dataset."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "path", help="a fixture file (YAML or JSON), e.g. fixtures/default.yaml"
        )

    def handle(self, *args, path: str, **options) -> None:
        try:
            dataset = load_dataset(path)
        except FixtureError as exc:
            raise CommandError(str(exc)) from None
        with transaction.atomic():
            counts = replace_data(dataset)
        self.stdout.write(
            f"Loaded {path}: {counts[0]} users, {counts[1]} courses, "
            f"{counts[2]} memberships, {counts[3]} tokens."
        )


def replace_data(dataset: Dataset) -> tuple[int, int, int, int]:
    """Delete everything, insert the dataset, move the id sequences past its ids."""
    for model in (BearerToken, Membership, Course, User):
        model.objects.all().delete()
    unusable = make_password(None)
    users = User.objects.bulk_create(
        User(
            id=user.id,
            username=user.username,
            real_name=user.real_name,
            avatar=avatar_name(user.id, user.avatar),
            password=unusable,
        )
        for user in dataset.users.values()
    )
    courses = Course.objects.bulk_create(Course(id=course_id) for course_id in dataset.courses)
    memberships = Membership.objects.bulk_create(
        Membership(
            course_id=course.id,
            user_id=member.user_id,
            join_status=member.join_status,
            user_completion_rate=member.user_completion_rate,
            joined_at=member.joined_at,
            last_active_at=member.last_active_at,
        )
        for course in dataset.courses.values()
        for member in course.members
    )
    tokens = BearerToken.objects.bulk_create(
        BearerToken(key=key, user_id=user_id) for key, user_id in dataset.tokens.items()
    )
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [User, Course, Membership]):
            cursor.execute(sql)
    return len(users), len(courses), len(memberships), len(tokens)


def avatar_name(user_id: int, url: str | None) -> str:
    """The storage name of an avatar URL: the part after MEDIA_URL (empty for no avatar)."""
    if url is None:
        return ""
    if not url.startswith(settings.MEDIA_URL):
        raise CommandError(
            f"user {user_id}: avatar {url!r} is not under MEDIA_URL {settings.MEDIA_URL!r} "
            "(set MEDIA_URL to the avatars' base URL)"
        )
    return unquote(url.removeprefix(settings.MEDIA_URL))
