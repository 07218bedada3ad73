import NIOHTTP1
import OrderedCollections
public import Resources

extension KubernetesClient {
    /// POSTs `body` to a subresource of the object `name` of `kind` — a `Binding` to
    /// `pods/<name>/binding`, an `Eviction` to `pods/<name>/eviction` — and returns the answer
    /// (often a `Status`).
    @discardableResult
    public func create(
        _ body: Resource, subresource: String, of kind: GroupVersionKind, name: String, namespace: String? = nil,
        options: WriteOptions = WriteOptions()
    ) async throws -> JSONValue {
        let mapping = try await mapper.mapping(for: kind)
        let path = mapping.path(namespace: namespace ?? defaultNamespace, name: name, subresource: subresource)
        return try await transport.send(.POST, path, query: options.query, body: body.value.jsonBytes())
    }

    /// Deletes the object `name` with `DeleteOptions`: a grace period (0 deletes a Pod at once,
    /// as kubelet does once its containers stopped) and a uid precondition (so that a new
    /// object of the same name is left alone).
    ///
    /// - Returns: the object when the server still has it; `nil` when it answered with a `Status`.
    @discardableResult
    public func delete(
        _ kind: GroupVersionKind, name: String, namespace: String? = nil, gracePeriodSeconds: Int?,
        preconditionUID: String? = nil
    ) async throws -> Resource? {
        let mapping = try await mapper.mapping(for: kind)
        let path = mapping.path(namespace: namespace ?? defaultNamespace, name: name)
        var options: JSONObject = ["kind": "DeleteOptions", "apiVersion": "v1"]
        if let gracePeriodSeconds { options["gracePeriodSeconds"] = .int(Int64(gracePeriodSeconds)) }
        if let preconditionUID { options["preconditions"] = ["uid": .string(preconditionUID)] }
        let value = try await transport.send(
            .DELETE, path, body: JSONValue.object(options).jsonBytes(), contentType: "application/json")
        if value["kind"]?.stringValue == "Status" { return nil }
        return try Self.resource(value, url: path)
    }
}
