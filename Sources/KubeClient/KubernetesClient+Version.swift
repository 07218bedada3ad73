public import Resources
import NIOHTTP1

extension KubernetesClient {
    /// The server's `/version` document (`gitVersion`, `platform`, …), as `kubectl version` shows it.
    ///
    /// - Throws: `APIError`, ``ClientError``.
    public func serverVersion() async throws -> JSONValue {
        try await transport.send(.GET, "/version")
    }
}
