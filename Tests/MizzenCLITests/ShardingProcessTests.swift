import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Two `mizzen controller --shard I/2` processes splitting the applications of several
/// namespaces: on `mizzen serve --no-controllers`, and on the real kit when `MIZZEN_REAL_K8S`
/// is set (else that case is skipped, and says so). The shards own only the namespaces labelled
/// for the test (`--shard-selector` with `--shard`), so that on the shared kit they leave
/// everyone else's applications alone.
@Suite("sharded controller processes", .serialized, .enabled(if: Kubectl.isInstalled))
struct ShardingProcessTests {
    enum Place: String, CustomStringConvertible, CaseIterable {
        case embedded
        case realCluster

        var description: String { rawValue }
    }

    /// The namespace's shard among `count`, as `mizzen controller` documents it: the 32-bit
    /// FNV-1a hash of its name's UTF-8 bytes, modulo `count`.
    static func shard(of namespace: String, count: Int) -> Int {
        var hash: UInt32 = 2_166_136_261
        for byte in namespace.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return Int(hash % UInt32(count))
    }

    static func app(_ name: String) -> String {
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

    static func read(_ log: URL) -> String {
        (try? String(contentsOf: log, encoding: .utf8)) ?? ""
    }

    @Test("mizzen controller --shard refuses a shard that does not exist, saying why")
    func invalidShard() async throws {
        let result = try await CLI.run(["controller", "--shard", "2/2", "--kubeconfig", "/nonexistent"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--shard shard 2 of 2 does not exist: shards are numbered 0 to 1"), "\(result.stderr)")
        let selector = try await CLI.run(["controller", "--shard-selector", "a in (", "--kubeconfig", "/nonexistent"])
        #expect(selector.status != 0)
        #expect(selector.stderr.contains("--shard-selector a in ("), "\(selector.stderr)")
    }

    @Test("two shard processes split the applications; a killed shard's stay, the other does not take them, and it picks them up again")
    func twoShardProcessesOnTheEmbeddedPlane() async throws {
        try await twoShardProcesses(on: .embedded)
    }

    @Test(
        "on the real kit, two shard processes split the applications; a killed shard's stay, the other does not take them, and it picks them up again",
        .enabled(if: RealCluster.isConfigured, Comment(rawValue: RealCluster.skipReason)))
    func twoShardProcessesOnTheRealKit() async throws {
        try await twoShardProcesses(on: .realCluster)
    }

    func twoShardProcesses(on place: Place) async throws {
        let suffix = String((0..<8).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement()! })
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mizzen-shards-\(suffix)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var server: Process?
        let kubeconfig: String
        switch place {
        case .embedded:
            let (serve, _, _) = try ServeCommandTests.start(directory, extra: ["--no-controllers"])
            server = serve
            kubeconfig = directory.appendingPathComponent("kubeconfig").path
        case .realCluster:
            kubeconfig = try await RealCluster.start().kubeconfig.path
            let installed = try await CLI.run(["install", "--kubeconfig", kubeconfig])
            try #require(installed.status == 0, "mizzen install: \(installed.stderr)")
        }
        func kubectl(_ arguments: [String], stdin: String? = nil) async throws -> Kubectl.Result {
            try await Kubectl.run(["--kubeconfig", kubeconfig] + arguments, stdin: stdin)
        }
        // Two namespaces per shard.
        var byShard: [[String]] = [[], []]
        var candidate = 0
        while byShard.contains(where: { $0.count < 2 }) {
            let name = "mizzen-shards-\(suffix)-\(candidate)"
            let index = Self.shard(of: name, count: 2)
            if byShard[index].count < 2 { byShard[index].append(name) }
            candidate += 1
        }
        let all = byShard.flatMap { $0 }
        let leaseNamespace = all[0]
        let leasePrefix = "mizzen-\(suffix)"

        var processes: [Int: (Process, URL)] = [:]
        var restarts = 0
        func start(_ index: Int) throws {
            restarts += 1
            let log = directory.appendingPathComponent("shard-\(index)-\(restarts).log")
            FileManager.default.createFile(atPath: log.path, contents: nil)
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = [
                "controller", "--kubeconfig", kubeconfig, "--shard", "\(index)/2",
                "--shard-selector", "mizzen.dev/shard-test=\(suffix)",
                "--leader-election-id", leasePrefix, "--leader-election-namespace", leaseNamespace,
                "--lease-duration", "6", "--renew-deadline", "4", "--retry-period", "1",
                "--metrics-address", "127.0.0.1:0", "--workers", "2",
            ]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = try FileHandle(forWritingTo: log)
            try process.run()
            processes[index] = (process, log)
        }
        func converged(_ name: String, in namespace: String) async throws -> Bool {
            try await kubectl(["get", "configmap", name, "-n", namespace]).status == 0
        }
        func apply(_ name: String, in namespace: String) async throws {
            let applied = try await kubectl(["apply", "-n", namespace, "-f", "-"], stdin: Self.app(name))
            try #require(applied.status == 0, "\(applied.stderr)")
        }

        func body() async throws {
            for namespace in all {
                let created = try await kubectl(["create", "namespace", namespace])
                try #require(created.status == 0, "\(created.stderr)")
                _ = try await kubectl([
                    "label", "namespace", namespace, "mizzen.dev/shard-test=\(suffix)", "mizzen.dev/test-namespace=true",
                ])
                try await apply("app", in: namespace)
            }
            try start(0)
            try start(1)
            for namespace in all {
                let done = try await eventually(timeout: .seconds(60)) { try await converged("app", in: namespace) }
                #expect(done, "the application of \(namespace) did not converge")
            }
            // Each shard's Lease records its shard; its log says which shard it is and how many
            // namespaces it owns.
            for index in 0..<2 {
                let recorded = try await kubectl([
                    "get", "lease", "\(leasePrefix)-shard-\(index)", "-n", leaseNamespace,
                    "-o", #"jsonpath={.metadata.annotations.mizzen\.dev/shard}"#,
                ])
                #expect(recorded.stdout == "\(index)/2", "\(recorded.stderr)")
                let log = processes[index]!.1
                let counted = try await eventually(timeout: .seconds(10)) {
                    let text = Self.read(log)
                    return text.contains("shard.namespaces") && text.contains("namespaces=2") && text.contains("shard=\(index)/2")
                }
                #expect(counted, "shard \(index) did not log its 2 namespaces: \(Self.read(log))")
            }

            // Kill shard 1 without letting it release its Lease.
            let (victim, _) = processes.removeValue(forKey: 1)!
            kill(victim.processIdentifier, SIGKILL)
            victim.waitUntilExit()
            let (mine, theirs) = (byShard[0][0], byShard[1][0])
            try await apply("later", in: theirs)
            try await apply("later", in: mine)
            let servedMine = try await eventually(timeout: .seconds(30)) { try await converged("later", in: mine) }
            #expect(servedMine, "shard 0 stopped serving its own namespace \(mine)")
            // Past the Lease's expiry (6 s): shard 0 still leaves shard 1's namespaces alone…
            let taken = try await eventually(timeout: .seconds(8)) { try await converged("later", in: theirs) }
            #expect(!taken, "shard 0 reconciled \(theirs), which belongs to shard 1")
            // …whose applications are still there.
            for namespace in byShard[1] {
                #expect(try await converged("app", in: namespace), "the objects of \(namespace) went with its shard")
            }

            // Shard 1 again, same I/N: it takes its Lease once expired and picks its applications up.
            try start(1)
            let pickedUp = try await eventually(timeout: .seconds(60)) { try await converged("later", in: theirs) }
            #expect(pickedUp, "the restarted shard 1 did not reconcile \(theirs); log: \(Self.read(processes[1]!.1))")
        }

        var failure: (any Error)?
        do { try await body() } catch { failure = error }
        if failure != nil {
            for (index, (_, log)) in processes.sorted(by: { $0.key < $1.key }) { print("shard \(index)'s log:\n\(Self.read(log))") }
        }
        if place == .realCluster {
            // While the shards still run, so that they remove what they finalize.
            _ = try? await kubectl(["delete", "namespace"] + all + ["--wait=false"])
        }
        for (process, _) in processes.values { process.stop() }
        server?.stop()
        try? FileManager.default.removeItem(at: directory)
        if let failure { throw failure }
    }
}
