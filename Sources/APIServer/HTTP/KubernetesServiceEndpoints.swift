import OrderedCollections
import Resources

extension APIHandler {
    /// The Endpoints and EndpointSlice of the `kubernetes` Service in `default`, as
    /// kube-apiserver's endpoint reconciler (`--endpoint-reconciler-type=lease`, its default)
    /// keeps them: the server's own address and port under the port name `https`; the
    /// Endpoints labelled `endpointslice.kubernetes.io/skip-mirror: "true"`, the slice
    /// (named `kubernetes`, not generated) `kubernetes.io/service-name: kubernetes`, its one
    /// endpoint ready. Missing ones are created and ones that say something else are put back.
    ///
    /// An address that listens everywhere (`0.0.0.0`, `::`) is published as loopback, the only
    /// address a client of the embedded plane is sure to reach it on.
    func ensureKubernetesServiceEndpoints(address: String, port: Int) async throws {
        let ip = address == "0.0.0.0" || address == "::" || address == "localhost" ? "127.0.0.1" : address
        let isIPv6 = ip.contains(":")
        let endpoints: JSONValue = [
            "apiVersion": "v1", "kind": "Endpoints",
            "metadata": [
                "name": "kubernetes", "namespace": "default",
                "labels": ["endpointslice.kubernetes.io/skip-mirror": "true"],
            ],
            "subsets": [[
                "addresses": [["ip": .string(ip)]],
                "ports": [["name": "https", "port": .int(Int64(port)), "protocol": "TCP"]],
            ]],
        ]
        let slice: JSONValue = [
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": [
                "name": "kubernetes", "namespace": "default",
                "labels": ["kubernetes.io/service-name": "kubernetes"],
            ],
            "addressType": isIPv6 ? "IPv6" : "IPv4",
            "endpoints": [["addresses": [.string(ip)], "conditions": ["ready": true]]],
            "ports": [["name": "https", "port": .int(Int64(port)), "protocol": "TCP"]],
        ]
        try await ensure(endpoints, path: "/api/v1/namespaces/default/endpoints", fields: ["subsets"])
        try await ensure(slice, path: "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices",
                         fields: ["addressType", "endpoints", "ports"])
    }

    /// Creates `object` at `path` or, when the stored one differs in `fields` or its labels,
    /// replaces them.
    private func ensure(_ object: JSONValue, path: String, fields: [String]) async throws {
        let label = "\(object["kind"]?.stringValue ?? "")/kubernetes"
        let get = await handle(APIRequest(method: "GET", path: "\(path)/kubernetes", userAgent: "mizzen"))
        var body = object
        if case .json(200, let stored, _) = get {
            let differs = fields.contains { stored[$0] != object[$0] }
                || stored["metadata"]?["labels"] != object["metadata"]?["labels"]
            guard differs else { return }
            guard case .object(var members) = stored else { return }
            for field in fields { members[field] = object[field] }
            var metadata = members["metadata"]?.objectValue ?? [:]
            metadata["labels"] = object["metadata"]?["labels"]
            members["metadata"] = .object(metadata)
            body = .object(members)
        }
        let isUpdate = body["metadata"]?["resourceVersion"] != nil
        let request = APIRequest(
            method: isUpdate ? "PUT" : "POST", path: isUpdate ? "\(path)/kubernetes" : path,
            contentType: "application/json", userAgent: "mizzen", body: body.jsonBytes())
        guard case .json(let status, let answer, _) = await handle(request) else {
            throw SeedError(object: label, message: "the server answered with a stream")
        }
        // 409: another server on the same store wrote it first.
        guard status < 300 || status == 409 else {
            throw SeedError(object: label, message: APIError(status: answer)?.message ?? "HTTP \(status)")
        }
    }
}
