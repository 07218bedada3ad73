import APIServer
import Foundation
import KubeClient
import Logging
import OrderedCollections
import Resources
import Synchronization
import TestSupport
import Testing

typealias TestPlane = EmbeddedPlane

extension EmbeddedPlane {
    /// A client from the kubeconfig the server wrote.
    func client(options: KubernetesClient.Options = KubernetesClient.Options()) throws -> KubernetesClient {
        try KubernetesClient(kubeconfig: endpoint.kubeconfig.path, options: options)
    }
}

/// Runs `body` with a plane and a client, then shuts both down, also when `body` throws.
func withPlane(_ body: (TestPlane, KubernetesClient) async throws -> Void) async throws {
    let plane = try await TestPlane.start()
    let client: KubernetesClient
    do {
        client = try plane.client()
    } catch {
        await plane.stop()
        throw error
    }
    do {
        try await body(plane, client)
    } catch {
        try await client.shutdown()
        await plane.stop()
        throw error
    }
    try await client.shutdown()
    await plane.stop()
}

/// Polls `condition` until it holds or `timeout` passes; no fixed sleeps in tests.

/// Collects what a stream delivers, so that a test polls for it with a deadline instead of
/// blocking on `next()`.
final class Collector<Element: Sendable>: Sendable {
    private let state = Mutex<(items: [Element], finished: Bool, error: String?)>(([], false, nil))

    var items: [Element] { state.withLock { $0.items } }
    var finished: Bool { state.withLock { $0.finished } }
    var error: String? { state.withLock { $0.error } }

    func append(_ item: Element) { state.withLock { $0.items.append(item) } }
    func finish(error: (any Error)? = nil) {
        state.withLock {
            $0.finished = true
            $0.error = error.map { "\($0)" }
        }
    }
}

let configMapKind = GroupVersionKind(group: "", version: "v1", kind: "ConfigMap")

func configMap(_ name: String, namespace: String = "default", data: JSONValue = ["k": "v"]) -> Resource {
    var object = Resource(apiVersion: "v1", kind: "ConfigMap", name: name, namespace: namespace)
    object.object["data"] = data
    return object
}
