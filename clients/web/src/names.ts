// Output file names: the input's base name, "_restored_", a local timestamp, the output format's extension.
import { ImageFormat } from "./gen/restoregrpc/v1/image_pb.js";

const extensions: Partial<Record<ImageFormat, string>> = {
  [ImageFormat.PNG]: "png",
  [ImageFormat.JPEG]: "jpg",
  [ImageFormat.WEBP]: "webp",
  [ImageFormat.TIFF]: "tif",
  [ImageFormat.BMP]: "bmp",
  [ImageFormat.GIF]: "gif",
};

const mimeTypes: Partial<Record<ImageFormat, string>> = {
  [ImageFormat.PNG]: "image/png",
  [ImageFormat.JPEG]: "image/jpeg",
  [ImageFormat.WEBP]: "image/webp",
  [ImageFormat.TIFF]: "image/tiff",
  [ImageFormat.BMP]: "image/bmp",
  [ImageFormat.GIF]: "image/gif",
};

const two = (n: number): string => String(n).padStart(2, "0");

/** e.g. 20261203-164512 (local time, sortable). */
export function timestamp(at: Date): string {
  return `${at.getFullYear()}${two(at.getMonth() + 1)}${two(at.getDate())}-${two(at.getHours())}${two(at.getMinutes())}${two(at.getSeconds())}`;
}

export function outputName(inputName: string, format: ImageFormat, at: Date): string {
  const base = inputName.replace(/\.[^.]+$/, "") || "image";
  return `${base}_restored_${timestamp(at)}.${extensions[format] ?? "bin"}`;
}

export function mimeType(format: ImageFormat): string {
  return mimeTypes[format] ?? "application/octet-stream";
}

/** Names made unique within one zip (the same input name twice gets -2, -3…). */
export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    return count === 1 ? name : name.replace(/(\.[^.]+)?$/, (ext) => `-${count}${ext}`);
  });
}
