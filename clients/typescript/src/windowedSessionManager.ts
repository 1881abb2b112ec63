import type * as http2 from "node:http2";
import { Http2SessionManager, type Http2SessionOptions } from "@connectrpc/connect-node";

/**
 * An Http2SessionManager that opens each connection's receive window to `connectionWindowBytes` (a WINDOW_UPDATE on
 * stream 0, sent after the first request's HEADERS, before any response data can arrive). Node's HTTP/2 keeps the
 * connection window at RFC 9113's 64 KiB and has no setting for it; the per-stream window is
 * SETTINGS_INITIAL_WINDOW_SIZE in the session options.
 */
export class WindowedSessionManager extends Http2SessionManager {
  readonly #connectionWindowBytes: number;
  readonly #opened = new WeakSet<http2.Http2Session>();

  constructor(url: URL | string, pingOptions: Http2SessionOptions | undefined, http2Options: http2.ClientSessionOptions | http2.SecureClientSessionOptions | undefined, connectionWindowBytes: number) {
    super(url, pingOptions, http2Options);
    this.#connectionWindowBytes = connectionWindowBytes;
  }

  override async request(method: string, path: string, headers: http2.OutgoingHttpHeaders, options: Omit<http2.ClientSessionRequestOptions, "signal">): Promise<http2.ClientHttp2Stream> {
    const stream = await super.request(method, path, headers, options);
    const session = stream.session;
    if (session !== undefined && !this.#opened.has(session) && !session.destroyed) {
      this.#opened.add(session);
      session.setLocalWindowSize(this.#connectionWindowBytes);
    }
    return stream;
  }
}
