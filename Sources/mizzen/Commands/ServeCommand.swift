import APIServer
import ArgumentParser
import OAMControllers
import ControllerRuntime
import Foundation
import KubeClient
import Logging
import ServiceLifecycle
import UnixSignals
import OAM

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the embedded control plane: a Kubernetes API server over SQLite that kubectl can use.",
        discussion: """
            Serves the Kubernetes REST API (discovery, CRDs, get/list/watch/create/update/patch/ \
            delete, server-side apply, status and scale) from a SQLite store in the data \
            directory. On start it writes DIR/kubeconfig (with the CA and the bearer token every \
            request needs) and prints "kubeconfig: PATH" once it listens. SIGINT or SIGTERM \
            stops it cleanly. Only one server may use a data directory at a time.

            The OAM controllers run in the same process (--no-controllers turns them off) and \
            talk to the server through the same Kubernetes client they use against real \
            clusters. Components and AppConfigs pass the OAM admission checks and mutation \
            (--no-admission turns them off).

            There is no kubelet and no container runtime. --node-simulation says what runs \
            workloads instead:
              pods         the default: the plane's own controllers, as in a cluster
                           (Deployment → ReplicaSet → Pod, StatefulSet, DaemonSet, Job,
                           CronJob, Endpoints…), a scheduler binding Pods to the
                           simulated Node "mizzen", and a simulated kubelet moving them
                           to Running and Ready without running any container (an
                           image under ".invalid" never pulls)
              deployments  the old node simulator: Deployment and StatefulSet status
                           written directly (every replica available); no ReplicaSet,
                           no Pod
              none         nothing runs workloads; they stay unready
            (--no-node-simulator is a deprecated spelling of --node-simulation none.)

            Examples:
              mizzen serve --data-dir .mizzen
              KUBECONFIG=.mizzen/kubeconfig kubectl get namespaces
            """)

    @Option(help: "Where the store, certificates, token and kubeconfig live.")
    var dataDir = ".mizzen"

    @Option(help: "The address to listen on.")
    var address = "127.0.0.1"

    @Option(help: "The port to listen on; 0 picks a free one.")
    var port = 6443

    @Flag(help: "Serve plain HTTP instead of HTTPS (the token still travels in clear: only for tests).")
    var insecureHTTP = false

    @Flag(help: "Serve without the OAM controllers (what runs workloads is --node-simulation's).")
    var noControllers = false

    @Flag(help: "Store Components and AppConfigs without the OAM admission checks and mutation.")
    var noAdmission = false

    @Option(help: "What runs workloads: pods (the plane's controllers and simulated node), deployments (the old Deployment-level simulator, no Pods) or none.")
    var nodeSimulation: NodeSimulation = .pods

    @Flag(help: .hidden)
    var noNodeSimulator = false

    @Option(help: "Reconciles run at once per controller.")
    var workers = 4

    @Flag(help: "Leave workloads and traits alone once applied until the AppConfig or the component revision changes.")
    var applyOnceOnly = false

    @OptionGroup(title: "Limits")
    var limits: ServerLimitOptions

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        if noNodeSimulator, nodeSimulation != .pods, nodeSimulation != .none {
            throw ValidationError("--no-node-simulator (deprecated: --node-simulation none) contradicts --node-simulation \(nodeSimulation.rawValue)")
        }
    }

    /// The mode asked for, the deprecated `--no-node-simulator` meaning `none`.
    var simulation: NodeSimulation { noNodeSimulator ? .none : nodeSimulation }

    func run() async throws {
        var configuration = APIServerConfiguration()
        configuration.address = address
        configuration.port = port
        configuration.insecureHTTP = insecureHTTP
        limits.apply(to: &configuration)
        configuration.seedObjects = OAMCustomResourceDefinitions.all + BuiltinDefinitions.all
        var logger = Logger(label: "mizzen.serve")
        logger.logLevel = .notice
        let directory = URL(fileURLWithPath: dataDir).standardizedFileURL
        let server: APIServer
        do {
            let source = EmbeddedAdmissionSource()
            server = try await APIServer.open(
                dataDirectory: directory, configuration: configuration,
                admission: noAdmission ? [] : [source.admission(logger: logger)], logger: logger)
            source.attach(server)
        } catch {
            StandardError.write("error: cannot start the control plane in \(directory.path): \(error)")
            throw ExitCode(1)
        }
        if noNodeSimulator {
            StandardError.write("warning: --no-node-simulator is deprecated; use --node-simulation none")
        }
        // Each in-process service learns from its own stream where the server listens.
        let (controllersReady, announceToControllers) = AsyncStream<APIServer.Endpoint>.makeStream()
        let (nodeReady, announceToNode) = AsyncStream<APIServer.Endpoint>.makeStream()
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: ServerService(
                server: server, announce: [announceToControllers, announceToNode],
                pidFile: BackgroundPlane(dataDirectory: dataDir).pidFile)),
        ]
        if !noControllers {
            var options = ControllerService.Options()
            options.controllers.workers = workers
            options.controllers.appConfig.applyOnceOnly = applyOnceOnly
            services.append(.init(service: InProcessClientService(
                server: server, ready: controllersReady, userAgent: "mizzen-serve/\(MizzenVersion.current)", logger: logger
            ) { [options, logger] client in
                ControllerService(client: client, options: options, logger: logger)
            }))
        }
        let simulation = simulation
        let workers = workers
        if simulation != .none {
            services.append(.init(service: InProcessClientService(
                server: server, ready: nodeReady, userAgent: "mizzen-serve/\(MizzenVersion.current) (\(simulation.userAgentComment))",
                logger: logger
            ) { [logger] client in
                simulation.service(client: client, workers: workers, logger: logger)
            }))
        }
        // On SIGINT/SIGTERM the group stops its services in reverse order: the node simulation
        // and the controllers first (their watches closed), then the server.
        let group = ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        // `serve.pid` says which process serves the directory (for `mizzen down`) while it runs.
        let plane = BackgroundPlane(dataDirectory: dataDir)
        defer { try? FileManager.default.removeItem(at: plane.pidFile) }
        try await group.run()
    }
}

