import Foundation
import Synchronization
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `mizzen controller` against a real kube-apiserver whose API server and etcd stop and start
/// while the controller converges applications (issue 15): a copy of the kit of
/// `MIZZEN_REAL_K8S` on its own ports and data, never the shared one.
@Suite(
    "mizzen controller while the real kit's kube-apiserver and etcd stop and start", .serialized,
    .enabled(if: RealCluster.isConfigured && Kubectl.isInstalled, Comment(rawValue: RealCluster.skipReason)))
struct RobustnessKitTests {
    static let ports = RealCluster.Ports(apiServer: 6843, etcd: 2779, controllerManager: 10657)
    static let namespace = "robust"

    static func app(_ index: Int, image: String) -> String {
        """
        apiVersion: core.oam.dev/v1alpha2
        kind: Component
        metadata: {name: web-\(index)}
        spec:
          workload:
            apiVersion: apps/v1
            kind: Deployment
            spec:
              selector: {matchLabels: {app: web-\(index)}}
              template:
                metadata: {labels: {app: web-\(index)}}
                spec:
                  containers: [{name: web, image: nginx:1.0}]
          parameters:
          - {name: image, fieldPaths: ["spec.template.spec.containers[0].image"]}
        ---
        apiVersion: core.oam.dev/v1alpha2
        kind: ApplicationConfiguration
        metadata: {name: app-\(index)}
        spec:
          components:
          - componentName: web-\(index)
            parameterValues: [{name: image, value: "\(image)"}]
        """
    }

    /// `mizzen controller --leader-elect`, started again whenever it exits, as a Deployment's
    /// kubelet would (a leader that cannot renew its Lease while the API server is away exits).
    final class SupervisedController: Sendable {
        let kubeconfig: String
        let log: URL
        private let state = Mutex<(process: Process?, restarts: Int, stopped: Bool)>((nil, 0, false))

        init(kubeconfig: String, log: URL) {
            self.kubeconfig = kubeconfig
            self.log = log
        }

        var restarts: Int { state.withLock { $0.restarts } }

        func start() throws {
            let process = Process()
            process.executableURL = CLI.binary
            process.arguments = [
                "controller", "--kubeconfig", kubeconfig, "--leader-elect",
                "--leader-election-namespace", RobustnessKitTests.namespace,
                "--metrics-address", "", "--log-level", "notice",
            ]
            process.standardOutput = FileHandle.nullDevice
            let output = try FileHandle(forWritingTo: log)
            output.seekToEndOfFile()
            process.standardError = output
            process.terminationHandler = { [weak self] _ in
                guard let self else { return }
                let again = self.state.withLock { state -> Bool in
                    guard !state.stopped else { return false }
                    state.restarts += 1
                    return true
                }
                if again { try? self.start() }
            }
            try state.withLock { state in
                try process.run()
                state.process = process
            }
        }

        func stop() {
            let process = state.withLock { state -> Process? in
                state.stopped = true
                return state.process
            }
            if let process, process.isRunning {
                process.stop()
            }
        }
    }

    @Test("applications converge under mizzen controller although kube-apiserver and etcd stop and start mid-convergence")
    func apiServerStopsAndStarts() async throws {
        let started = ContinuousClock.now
        let cluster = try await RealCluster.startCopy(named: "robustness", ports: Self.ports)
        let kubeconfig = cluster.kubeconfig.path
        func kubectl(_ arguments: [String], stdin: String? = nil) async throws -> Kubectl.Result {
            try await Kubectl.run(["--kubeconfig", kubeconfig] + arguments, stdin: stdin)
        }
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("mizzen-robust-controller-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let controller = SupervisedController(kubeconfig: kubeconfig, log: log)
        let applications = 4
        var outages: [Double] = []

        func body() async throws {
            let installed = try await CLI.run(["install", "--kubeconfig", kubeconfig])
            try #require(installed.status == 0, "mizzen install: \(installed.stderr)")
            _ = try await kubectl(["create", "namespace", Self.namespace])
            try controller.start()
            // Half the applications, then the API server and etcd go away mid-convergence.
            for index in 0..<applications / 2 {
                let applied = try await kubectl(["apply", "-n", Self.namespace, "-f", "-"], stdin: Self.app(index, image: "nginx:1.1"))
                try #require(applied.status == 0, "\(applied.stderr)")
            }
            for round in 0..<2 {
                let down = ContinuousClock.now
                try await Self.runKitScript(cluster.directory.appendingPathComponent("stop.sh"), ports: Self.ports, log: log)
                // Down for longer than the controller's renew deadline (10 s): its Lease is lost.
                try await Task.sleep(for: .seconds(round == 0 ? 4 : 12))
                let status = try await Self.runKitScript(
                    cluster.directory.appendingPathComponent("start.sh"), ports: Self.ports, log: log)
                try #require(status == 0, "start.sh of the kit copy failed; see \(log.path)")
                outages.append(RobustnessRun.seconds(ContinuousClock.now - down))
                // The rest of the applications, and a change to the first, once it is back.
                let index = applications / 2 + round
                let applied = try await kubectl(["apply", "-n", Self.namespace, "-f", "-"], stdin: Self.app(index, image: "nginx:1.1"))
                try #require(applied.status == 0, "\(applied.stderr)")
            }
            let changed = try await kubectl(["apply", "-n", Self.namespace, "-f", "-"], stdin: Self.app(0, image: "nginx:1.2"))
            try #require(changed.status == 0, "\(changed.stderr)")

            for index in 0..<applications {
                let expected = index == 0 ? "nginx:1.2" : "nginx:1.1"
                let converged = try await eventually(timeout: .seconds(120)) {
                    let seen = try await kubectl([
                        "get", "-n", Self.namespace, "applicationconfiguration", "app-\(index)", "-o",
                        "jsonpath={.status.conditions[0].status}/{.status.workloads[0].workloadRef.name}",
                    ])
                    let image = try await kubectl([
                        "get", "-n", Self.namespace, "deployment", "web-\(index)", "-o",
                        "jsonpath={.spec.template.spec.containers[0].image}",
                    ])
                    return seen.stdout == "True/web-\(index)" && image.stdout == expected
                }
                #expect(converged, "app-\(index) did not converge; controller log: \(log.path)")
            }
            print("""
                robustness (real kit): \(outages.count) stops of kube-apiserver and etcd \
                (down \(outages.map { String(format: "%.1f", $0) }.joined(separator: ", ")) s), \
                \(controller.restarts) controller restarts after a lost Lease, \(applications) applications converged, \
                \(String(format: "%.0f", RobustnessRun.seconds(ContinuousClock.now - started))) s
                """)
        }

        var failure: (any Error)?
        do { try await body() } catch { failure = error }
        controller.stop()
        await cluster.stopIfStarted()
        if failure == nil { try? FileManager.default.removeItem(at: log) }
        if let failure { throw failure }
    }

    /// Runs a kit script with the copy's ports, its output appended to `log`.
    @discardableResult
    static func runKitScript(_ script: URL, ports: RealCluster.Ports, log: URL) async throws -> Int32 {
        try await RealCluster.runScript(script, environment: RealCluster.copyEnvironment(ports), log: log, appending: true)
    }
}
