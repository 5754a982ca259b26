"""Turn a run's results into Markdown tables (printed, and pasted into the README as they are)."""

from __future__ import annotations

from collections.abc import Sequence


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table with padded columns, readable on a terminal too."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(str(h)), *(len(row[i]) for row in cells)) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    separator = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(list(headers)), separator, *(line(row) for row in cells)])


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _load_cells(load: dict) -> list[str]:
    cpu = load.get("cpu", {})
    return [
        _fmt(load["rps"], 0),
        _fmt(load["p50_ms"], 2),
        _fmt(load["p99_ms"], 2),
        str(load["total_errors"]),
        f"{_fmt(cpu.get('server_pct'), 0)} / {_fmt(cpu.get('other_pct'), 0)}",
    ]


# Server CPU and the rest of the machine's (not ours), in % of one core, during the measured run.
CPU_HEADER = "CPU % server / other"


def compare_section(result: dict) -> str:
    """Per-server table, then the ratios."""
    rows = []
    for name, server in result["servers"].items():
        if "error" in server:
            rows.append([name, "-", "-", "-", "-", "-", "-", f"could not run: {server['error']}"])
            continue
        odd = {kind: code for kind, code in server["statuses"].items() if code != 200}
        note = server["description"] + (f"; non-200: {odd}" if odd else "")
        rows.append([name, server["workers"], *_load_cells(server["load"]), note])
    servers = table(
        ["server", "workers", "req/s", "p50 ms", "p99 ms", "errors", CPU_HEADER, "setup"], rows
    )
    ratio_rows = [
        [ratio["label"], f"{ratio['numerator']} / {ratio['denominator']}", _ratio(ratio["value"])]
        for ratio in result["ratios"].values()
    ]
    return servers + "\n\n" + table(["ratio (req/s)", "servers", "value"], ratio_rows)


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def scale_section(result: dict) -> str:
    """One row per (size, query kind), with the size's startup and peak memory."""
    rows = []
    for members, size in result["sizes"].items():
        if "error" in size:
            rows.append([f"{int(members):,}", "-", "-", "-", "-", "-", "-", "-", size["error"]])
            continue
        first = True
        for kind, load in size["kinds"].items():
            head = [f"{int(members):,}", _fmt(size["startup_s"], 2), _fmt(size["peak_rss_mib"], 0)]
            label = _kind_label(kind, load)
            rows.append([*(head if first else ["", "", ""]), label, *_load_cells(load)])
            first = False
        recommended = size.get("recommended") or {}
        for kind, load in recommended.get("kinds", {}).items():
            label = f"{_kind_label(kind, load)}, {recommended['workers']} workers"
            rows.append(["", "", "", label, *_load_cells(load)])
        if "error" in recommended:
            rows.append(["", "", "", f"{recommended['workers']} workers", *["-"] * 4,
                         recommended["error"]])  # fmt: skip
    headers = ["members", "startup s", "peak RSS MiB", "query", "req/s", "p50 ms", "p99 ms"]
    return table([*headers, "errors", CPU_HEADER], rows)


def _kind_label(kind: str, load: dict) -> str:
    """The query kind, flagged when its distinct search terms ran out and could hit the cache."""
    terms = load.get("distinct_terms")
    if terms is not None and load["requests"] > terms:
        return f"{kind} (terms reused after {terms:,})"
    return kind


def nodelay_section(result: dict) -> str:
    """One row per uvicorn (app, loop, workers) variant."""
    rows = []
    for name, server in result["servers"].items():
        if "error" in server:
            rows.append([name, "-", "-", "-", "-", "-", f"could not run: {server['error']}"])
        else:
            rows.append([name, *_load_cells(server["load"]), server["description"]])
    return table(["setup", "req/s", "p50 ms", "p99 ms", "errors", CPU_HEADER, "command"], rows)


def soak_section(result: dict) -> str:
    """Errors and memory of the soak run."""
    if "error" in result:
        return f"could not run: {result['error']}"
    load = result["load"]
    rows = [
        [
            f"{result['duration_s']:.0f} s",
            result["connections"],
            _fmt(load["rps"], 0),
            _fmt(load["p99_ms"], 2),
            load["total_errors"],
            f"{result['rss_mib_idle']} / {result['rss_mib_before']} / {result['rss_mib_after']}",
        ]
    ]
    headers = ["duration", "conns", "req/s", "p99 ms", "errors", "RSS MiB idle/before/after"]
    return table(headers, rows)


