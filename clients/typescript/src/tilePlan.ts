/** A pixel rectangle: top-left corner and size. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export function scaleRect(r: Rect, factor: number): Rect {
  return { x: r.x * factor, y: r.y * factor, width: r.width * factor, height: r.height * factor };
}

export interface TilePlanOptions {
  /** Core tile edge in input pixels (≥ 1). */
  readonly tileSize: number;
  /** Context margin on every side of a core, in input pixels (≥ 0). */
  readonly margin: number;
  /** The model's upscaling factor (≥ 1). */
  readonly scale: number;
  /** A single-window axis is tileSize + 2·margin long (the rest reflect-padded by the server). */
  readonly padToFullShape?: boolean;
}

export interface Tile {
  readonly index: number;
  readonly column: number;
  readonly row: number;
  /** Input pixels the tile reads (core plus margin); every window has the same shape. */
  readonly window: Rect;
  /** Input pixels whose output the tile owns; the cores partition the image. */
  readonly core: Rect;
  /** The core relative to the window. */
  readonly coreInWindow: Rect;
  /** The output rectangle the tile writes: the core times the scale. */
  readonly outputCore: Rect;
}

interface AxisSegment {
  readonly windowStart: number;
  readonly coreStart: number;
  readonly coreLength: number;
}

interface AxisPlan {
  readonly length: number;
  readonly windowLength: number;
  readonly contentLength: number;
  readonly segments: readonly AxisSegment[];
}

function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer ≥ ${min}, got ${value}`);
  }
}

/**
 * RestoreGrpc.Tiling.AxisPlan.Create: along an axis of length L with tile size T and margin m, an axis no longer
 * than T + 2m is one tile whose window is the whole axis (T + 2m when padded); otherwise n = ceil(L / T) cores,
 * core i = [floor(i·L/n), floor((i+1)·L/n)), window T + 2m long starting at clamp(core start − m, 0, L − (T + 2m)).
 */
function axisPlan(length: number, tileSize: number, margin: number, pad: boolean): AxisPlan {
  checkInteger("length", length, 1);
  checkInteger("tile size", tileSize, 1);
  checkInteger("margin", margin, 0);
  const full = tileSize + 2 * margin;
  if (length <= full) {
    return { length, windowLength: pad ? full : length, contentLength: length, segments: [{ windowStart: 0, coreStart: 0, coreLength: length }] };
  }
  const count = Math.ceil(length / tileSize);
  const segments: AxisSegment[] = [];
  for (let i = 0; i < count; i++) {
    const start = Math.floor((i * length) / count);
    const end = Math.floor(((i + 1) * length) / count);
    const windowStart = Math.min(Math.max(start - margin, 0), length - full);
    segments.push({ windowStart, coreStart: start, coreLength: end - start });
  }
  return { length, windowLength: full, contentLength: full, segments };
}

/**
 * The port of RestoreGrpc.Tiling.TilePlan, the plan the server streams by: every tile has the same window shape
 * and the cores partition the image, so every output pixel is written by exactly one tile. Tiles are row-major.
 */
export class TilePlan {
  readonly #columns: AxisPlan;
  readonly #rows: AxisPlan;

  constructor(width: number, height: number, readonly options: TilePlanOptions) {
    checkInteger("scale", options.scale, 1);
    this.#columns = axisPlan(width, options.tileSize, options.margin, options.padToFullShape ?? false);
    this.#rows = axisPlan(height, options.tileSize, options.margin, options.padToFullShape ?? false);
  }

  get imageWidth(): number { return this.#columns.length; }
  get imageHeight(): number { return this.#rows.length; }
  get scale(): number { return this.options.scale; }
  get outputWidth(): number { return this.#columns.length * this.options.scale; }
  get outputHeight(): number { return this.#rows.length * this.options.scale; }
  get windowWidth(): number { return this.#columns.windowLength; }
  get windowHeight(): number { return this.#rows.windowLength; }
  /** Columns of each window that hold image pixels (the rest is padding). */
  get contentWidth(): number { return this.#columns.contentLength; }
  /** Rows of each window that hold image pixels (the rest is padding). */
  get contentHeight(): number { return this.#rows.contentLength; }
  get columns(): number { return this.#columns.segments.length; }
  get rows(): number { return this.#rows.segments.length; }
  get count(): number { return this.columns * this.rows; }

  tile(index: number): Tile {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) {
      throw new RangeError(`tile ${index} outside the plan's ${this.count} tiles`);
    }
    const row = Math.floor(index / this.columns);
    const column = index % this.columns;
    const x = this.#columns.segments[column]!;
    const y = this.#rows.segments[row]!;
    const core = { x: x.coreStart, y: y.coreStart, width: x.coreLength, height: y.coreLength };
    return {
      index,
      column,
      row,
      window: { x: x.windowStart, y: y.windowStart, width: this.windowWidth, height: this.windowHeight },
      core,
      coreInWindow: { x: x.coreStart - x.windowStart, y: y.coreStart - y.windowStart, width: x.coreLength, height: y.coreLength },
      outputCore: scaleRect(core, this.options.scale),
    };
  }

  *tiles(): IterableIterator<Tile> {
    for (let i = 0; i < this.count; i++) {
      yield this.tile(i);
    }
  }
}
