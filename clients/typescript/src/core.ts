// The transport-neutral SDK (no Node modules at load time): give RestoreClient any Connect transport, e.g.
// createGrpcWebTransport from @connectrpc/connect-web in a browser.
export { RestoreClient, type RestoreClientOptions, type RestoreResult, type DetectFacesOptions, type EstimateInput } from "./client.js";
export { toProtoOptions, type CallOptions, type RestoreOptions, type OutputFormat, type RestoreMode, type RestorePriority } from "./options.js";
export { Code, ConnectError, codeName, describe, errorInfo, fieldViolations, isLostConnection, resourceInfo, retryDelayMs } from "./errors.js";
export {
  BalancedTransport,
  type BalancedTransportOptions,
  type InstanceConnection,
  type InstanceSnapshot,
} from "./balancedTransport.js";
export type { InstanceState } from "./instanceHealth.js";
export { defaultRetryPolicy, type RetryPolicy } from "./retry.js";
export {
  bytesPerPixel,
  type PixelFormat,
  type RestoreLargeOptions,
  type RestoreLargeResult,
  type StreamProgress,
  type TileSink,
  type TileSource,
} from "./stream.js";
export { TilePlan, scaleRect, type Rect, type Tile, type TilePlanOptions } from "./tilePlan.js";
export { MemorySink, RawSource } from "./tiles.js";
export * as proto from "./proto.js";