def sharing_section(result: dict) -> str:
    """Restart cold vs cached, then memory of 1 and 2 workers per mode."""
    restart = table(
        ["start (1 worker)", "first 200 s"],
        [[start, _restart_cell(run)] for start, run in result["restart"].items()],
    )
    rows = []
    for mode, runs in result["memory"].items():
        for workers in ("1w", "2w"):
            run = runs[workers]
            if "error" in run:
                rows.append([mode, workers, "-", "-", "-", f"could not run: {run['error']}"])
                continue
            figures = [_fmt(run[name]) for name in ("rss_mib", "pss_mib", "uss_mib")]
            rows.append([mode, workers, *figures, f"{run['errors']} errors"])
        rows.append(
            [
                mode,
                "2w / 1w",
                _ratio(runs["rss_ratio_2w_1w"]),
                _ratio(runs["pss_ratio_2w_1w"]),
                "",
                "",
            ]
        )
    memory = table(["store", "workers", "RSS MiB", "PSS MiB", "USS MiB", "load run"], rows)
    return f"{result['members']:,} members ({result['dataset']})\n\n{restart}\n\n{memory}"


def _restart_cell(run: dict) -> str:
    return f"could not run: {run['error']}" if "error" in run else _fmt(run["first_200_s"], 2)


def tools_section(result: dict) -> str:
    """Wall time and exit code of each tool run."""
    rows = []
    for name, run in result.items():
        if not isinstance(run, dict):
            continue  # section_wall_s
        if "error" in run:
            rows.append([name, "-", "-", run["error"]])
        else:
            rows.append([name, _fmt(run["wall_s"], 1), run["exit_code"], _tool_note(run)])
    text = table(["tool", "wall s", "exit", "notes"], rows)
    for name, run in result.items():
        report = _helper_text(run) if isinstance(run, dict) else ""
        if report:
            text += f"\n\n`{name}` reported:\n\n```\n{report}\n```"
    return text


def _helper_text(run: dict) -> str:
    """A helper's own human-readable output: its text without the JSON line it also printed."""
    lines = run.get("output", "").splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith(("{", "["))).strip()


def _tool_note(run: dict) -> str:
    if "command" in run:
        return run["command"]
    return " ".join(run.get("argv", [])) or "(defaults)"


def targets_section(targets: list[dict]) -> str:
    """Each target with its measured value and verdict."""
    rows = [[t["status"], t["target"], t["measured"]] for t in targets]
    return table(["verdict", "target", "measured"], rows)


def machine_section(machine: dict, loadgen: dict) -> str:
    """One paragraph naming the machine, the versions and the load generator."""
    packages = ", ".join(f"{name} {version}" for name, version in machine["packages"].items())
    tools = ", ".join(f"{name} {version}" for name, version in machine["tools"].items())
    return (
        f"{machine['date_utc']} on {machine['nproc']} CPUs ({machine['cpu_model']}), "
        f"{machine['memory_gib']} GiB RAM, {machine['os']}, Python {machine['python']}, "
        f"load average at the end {machine['loadavg_1_5_15']}; "
        f"{packages}; {tools}; load generator {loadgen['name']} ({loadgen['version']}): "
        f"{loadgen['note']}; commit {machine['git_commit']}."
    )


SECTION_RENDERERS = {
    "compare": ("Mock vs Prism vs ceiling (query mix)", compare_section),
    "nodelay": ("uvicorn TCP_NODELAY trap (2 workers, asyncio vs uvloop)", nodelay_section),
    "scale": ("Scale: mock, 1 worker, one query kind per run", scale_section),
    "sharing": ("Sharing: memory per worker count, restart from the cache", sharing_section),
    "soak": ("Soak: mock, 2 workers, default dataset", soak_section),
    "tools": ("Tool timings", tools_section),
}


def render(report: dict) -> str:
    """The whole report as Markdown: machine, each section that ran, targets."""
    parts = [
        "## Machine",
        machine_section(report["machine"], report["load_generator"]),
        f"Command: `{report['command'].strip()}`",
    ]
    for name, section in report["sections"].items():
        title, renderer = SECTION_RENDERERS[name]
        parts.append(f"## {title}")
        failed = "error" in section
        parts.append(f"could not run: {section['error']}" if failed else renderer(section))
    parts += ["## Targets", targets_section(report["targets"])]
    return "\n\n".join(parts)
