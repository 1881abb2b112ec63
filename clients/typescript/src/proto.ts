// The generated messages, enums and service descriptor (from protos/ at build time).
export * from "./gen/restoregrpc/v1/image_pb.js";
export * from "./gen/restoregrpc/v1/models_pb.js";
export * from "./gen/restoregrpc/v1/restore_service_pb.js";
export * from "./gen/restoregrpc/v1/model_admin_service_pb.js";
export * from "./gen/google/rpc/error_details_pb.js";
