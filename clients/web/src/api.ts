// The page's gRPC-Web clients, generated from protos/ (src/gen) and bound to the server that served the page.
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { RestoreService } from "./gen/restoregrpc/v1/restore_service_pb.js";
import { ModelAdminService } from "./gen/restoregrpc/v1/model_admin_service_pb.js";

const transport = createGrpcWebTransport({ baseUrl: location.origin, useBinaryFormat: true });

export const restoreService: Client<typeof RestoreService> = createClient(RestoreService, transport);
export const modelAdmin: Client<typeof ModelAdminService> = createClient(ModelAdminService, transport);
