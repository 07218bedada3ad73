import Foundation

/// The real etcd + kube-apiserver (+ kube-controller-manager) kit that `shared/tools/real-k8s`
/// builds, for tests that compare Mizzen with the real thing.
///
/// Tests find the kit through `MIZZEN_REAL_K8S` (its directory) and are skipped, with that
/// reason, when it is unset: CI does not build the kit.
///
/// ```swift
/// @Test(.enabled(if: RealCluster.isConfigured, Comment(rawValue: RealCluster.skipReason)))
/// func compare() async throws {
///     let cluster = try await RealCluster.start()
///     defer { cluster.stopIfStarted() }
///     try await Kubectl.run(["--kubeconfig", cluster.kubeconfig.path, "get", "ns"])
/// }
/// ```
public struct RealCluster: Sendable {
    /// The kit's directory (`bin/`, `run/`, `kubeconfig`, `start.sh`, `stop.sh`).
    public let directory: URL
    /// Whether this test started the kit (and so stops it when done).
    public let started: Bool

    /// The kit's admin kubeconfig.
    public var kubeconfig: URL { directory.appendingPathComponent("kubeconfig") }

    /// The kit named by `MIZZEN_REAL_K8S`, if any.
    public static var configuredDirectory: URL? {
        guard let path = ProcessInfo.processInfo.environment["MIZZEN_REAL_K8S"], !path.isEmpty else { return nil }
        return URL(fileURLWithPath: path)
    }

    public static var isConfigured: Bool { configuredDirectory != nil }

    /// Why tests that need the kit are skipped.
    public static let skipReason =
        "set MIZZEN_REAL_K8S to a kit built by shared/tools/real-k8s/build.sh to compare with a real kube-apiserver"

    /// Uses the running kit, or starts it with the kube-controller-manager but without its
    /// deployment controller (no nodes run there: tests write Deployment status themselves).
    ///
    /// A kit that is already running is used as it is, whatever it was started with.
    public static func start(timeout: TimeInterval = 240) async throws -> RealCluster {
        guard let directory = configuredDirectory else { throw RealClusterError("MIZZEN_REAL_K8S is not set") }
        let start = directory.appendingPathComponent("start.sh")
        guard FileManager.default.isExecutableFile(atPath: start.path) else {
            throw RealClusterError("\(start.path) is missing: MIZZEN_REAL_K8S must name a kit built by build.sh")
        }
        let wasRunning = try await isRunning(directory)
        if !wasRunning {
            var environment = ProcessInfo.processInfo.environment
            environment["WITH_KCM"] = "1"
            environment["AUTHZ_MODE"] = environment["AUTHZ_MODE"] ?? "AlwaysAllow"
            environment["EXTRA_KCM_ARGS"] = environment["EXTRA_KCM_ARGS"] ?? "--controllers=*,-deployment-controller"
            let result = try await ProcessRunner.run(start, [], environment: environment, timeout: timeout)
            guard result.status == 0 else {
                throw RealClusterError("start.sh failed (\(result.status)):\n\(result.stdout)\n\(result.stderr)")
            }
        }
        return RealCluster(directory: directory, started: !wasRunning)
    }

    /// Stops the kit if this test started it.
    public func stopIfStarted() async {
        guard started else { return }
        _ = try? await ProcessRunner.run(directory.appendingPathComponent("stop.sh"), [], timeout: 60)
    }

    /// Whether the kit's kube-apiserver answers `/readyz`.
    static func isRunning(_ directory: URL) async throws -> Bool {
        let pidFile = directory.appendingPathComponent("run/kube-apiserver.pid")
        guard let pid = try? String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
              FileManager.default.fileExists(atPath: "/proc/\(pid)")
        else { return false }
        let kubeconfig = directory.appendingPathComponent("kubeconfig")
        let result = try await Kubectl.run(["--kubeconfig", kubeconfig.path, "get", "--raw", "/readyz"], timeout: 20)
        return result.status == 0
    }
}

public struct RealClusterError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
