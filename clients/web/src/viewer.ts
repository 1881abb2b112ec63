// Before/after view: the restored image with the original over its left part (a slider moves the split), a lens
// that shows the restored pixels at 1:1 under the pointer, and the faces outlined with their detector scores.
import type { Face } from "./gen/restoregrpc/v1/restore_service_pb.js";
import { byId } from "./dom.js";

const LENS_STEP = 16;

export class Viewer {
  private readonly section = byId<HTMLElement>("viewer");
  private readonly compare = byId<HTMLElement>("compare");
  private readonly after = byId<HTMLImageElement>("after");
  private readonly before = byId<HTMLImageElement>("before");
  private readonly beforeClip = byId<HTMLElement>("before-clip");
  private readonly faces = byId<HTMLElement>("faces");
  private readonly lens = byId<HTMLElement>("lens");
  private readonly split = byId<HTMLInputElement>("split");
  private readonly showFaces = byId<HTMLInputElement>("show-faces");
  private readonly showLens = byId<HTMLInputElement>("show-lens");
  private urls: string[] = [];
  private inputWidth = 1;
  private lensAt = { x: 0.5, y: 0.5 };

  constructor() {
    this.split.addEventListener("input", () => this.applySplit());
    this.showFaces.addEventListener("change", () => { this.faces.hidden = !this.showFaces.checked; });
    this.showLens.addEventListener("change", () => { this.lens.hidden = !this.showLens.checked; this.placeLens(); });
    this.compare.addEventListener("pointermove", (e) => this.pointer(e));
    this.compare.addEventListener("pointerdown", (e) => this.pointer(e));
    this.compare.addEventListener("keydown", (e) => this.key(e));
    new ResizeObserver(() => { this.applySplit(); this.placeLens(); }).observe(this.compare);
  }

  show(name: string, input: Blob, output: Blob, inputWidth: number, faces: readonly Face[], details: string): void {
    this.urls.forEach((u) => URL.revokeObjectURL(u));
    this.urls = [URL.createObjectURL(input), URL.createObjectURL(output)];
    this.before.src = this.urls[0] ?? "";
    this.after.src = this.urls[1] ?? "";
    this.lens.style.backgroundImage = `url("${this.urls[1]}")`;
    this.inputWidth = Math.max(1, inputWidth);
    byId("viewer-name").textContent = name;
    byId("viewer-details").textContent = details;
    this.section.hidden = false;
    this.after.decode().then(() => { this.drawFaces(faces); this.applySplit(); this.placeLens(); }, () => undefined);
  }

  private applySplit(): void {
    const width = this.compare.clientWidth;
    this.beforeClip.style.width = `${this.split.value}%`;
    // The original is drawn at the displayed size of the result, so both line up pixel for pixel.
    this.before.style.width = `${width}px`;
    this.before.style.height = `${this.after.clientHeight}px`;
  }

  private drawFaces(faces: readonly Face[]): void {
    this.faces.replaceChildren();
    const k = 100 / this.inputWidth;
    const ratio = this.after.naturalHeight / Math.max(1, this.after.naturalWidth);
    const inputHeight = this.inputWidth * ratio;
    for (const face of faces) {
      if (!face.box) continue;
      const outline = document.createElement("div");
      outline.className = face.restored ? "face" : "face skipped";
      outline.style.left = `${face.box.x * k}%`;
      outline.style.width = `${face.box.width * k}%`;
      outline.style.top = `${(face.box.y / inputHeight) * 100}%`;
      outline.style.height = `${(face.box.height / inputHeight) * 100}%`;
      const label = document.createElement("span");
      label.textContent = `${face.score.toFixed(2)}${face.restored ? "" : " (not restored)"}`;
      outline.append(label);
      this.faces.append(outline);
    }
    this.faces.hidden = !this.showFaces.checked;
  }

  private pointer(event: PointerEvent): void {
    const box = this.compare.getBoundingClientRect();
    this.lensAt = { x: clamp((event.clientX - box.left) / box.width), y: clamp((event.clientY - box.top) / box.height) };
    if (!this.showLens.checked && event.type === "pointerdown") {
      this.split.value = String(Math.round(this.lensAt.x * 100));
      this.applySplit();
    }
    this.placeLens();
  }

  private key(event: KeyboardEvent): void {
    const moves: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    if (this.showLens.checked) {
      const width = Math.max(1, this.compare.clientWidth);
      const height = Math.max(1, this.compare.clientHeight);
      this.lensAt = { x: clamp(this.lensAt.x + (move[0] * LENS_STEP) / width), y: clamp(this.lensAt.y + (move[1] * LENS_STEP) / height) };
      this.placeLens();
    } else if (move[0] !== 0) {
      this.split.value = String(Number(this.split.value) + move[0] * 5);
      this.applySplit();
    }
  }

  /** The lens shows the restored image at its own pixel size: one image pixel per screen pixel. */
  private placeLens(): void {
    if (this.lens.hidden) return;
    const size = this.lens.offsetWidth;
    const x = this.lensAt.x * this.compare.clientWidth;
    const y = this.lensAt.y * this.compare.clientHeight;
    this.lens.style.left = `${x - size / 2}px`;
    this.lens.style.top = `${y - size / 2}px`;
    const scale = window.devicePixelRatio || 1;
    const naturalX = this.lensAt.x * this.after.naturalWidth;
    const naturalY = this.lensAt.y * this.after.naturalHeight;
    this.lens.style.backgroundSize = `${this.after.naturalWidth / scale}px ${this.after.naturalHeight / scale}px`;
    this.lens.style.backgroundPosition = `${size / 2 - naturalX / scale}px ${size / 2 - naturalY / scale}px`;
  }
}

function clamp(v: number): number {
  return Math.min(1, Math.max(0, v));
}
