import ArgumentParser
import Foundation
import KubeClient
import Logging
import Resources

/// Where the daily-use commands (`up`, `status`, `get`, …) send their requests: the embedded
/// control plane of `--data-dir` by default, or the cluster of `--kubeconfig` / `--context`.
struct TargetOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The embedded control plane's data directory, used when no --kubeconfig or --context is given.", valueName: "dir"))
    var dataDir = ".mizzen"

    @Option(help: "Use this kubeconfig's cluster instead of the embedded control plane.")
    var kubeconfig: String?

    @Option(help: "Use this context of the kubeconfig (KUBECONFIG, then ~/.kube/config, when --kubeconfig is not given).")
    var context: String?

    @Option(name: [.customShort("n"), .customLong("namespace")], help: "The namespace (default: the context's namespace, `default` on the embedded plane).")
    var namespace: String?

    /// A cluster was asked for rather than the embedded plane.
    var usesCluster: Bool { kubeconfig != nil || context != nil }

    var plane: BackgroundPlane { BackgroundPlane(dataDirectory: dataDir) }

    /// A client of the target. On the embedded plane, the plane must be running.
    ///
    /// - Throws: ``CommandFailure`` saying what to do when there is no plane or the kubeconfig
    ///   cannot be used.
    func connect(logger: Logger = Logger(label: "mizzen.cli")) async throws -> Target {
        if usesCluster {
            let client = try makeClient(kubeconfig: kubeconfig, logger: logger)
            let place = "context \(client.connection.contextName ?? "-") (\(client.connection.server))"
            let target = Target(client: client, place: place, namespace: namespace ?? client.defaultNamespace, embedded: nil)
            try await target.probe()
            return target
        }
        let plane = plane
        guard await plane.ready() else {
            throw CommandFailure(
                "no control plane is running in \(plane.displayPath)",
                hint: "start one with `mizzen up -f FILE…` (or `mizzen serve --data-dir \(plane.displayPath)`), or give --kubeconfig to use a cluster")
        }
        let client = try makeClient(kubeconfig: plane.kubeconfig.path, logger: logger)
        let target = Target(
            client: client, place: "the embedded control plane in \(plane.displayPath)",
            namespace: namespace ?? client.defaultNamespace, embedded: plane)
        try await target.probe()
        return target
    }

    func makeClient(kubeconfig: String?, logger: Logger) throws -> KubernetesClient {
        var options = KubernetesClient.Options()
        options.userAgent = "mizzen/\(MizzenVersion.current)"
        options.requestTimeout = .seconds(30)
        options.connectTimeout = .seconds(3)
        do {
            return try KubernetesClient(kubeconfig: kubeconfig, context: context, options: options, logger: logger)
        } catch {
            throw CommandFailure(
                "cannot use the kubeconfig\(kubeconfig.map { " \($0)" } ?? ""): \(error)",
                hint: "check --kubeconfig and --context (kubectl config get-contexts lists them)", status: ExitStatus.invalidInput)
        }
    }
}

/// A connected target.
struct Target {
    let client: KubernetesClient
    /// Where it is, for messages: "the embedded control plane in ./.mizzen", "context kind (https://…)".
    let place: String
    /// The namespace commands act in.
    let namespace: String
    /// The embedded plane, when that is the target.
    let embedded: BackgroundPlane?

    /// Asks the server for its version, so that a server that cannot be reached or refuses the
    /// credentials is reported once, at once, before any work.
    func probe() async throws {
        do {
            _ = try await client.serverVersion()
        } catch let error as ClientError where error.kind == .transport {
            await shutdown()
            throw CommandFailure("cannot reach \(place): \(error.message)", hint: reachHint)
        } catch let error as APIError where error.reason == .unauthorized {
            await shutdown()
            throw CommandFailure(
                "\(place) refused the credentials: \(error.message)",
                hint: "check the kubeconfig's user (token or client certificate)")
        } catch {
            // Another answer (a 403 on /version) still means the server is there.
        }
    }

    func shutdown() async {
        try? await client.shutdown()
    }

    /// Runs `body` with the target and closes its connections afterwards, turning failures to
    /// reach it into one clear message.
    func use<T>(_ body: (Target) async throws -> T) async throws -> T {
        do {
            let result = try await body(self)
            await shutdown()
            return result
        } catch let error as ClientError where error.kind == .transport {
            await shutdown()
            throw CommandFailure("cannot reach \(place): \(error.message)", hint: reachHint)
        } catch {
            await shutdown()
            throw error
        }
    }

    private var reachHint: String {
        if let embedded { return "see \(embedded.logFile.path), or restart it with `mizzen down` then `mizzen up`" }
        return "check the cluster is up and the kubeconfig's server and credentials"
    }
}
