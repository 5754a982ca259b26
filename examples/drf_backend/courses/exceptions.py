"""The API's own error: DRF's exception handler writes it as `{"detail": "..."}`."""

from __future__ import annotations

from rest_framework import status
from rest_framework.exceptions import APIException


class InvalidParameter(APIException):
    """error-meanings: a query parameter DRF would silently default is a 400 naming it."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_parameter"

    def __init__(self, name: str, value: str, expected: str) -> None:
        super().__init__(f"Invalid {name} {value!r}: expected {expected}.")
