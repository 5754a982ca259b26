"""The API's one route."""

from __future__ import annotations

from django.conf import settings
from django.urls import path

from courses.views import CourseUsersView

view = CourseUsersView
if settings.DRF_EXAMPLE_FAULT is not None:
    # TEST-ONLY: serve a deliberately broken variant of the view (see faults.py).
    import faults

    view = faults.view_for(settings.DRF_EXAMPLE_FAULT)

urlpatterns = [
    path("api/v2/course/<int:pk>/users/", view.as_view(), name="course-users"),
]
