// The media types of the gnostic protobuf form of /openapi/v2 (kept apart from v2proto.ts so that
// routing needs no protobuf code).
export const V2_PROTOBUF_TYPE = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
export const V2_PROTOBUF_TYPE_DOTTED = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
