import Foundation
import TestSupport
import Testing

/// Where a CLI scenario runs: the embedded plane of a ``PlaneSession`` (started by the first
/// `up`), or a fresh namespace of the real kit (`MIZZEN_REAL_K8S`) with `mizzen controller
/// --namespace` running against it. The same steps, the same assertions.
struct CLIPlace: CustomStringConvertible {
    enum Substrate: CustomStringConvertible, CaseIterable {
        case embedded
        case realCluster

        /// The embedded plane always; the real kit when it is configured.
        static var available: [Substrate] {
            RealCluster.isConfigured ? [.embedded, .realCluster] : [.embedded]
        }

        var description: String { self == .embedded ? "embedded plane" : "real kit" }
    }

    let substrate: Substrate
    /// The flags that point `mizzen` at the place.
    let target: [String]
    let kubeconfig: String
    let namespace: String

    var description: String { "\(substrate) (namespace \(namespace))" }

    /// `mizzen ARGUMENTS… <target flags>`.
    func mizzen(_ arguments: [String], stdin: String? = nil) async throws -> CLIResult {
        try await CLI.run(arguments + target, stdin: stdin)
    }

    /// `kubectl --kubeconfig K -n NS ARGUMENTS…`.
    func kubectl(_ arguments: [String], stdin: String? = nil) async throws -> Kubectl.Result {
        try await Kubectl.run(["--kubeconfig", kubeconfig, "-n", namespace] + arguments, stdin: stdin)
    }

    /// `kubectl get KIND NAME -o jsonpath=PATH`, its output; empty when there is no such object.
    func jsonpath(_ kind: String, _ name: String, _ path: String) async throws -> String {
        let result = try await kubectl(["get", kind, name, "-o", "jsonpath=\(path)"])
        return result.status == 0 ? result.stdout : ""
    }

    /// Applies `paths` with `mizzen up` and waits until the AppConfig `app` applied `workload`
    /// (a Deployment). On the real kit nothing runs Deployments: the Deployments named in
    /// `ready` are given a ready replica by a status write, as a kubelet would.
    func up(_ paths: [String], deployments ready: [String] = [], until workload: String) async throws {
        let waits = substrate == .embedded ? ["--wait", "--timeout", "60s"] : []
        let result = try await mizzen(["up"] + paths.flatMap { ["-f", $0] } + waits)
        try #require(result.status == 0, "mizzen up on \(self): \(result.stderr)")
        if substrate == .realCluster {
            for name in ready {
                let exists = try await eventually(timeout: .seconds(30)) { try await jsonpath("deployment", name, "{.metadata.name}") == name }
                try #require(exists, "Deployment \(name) never appeared on \(self)")
                let patched = try await kubectl([
                    "patch", "deployment", name, "--subresource=status", "--type=merge",
                    "-p", #"{"status":{"replicas":1,"readyReplicas":1,"availableReplicas":1,"updatedReplicas":1}}"#,
                ])
                try #require(patched.status == 0, "\(patched.stderr)")
            }
        }
        let applied = try await eventually(timeout: .seconds(30)) {
            try await jsonpath("deployment", workload, "{.metadata.name}") == workload
        }
        try #require(applied, "Deployment \(workload) never appeared on \(self)")
    }

    /// Runs `body` on `substrate`, cleaning up afterwards whatever happens.
    static func with<T>(_ substrate: Substrate, _ body: (CLIPlace) async throws -> T) async throws -> T {
        switch substrate {
        case .embedded:
            return try await PlaneSession.with { session in
                let place = CLIPlace(
                    substrate: .embedded, target: ["--data-dir", session.dataDir],
                    kubeconfig: session.directory.appendingPathComponent("kubeconfig").path, namespace: "default")
                return try await body(place)
            }
        case .realCluster:
            return try await onRealCluster(body)
        }
    }

    /// A fresh namespace of the real kit, the OAM CRDs installed, and `mizzen controller
    /// --namespace` reconciling it for the time of `body`.
    private static func onRealCluster<T>(_ body: (CLIPlace) async throws -> T) async throws -> T {
        let cluster = try await RealCluster.start()
        let kubeconfig = cluster.kubeconfig.path
        let installed = try await CLI.run(["install", "--kubeconfig", kubeconfig])
        try #require(installed.status == 0, "mizzen install: \(installed.stderr)")
        let suffix = String((0..<8).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement()! })
        let namespace = "mizzen-cli-\(suffix)"
        let created = try await Kubectl.run(["--kubeconfig", kubeconfig, "create", "namespace", namespace])
        try #require(created.status == 0, "\(created.stderr)")
        _ = try await Kubectl.run(["--kubeconfig", kubeconfig, "label", "namespace", namespace, "mizzen.dev/test-namespace=true"])
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("mizzen-controller-\(suffix).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let controller = Process()
        controller.executableURL = CLI.binary
        controller.arguments = [
            "controller", "--kubeconfig", kubeconfig, "--namespace", namespace, "--metrics-address", "",
            "--log-level", "notice",
        ]
        controller.standardOutput = FileHandle.nullDevice
        controller.standardError = try FileHandle(forWritingTo: log)
        let place = CLIPlace(
            substrate: .realCluster, target: ["--kubeconfig", kubeconfig, "-n", namespace], kubeconfig: kubeconfig,
            namespace: namespace)
        var outcome: Result<T, any Error>
        do {
            try controller.run()
            outcome = .success(try await body(place))
        } catch {
            outcome = .failure(error)
        }
        controller.stop()
        if case .failure = outcome {
            print("mizzen controller's log:\n\((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
        _ = try? await Kubectl.run(["--kubeconfig", kubeconfig, "delete", "namespace", namespace, "--wait=false"])
        try? FileManager.default.removeItem(at: log)
        return try outcome.get()
    }

    /// A copy of example `name` in a temporary directory, with `edit` applied to the text of
    /// each file (by file name).
    static func editedExample(_ name: String, _ edit: (String, String) -> String) throws -> String {
        let source = URL(fileURLWithPath: CLI.example(name))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mizzen-edit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for file in try FileManager.default.contentsOfDirectory(atPath: source.path) where file.hasSuffix(".yaml") {
            let text = try String(contentsOf: source.appendingPathComponent(file), encoding: .utf8)
            try edit(file, text).write(to: directory.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        return directory.path
    }
}
