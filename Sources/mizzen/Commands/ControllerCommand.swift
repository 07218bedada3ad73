import ArgumentParser
import OAMControllers
import ControllerRuntime
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
              mizzen controller --namespace shop --leader-elect
              mizzen controller --webhook-port 9443 --webhook-service mizzen-system/mizzen-webhook
              mizzen controller --shard 0/2    # and --shard 1/2 in a second process
            """)

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var webhook: WebhookOptions

    @OptionGroup var sharding: ShardOptions

    @Option(help: "Reconcile only the applications of this namespace (default: every namespace), and register the webhooks for it alone; definitions stay cluster-wide.")
    var namespace: String?

    @Option(help: "Reconciles run at once per controller.")
    var workers = 4

    @Flag(help: "Leave workloads and traits alone once applied until the AppConfig or the component revision changes.")
    var applyOnceOnly = false

    @Option(help: "Unused revisions kept per Component.")
    var revisionLimit = 50

    @Flag(help: "Run the controllers only while holding a coordination.k8s.io Lease, so that one replica of several acts.")
    var leaderElect = false

    @Option(help: "The namespace of the leader election Lease (default: --namespace, else the kubeconfig context's namespace).")
    var leaderElectionNamespace: String?

    @Option(help: "The name of the leader election Lease.")
    var leaderElectionID = "mizzen-controller"

    @Option(help: "Seconds a Lease stays valid without renewal; a successor takes over within this when the leader dies.")
    var leaseDuration = 15

    @Option(help: "Seconds the leader keeps trying to renew before it stops leading.")
    var renewDeadline = 10

    @Option(help: "Seconds between two attempts to acquire or renew the Lease.")
    var retryPeriod = 2

    @Option(help: "Where to serve /healthz, /readyz and Prometheus /metrics (host:port, port 0 picks one); \"\" for nowhere.")
    var metricsAddress = "127.0.0.1:8080"

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        guard revisionLimit >= 0 else { throw ValidationError("--revision-limit must not be negative") }
        guard leaseDuration > renewDeadline, renewDeadline > retryPeriod, retryPeriod > 0 else {
            throw ValidationError("leader election needs --lease-duration > --renew-deadline > --retry-period > 0")
        }
        if !metricsAddress.isEmpty {
            do {
                _ = try ProbeServer.Address(parsing: metricsAddress)
            } catch {
                throw ValidationError("--metrics-address \(metricsAddress): \(error)")
            }
        }
    }

    func run() async throws {
        var logger = Logger(label: "mizzen.controller")
        logger.logLevel = logLevel
        let sharding = try sharding.sharding(leasePrefix: leaderElectionID)
        if let sharding { logger[metadataKey: "shard"] = "\(sharding.description)" }
        let metrics = PrometheusMetrics()
        metrics.bootstrap()
        let client = try connection.makeClient(logger: logger)
        var options = ControllerService.Options()
        options.namespace = namespace
        options.controllers.workers = workers
        options.controllers.revisionLimit = revisionLimit
        options.controllers.appConfig.applyOnceOnly = applyOnceOnly
        options.metrics = metrics
        options.probeAddress = metricsAddress.isEmpty ? nil : metricsAddress
        options.sharding = sharding
        // A hash shard always holds its own Lease, which records its shard count.
        let shard = sharding?.shard
        if leaderElect || shard != nil {
            var election = LeaderElectionConfiguration(
                leaseName: shard.map { ControllerSharding.leaseName(prefix: leaderElectionID, shard: $0) } ?? leaderElectionID,
                leaseNamespace: leaderElectionNamespace ?? namespace ?? client.defaultNamespace)
            if let shard { election.annotations = ControllerSharding.leaseAnnotations(shard: shard) }
            election.leaseDuration = .seconds(leaseDuration)
            election.renewDeadline = .seconds(renewDeadline)
            election.retryPeriod = .seconds(retryPeriod)
            options.leaderElection = election
        }
        let service = ControllerService(client: client, options: options, logger: logger)
        logger.notice("controllers.starting", metadata: [
            "server": "\(client.connection.server)", "identity": "\(options.leaderElection?.identity ?? "-")",
            "namespace": "\(namespace ?? "*")",
        ])
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: service)]
        // Every replica serves the webhooks, not only the leader.
        if let hooks = try webhook.service(client: client, namespace: namespace, logger: logger) { services.append(.init(service: hooks)) }
        let group = ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
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
            throw CommandFailure(
                "cannot use the kubeconfig: \(error)", hint: "check --kubeconfig and --context", status: ExitStatus.invalidInput)
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
