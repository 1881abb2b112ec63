import type { MessageInitShape } from "@bufbuild/protobuf";
import { createClient, type Client, type Transport } from "@connectrpc/connect";
import { ModelAdminService, type NewModelSchema } from "./gen/restoregrpc/v1/model_admin_service_pb.js";
import {
  RestoreService,
  type DetectFacesResponse,
  type EstimateRestoreResponse,
  type Face,
  type FaceSelection,
  type RestoreDetails,
} from "./gen/restoregrpc/v1/restore_service_pb.js";
import type { ImageInfo } from "./gen/restoregrpc/v1/image_pb.js";
import { ModelTask, type ModelInfo } from "./gen/restoregrpc/v1/models_pb.js";
import { optionalCount, toProtoOptions, type CallOptions, type RestoreOptions } from "./options.js";
import { defaultRetryPolicy, withRetry, type RetryPolicy } from "./retry.js";
import { restoreLarge, type RestoreLargeOptions, type RestoreLargeResult, type TileSink, type TileSource } from "./stream.js";

export interface RestoreClientOptions {
  /**
   * How calls reach the server: createGrpcTransport from @connectrpc/connect-node (what createRestoreClient in
   * the package's main entry uses; a BalancedTransport over it for several instances), createGrpcWebTransport from @connectrpc/connect-web in a browser, or a test's
   * createRouterTransport.
   */
  transport: Transport;
  /** Deadline of calls that set none, in milliseconds. */
  defaultTimeoutMs?: number;
  /** Retries of unary calls on UNAVAILABLE and on RESOURCE_EXHAUSTED with RetryInfo (maxAttempts 1 disables). */
  retry?: Partial<RetryPolicy>;
  /** Times restoreLarge resumes a lost stream before it rejects (default 5). */
  maxStreamReconnects?: number;
}

/** A restored image: its encoded bytes, what the server learned about input and output, and the faces. */
export interface RestoreResult {
  readonly image: Uint8Array;
  readonly output: ImageInfo | undefined;
  readonly details: RestoreDetails | undefined;
  readonly faces: readonly Face[];
}

export interface DetectFacesOptions extends CallOptions {
  detector?: string;
  /** In (0, 1]; unset for the detector's default. */
  scoreThreshold?: number;
  minFaceSize?: number;
  selection?: FaceSelection;
}

export interface EstimateInput {
  width: number;
  height: number;
  /** 16 for 16-bit sources, else 8. */
  bitDepth?: number;
}

/**
 * Client for a RestoreGrpc server, Promise and async-iterator style. Failed calls reject with a ConnectError
 * (code = the gRPC status code; fieldViolations / retryDelayMs / resourceInfo decode the details). Reuse one
 * client per server.
 */
export class RestoreClient {
  /** The generated Connect client, for what the SDK does not wrap. */
  readonly raw: Client<typeof RestoreService>;
  /** The generated ModelAdminService client (live model management). */
  readonly admin: Client<typeof ModelAdminService>;
  readonly #defaultTimeoutMs: number | undefined;
  readonly #retry: RetryPolicy;
  readonly #maxStreamReconnects: number;

  constructor(options: RestoreClientOptions) {
    this.#retry = { ...defaultRetryPolicy, ...options.retry };
    this.#defaultTimeoutMs = options.defaultTimeoutMs;
    this.#maxStreamReconnects = Math.max(0, options.maxStreamReconnects ?? 5);
    this.raw = createClient(RestoreService, options.transport);
    this.admin = createClient(ModelAdminService, options.transport);
  }

  /** Runs a unary call with the retry policy; each attempt gets the deadline's time left. */
  #unary<T>(options: CallOptions | undefined, call: (callOptions: CallOptions) => Promise<T>, readOnly = false): Promise<T> {
    const timeoutMs = options?.timeoutMs ?? this.#defaultTimeoutMs;
    return withRetry(this.#retry, timeoutMs, options?.signal, (left) => call(RestoreClient.#callOptions(options, left)), readOnly);
  }

