import APIServer
import ClusterControllers
import ControllerRuntime
import Foundation
import KubeClient
import Logging
import TestSupport
import Testing

/// The controllers session: the same kubectl session that runs workloads — rollouts, Jobs,
/// StatefulSets, DaemonSets, Services with their Endpoints, autoscalers, budgets, quotas,
/// aggregated roles — against the embedded plane running its own controllers, and against a
/// copy of the kit running every controller of kube-controller-manager v1.36.
///
/// The kit has no kubelet and no scheduler: Mizzen's simulated node (the `.node` area of
/// ``ClusterControllers``) serves both sides, so that what is compared is the controllers and
/// the API servers, while pod status comes from the same simulation. Names the controllers
/// generate (pod-template-hashes, generated suffixes) become placeholders; everything else is
/// compared as in ``DifferentialTests``.
///
/// `MIZZEN_DIFF_REPORT_CONTROLLERS=path` writes the session's report there.
@Suite("differential: the plane's controllers act like kube-controller-manager")
struct WorkloadDifferentialTests {
    /// Ports of the kit copy with every controller, clear of the configured kit's.
    static let ports = RealCluster.Ports(apiServer: 6743, etcd: 2679, controllerManager: 10557)

    @Test("the workloads session gives kube-controller-manager's results",
          .enabled(if: RealCluster.isConfigured && Kubectl.isInstalled, Comment(rawValue: RealCluster.skipReason)),
          .timeLimit(.minutes(30)))
    func compareWithKubeControllerManager() async throws {
        let cluster = try await RealCluster.startCopy(named: "all-controllers", ports: Self.ports)
        let plane = try await EmbeddedPlane.start()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("mizzen-wdiff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        var logger = Logger(label: "mizzen.test.workload-diff")
        logger.logLevel = .critical

        let planeClient = try KubernetesClient(kubeconfig: plane.endpoint.kubeconfig.path)
        let planeControllers = ClusterControllerService(client: planeClient, logger: logger)
        let kitClient = try KubernetesClient(kubeconfig: cluster.kubeconfig.path)
        var nodeOnly = ClusterControllers.Options()
        nodeOnly.areas = [.node]
        let kitNode = ClusterControllerService(client: kitClient, options: nodeOnly, logger: logger)
        let running = [Task { try await planeControllers.run() }, Task { try await kitNode.run() }]

        var results: [DifferentialResult] = []
        var failure: (any Error)?
        do {
            let runID = DifferentialTests.makeRunID()
            let values = ["ns": "wdiff-\(runID)", "run": runID]
            var embedded = DifferentialRunner(
                target: try await DifferentialTarget.make(
                    name: "embedded", kubeconfig: plane.endpoint.kubeconfig, workDirectory: work),
                values: values, workDirectory: work)
            var reference = DifferentialRunner(
                target: try await DifferentialTarget.make(
                    name: "kube-controller-manager", kubeconfig: cluster.kubeconfig, workDirectory: work),
                values: values, workDirectory: work)
            let normalizer = OutputNormalizer(runID: runID, generatedNames: true)
            for step in DifferentialScript.workloadSteps {
                let ours = normalizer.normalize(try await embedded.run(step))
                let theirs = normalizer.normalize(try await reference.run(step))
                results.append(DifferentialResult(step: step, embedded: ours, reference: theirs))
            }
        } catch {
            failure = error
        }
        for task in running { task.cancel() }
        for task in running { _ = await task.result }
        try? await planeClient.shutdown()
        try? await kitClient.shutdown()
        await plane.stop()
        await cluster.stopIfStarted()
        try? FileManager.default.removeItem(at: work)
        if let failure { throw failure }

        let report = DifferentialReport(results: results)
        if let path = ProcessInfo.processInfo.environment["MIZZEN_DIFF_REPORT_CONTROLLERS"], !path.isEmpty {
            try report.markdown.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let different = results.filter { $0.outcome == .different }
        #expect(different.isEmpty,
                "\(different.count) of \(results.count) steps differ from kube-controller-manager:\n\(report.differences)")
    }
}
