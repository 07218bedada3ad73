import Foundation
import Resources
import TestSupport
import Testing

/// Two `mizzen controller` processes with leader election against one `mizzen serve
/// --no-controllers`: one leads, and the other takes over when the leader is killed.
@Suite("leader election between controller processes", .serialized, .enabled(if: Kubectl.isInstalled))
struct LeaderElectionProcessTests {
    /// A controller process whose standard error goes to a file (read to learn its identity).
    struct ControllerProcess {
        let process: Process
        let log: URL

        static func start(kubeconfig: URL, directory: URL, name: String) throws -> ControllerProcess {
            let log = directory.appendingPathComponent("\(name).log")
            FileManager.default.createFile(atPath: log.path, contents: nil)
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = [
                "controller", "--kubeconfig", kubeconfig.path, "--leader-elect", "--lease-duration", "3",
                "--renew-deadline", "2", "--retry-period", "1", "--metrics-address", "127.0.0.1:0",
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = try FileHandle(forWritingTo: log)
            try process.run()
            return ControllerProcess(process: process, log: log)
        }

        /// The identity it writes into the Lease, from its start-up line.
        var identity: String? {
            guard let text = try? String(contentsOf: log, encoding: .utf8),
                let range = text.range(of: "identity=")
            else { return nil }
            return String(text[range.upperBound...].prefix { !$0.isWhitespace })
        }
    }

    @Test("a second replica waits, then takes over within the lease duration when the first is killed")
    func takeover() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mizzen-le-\(UUID().uuidString)")
        let (server, _, _) = try ServeCommandTests.start(directory, extra: ["--no-controllers"])
        let kubeconfig = directory.appendingPathComponent("kubeconfig")
        let first = try ControllerProcess.start(kubeconfig: kubeconfig, directory: directory, name: "first")
        let second = try ControllerProcess.start(kubeconfig: kubeconfig, directory: directory, name: "second")
        defer {
            for process in [first.process, second.process, server] { process.stop() }
            try? FileManager.default.removeItem(at: directory)
        }
        func kubectl(_ arguments: [String], stdin: String? = nil) async throws -> Kubectl.Result {
            try await Kubectl.run(["--kubeconfig", kubeconfig.path] + arguments, stdin: stdin)
        }
        func holder() async throws -> String {
            try await kubectl(["get", "lease", "mizzen-controller", "-o", "jsonpath={.spec.holderIdentity}"]).stdout
        }
        func app(_ name: String) -> String {
            """
            apiVersion: core.oam.dev/v1alpha2
            kind: Component
            metadata: {name: \(name)}
            spec:
              workload: {apiVersion: v1, kind: ConfigMap, data: {owner: \(name)}}
            ---
            apiVersion: core.oam.dev/v1alpha2
            kind: ApplicationConfiguration
            metadata: {name: \(name)}
            spec:
              components: [{componentName: \(name)}]
            """
        }

        var leader = ""
        let elected = try await eventually(timeout: .seconds(30)) {
            leader = try await holder()
            return !leader.isEmpty
        }
        #expect(elected, "nobody took the lease")
        let identities = [first.identity, second.identity]
        #expect(identities.contains(leader), "the lease holder \(leader) is neither of \(identities)")
        _ = try await kubectl(["apply", "-f", "-"], stdin: app("before"))
        let served = try await eventually(timeout: .seconds(30)) {
            try await kubectl(["get", "configmap", "before"]).status == 0
        }
        #expect(served, "the leader did not reconcile")

        // Kill the leader without letting it release the lease: the other takes over.
        let (victim, survivor) = first.identity == leader ? (first, second) : (second, first)
        kill(victim.process.processIdentifier, SIGKILL)
        victim.process.waitUntilExit()
        let killedAt = ContinuousClock.now
        let tookOver = try await eventually(timeout: .seconds(30)) {
            try await holder() == survivor.identity ?? "?"
        }
        #expect(tookOver, "the survivor did not take the lease")
        // Within the lease duration (3 s) plus one retry period and the polling.
        #expect(ContinuousClock.now - killedAt < .seconds(8))
        _ = try await kubectl(["apply", "-f", "-"], stdin: app("after"))
        let servedAfter = try await eventually(timeout: .seconds(30)) {
            try await kubectl(["get", "configmap", "after"]).status == 0
        }
        #expect(servedAfter, "the new leader did not reconcile")
    }
}
