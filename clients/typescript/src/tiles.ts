import { bytesPerPixel, type PixelFormat, type TileSink, type TileSource } from "./stream.js";
import type { Rect } from "./tilePlan.js";

/** Streams raw pixels held in memory (the PixelFormat layout, rows packed). */
export class RawSource implements TileSource {
  constructor(
    readonly pixels: Uint8Array,
    readonly width: number,
    readonly height: number,
    readonly format: PixelFormat = { bitDepth: 8, channels: 3 },
  ) {
    if (pixels.length !== width * height * bytesPerPixel(format)) {
      throw new RangeError(`${pixels.length} bytes for a ${width}x${height} image of ${bytesPerPixel(format)} bytes per pixel`);
    }
  }

  readWindow(window: Rect): Uint8Array {
    const bpp = bytesPerPixel(this.format);
    const rowBytes = window.width * bpp;
    const out = new Uint8Array(rowBytes * window.height);
    for (let y = 0; y < window.height; y++) {
      const start = ((window.y + y) * this.width + window.x) * bpp;
      out.set(this.pixels.subarray(start, start + rowBytes), y * rowBytes);
    }
    return out;
  }
}

/** Assembles the output in memory as raw pixels (for outputs that fit; FileSink writes them to a file instead). */
export class MemorySink implements TileSink {
  pixels = new Uint8Array(0);
  width = 0;
  height = 0;
  format: PixelFormat = { bitDepth: 8, channels: 3 };

  start(width: number, height: number, format: PixelFormat): void {
    this.width = width;
    this.height = height;
    this.format = format;
    this.pixels = new Uint8Array(width * height * bytesPerPixel(format));
  }

  write(rect: Rect, pixels: Uint8Array): void {
    const bpp = bytesPerPixel(this.format);
    const rowBytes = rect.width * bpp;
    for (let y = 0; y < rect.height; y++) {
      this.pixels.set(pixels.subarray(y * rowBytes, (y + 1) * rowBytes), ((rect.y + y) * this.width + rect.x) * bpp);
    }
  }

  complete(): void {}
}
