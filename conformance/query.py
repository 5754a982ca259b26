"""A listing request as the checks think of it, and its encoding into query parameters."""

from __future__ import annotations

from dataclasses import dataclass, replace

from course_users.conformance import rules

# How a list of statuses goes on the wire. "plain" needs exactly one status.
FORMS: tuple[str, ...] = ("plain", "json", "repeated", "mixed")


@dataclass(frozen=True)
class Query:
    """Filter, ordering and page of one listing request; None means "leave the parameter out"."""

    statuses: tuple[str, ...] | None = None
    form: str = "repeated"
    search: str | None = None
    ordering: str | None = None
    limit: int | None = None
    offset: int | None = None

    @property
    def effective_statuses(self) -> tuple[str, ...]:
        """The statuses the server must apply (the default when the parameter is left out)."""
        return rules.DEFAULT_STATUSES if self.statuses is None else self.statuses

    @property
    def effective_ordering(self) -> str:
        """The ordering the server must apply."""
        return self.ordering or rules.DEFAULT_ORDERING

    def with_page(self, limit: int | None, offset: int | None) -> Query:
        """The same filter and ordering, another page."""
        return replace(self, limit=limit, offset=offset)

    def params(self) -> list[tuple[str, str]]:
        """Query parameters in a stable order (statuses first, as the SDK sends them)."""
        out = statuses_params(self.statuses, self.form) if self.statuses is not None else []
        if self.search is not None:
            out.append(("search", self.search))
        if self.ordering is not None:
            out.append(("ordering", self.ordering))
        if self.limit is not None:
            out.append(("limit", str(self.limit)))
        if self.offset is not None:
            out.append(("offset", str(self.offset)))
        return out

    def describe(self) -> str:
        """A short human description, e.g. `statuses=[joined] search='an' ordering=joined_at`."""
        parts = [f"statuses=[{','.join(self.effective_statuses)}]"]
        if self.statuses is None:
            parts[0] += " (default)"
        if self.search is not None:
            parts.append(f"search={self.search!r}")
        parts.append(f"ordering={self.effective_ordering}")
        if self.limit is not None:
            parts.append(f"limit={self.limit}")
        if self.offset is not None:
            parts.append(f"offset={self.offset}")
        return " ".join(parts)


def statuses_params(statuses: tuple[str, ...], form: str) -> list[tuple[str, str]]:
    """Encode statuses in one of the documented wire forms (see FORMS)."""
    if form == "plain":
        if len(statuses) != 1:
            raise ValueError("the plain form carries exactly one status")
        return [("statuses", statuses[0])]
    if form == "json":
        return [("statuses", rules.json_list(statuses))]
    if form == "repeated":
        if not statuses:
            # An empty repeated form is no parameter at all; [] is the only way to say "none".
            return [("statuses", "[]")]
        return [("statuses", status) for status in statuses]
    if form == "mixed":
        if len(statuses) < 2:
            return statuses_params(statuses, "json")
        head, tail = statuses[:1], statuses[1:]
        return [("statuses", head[0]), ("statuses", rules.json_list(tail))]
    raise ValueError(f"unknown statuses form {form!r}")
