import { test } from "node:test";
import assert from "node:assert/strict";
import { toProtoOptions } from "../src/core.js";

test("unset options stay unset on the wire; given ones (0 included) are sent", () => {
  const unset = toProtoOptions({});
  assert.equal(unset.scale, undefined);
  assert.equal(unset.tiling?.tileSize, undefined);
  assert.equal(unset.tiling?.tileMargin, undefined);
  assert.equal(unset.output?.quality, undefined);
  const given = toProtoOptions({ scale: 2.5, tileSize: 128, tileMargin: 0, quality: 90, lossless: true, background: "#ffffff" });
  assert.equal(given.scale, 2.5);
  assert.equal(given.tiling?.tileSize, 128);
  assert.equal(given.tiling?.tileMargin, 0);
  assert.equal(given.output?.quality, 90);
  assert.equal(given.output?.lossless, true);
  assert.equal(given.output?.background, "#ffffff");
});