/// The API server as a service of the group, announcing where it listens.
private struct ServerService: Service {
    let server: APIServer
    let announce: [AsyncStream<APIServer.Endpoint>.Continuation]
    let pidFile: URL

    func run() async throws {
        try await server.run(handlingSignals: false) { endpoint in
            try? "\(getpid())\n".write(to: pidFile, atomically: true, encoding: .utf8)
            StandardOutput.writeLine("kubeconfig: \(endpoint.kubeconfig.path)")
            StandardError.write("serving the Kubernetes API at \(endpoint.url)")
            for continuation in announce {
                continuation.yield(endpoint)
                continuation.finish()
            }
        }
    }
}

/// A part of `mizzen serve` that talks to the plane — the OAM controllers, or what runs
/// workloads: once the server listens, it connects to it through the same client used against
/// real clusters, and runs the service `make` builds on that client (nothing when `nil`). The
/// client's requests are calls to the server (``EmbeddedServerLink``), authenticated with the
/// kubeconfig's token as over HTTPS.
private struct InProcessClientService: Service {
    let server: APIServer
    let ready: AsyncStream<APIServer.Endpoint>
    let userAgent: String
    let logger: Logger
    let make: @Sendable (KubernetesClient) -> (any Service)?

    func run() async throws {
        var iterator = ready.makeAsyncIterator()
        guard let endpoint = await iterator.next() else { return }
        var clientOptions = KubernetesClient.Options()
        // In-process: the server is on this machine and its own limits apply.
        clientOptions.qps = 0
        clientOptions.userAgent = userAgent
        let client = try KubernetesClient(
            kubeconfig: endpoint.kubeconfig.path, options: clientOptions, logger: logger,
            through: EmbeddedServerLink(server: server))
        do {
            if let service = make(client) {
                try await cancelWhenGracefulShutdown { try await service.run() }
            } else {
                // A service that ends stops the whole group: wait for the shutdown instead.
                try await gracefulShutdown()
            }
        } catch is CancellationError {
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }
}
