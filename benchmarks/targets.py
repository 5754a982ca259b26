"""The targets from the benchmark and performance issues, judged MET / NOT MET from a report.

The benchmark measures and reports; it never fails a run because a target is missed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

MET, NOT_MET, NOT_MEASURED = "MET", "NOT MET", "NOT MEASURED"
MILLION = "1000000"


@dataclass(frozen=True)
class Target:
    """One target, the measured value behind the verdict, and the verdict."""

    target: str
    measured: str
    status: str


def _verdict(ok: bool) -> str:
    return MET if ok else NOT_MET


def _ratio_target(compare: dict, key: str, text: str, minimum: float) -> Target:
    ratio = compare.get("ratios", {}).get(key, {})
    value = ratio.get("value")
    if value is None:
        return Target(text, "not measured", NOT_MEASURED)
    measured = f"{value:.2f}x ({ratio['numerator']} / {ratio['denominator']})"
    return Target(text, measured, _verdict(value >= minimum))


def _million_p99(scale: dict) -> Target:
    text = "p99 <= 25 ms for every query kind at 1,000,000 members, 32 connections"
    size = scale.get("sizes", {}).get(MILLION)
    if not size or "kinds" not in size:
        return Target(text, "not measured", NOT_MEASURED)
    return _worst_p99(text, size["kinds"])


def _million_p99_recommended(scale: dict) -> list[Target]:
    size = scale.get("sizes", {}).get(MILLION) or {}
    if "recommended" not in size:
        return []  # judged once a run has it (the committed run predates it)
    recommended = size["recommended"]
    workers = recommended.get("workers", 2)
    text = (
        f"p99 <= 25 ms for every query kind at 1,000,000 members, 32 connections, {workers} "
        "workers (the README's count for this machine)"
    )
    if "kinds" not in recommended:
        return [Target(text, recommended.get("error", "not measured"), NOT_MEASURED)]
    return [_worst_p99(text, recommended["kinds"])]


def _worst_p99(text: str, kinds: dict[str, dict]) -> Target:
    worst_kind, worst = max(((kind, values["p99_ms"]) for kind, values in kinds.items()),
                            key=lambda kv: kv[1])  # fmt: skip
    errors = sum(values["total_errors"] for values in kinds.values())
    measured = f"worst p99 {worst:.1f} ms ({worst_kind}), {errors} errors"
    return Target(text, measured, _verdict(worst <= 25.0 and errors == 0))


def _million_startup(scale: dict) -> Target:
    text = "1,000,000 members: load + validate + index < 20 s and < 2 GB peak memory"
    size = scale.get("sizes", {}).get(MILLION)
    if not size or "startup_s" not in size:
        return Target(text, "not measured", NOT_MEASURED)
    startup, peak = size["startup_s"], size["peak_rss_mib"]
    measured = f"startup {startup:.1f} s, peak RSS {peak:.0f} MiB"
    return Target(text, measured, _verdict(startup < 20.0 and peak < 2048))


def _sharing(sharing: dict) -> list[Target]:
    memory_text = "2 workers on 1,000,000 members: total resident memory (PSS) <= 1.3x 1 worker"
    restart_text = "restart on an unchanged 1,000,000-member file: first 200 within 5 s"
    if not sharing:
        return []  # judged once a run has the section (the committed run predates it)
    if sharing.get("members") != int(MILLION):
        return [Target(memory_text, "not measured", NOT_MEASURED),
                Target(restart_text, "not measured", NOT_MEASURED)]  # fmt: skip
    ratio = sharing["memory"]["cached"]["pss_ratio_2w_1w"]
    cached = sharing["restart"]["cached"].get("first_200_s")
    return [
        Target(
            memory_text,
            "-" if ratio is None else f"{ratio:.2f}x",
            _verdict(ratio is not None and ratio <= 1.3),
        ),
        Target(
            restart_text,
            "-" if cached is None else f"{cached:.1f} s",
            _verdict(cached is not None and cached <= 5.0),
        ),
    ]


def _soak(soak: dict) -> list[Target]:
    errors_text = "soak: 0 errors under sustained load"
    if "load" in soak:
        seconds, connections = soak["duration_s"], soak["connections"]
        errors_text = f"soak: 0 errors over {seconds:.0f} s at {connections} connections"
    memory_text = "soak: resident memory flat (growth <= 10% after warm-up)"
    if "load" not in soak:
        return [Target(errors_text, "not measured", NOT_MEASURED), Target(memory_text, "-", "-")]
    errors = soak["load"]["total_errors"]
    growth = soak.get("rss_growth")
    memory = f"{soak['rss_mib_before']} -> {soak['rss_mib_after']} MiB"
    if growth is not None:
        memory += f" ({growth:+.1%})"
    return [
        Target(
            errors_text,
            f"{errors} errors in {soak['load']['requests']} requests",
            _verdict(errors == 0),
        ),
        Target(memory_text, memory, _verdict(bool(soak.get("rss_flat")))),
    ]


def _issue_15(compare: dict) -> list[Target]:
    """Issue 15's per-core targets; judged once a run has the like-for-like ratio."""
    if "mock_1w_quiet_vs_prism_static_quiet" not in compare.get("ratios", {}):
        return []  # the committed run predates them
    return [
        _ratio_target(
            compare,
            "mock_1w_quiet_vs_prism_static_quiet",
            "mock 1 worker, quiet >= 2x Prism static, quiet",
            2.0,
        ),
        _ratio_target(compare, "mock_vs_ceiling_1w", "mock/ceiling >= 0.5, 1 worker", 0.5),
    ]


def evaluate(sections: dict[str, dict]) -> list[dict[str, str]]:
    """Every target, judged from whichever sections ran."""
    compare = sections.get("compare", {})
    targets = [
        _ratio_target(compare, "mock_vs_prism_static", "mock >= 1.5x Prism static req/s", 1.5),
        _ratio_target(compare, "mock_vs_prism_dynamic", "mock >= 4x Prism dynamic req/s", 4.0),
        *_issue_15(compare),
        _million_p99(sections.get("scale", {})),
        *_million_p99_recommended(sections.get("scale", {})),
        _ratio_target(compare, "mock_vs_ceiling_1w", "mock/ceiling >= 0.25, 1 worker", 0.25),
        _ratio_target(compare, "mock_vs_ceiling_2w", "mock/ceiling >= 0.25, 2 workers", 0.25),
        _million_startup(sections.get("scale", {})),
        *_sharing(sections.get("sharing", {})),
        *_soak(sections.get("soak", {})),
    ]
    return [asdict(target) for target in targets]
