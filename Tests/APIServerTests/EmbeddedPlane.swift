import APIServer
import Foundation
import Resources
import TestSupport
import Testing

/// A real embedded API server on 127.0.0.1 and a free port, over HTTPS with its own CA and
/// token, in a temporary data directory; stopped and removed by ``stop()``.
final class EmbeddedPlane: Sendable {
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

    /// Starts a server; `directory` reuses a data directory (for restarts).
    static func start(directory: URL? = nil) async throws -> EmbeddedPlane {
        let directory = directory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("mizzen-plane-\(UUID().uuidString)")
        var configuration = APIServerConfiguration()
        configuration.port = 0
        let server = try await APIServer.open(dataDirectory: directory, configuration: configuration)
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
        return EmbeddedPlane(directory: directory, endpoint: endpoint, server: server, task: task)
    }

    /// Stops the server (and waits until it has closed the store).
    func stop(removingData: Bool = true) async {
        task.cancel()
        _ = await task.result
        if removingData { try? FileManager.default.removeItem(at: directory) }
    }

    /// The bearer token clients use.
    var token: String {
        (try? String(contentsOf: directory.appendingPathComponent("token"), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    /// Runs kubectl against this server and returns what it printed.
    @discardableResult
    func kubectl(_ arguments: [String], stdin: String? = nil) async throws -> Kubectl.Result {
        try await Kubectl.run(
            ["--kubeconfig", endpoint.kubeconfig.path, "--cache-dir", directory.appendingPathComponent("kubectl-cache").path]
                + arguments, stdin: stdin)
    }

    /// kubectl that must succeed.
    @discardableResult
    func kubectlOK(_ arguments: [String], stdin: String? = nil,
                   sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws -> String {
        let result = try await kubectl(arguments, stdin: stdin)
        #expect(result.status == 0, "kubectl \(arguments.joined(separator: " ")) failed: \(result.stderr)",
                sourceLocation: sourceLocation)
        return result.stdout
    }
}

/// The kubectl binary of these machines.
enum Kubectl {
    typealias Result = ProcessResult

    static let path = "/usr/bin/kubectl"
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// Runs kubectl (ignoring any KUBECONFIG of the environment), killing it after `timeout`.
    static func run(_ arguments: [String], stdin: String? = nil, timeout: TimeInterval = 60) async throws -> Result {
        var environment = ProcessInfo.processInfo.environment
        environment["KUBECONFIG"] = nil
        return try await ProcessRunner.run(
            URL(fileURLWithPath: path), arguments, stdin: stdin, environment: environment, timeout: timeout)
    }
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
