import ArgumentParser
import Controllers
import Foundation
import KubeClient
import Logging
import ServiceLifecycle
import UnixSignals

struct ControllerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller",
        abstract: "Run the OAM controllers against a Kubernetes cluster.",
        discussion: """
            Watches ApplicationConfigurations, Components and their definitions on the cluster of \
            the kubeconfig (as kubectl finds it: --kubeconfig, KUBECONFIG, ~/.kube/config) and \
            keeps the objects they stand for in step. Install the CRDs first (mizzen install). \
            SIGINT or SIGTERM stops it cleanly.

            Examples:
              mizzen controller --kubeconfig ~/.kube/config --workers 8
              mizzen controller --kubeconfig .mizzen/kubeconfig --apply-once-only
            """)

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Reconciles run at once per controller.")
    var workers = 4

    @Flag(help: "Leave workloads and traits alone once applied until the AppConfig or the component revision changes.")
    var applyOnceOnly = false

    @Option(help: "Unused revisions kept per Component.")
    var revisionLimit = 50

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        guard revisionLimit >= 0 else { throw ValidationError("--revision-limit must not be negative") }
    }

    func run() async throws {
        var logger = Logger(label: "mizzen.controller")
        logger.logLevel = logLevel
        let client = try connection.makeClient(logger: logger)
        var options = OAMControllers.Options()
        options.workers = workers
        options.revisionLimit = revisionLimit
        options.appConfig.applyOnceOnly = applyOnceOnly
        let manager = Manager(client: client, logger: logger)
        OAMControllers.register(on: manager, options: options, logger: logger)
        logger.notice("controllers.starting", metadata: ["server": "\(client.connection.server)"])
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: manager)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }
}

/// Where a command finds the cluster, as kubectl does.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "The kubeconfig file (default: KUBECONFIG, then ~/.kube/config).")
    var kubeconfig: String?

    @Option(help: "The kubeconfig context (default: its current-context).")
    var context: String?

    @Option(help: "Requests per second to the API server, sustained (0: no limit).")
    var qps: Double = 50

    @Option(help: "Requests allowed in a burst above --qps.")
    var burst = 100

    func makeClient(logger: Logger) throws -> KubernetesClient {
        var options = KubernetesClient.Options()
        options.qps = qps
        options.burst = burst
        options.userAgent = "mizzen/\(MizzenVersion.current)"
        do {
            return try KubernetesClient(kubeconfig: kubeconfig, context: context, options: options, logger: logger)
        } catch {
            throw CleanExit.message("error: cannot use the kubeconfig: \(error)")
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
