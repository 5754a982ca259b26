"""Which contract sentence each check enforces: a one-line description and a basis per check.

A basis entry is either `docs:<page>:<line>`, a 1-based line of a vendor docs page (the page's
path under the docs directory, e.g. `docs:course/get_course_dashboard_users.md:25`), or
`decision:<id>`, an entry of openapi/decisions.yaml. A basis lists every statement a failure of
the check can rest on, including what the check's requests assume (a wire form, a default, an
offset past the end answered 200): a check that sends a JSON-list `statuses` rests on the
`statuses-wire-forms` decision even when it judges something else.

Profiles. `contract` (the default) runs every check. `docs` runs a check only when every entry of
its basis is a `docs:` line: then every failure it can report is justified by the vendor pages
alone. One `decision:` entry keeps a check out of the docs profile. Two readings are shared by
every check and do not count as decisions: the errors page's codes carry their HTTP meanings
(401 Unauthorized is "no valid credentials"), and a 200 listing carries the `count` and `results`
the docs' response table lists (docs lines 91 and 94); that all four envelope keys are always
present is the `envelope-always-complete` decision, which only the schema layer enforces.

Each docs line keeps a short quote (`QUOTES`) so a test can check the line still says it.
"""

from __future__ import annotations

from dataclasses import dataclass

from course_users.openapi.contract import CONTRACT as _FACTS

DOCS, CONTRACT = "docs", "contract"
# The facts the descriptions below state, from the spec (the quotes above are the docs' own words).
_CAP, _PAGE, _ORDER = _FACTS.max_limit, _FACTS.default_limit, _FACTS.default_ordering
_ERRORS = ", ".join(map(str, _FACTS.error_codes))
PROFILES: tuple[str, ...] = (DOCS, CONTRACT)

_E = "docs:course/get_course_dashboard_users.md:"
_U = "docs:schemas/course_user_dashboard.md:"
_C = "docs:schemas/course.md:"
_R = "docs:errors/errors.md:"

QUOTES: dict[str, str] = {
    f"{_E}7": "the list of all users that joined the course",
    f"{_E}12": "requires the course creator or manager role",
    f"{_E}24": "A unique integer value identifying this course",
    f"{_E}25": "Number of results to return per page",
    f"{_E}26": "The initial index from which to return the results",
    f"{_E}27": "search inside username and real_name of the users",
    f"{_E}28": 'default: `["manager", "joined"]`',
    f"{_E}29": "Default to `-joined_at`",
    f"{_E}35": "Order by joined_at datetime",
    f"{_E}36": "Order by last_active_at datetime",
    f"{_E}83": "Response status code",
    f"{_E}91": "Total results count",
    f"{_E}92": "Next page url",
    f"{_E}93": "Previous page url",
    f"{_E}94": "List of results",
    f"{_U}25": "A unique integer value identifying this user",
    f"{_U}26": "The username of the user. Max 255 characters",
    f"{_U}27": "Real name. Max 255 characters",
    f"{_U}28": "The user avatar",
    f"{_U}29": "the course subscription status",
    f"{_U}30": "Progress completion of the course in percentage",
    f"{_U}31": "The datetime when the user completed a lesson",
    f"{_U}32": "The datetime when the user joined the course",
    f"{_U}38": "The user has no status",
    f"{_U}39": "The user is the creator of the course",
    f"{_U}40": "The user is a manager of the course",
    f"{_U}41": "The user joined the course",
    f"{_U}42": "The user was invited to the course",
    f"{_U}43": "The user requests access to the course",
    f"{_C}81": "The user has no status",
    f"{_C}82": "the user cannot leave the course or change status",
    f"{_C}83": "The user is a manager of the course",
    f"{_C}84": "The user joined the course",
    f"{_C}85": "The user was invited to the course",
    f"{_C}86": "The user requests access to the course",
    f"{_R}13": "Bad Request",
    f"{_R}14": "Unauthorized",
    f"{_R}15": "Forbidden",
    f"{_R}16": "Not Found",
    f"{_R}17": "Method Not Allowed",
    f"{_R}18": "Not Acceptable",
    f"{_R}19": "Gone",
    f"{_R}20": "Too Many Requests",
    f"{_R}21": "Internal Server Error",
    f"{_R}22": "Service Unavailable",
}

STATUS_ENUM = tuple(f"{_C}{line}" for line in range(82, 87))  # the values `statuses` takes
MEMBER_FIELDS = tuple(f"{_U}{line}" for line in range(25, 33))
ENVELOPE = tuple(f"{_E}{line}" for line in range(91, 95))
FILTERED = ("decision:statuses-wire-forms", "decision:search-rule")  # any form, any search


@dataclass(frozen=True)
class Entry:
    """One check: what it enforces, in a line, and the statements it rests on."""

    name: str
    description: str
    basis: tuple[str, ...]

    @property
    def profile(self) -> str:
        """`docs` when every basis entry is a docs line, else `contract`."""
        return DOCS if all(ref.startswith("docs:") for ref in self.basis) else CONTRACT


