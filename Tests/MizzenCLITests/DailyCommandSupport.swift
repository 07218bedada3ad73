import Foundation
import Synchronization
import TestSupport
import Testing

/// A `mizzen` process left running (`events -w`, `wait`), whose standard output is read as it
/// comes. Stop it with ``stop()``.
///
/// `@unchecked Sendable`: the Process is configured and started in `init` only; afterwards it is
/// only asked `isRunning`/`terminationStatus` or terminated, which Foundation's Process guards
/// itself; the output lives behind Mutexes.
final class RunningCLI: @unchecked Sendable {
    private let process: Process
    private let output = TextBuffer()
    private let errors = TextBuffer()

    init(_ arguments: [String]) throws {
        process = Process()
        process.executableURL = CLI.binary
        process.arguments = arguments
        process.currentDirectoryURL = CLI.repository
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        let output = output
        let errors = errors
        let ending = PipeReader.Ending()
        process.terminationHandler = { _ in ending.mark() }
        try process.run()
        try PipeReader.start(stdout.fileHandleForReading, ending: ending) { output.append($0) }
        try PipeReader.start(stderr.fileHandleForReading, ending: ending) { errors.append($0) }
    }

    var stdout: String { output.text }
    var stderr: String { errors.text }
    var isRunning: Bool { process.isRunning }
    var status: Int32 { process.terminationStatus }

    /// Waits (up to `timeout`) until the process has ended on its own.
    func waitForExit(timeout: Duration = .seconds(30)) async throws -> Bool {
        try await eventually(timeout: timeout) { !self.process.isRunning }
    }

    func stop() {
        process.stop()
    }
}

/// Text that arrives in pieces from a pipe's reading thread (kept as bytes, so that a character
/// split between two pieces is whole when read).
final class TextBuffer: Sendable {
    private let storage = Mutex<[UInt8]>([])

    func append(_ bytes: [UInt8]) {
        storage.withLock { $0 += bytes }
    }

    var text: String { storage.withLock { String(decoding: $0, as: UTF8.self) } }
}

/// The OAM controllers of `mizzen controller` on the real kit of `MIZZEN_REAL_K8S`, for one
/// fresh namespace: `mizzen install`, the namespace, the controller process; ``finish()`` stops
/// the controller and deletes the namespace.
struct RealKitSession {
    let kubeconfig: String
    let namespace: String
    let controller: RunningCLI

    static func start(topic: String) async throws -> RealKitSession {
        let cluster = try await RealCluster.start()
        let kubeconfig = cluster.kubeconfig.path
        let installed = try await CLI.run(["install", "--kubeconfig", kubeconfig])
        try #require(installed.status == 0, "mizzen install: \(installed.stderr)")
        let suffix = String((0..<6).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement()! })
        let namespace = "mizzen-\(topic)-\(suffix)"
        let created = try await Kubectl.run(["--kubeconfig", kubeconfig, "create", "namespace", namespace])
        try #require(created.status == 0, "\(created.stderr)")
        _ = try await Kubectl.run(["--kubeconfig", kubeconfig, "label", "namespace", namespace, "mizzen.dev/test-namespace=true"])
        let controller = try RunningCLI([
            "controller", "--kubeconfig", kubeconfig, "--namespace", namespace, "--metrics-address", "", "--log-level", "warning",
        ])
        return RealKitSession(kubeconfig: kubeconfig, namespace: namespace, controller: controller)
    }

    /// `mizzen ARGUMENTS… --kubeconfig K -n NS`.
    func run(_ arguments: [String]) async throws -> CLIResult {
        try await CLI.run(arguments + ["--kubeconfig", kubeconfig, "-n", namespace])
    }

    func kubectl(_ arguments: [String], stdin: String? = nil) async throws -> Kubectl.Result {
        try await Kubectl.run(["--kubeconfig", kubeconfig, "-n", namespace] + arguments, stdin: stdin)
    }

    /// Writes a Deployment's status as a deployment controller would once its Pods are available
    /// (the kit runs none).
    func markAvailable(_ deployment: String) async throws {
        let live = try await kubectl(["get", "deployment", deployment, "-o", "jsonpath={.metadata.generation} {.spec.replicas}"])
        let parts = live.stdout.split(separator: " ").map(String.init)
        let generation = parts.first ?? "1"
        let replicas = parts.count > 1 ? parts[1] : "1"
        let patched = try await kubectl([
            "patch", "deployment", deployment, "--subresource=status", "--type=merge", "-p",
            "{\"status\":{\"observedGeneration\":\(generation),\"replicas\":\(replicas),\"readyReplicas\":\(replicas),\"availableReplicas\":\(replicas),\"updatedReplicas\":\(replicas)}}",
        ])
        #expect(patched.status == 0, "\(patched.stderr)")
    }

    func finish() async {
        controller.stop()
        _ = try? await Kubectl.run(["--kubeconfig", kubeconfig, "delete", "namespace", namespace, "--wait=false"])
    }

    static func with<T>(topic: String, _ body: (RealKitSession) async throws -> T) async throws -> T {
        let session = try await start(topic: topic)
        do {
            let result = try await body(session)
            await session.finish()
            return result
        } catch {
            print("mizzen controller's stderr:\n\(session.controller.stderr)")
            await session.finish()
            throw error
        }
    }
}
