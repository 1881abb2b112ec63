"""The tile-plan port against the golden files generated from the C# TilePlan."""

from __future__ import annotations

import json
import pathlib

import pytest

from restoregrpc.tileplan import Rect, TilePlan

GOLDEN = sorted((pathlib.Path(__file__).resolve().parents[4] / "clients" / "conformance" / "tileplan").glob("*.json"))


def test_there_are_golden_files() -> None:
    assert len(GOLDEN) >= 10


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_plan_matches_the_golden_file(path: pathlib.Path) -> None:
    golden = json.loads(path.read_text())
    given = golden["input"]
    plan = TilePlan(given["width"], given["height"], given["tile_size"], given["margin"], given["scale"], given["pad_to_full_shape"])
    expected = golden["plan"]
    assert {
        "columns": plan.columns,
        "rows": plan.rows,
        "tile_count": len(plan),
        "window_width": plan.window_width,
        "window_height": plan.window_height,
        "content_width": plan.content_width,
        "content_height": plan.content_height,
        "output_width": plan.output_width,
        "output_height": plan.output_height,
    } == expected
    tiles = [
        {
            "index": t.index,
            "column": t.column,
            "row": t.row,
            "window": list(t.window),
            "core": list(t.core),
            "core_in_window": list(t.core_in_window),
            "output_core": list(t.output_core),
        }
        for t in plan
    ]
    assert tiles == golden["tiles"]


def test_output_bands_cover_the_output_once() -> None:
    plan = TilePlan(997, 1013, 100, 0, 3)
    bands = [plan.output_band(r) for r in range(plan.rows)]
    assert bands[0][0] == 0 and bands[-1][1] == plan.output_height
    assert all(a[1] == b[0] for a, b in zip(bands, bands[1:]))


def test_invalid_plans_are_refused() -> None:
    with pytest.raises(ValueError):
        TilePlan(0, 10, 16, 0, 4)
    with pytest.raises(ValueError):
        TilePlan(10, 10, 16, 0, 0)
    assert Rect(1, 2, 3, 4).scaled(2) == Rect(2, 4, 6, 8)
