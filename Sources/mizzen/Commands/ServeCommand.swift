import APIServer
import ArgumentParser
import Controllers
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
            clusters. As there is no kubelet, a node simulator reports Deployments and \
            StatefulSets as available (status replicas = spec.replicas, with an Available \
            condition that says it is simulated); --no-node-simulator turns it off. Components \
            and AppConfigs pass the OAM admission checks and mutation (--no-admission turns \
            them off).

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

    @Flag(help: "Serve the API only, without the OAM controllers.")
    var noControllers = false

    @Flag(help: "Store Components and AppConfigs without the OAM admission checks and mutation.")
    var noAdmission = false

    @Flag(help: "Do not simulate nodes (by default Deployments and StatefulSets are reported available, as there is no kubelet).")
    var noNodeSimulator = false

    @Option(help: "Reconciles run at once per controller.")
    var workers = 4

    @Flag(help: "Leave workloads and traits alone once applied until the AppConfig or the component revision changes.")
    var applyOnceOnly = false

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
    }

    func run() async throws {
        var configuration = APIServerConfiguration()
        configuration.address = address
        configuration.port = port
        configuration.insecureHTTP = insecureHTTP
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
        let (ready, announce) = AsyncStream<APIServer.Endpoint>.makeStream()
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: ServerService(
                server: server, announce: announce, pidFile: BackgroundPlane(dataDirectory: dataDir).pidFile)),
        ]
        if !noControllers {
            var options = ControllerService.Options()
            options.controllers.workers = workers
            options.controllers.appConfig.applyOnceOnly = applyOnceOnly
            options.controllers.nodeSimulator = !noNodeSimulator
            services.append(.init(service: InProcessControllers(ready: ready, options: options, logger: logger)))
        }
        // On SIGINT/SIGTERM the group stops its services in reverse order: the controllers first
        // (their watches closed), then the server.
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
    let announce: AsyncStream<APIServer.Endpoint>.Continuation
    let pidFile: URL

    func run() async throws {
        try await server.run(handlingSignals: false) { endpoint in
            try? "\(getpid())\n".write(to: pidFile, atomically: true, encoding: .utf8)
            StandardOutput.writeLine("kubeconfig: \(endpoint.kubeconfig.path)")
            StandardError.write("serving the Kubernetes API at \(endpoint.url)")
            announce.yield(endpoint)
            announce.finish()
        }
    }
}

/// The controllers of `mizzen serve`: once the server listens, they connect to it through the
/// same client they use against real clusters.
private struct InProcessControllers: Service {
    let ready: AsyncStream<APIServer.Endpoint>
    let options: ControllerService.Options
    let logger: Logger

    func run() async throws {
        var iterator = ready.makeAsyncIterator()
        guard let endpoint = await iterator.next() else { return }
        var clientOptions = KubernetesClient.Options()
        // In-process: the server is on this machine and its own limits apply.
        clientOptions.qps = 0
        clientOptions.userAgent = "mizzen-serve/\(MizzenVersion.current)"
        let client = try KubernetesClient(kubeconfig: endpoint.kubeconfig.path, options: clientOptions, logger: logger)
        let service = ControllerService(client: client, options: options, logger: logger)
        do {
            try await service.run()
        } catch is CancellationError {
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }
}
