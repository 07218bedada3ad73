import ControllerRuntime
import Foundation
import KubeClient
import Logging
import OrderedCollections
import OAMControllers
import Resources
import TestSupport
import Testing

/// Two shards of the OAM controllers (two ``ControllerService``s with `--shard 0/2` and `1/2`,
/// each under leader election on its own Lease) splitting the applications of several
/// namespaces, on the embedded plane and on the kit. The shards own only namespaces labelled
/// for the test (label mode together with hash mode), so that on the shared kit they leave
/// everyone else's applications alone.
@Suite("sharded controllers", .serialized)
struct ShardedControllerTests {
    static let configMap = GroupVersionKind(group: "", version: "v1", kind: "ConfigMap")
    static let namespaceKind = GroupVersionKind(group: "", version: "v1", kind: "Namespace")
    static let leaseKind = GroupVersionKind(group: "coordination.k8s.io", version: "v1", kind: "Lease")
    static let testLabel = "mizzen.dev/shard-test"

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

    static func randomSuffix() -> String {
        String((0..<8).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement()! })
    }

    /// `perShard` namespace names for each of `count` shards, in shard order.
    static func namespaces(prefix: String, count: Int, perShard: Int) -> [[String]] {
        var byShard = Array(repeating: [String](), count: count)
        var candidate = 0
        while byShard.contains(where: { $0.count < perShard }) {
            let name = "\(prefix)-\(candidate)"
            let index = Shard.index(of: name, count: count)
            if byShard[index].count < perShard { byShard[index].append(name) }
            candidate += 1
        }
        return byShard
    }

    /// A shard's controller service for the test's namespaces.
    static func service(
        _ shard: Shard, client: KubernetesClient, suffix: String, leaseNamespace: String, logger: Logger
    ) throws -> ControllerService {
        var options = ControllerService.Options()
        var sharding = ControllerSharding(
            shard: shard, selector: try LabelSelector(parsing: "\(testLabel)=\(suffix)"), leasePrefix: "mizzen-\(suffix)")
        sharding.checkInterval = .milliseconds(200)
        options.sharding = sharding
        var election = LeaderElectionConfiguration(
            leaseName: ControllerSharding.leaseName(prefix: sharding.leasePrefix, shard: shard), leaseNamespace: leaseNamespace)
        // Durations that survive a loaded machine (a leader that cannot renew in time stops, and
        // nothing here restarts it); a stopped shard releases its Lease, so they cost no wait.
        election.leaseDuration = .seconds(15)
        election.renewDeadline = .seconds(10)
        election.retryPeriod = .milliseconds(500)
        election.annotations = ControllerSharding.leaseAnnotations(shard: shard)
        options.leaderElection = election
        options.controllers.workers = 2
        return ControllerService(client: client, options: options, logger: logger)
    }

    @Test(
        "two shards split the applications of several namespaces; a stopped shard's stay and wait for it, not for the other",
        arguments: Substrate.available)
    func twoShards(on substrate: Substrate) async throws {
        let place = try await TestPlace.open(on: substrate)
        let client = place.client
        let suffix = Self.randomSuffix()
        let byShard = Self.namespaces(prefix: "sh-\(suffix)", count: 2, perShard: 2)
        let all = byShard.flatMap { $0 }
        var logger = Logger(label: "mizzen.test.shards")
        logger.logLevel = .critical
        let shards = try (0..<2).map { try Shard(index: $0, count: 2) }
        var running: [Int: (ControllerService, Task<Void, any Error>)] = [:]
        func start(_ index: Int) throws {
            let service = try Self.service(shards[index], client: client, suffix: suffix, leaseNamespace: place.namespace, logger: logger)
            running[index] = (service, Task { try await service.run() })
        }
        func stop(_ index: Int) async {
            guard let (_, task) = running.removeValue(forKey: index) else { return }
            task.cancel()
            _ = await task.result
        }
        func apply(_ name: String, in namespace: String) async throws {
            for document in try DocumentDecoder.decode(Self.app(name), file: nil) {
                var object = try Resource(document.value)
                object.namespace = namespace
                _ = try await client.create(object)
            }
        }
        func converged(_ name: String, in namespace: String) async throws -> Bool {
            do {
                _ = try await client.get(Self.configMap, name: name, namespace: namespace)
                return true
            } catch let error as APIError where error.reason == .notFound {
                return false
            }
        }

        func body() async throws {
            for namespace in all {
                var object = Resource(apiVersion: "v1", kind: "Namespace", name: namespace)
                object.setLabel(Self.testLabel, suffix)
                object.setLabel(TestPlace.namespaceLabel, "true")
                _ = try await client.create(object)
                try await apply("app", in: namespace)
            }
            try start(0)
            try start(1)
            // Every application converges…
            for namespace in all {
                let done = try await eventually(timeout: .seconds(30)) { try await converged("app", in: namespace) }
                #expect(done, "the application of \(namespace) did not converge")
            }
            // …under exactly one shard: each shard's caches hold its own namespaces' applications only.
            for (index, (service, _)) in running.sorted(by: { $0.key < $1.key }) {
                let cached = ControllerSharding.applicationNamespaces(of: service.manager)
                #expect(cached == Set(byShard[index]), "shard \(index) caches \(cached.sorted()), owns \(byShard[index])")
            }
            // Each shard's Lease records its shard.
            for index in 0..<2 {
                let lease = try await client.get(Self.leaseKind, name: "mizzen-\(suffix)-shard-\(index)", namespace: place.namespace)
                #expect(lease.annotations[ShardAgreement.annotation] == "\(index)/2")
            }

            // Stop shard 1: its applications stay, and shard 0 does not take its new ones.
            await stop(1)
            let (mine, theirs) = (byShard[0][0], byShard[1][0])
            try await apply("later", in: theirs)
            try await apply("later", in: mine)
            let servedMine = try await eventually(timeout: .seconds(30)) { try await converged("later", in: mine) }
            #expect(servedMine, "shard 0 did not serve its own namespace \(mine)")
            for namespace in byShard[1] {
                #expect(try await converged("app", in: namespace), "the objects of \(namespace) went with its shard")
            }
            let taken = try await eventually(timeout: .seconds(2)) { try await converged("later", in: theirs) }
            #expect(!taken, "shard 0 reconciled \(theirs), which belongs to shard 1")

            // Shard 1 again, as 1/2: it picks its applications up.
            try start(1)
            let pickedUp = try await eventually(timeout: .seconds(30)) { try await converged("later", in: theirs) }
            #expect(pickedUp, "the restarted shard 1 did not reconcile \(theirs)")
        }

        var failure: (any Error)?
        do { try await body() } catch { failure = error }
        for index in Array(running.keys) { await stop(index) }
        if place.plane == nil {
            for namespace in all {
                if let appConfigs = try? await client.listAll(OAMKinds.applicationConfiguration, namespace: namespace) {
                    for app in appConfigs.items where !app.finalizers.isEmpty {
                        _ = try? await client.patch(
                            OAMKinds.applicationConfiguration, name: app.name, namespace: namespace,
                            patch: ["metadata": ["finalizers": .null]], type: .merge)
                    }
                }
                _ = try? await client.delete(Self.namespaceKind, name: namespace, propagationPolicy: .background)
            }
        }
        await place.close()
        if let failure { throw failure }
    }

    @Test("a shard waits while a live Lease records another shard count, and acts once that Lease is released", arguments: Substrate.available)
    func waitsForAgreement(on substrate: Substrate) async throws {
        let place = try await TestPlace.open(on: substrate)
        let client = place.client
        let prefix = "mizzen-\(Self.randomSuffix())"
        var lease = Resource(
            apiVersion: "coordination.k8s.io/v1", kind: "Lease", name: "\(prefix)-shard-1", namespace: place.namespace)
        lease.setAnnotation(ShardAgreement.annotation, "1/2")
        lease.object["spec"] = LeaseRecord(
            holderIdentity: "old-shard", leaseDurationSeconds: 60, acquireTime: Date(), renewTime: Date(), leaseTransitions: 0
        ).spec
        var configuration = ShardCoordinator.Configuration(
            shard: try Shard(parsing: "0/3"), leasePrefix: prefix, leaseNamespace: place.namespace)
        configuration.checkInterval = .milliseconds(100)
        let metrics = PrometheusMetrics()
        let coordinator = ShardCoordinator(
            client: client, configuration: configuration, ownedNamespaces: { ["a", "b"] }, metrics: metrics)
        var task: Task<Void, any Error>?
        func body() async throws {
            lease = try await client.create(lease)
            task = Task { try await coordinator.runWhenAgreed { try await Task.sleep(for: .seconds(600)) } }
            let actedEarly = try await eventually(timeout: .seconds(1)) { coordinator.isActing }
            #expect(!actedEarly, "shard 0/3 acted while shard 1/2 held its Lease")
            // The old shard stops: it releases its Lease.
            lease.object["spec"] = LeaseRecord(
                holderIdentity: nil, leaseDurationSeconds: 1, acquireTime: Date(), renewTime: Date(), leaseTransitions: 0
            ).spec
            _ = try await client.update(lease)
            let acting = try await eventually(timeout: .seconds(10)) { coordinator.isActing }
            #expect(acting, "shard 0/3 did not act once the other shard count was gone")
            #expect(coordinator.namespaceCount == 2)
            let exposition = String(decoding: metrics.exposition(), as: UTF8.self)
            #expect(exposition.contains(#"mizzen_shard_namespaces{shard="0",shards="3"} 2"#), "\(exposition)")
            #expect(exposition.contains(#"mizzen_shard_acting{shard="0",shards="3"} 1"#), "\(exposition)")
            #expect(exposition.contains(#"mizzen_shard_info{shard="0",shards="3"} 1"#), "\(exposition)")
        }
        var failure: (any Error)?
        do { try await body() } catch { failure = error }
        task?.cancel()
        _ = await task?.result
        await place.close()
        if let failure { throw failure }
    }
}
