import APIServer
import Foundation
import KubeClient
import OrderedCollections
import Synchronization
import TestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Runs `body` with an embedded plane and `count` clients of it (each with its own
/// connections, as separate replicas would have), then shuts every client down and stops the
/// plane, also when `body` throws.
func withPlaneClients(
    _ count: Int, options: KubernetesClient.Options = KubernetesClient.Options(),
    _ body: (EmbeddedPlane, [KubernetesClient]) async throws -> Void
) async throws {
    let plane = try await EmbeddedPlane.start()
    var clients: [KubernetesClient] = []
    var failure: (any Error)?
    do {
        for _ in 0..<count {
            clients.append(try KubernetesClient(kubeconfig: plane.endpoint.kubeconfig.path, options: options))
        }
        try await body(plane, clients)
    } catch {
        failure = error
    }
    for client in clients { try? await client.shutdown() }
    await plane.stop()
    if let failure { throw failure }
}

/// A value tests set from tasks and read while polling.
final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>

    init(_ value: Value) { self.value = Mutex(value) }

    func get() -> Value { value.withLock { $0 } }

    @discardableResult
    func update<Result: Sendable>(_ body: @Sendable (inout Value) -> Result) -> Result {
        value.withLock { body(&$0) }
    }
}

/// `GET url`: the status code and the body as text.
func httpGet(_ url: String) async throws -> (status: Int, body: String) {
    let (data, response) = try await URLSession.shared.data(from: URL(string: url)!)
    let status = (response as? HTTPURLResponse)?.statusCode ?? 0
    return (status, String(decoding: data, as: UTF8.self))
}