  static #callOptions(options: CallOptions | undefined, timeoutMs: number | undefined): CallOptions {
    return {
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(options?.signal !== undefined ? { signal: options.signal } : {}),
      ...(options?.headers !== undefined ? { headers: options.headers } : {}),
      ...(options?.onHeader !== undefined ? { onHeader: options.onHeader } : {}),
      ...(options?.onTrailer !== undefined ? { onTrailer: options.onTrailer } : {}),
    };
  }

  /** Restores one encoded image (PNG, JPEG, WebP, TIFF, BMP or GIF). Larger outputs: restoreLarge. */
  async restore(image: Uint8Array, options: RestoreOptions = {}): Promise<RestoreResult> {
    const request = { image, options: toProtoOptions(options) };
    const response = await this.#unary(options, (call) => this.raw.restore(request, call), true);
    return { image: response.image, output: response.output, details: response.details, faces: response.faces };
  }

  /** Restores the image file `src` and writes the result to `dst` when given (Node only: uses node:fs). */
  async restoreFile(src: string, dst?: string, options: RestoreOptions = {}): Promise<RestoreResult> {
    const fs = await import("node:fs/promises");
    const path = await import("node:path");
    const result = await this.restore(new Uint8Array(await fs.readFile(src)), options);
    if (dst !== undefined) {
      await fs.mkdir(path.dirname(path.resolve(dst)), { recursive: true });
      await fs.writeFile(dst, result.image);
    }
    return result;
  }

  /** Plans a restoration without running it: output size, tiles, batches, memory and time estimates. */
  async estimate(input: EstimateInput, options: RestoreOptions = {}): Promise<EstimateRestoreResponse> {
    const request = { width: input.width, height: input.height, bitDepth: optionalCount(input.bitDepth), options: toProtoOptions(options) };
    return this.#unary(options, (call) => this.raw.estimateRestore(request, call), true);
  }

  /** Finds faces and their five landmarks without restoring anything. */
  async detectFaces(image: Uint8Array, options: DetectFacesOptions = {}): Promise<DetectFacesResponse> {
    const request = {
      image,
      detector: options.detector ?? "",
      scoreThreshold: options.scoreThreshold,
      minFaceSize: Math.max(0, Math.trunc(options.minFaceSize ?? 0)),
      ...(options.selection !== undefined ? { selection: options.selection } : {}),
    };
    return this.#unary(options, (call) => this.raw.detectFaces(request, call), true);
  }

  /** The model catalog (all tasks unless one is given). */
  async listModels(task: ModelTask = ModelTask.UNSPECIFIED, options: CallOptions = {}): Promise<ModelInfo[]> {
    return (await this.#unary(options, (call) => this.raw.listModels({ task }, call), true)).models;
  }

  // Live model management (ModelAdminService; the admin role when the server has authentication on). Each call
  // resolves to the model's state after it: a file that does not load is MODEL_STATE_FAILED with the reason in
  // stateDetail, not a rejection.

  /** Loads a catalog entry that is not loaded (missing, failed or unloaded); warmed up before it takes traffic. */
  async loadModel(name: string, options: CallOptions = {}): Promise<ModelInfo | undefined> {
    return (await this.#unary(options, (call) => this.admin.loadModel({ name }, call))).model;
  }

  /** Adds a catalog entry from a file already in the server's model folder (SHA-256 checked) and loads it. */
  async addModel(model: MessageInitShape<typeof NewModelSchema>, options: CallOptions = {}): Promise<ModelInfo | undefined> {
    return (await this.#unary(options, (call) => this.admin.loadModel({ newModel: model }, call))).model;
  }

  /** Unloads a model: new requests naming it fail with FAILED_PRECONDITION; running ones finish. */
  async unloadModel(name: string, options: CallOptions = {}): Promise<ModelInfo | undefined> {
    return (await this.#unary(options, (call) => this.admin.unloadModel({ name }, call))).model;
  }

  /** Reloads a model from its file and swaps it in; a file that does not load leaves the old one serving. */
  async reloadModel(name: string, options: CallOptions = {}): Promise<ModelInfo | undefined> {
    return (await this.#unary(options, (call) => this.admin.reloadModel({ name }, call))).model;
  }

  /** Makes a ready super-resolution model the default; resolves to the default after the call. */
  async setDefaultModel(name: string, options: CallOptions = {}): Promise<string> {
    return (await this.#unary(options, (call) => this.admin.setDefaultModel({ name }, call))).defaultModel;
  }

  /**
   * Restores an image of any size tile by tile (RestoreStream) with credit, reconnect and resume; see stream.ts.
   * options.signal cancels; options.timeoutMs applies per stream; options.onProgress reports each tile.
   */
  async restoreLarge(source: TileSource, sink: TileSink, options: RestoreLargeOptions = {}): Promise<RestoreLargeResult> {
    return restoreLarge(this.raw, source, sink, options, {
      maxReconnects: this.#maxStreamReconnects,
      initialBackoffMs: this.#retry.initialBackoffMs,
      maxBackoffMs: this.#retry.maxBackoffMs,
      defaultTimeoutMs: this.#defaultTimeoutMs,
    });
  }
}
