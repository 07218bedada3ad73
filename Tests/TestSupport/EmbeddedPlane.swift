import APIServer
import Foundation
import Logging
import OAM

/// A real embedded API server on 127.0.0.1 over HTTPS with its own CA and token, in a temporary
/// data directory, for tests; ``stop(removingData:)`` stops it and removes the directory.
public final class EmbeddedPlane: Sendable {
    public let directory: URL
    public let endpoint: APIServer.Endpoint
    public let server: APIServer
    private let task: Task<Void, any Error>

    private init(directory: URL, endpoint: APIServer.Endpoint, server: APIServer, task: Task<Void, any Error>) {
        self.directory = directory
        self.endpoint = endpoint
        self.server = server
        self.task = task
    }

    /// Starts a server. `directory` and `port` reuse those of a stopped one (a restart); port 0
    /// picks a free one. With `oam` (the default) it holds the OAM CRDs and built-in definitions
    /// from the start, as `mizzen serve` does. `admission` runs on every create and update, as in
    /// `mizzen serve`.
    public static func start(
        directory: URL? = nil, port: Int = 0, maxWatches: Int = 1_000, oam: Bool = true,
        admission: [any AdmissionController] = []
    ) async throws -> EmbeddedPlane {
        let directory = directory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("mizzen-plane-\(UUID().uuidString)")
        var configuration = APIServerConfiguration()
        configuration.port = port
        configuration.maxWatches = maxWatches
        if oam { configuration.seedObjects = OAMCustomResourceDefinitions.all + BuiltinDefinitions.all }
        var logger = Logger(label: "mizzen.test.apiserver")
        logger.logLevel = .critical
        let server = try await APIServer.open(
            dataDirectory: directory, configuration: configuration, admission: admission, logger: logger)
        let (ready, continuation) = AsyncStream<APIServer.Endpoint>.makeStream()
        // The server runs until `stop()` cancels this task and waits for it.
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
        return EmbeddedPlane(directory: directory, endpoint: endpoint, server: server, task: task)
    }

    /// Stops the server and waits until it has closed its store.
    public func stop(removingData: Bool = true) async {
        task.cancel()
        _ = await task.result
        if removingData { try? FileManager.default.removeItem(at: directory) }
    }

    /// The bearer token clients use.
    public var token: String {
        (try? String(contentsOf: directory.appendingPathComponent("token"), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }
}

/// Polls `condition` until it holds or `timeout` passes; tests never sleep a fixed time.
public func eventually(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}
