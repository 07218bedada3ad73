/// The built-in Kubernetes kinds as data and pure functions, the way kube-apiserver knows them:
/// their schemas (from the upstream OpenAPI v3 documents), protobuf codecs, defaulting and
/// validation.
///
/// Everything here is a function of its inputs — no store, no clock, no I/O — so the API server
/// calls it on every write and tests call it directly. Each concern extends this namespace from
/// its own folder (`Protobuf/`, `Schemas/`, `Defaulting/`, `Validation/`).
public enum BuiltinKinds {}