_ENTRIES: tuple[Entry, ...] = (
    Entry(
        "schema.not_a_server_error",
        "no generated request, valid or not, is answered with a 5xx",
        ("decision:error-meanings",),
    ),
    Entry(
        "schema.status_code_conformance",
        f"every status is one the spec documents for this GET (200, {_ERRORS})",
        (
            f"{_E}83",
            *(f"{_R}{line}" for line in (13, 14, 15, 16, 18, 20, 21, 22)),
            "decision:error-codes",
        ),
    ),
    Entry(
        "schema.content_type_conformance",
        "every answer's Content-Type is one the spec documents for its status",
        ("decision:media-type", "decision:error-body"),
    ),
    Entry(
        "schema.response_schema_conformance",
        "every body validates against the spec's schema for its status",
        (
            *ENVELOPE,
            *MEMBER_FIELDS,
            *(f"{_U}{line}" for line in range(39, 44)),
            "decision:envelope-always-complete",
            "decision:fields-always-present",
            "decision:avatar-url",
            "decision:last-active-nullable",
            "decision:join-status-no-null",
            "decision:ids-positive",
            "decision:completion-range",
            "decision:name-lengths",
            "decision:error-body",
        ),
    ),
    Entry(
        "schema.response_headers_conformance",
        "declared headers are sent and valid: WWW-Authenticate on a 401, Retry-After an integer",
        ("decision:www-authenticate", "decision:retry-after"),
    ),
    Entry(
        "schema.negative_data_rejection",
        "a request breaking the parameters' schema (id, limit, offset, statuses...) gets a 4xx",
        (
            f"{_E}24",
            f"{_E}25",
            f"{_E}26",
            f"{_E}35",
            f"{_E}36",
            *STATUS_ENUM,
            "decision:id-digits",
            "decision:page-size",
            "decision:offset-start",
            "decision:statuses-wire-forms",
            "decision:statuses-no-null",
            "decision:ordering-descending",
        ),
    ),
    Entry(
        "oracle.listing_consistent",
        "walking `next` per status lists each member once, `count` of them, with that status",
        (
            f"{_E}25",
            f"{_E}26",
            f"{_E}28",
            f"{_E}91",
            f"{_E}92",
            f"{_U}25",
            f"{_U}29",
            # The walk is completed by explicit offsets, the last one at `count`: past the end.
            "decision:offset-start",
        ),
    ),
    Entry(
        "filtering.statuses_match_oracle",
        "any statuses, in any documented form, list exactly the members with those statuses",
        (f"{_E}28", f"{_U}29", *STATUS_ENUM, "decision:statuses-wire-forms"),
    ),
    Entry(
        "filtering.statuses_forms_agree",
        "the plain, JSON-list, repeated and mixed forms of the same statuses give the same answer",
        (f"{_E}28", *FILTERED),
    ),
    Entry(
        "filtering.default_statuses",
        "leaving `statuses` out lists exactly the managers and joined members",
        (f"{_E}28", f"{_C}83", f"{_C}84", "decision:search-rule"),
    ),
    Entry(
        "filtering.search_matches_rule",
        "`search` lists exactly the members whose username or real name contains every term",
        (f"{_E}27", *FILTERED),
    ),
    Entry(
        "filtering.comma_form_400",
        "the undocumented comma form `statuses=joined,manager` is refused with 400",
        (f"{_R}13", "decision:statuses-wire-forms"),
    ),
    Entry(
        "filtering.search_nul_400",
        "a `search` value holding a NUL character is refused with 400",
        (f"{_R}13", "decision:search-rule"),
    ),
    Entry(
        "ordering.monotonic",
        "every ordering, ascending or descending, never lists a key going backwards (nulls aside)",
        (
            f"{_E}29",
            f"{_E}35",
            f"{_E}36",
            "decision:ordering-descending",
            "decision:last-active-nullable",
            *FILTERED,
        ),
    ),
    Entry(
        "ordering.nulls_contiguous",
        "members with a null last_active_at form one block at the start or the end",
        (f"{_E}36", "decision:ordering-nulls", "decision:last-active-nullable", *FILTERED),
    ),
    Entry(
        "ordering.default_is_-joined_at",
        f"leaving `ordering` out gives the {_ORDER.lstrip('-')} sequence of ordering={_ORDER}",
        (f"{_E}29", *FILTERED, "decision:offset-start"),
    ),
    Entry(
        "ordering.ties_stable_across_pages",
        "paging by offsets in any ordering lists every member once, in the one-page order",
        (f"{_E}25", f"{_E}26", "decision:ordering-ties", "decision:ordering-descending"),
    ),
    Entry(
        "ordering.ties_by_id_ascending",
        "members tied on the ordering key are listed by id ascending",
        ("decision:ordering-ties", "decision:ordering-descending", *FILTERED),
    ),
    Entry(
        "paging.count_matches_oracle",
        "`count` is the number of members the filter selects",
        (f"{_E}91", f"{_E}28", *FILTERED),
    ),
    Entry(
        "paging.count_stable",
        "`count` is the same on the first page, a middle page and past the end",
        (f"{_E}91", "decision:offset-start"),
    ),
    Entry(
        "paging.page_size_le_limit",
        "a page never holds more than `limit` members",
        (f"{_E}25", "decision:offset-start"),
    ),
    Entry(
        "paging.page_full_unless_last",
        "a page holds min(limit, members left) members: only the last page may be short",
        (f"{_E}25", f"{_E}26", "decision:offset-start"),
    ),
    Entry(
        "paging.limit_capped_100",
        f"a limit above {_CAP} gives at most {_CAP} members and links that carry limit={_CAP}",
        ("decision:page-size",),
    ),
    Entry(
        "paging.walk_visits_each_once",
        "following `next` from any offset with any limit lists each remaining member once",
        (
            f"{_E}25",
            f"{_E}26",
            f"{_E}92",
            "decision:offset-start",
            "decision:ordering-ties",
            "decision:ordering-descending",
        ),
    ),
    Entry(
        "paging.previous_leads_back",
        "`previous` leads to the page before (null at offset 0); next-then-previous comes back",
        (
            f"{_E}93",
            "decision:envelope-always-complete",
            "decision:offset-start",
            "decision:ordering-descending",
        ),
    ),
    Entry(
        "paging.links_same_origin",
        "`next` and `previous` stay on the origin of the request",
        (
            f"{_E}92",
            f"{_E}93",
            "decision:envelope-always-complete",
            "decision:offset-start",
            "decision:ordering-descending",
        ),
    ),
    Entry(
        "paging.next_null_exactly_at_end",
        "`next` is null on the page that reaches `count`, and on no page before it",
        (
            f"{_E}91",
            f"{_E}92",
            "decision:envelope-always-complete",
            "decision:offset-start",
            "decision:ordering-descending",
        ),
    ),
    Entry(
        "paging.offset_past_end_empty",
        "an offset at or past the end gives 200, no members, the same count and next=null",
        (f"{_E}91", "decision:offset-start", "decision:envelope-always-complete"),
    ),
    Entry(
        "defaults.limit_default",
        f"leaving `limit` out gives min({_PAGE}, members left) members; a link's limit, if any, "
        f"is {_PAGE}",
        (f"{_E}25", "decision:page-size"),
    ),
    Entry(
        "defaults.offset_default",
        "leaving `offset` out gives the page at offset=0",
        (f"{_E}26", "decision:offset-start"),
    ),
    Entry(
        "defaults.previous_omits_zero_offset",
        "a `previous` link back to offset 0 carries no `offset` parameter",
        (f"{_E}93", "decision:envelope-always-complete"),
    ),
    Entry(
        "defaults.datetimes_utc",
        "every joined_at and last_active_at is in UTC (`Z` or `+00:00`: the suffix is not judged)",
        (f"{_U}31", f"{_U}32", "decision:datetimes-utc"),
    ),
    Entry(
        "defaults.one_creator",
        "statuses=creator lists exactly one member, the course's creator",
        (f"{_E}28", f"{_U}39", f"{_C}82"),
    ),
    Entry(
        "auth.missing_token_401",
        "a request without Authorization is answered 401",
        (f"{_E}12", f"{_R}14"),
    ),
    Entry(
        "auth.unknown_token_401",
        "an unknown, empty or non-bearer credential is answered 401",
        (f"{_E}12", f"{_R}14"),
    ),
    Entry(
        "auth.www_authenticate",
        "every 401 carries `WWW-Authenticate: Bearer ...`",
        ("decision:www-authenticate", "decision:bearer-auth"),
    ),
    Entry(
        "auth.forbidden_403",
        "a valid token of a user who is not creator or manager of the course is answered 403",
        (f"{_E}12", f"{_R}15"),
    ),
    Entry(
        "auth.missing_course_404",
        "a course that does not exist is answered 404, even to a manager's token",
        (f"{_E}24", f"{_R}16", "decision:check-order"),
    ),
    Entry(
        "auth.checks_in_order",
        "401 comes before 404, and 404 before 403",
        ("decision:check-order",),
    ),
    Entry(
        "auth.error_body_has_detail_no_members",
        'errors are JSON `{"detail": "..."}` and never carry member data',
        ("decision:error-body",),
    ),
)

CATALOGUE: dict[str, Entry] = {entry.name: entry for entry in _ENTRIES}


def entry(name: str) -> Entry | None:
    """The catalogue entry of a check, or None for a name the catalogue does not know."""
    return CATALOGUE.get(name)


def in_profile(name: str, profile: str) -> bool:
    """Whether the check runs in `profile` (every check runs in `contract`)."""
    found = CATALOGUE.get(name)
    return profile == CONTRACT or (found is not None and found.profile == DOCS)
