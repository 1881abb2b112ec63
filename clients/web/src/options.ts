// The options form: read into RestoreOptions, saved and loaded as a JSON preset.
import { create } from "@bufbuild/protobuf";
import { ImageFormat, OutputOptionsSchema } from "./gen/restoregrpc/v1/image_pb.js";
import { byId } from "./dom.js";
import { FaceOptionsSchema, RestoreOptionsSchema, RestoreTask, type RestoreOptions } from "./gen/restoregrpc/v1/restore_service_pb.js";

/** What a preset file holds (a plain, versioned JSON object). */
export interface Preset {
  kind: "restoregrpc-web-preset";
  version: 1;
  model: string;
  task: TaskChoice;
  scale: number | null;
  format: FormatChoice;
  quality: number | null;
  blend: number;
}

type TaskChoice = "auto" | "sr" | "faces" | "faces-and-background";
type FormatChoice = "keep" | "png" | "jpeg" | "webp" | "tiff";

const tasks: Record<TaskChoice, RestoreTask> = {
  auto: RestoreTask.AUTO,
  sr: RestoreTask.SUPER_RESOLUTION,
  faces: RestoreTask.FACES,
  "faces-and-background": RestoreTask.FACES_AND_BACKGROUND,
};

const formats: Record<FormatChoice, ImageFormat> = {
  keep: ImageFormat.UNSPECIFIED,
  png: ImageFormat.PNG,
  jpeg: ImageFormat.JPEG,
  webp: ImageFormat.WEBP,
  tiff: ImageFormat.TIFF,
};

const field = byId;

export const controls = {
  model: () => field<HTMLSelectElement>("model"),
  task: () => field<HTMLSelectElement>("task"),
  scale: () => field<HTMLInputElement>("scale"),
  format: () => field<HTMLSelectElement>("format"),
  quality: () => field<HTMLInputElement>("quality"),
  blend: () => field<HTMLInputElement>("blend"),
};

const numberOrNull = (text: string): number | null => (text.trim() === "" ? null : Number(text));

export function readPreset(): Preset {
  return {
    kind: "restoregrpc-web-preset",
    version: 1,
    model: controls.model().value,
    task: controls.task().value as TaskChoice,
    scale: numberOrNull(controls.scale().value),
    format: controls.format().value as FormatChoice,
    quality: numberOrNull(controls.quality().value),
    blend: Number(controls.blend().value),
  };
}

/** Applies a preset read from a file; throws with a readable reason when it is not one. */
export function applyPreset(value: unknown): void {
  const preset = value as Partial<Preset>;
  if (typeof value !== "object" || value === null || preset.kind !== "restoregrpc-web-preset") {
    throw new Error("not a RestoreGrpc preset (expected \"kind\": \"restoregrpc-web-preset\")");
  }
  if (preset.task && !(preset.task in tasks)) throw new Error(`unknown task "${preset.task}"`);
  if (preset.format && !(preset.format in formats)) throw new Error(`unknown format "${preset.format}"`);
  const model = controls.model();
  if (preset.model && ![...model.options].some((o) => o.value === preset.model)) {
    model.add(new Option(`${preset.model} (from preset, not listed)`, preset.model));
  }
  model.value = preset.model ?? "";
  controls.task().value = preset.task ?? "auto";
  controls.scale().value = preset.scale == null ? "" : String(preset.scale);
  controls.format().value = preset.format ?? "keep";
  controls.quality().value = preset.quality == null ? "" : String(preset.quality);
  controls.blend().value = String(preset.blend ?? 1);
  controls.blend().dispatchEvent(new Event("input"));
}

/** The request options a preset stands for (unset fields take the server's defaults). */
export function toRestoreOptions(preset: Preset): RestoreOptions {
  const options = create(RestoreOptionsSchema, { model: preset.model, task: tasks[preset.task] });
  if (preset.scale != null && preset.scale > 0) options.scale = preset.scale;
  if (preset.format !== "keep" || preset.quality != null) {
    options.output = create(OutputOptionsSchema, { format: formats[preset.format] });
    if (preset.quality != null) options.output.quality = preset.quality;
  }
  if (preset.task !== "sr") {
    options.faces = create(FaceOptionsSchema, { blend: preset.blend });
  }
  return options;
}
