import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { TilePlan } from "../src/core.js";
import { conformanceDir, skipOrFail } from "./support.js";

test("the plan rule worked by hand: 1000 px, tile 256, margin 16", () => {
  const plan = new TilePlan(1000, 200, { tileSize: 256, margin: 16, scale: 4 });
  assert.deepEqual([plan.columns, plan.rows, plan.windowWidth, plan.windowHeight], [4, 1, 288, 200]);
  [0, 234, 484, 712].forEach((start, i) => {
    const tile = plan.tile(i);
    assert.deepEqual(tile.window, { x: start, y: 0, width: 288, height: 200 });
    assert.deepEqual(tile.core, { x: 250 * i, y: 0, width: 250, height: 200 });
    assert.equal(tile.coreInWindow.x, 250 * i - start);
    assert.deepEqual(tile.outputCore, { x: 1000 * i, y: 0, width: 1000, height: 800 });
  });
  assert.throws(() => new TilePlan(0, 10, { tileSize: 8, margin: 0, scale: 1 }), RangeError);
});

interface Golden {
  input: { width: number; height: number; tile_size: number; margin: number; scale: number; pad_to_full_shape: boolean };
  plan: Record<string, number>;
  tiles: { index: number; column: number; row: number; window: number[]; core: number[]; core_in_window: number[]; output_core: number[] }[];
}

const rect = (r: { x: number; y: number; width: number; height: number }): number[] => [r.x, r.y, r.width, r.height];

test("the plan port equals the C# TilePlan's golden files", (t) => {
  const dir = join(conformanceDir(), "tileplan");
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")).sort() : [];
  if (files.length === 0) {
    skipOrFail(t, `no tile-plan golden files under ${dir}`);
    return;
  }
  for (const file of files) {
    const golden = JSON.parse(readFileSync(join(dir, file), "utf8")) as Golden;
    const { width, height, tile_size, margin, scale, pad_to_full_shape } = golden.input;
    const plan = new TilePlan(width, height, { tileSize: tile_size, margin, scale, padToFullShape: pad_to_full_shape });
    assert.deepEqual(
      {
        columns: plan.columns, rows: plan.rows, tile_count: plan.count, window_width: plan.windowWidth, window_height: plan.windowHeight,
        content_width: plan.contentWidth, content_height: plan.contentHeight, output_width: plan.outputWidth, output_height: plan.outputHeight,
      },
      golden.plan,
      file,
    );
    assert.equal(golden.tiles.length, plan.count, file);
    for (const g of golden.tiles) {
      const tile = plan.tile(g.index);
      assert.deepEqual(
        [tile.column, tile.row, rect(tile.window), rect(tile.core), rect(tile.coreInWindow), rect(tile.outputCore)],
        [g.column, g.row, g.window, g.core, g.core_in_window, g.output_core],
        `${file} tile ${g.index}`,
      );
    }
  }
});
