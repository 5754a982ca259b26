"""The errors the mock models, and nothing else.

    MockServerError              base of everything the mock raises on purpose
    ├── SettingsError            a CLI option or environment variable has a bad value
    └── ApiError                 a request the API answers with an error status
        ├── BadParameter         400: a query parameter has a bad value
        │   └── TooLarge         400: ... past one of the mock's documented size limits
        ├── Unauthenticated      401: missing, malformed or unknown bearer token
        ├── Forbidden            403: the token's user may not see this course's members
        ├── CourseNotFound       404: no course with that id
        ├── NotFound             404: no such URL (or a simulated past-the-end 404)
        ├── NotAcceptable        406: the Accept header allows no JSON type
        └── SimulatedFailure     500/503: an error the operator asked for (--error-rate)

Code raises these; `mockserver.serving.app` turns every `ApiError` into a JSON `{"detail": ...}`
response at one boundary, and `python -m mockserver` prints a `MockServerError` as one line
(`SettingsError` is also the tools' shared `openapi.commandline.OptionError`: exit 2).
"""

from __future__ import annotations

from course_users.openapi.commandline import OptionError


class MockServerError(Exception):
    """Base of every error the mock raises on purpose."""


class SettingsError(MockServerError, OptionError):
    """A command-line option or environment variable has a value the mock cannot use.

    Raised as `SettingsError(source, message)`: `--port: 'abc' is not an integer`.
    """


class ApiError(MockServerError):
    """A request that the API answers with an error status and a one-sentence detail."""

    status: int = 500

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        self.detail = detail
        self.headers = headers or {}
        super().__init__(detail)


class BadParameter(ApiError):
    """A query parameter has a value the endpoint does not accept."""

    status = 400

    def __init__(self, name: str, value: object, reason: str) -> None:
        self.name = name
        self.value = value
        super().__init__(f"{name}: {value!r} {reason}")


class TooLarge(BadParameter):
    """A query parameter's value is past a size limit; the detail names the limit, not the value."""

    def __init__(self, name: str, size: int, unit: str, limit: int) -> None:
        self.name = name
        self.value = None  # not kept: the point is that it is too large to quote
        self.size = size
        self.limit = limit
        ApiError.__init__(self, f"{name}: {size:,} {unit}, more than the {limit:,} allowed")


class Unauthenticated(ApiError):
    """No usable bearer token: missing, malformed or unknown."""

    status = 401


class Forbidden(ApiError):
    """The token's user is neither the creator nor a manager of the course."""

    status = 403


class CourseNotFound(ApiError):
    """No course has the requested id."""

    status = 404

    def __init__(self, course_id: int | str) -> None:
        self.course_id = course_id
        super().__init__(f"Course {course_id} does not exist.")


class NotFound(ApiError):
    """The URL names nothing the mock serves."""

    status = 404


class NotAcceptable(ApiError):
    """The request's Accept header allows none of the media types the mock writes."""

    status = 406


class SimulatedFailure(ApiError):
    """An error the operator asked for with --error-rate, to exercise a UI's error paths."""

    def __init__(self, status: int) -> None:
        self.status = status
        super().__init__(
            f"Simulated {status} error (the mock was started with --error-rate); retry the request."
        )
