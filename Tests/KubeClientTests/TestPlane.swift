import APIServer
import Foundation
import KubeClient
import Logging
import OrderedCollections
import Resources
import Synchronization
import Testing

/// A real embedded API server over HTTPS on 127.0.0.1, in a temporary data directory (the few
/// lines of `APIServerTests/EmbeddedPlane` this target needs, plus restarting on one port).
final class TestPlane: Sendable {
    let directory: URL
    let endpoint: APIServer.Endpoint
    let server: APIServer
    private let task: Task<Void, any Error>

    private init(directory: URL, endpoint: APIServer.Endpoint, server: APIServer, task: Task<Void, any Error>) {
        self.directory = directory
        self.endpoint = endpoint
        self.server = server
        self.task = task
    }

    /// Starts a server; `directory` and `port` reuse those of a stopped one (a restart).
    static func start(directory: URL? = nil, port: Int = 0, maxWatches: Int = 1_000) async throws -> TestPlane {
        let directory = directory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("mizzen-kubeclient-\(UUID().uuidString)")
        var configuration = APIServerConfiguration()
        configuration.port = port
        configuration.maxWatches = maxWatches
        var logger = Logger(label: "mizzen.test.apiserver")
        logger.logLevel = .critical
        let server = try await APIServer.open(dataDirectory: directory, configuration: configuration, logger: logger)
        let (ready, continuation) = AsyncStream<APIServer.Endpoint>.makeStream()
        let task = Task {
            try await server.run { endpoint in
                continuation.yield(endpoint)
                continuation.finish()
            }
        }
        var iterator = ready.makeAsyncIterator()
        guard let endpoint = await iterator.next() else {
            task.cancel()
            throw CancellationError()
        }
        return TestPlane(directory: directory, endpoint: endpoint, server: server, task: task)
    }

    /// Stops the server and waits until it has closed its store.
    func stop(removingData: Bool = true) async {
        task.cancel()
        _ = await task.result
        if removingData { try? FileManager.default.removeItem(at: directory) }
    }

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
func eventually(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

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
