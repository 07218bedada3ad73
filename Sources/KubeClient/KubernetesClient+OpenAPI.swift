public import Resources
import NIOHTTP1

extension KubernetesClient {
    /// `GET /openapi/v3`: the group versions the server publishes OpenAPI v3 documents for,
    /// `{"paths": {"apis/apps/v1": {"serverRelativeURL": "/openapi/v3/apis/apps/v1?hash=9C48…"}, …}}`;
    /// a document's `?hash=` changes whenever the document does.
    ///
    /// - Throws: `APIError`, ``ClientError``.
    public func openAPIV3Root() async throws -> JSONValue {
        try await transport.send(.GET, "/openapi/v3")
    }

    /// The OpenAPI v3 document at `serverRelativeURL` (from ``openAPIV3Root()``): the schemas of
    /// a group version's kinds, custom resources included, in `components.schemas`.
    ///
    /// - Throws: `APIError`, ``ClientError``.
    public func openAPIV3Document(_ serverRelativeURL: String) async throws -> JSONValue {
        let parts = serverRelativeURL.split(separator: "?", maxSplits: 1)
        let path = parts.first.map(String.init) ?? serverRelativeURL
        var query: [(String, String)] = []
        if parts.count == 2 {
            for item in parts[1].split(separator: "&") {
                let pair = item.split(separator: "=", maxSplits: 1)
                query.append((String(pair[0]), pair.count == 2 ? String(pair[1]) : ""))
            }
        }
        return try await transport.send(.GET, path, query: query)
    }
}
