// A minimal gRPC-Web unary caller over fetch (framing by hand, no Connect): the independent reference the page's
// results are compared with. gRPC-Web frames: 1 flag byte (0 message, 0x80 trailers), 4 bytes big-endian length.
import { create, fromBinary, toBinary, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";

export async function unary<I extends DescMessage, O extends DescMessage>(
  base: string,
  method: string,
  input: I,
  output: O,
  request: MessageInitShape<I>,
): Promise<MessageShape<O>> {
  const body = toBinary(input, create(input, request));
  const frame = new Uint8Array(5 + body.length);
  new DataView(frame.buffer).setUint32(1, body.length);
  frame.set(body, 5);
  const response = await fetch(new URL(method, base), {
    method: "POST",
    headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1" },
    body: frame,
  });
  const bytes = new Uint8Array(await response.arrayBuffer());
  let message: Uint8Array | undefined;
  let trailers = "";
  for (let at = 0; at + 5 <= bytes.length;) {
    const length = new DataView(bytes.buffer, bytes.byteOffset + at + 1, 4).getUint32(0);
    const payload = bytes.subarray(at + 5, at + 5 + length);
    if (bytes[at] === 0) message = payload;
    else trailers += new TextDecoder().decode(payload);
    at += 5 + length;
  }
  const status = /grpc-status:\s*(\d+)/i.exec(trailers)?.[1] ?? response.headers.get("grpc-status") ?? "0";
  if (status !== "0" || !message) {
    throw new Error(`${method}: grpc-status ${status} ${/grpc-message:\s*(.*)/i.exec(trailers)?.[1] ?? response.headers.get("grpc-message") ?? ""}`);
  }
  return fromBinary(output, message);
}
