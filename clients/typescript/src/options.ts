import { create } from "@bufbuild/protobuf";
import {
  FaceOptionsSchema,
  Priority,
  RestoreOptionsSchema,
  RestoreTask,
  TileOptionsSchema,
  type RestoreOptions as ProtoRestoreOptions,
} from "./gen/restoregrpc/v1/restore_service_pb.js";
import { ImageFormat, OutputOptionsSchema } from "./gen/restoregrpc/v1/image_pb.js";

export type OutputFormat = "png" | "jpeg" | "webp" | "tiff" | "bmp";
export type RestoreMode = "super-resolution" | "faces" | "faces-and-background" | "auto";
export type RestorePriority = "interactive" | "batch";

/** Per-call settings every method takes: deadline, cancellation, metadata and trailers. */
export interface CallOptions {
  /** This call's deadline in milliseconds (per stream for restoreLarge); unset uses the client's default. */
  timeoutMs?: number;
  /** Aborting cancels the call (CANCELLED). */
  signal?: AbortSignal;
  /** Request metadata, e.g. a W3C traceparent. */
  headers?: HeadersInit;
  onHeader?(headers: Headers): void;
  onTrailer?(trailers: Headers): void;
}

/** What to do with an image. Every field is optional: unset leaves the choice to the server. */
export interface RestoreOptions extends CallOptions {
  /** Catalog model name; unset for the server's default. */
  model?: string;
  /** Final output scale (e.g. 2, 3.5, 4); unset for the model's native scale. */
  scale?: number;
  /** Core tile edge and context margin in input pixels; unset for the model's defaults. */
  tileSize?: number;
  tileMargin?: number;
  /** Output format; unset keeps the input's. */
  format?: OutputFormat;
  /** JPEG / WebP quality 1..100. */
  quality?: number;
  stripMetadata?: boolean;
  /** WebP only: encode lossless (other formats are lossless or lossy by nature). */
  lossless?: boolean;
  /** Colour transparent pixels are flattened onto where the output format has no alpha (e.g. "#ffffff"); unset for the server default. */
  background?: string;
  mode?: RestoreMode;
  /** Weight of restored faces 0..1; unset for 1. */
  faceBlend?: number;
  colorFidelity?: boolean;
  priority?: RestorePriority;
}

const formats: Record<OutputFormat, ImageFormat> = {
  png: ImageFormat.PNG,
  jpeg: ImageFormat.JPEG,
  webp: ImageFormat.WEBP,
  tiff: ImageFormat.TIFF,
  bmp: ImageFormat.BMP,
};

const modes: Record<RestoreMode, RestoreTask> = {
  "super-resolution": RestoreTask.SUPER_RESOLUTION,
  faces: RestoreTask.FACES,
  "faces-and-background": RestoreTask.FACES_AND_BACKGROUND,
  auto: RestoreTask.AUTO,
};

const priorities: Record<RestorePriority, Priority> = {
  interactive: Priority.INTERACTIVE,
  batch: Priority.BATCH,
};

/** An optional wire count: unset (the server's default) when not given. */
export function optionalCount(value: number | undefined): number | undefined {
  return value === undefined ? undefined : Math.max(0, Math.trunc(value));
}

/** The wire message for these options. */
export function toProtoOptions(options: RestoreOptions = {}): ProtoRestoreOptions {
  const proto = create(RestoreOptionsSchema, {
    model: options.model ?? "",
    scale: options.scale,
    tiling: create(TileOptionsSchema, { tileSize: optionalCount(options.tileSize), tileMargin: optionalCount(options.tileMargin) }),
    output: create(OutputOptionsSchema, {
      format: options.format ? formats[options.format] : ImageFormat.UNSPECIFIED,
      quality: optionalCount(options.quality),
      stripMetadata: options.stripMetadata ?? false,
      lossless: options.lossless ?? false,
      background: options.background ?? "",
    }),
    task: options.mode ? modes[options.mode] : RestoreTask.UNSPECIFIED,
    priority: options.priority ? priorities[options.priority] : Priority.UNSPECIFIED,
  });
  if (options.faceBlend !== undefined || options.colorFidelity) {
    proto.faces = create(FaceOptionsSchema, { colorFidelity: options.colorFidelity ?? false });
    if (options.faceBlend !== undefined) {
      proto.faces.blend = options.faceBlend;
    }
  }
  return proto;
}
