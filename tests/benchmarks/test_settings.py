"""benchmarks.settings: the full run is the one the committed results were measured with."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

from benchmarks.settings import FULL, QUICK, Settings

REPO = Path(__file__).resolve().parents[2]


class TestSettings:
    def test_full_settings_are_those_of_the_committed_results(self):
        """Each knob recorded in results/latest.json has the value FULL gives it today."""
        recorded = json.loads((REPO / "benchmarks/results/latest.json").read_text())["settings"]
        current = json.loads(json.dumps(FULL.as_dict()))
        assert {name: current[name] for name in recorded} == recorded

    def test_quick_is_shorter_everywhere(self):
        """--quick shortens every duration and keeps only the small sizes."""
        for field in fields(Settings):
            if field.name.endswith("duration_s") or field.name == "warmup_s":
                assert getattr(QUICK, field.name) < getattr(FULL, field.name), field.name
        assert max(QUICK.scale_sizes) < max(FULL.scale_sizes)
        assert (QUICK.quick, FULL.quick) == (True, False)

    def test_as_dict_records_every_knob(self):
        """The results JSON records every field, so a run says how it was measured."""
        assert set(QUICK.as_dict()) == {field.name for field in fields(Settings)}
        assert json.loads(json.dumps(QUICK.as_dict()))["scale_sizes"] == list(QUICK.scale_sizes)
