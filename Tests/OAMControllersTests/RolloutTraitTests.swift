import ControllerRuntime
import Foundation
import KubeClient
import Logging
@testable import OAMControllers
import OAM
import OrderedCollections
import Resources
import Synchronization
import TestSupport
import Testing

/// RolloutTrait end to end: an edit of a Component rolls the new revision's workload out batch
/// by batch (both substrates: on the kit the Deployment-level simulator reports Deployments
/// available); an image that never pulls rolls back after the availability deadline (the
/// embedded plane only: it needs Pods that never become ready, and the kit has no kubelet).
@Suite("RolloutTrait", .serialized)
struct RolloutTraitTests {
    static let rollout = GroupVersionKind(group: "standard.oam.dev", version: "v1alpha1", kind: "RolloutTrait")
    static let containerized = GroupVersionKind(group: OAM.group, version: OAM.version, kind: "ContainerizedWorkload")
    static let event = GroupVersionKind(group: "", version: "v1", kind: "Event")

    static func component(image: String) -> String {
        """
        apiVersion: core.oam.dev/v1alpha2
        kind: Component
        metadata: {name: web}
        spec:
          workload:
            apiVersion: core.oam.dev/v1alpha2
            kind: ContainerizedWorkload
            spec:
              containers:
              - name: web
                image: "\(image)"
                ports: [{name: http, containerPort: 80}]
        """
    }

    static func appConfig(trait: String) -> String {
        """
        apiVersion: core.oam.dev/v1alpha2
        kind: ApplicationConfiguration
        metadata: {name: shop}
        spec:
          components:
          - componentName: web
            traits:
            - trait:
                apiVersion: standard.oam.dev/v1alpha1
                kind: RolloutTrait
                metadata: {name: web-rollout}
                spec: \(trait)
        """
    }

    /// The OAM controllers recording their Events, with workloads running (Pods on the
    /// embedded plane, the Deployment-level simulator on the kit).
    static func withRollouts(on substrate: Substrate, _ body: (Runtime) async throws -> Void) async throws {
        let slot = Mutex<EventRecorder?>(nil)
        try await Runtime.with(on: substrate, runningWorkloads: true, registering: { manager, logger in
            let recorder = EventRecorder(client: manager.client, logger: logger, metricsFactory: PrometheusMetrics().factory)
            slot.withLock { $0 = recorder }
            OAMControllers.register(on: manager, events: recorder, logger: logger)
        }) { runtime in
            let recorder = try #require(slot.withLock { $0 })
            try await withTestTasks { tasks in
                tasks.start { await recorder.run() }
                try await body(runtime)
            }
        }
    }

    static func setImage(_ image: String, in runtime: Runtime) async throws {
        try await runtime.edit(Kinds.component, "web") { object in
            try object.setValue(.string(image), at: "spec.workload.spec.containers[0].image")
        }
    }

    /// The reasons of the Events on the AppConfig `shop`, in the order they were first recorded.
    static func eventReasons(in runtime: Runtime) async throws -> [String] {
        try await runtime.client.list(event, namespace: runtime.namespace).items
            .filter { $0.object["involvedObject"]?["name"] == "shop" && $0.object["involvedObject"]?["kind"] == "ApplicationConfiguration" }
            .sorted { ($0.object["firstTimestamp"]?.stringValue ?? "", $0.resourceVersion.flatMap { Int($0) } ?? 0)
                < ($1.object["firstTimestamp"]?.stringValue ?? "", $1.resourceVersion.flatMap { Int($0) } ?? 0) }
            .compactMap { $0.object["reason"]?.stringValue }
    }

    static func replicas(_ name: String, in runtime: Runtime) async throws -> Int64? {
        try await runtime.get(Kinds.deployment, name)?.spec?["replicas"]?.intValue
    }

    @Test("editing a Component rolls its new revision out batch by batch, and a later one deletes the oldest workload",
          arguments: Substrate.available)
    func rollsOutBatchByBatch(on substrate: Substrate) async throws {
        try await Self.withRollouts(on: substrate) { runtime in
            try await runtime.create(Self.component(image: "nginx:1.27"))
            try await runtime.create(Self.appConfig(trait: "{replicas: 3, batchSize: 1, pauseBetweenBatches: 300ms}"))
            // The first revision simply runs the total.
            let first = try await runtime.waitFor(Self.rollout, "web-rollout") {
                $0.status?["phase"] == "Succeeded" && $0.status?["targetWorkload"] == "web-v1"
            }
            #expect(first.status?["message"] == "web-v1 runs all 3 replicas; no earlier revision to move from")
            try await runtime.waitFor(Kinds.deployment, "web-v1") {
                $0.spec?["replicas"] == 3 && $0.status?["availableReplicas"] == 3
            }

            try await Self.setImage("nginx:1.28", in: runtime)
            // Watch it move: every batch seen, the target never above what the batch allows.
            var batches: Set<Int64> = []
            var last: Resource?
            let done = try await eventually(timeout: Runtime.patience) {
                guard let trait = try await runtime.get(Self.rollout, "web-rollout") else { return false }
                last = trait
                guard trait.status?["targetWorkload"] == "web-v2" else { return false }
                if trait.status?["phase"] == "Progressing", let batch = trait.status?["currentBatch"]?.intValue {
                    batches.insert(batch)
                }
                return trait.status?["phase"] == "Succeeded"
            }
            #expect(done, "the rollout did not succeed: \(last?.status?.jsonString() ?? "no status")")
            #expect(!batches.isEmpty && batches.isSubset(of: [1, 2, 3]))
            let status = try #require(last?.status)
            #expect(status["sourceRevision"] == "web-v1" && status["targetRevision"] == "web-v2")
            #expect(status["currentBatch"] == 3 && status["totalBatches"] == 3)
            #expect(status["sourceReplicas"] == 0 && status["targetReplicas"] == 3)
            #expect(try await Self.replicas("web-v2", in: runtime) == 3)
            #expect(try await Self.replicas("web-v1", in: runtime) == 0)
            // The scaling is the rollout's: its own field manager owns spec.replicas.
            let deployment = try #require(try await runtime.get(Kinds.deployment, "web-v2"))
            let managers = deployment.metadata["managedFields"]?.arrayValue ?? []
            #expect(managers.contains {
                $0["manager"] == "mizzen-rollout" && $0["fieldsV1"]?["f:spec"]?["f:replicas"] != nil
            })
            let reasons = try await Self.eventReasons(in: runtime)
            let expected = ["RolloutStarted", "RolloutBatchCompleted", "RolloutSucceeded"]
            let ok = try await eventually {
                Set(expected).isSubset(of: Set(try await Self.eventReasons(in: runtime)))
            }
            #expect(ok, "events on the AppConfig: \(reasons)")
            let app = try await runtime.waitFor(Kinds.appConfig, "shop") {
                $0.valueIfPresent(at: "status.historyWorkloads[0].workloadRef.name") == "web-v1"
            }
            #expect(app.valueIfPresent(at: "status.workloads[0].componentRevisionName") == "web-v2")

            // A third revision: rolled out from web-v2; web-v1, older than the source, is deleted.
            try await Self.setImage("nginx:1.29", in: runtime)
            try await runtime.waitFor(Self.rollout, "web-rollout") {
                $0.status?["phase"] == "Succeeded" && $0.status?["targetWorkload"] == "web-v3"
                    && $0.status?["sourceWorkload"] == "web-v2"
            }
            try await runtime.waitForAbsence(Self.containerized, "web-v1")
            #expect(try await Self.replicas("web-v3", in: runtime) == 3)
            #expect(try await Self.replicas("web-v2", in: runtime) == 0)

            // Converged: a resync writes neither the trait nor what it scales, on both substrates.
            _ = try await runtime.settled([(Self.rollout, "web-rollout"), (Kinds.deployment, "web-v3"), (Kinds.deployment, "web-v2")])
            func written() async throws -> [String?] {
                [
                    try await runtime.get(Self.rollout, "web-rollout")?.resourceVersion,
                    try await runtime.get(Kinds.deployment, "web-v3")?.generation.map { String($0) },
                    try await runtime.get(Kinds.deployment, "web-v2")?.generation.map { String($0) },
                ]
            }
            let before = try await written()
            let traitBefore = try await runtime.get(Self.rollout, "web-rollout")
            await runtime.manager.resync()
            await runtime.manager.waitUntilIdle()
            let after = try await written()
            let traitAfter = try await runtime.get(Self.rollout, "web-rollout")
            #expect(after == before, "a resync wrote the trait or scaled a Deployment: \(before) → \(after); trait \(traitBefore?.value.jsonString() ?? "") → \(traitAfter?.value.jsonString() ?? "")")
        }
    }

    @Test("an image that never pulls is rolled back after the availability deadline; the next edit rolls out again",
          arguments: Substrate.available.filter(\.runsPods))
    func rollsBackAnUnavailableRevision(on substrate: Substrate) async throws {
        try await Self.withRollouts(on: substrate) { runtime in
            try await runtime.create(Self.component(image: "nginx:1.27"))
            try await runtime.create(Self.appConfig(trait: "{replicas: 2, batchSize: 1, availabilityDeadline: 2s}"))
            try await runtime.waitFor(Self.rollout, "web-rollout") {
                $0.status?["phase"] == "Succeeded" && $0.status?["targetWorkload"] == "web-v1"
            }

            // A registry under .invalid never resolves: the simulated node never pulls the image.
            try await Self.setImage("registry.invalid/web:2", in: runtime)
            let waiting = try await runtime.waitFor(Self.rollout, "web-rollout") {
                $0.status?["targetWorkload"] == "web-v2" && $0.status?["phase"] == "Progressing"
            }
            #expect(waiting.status?["message"]?.stringValue?.contains("rolls back to web-v1 at") == true)
            let rolledBack = try await runtime.waitFor(Self.rollout, "web-rollout") {
                $0.status?["phase"] == "RolledBack"
            }
            let message = rolledBack.status?["message"]?.stringValue ?? ""
            #expect(message.hasPrefix("rolled back to web-v1: web-v2 did not have 1 available replica within "
                + "availabilityDeadline 2s in batch 1 of 2"))
            try await runtime.waitFor(Kinds.deployment, "web-v2") { $0.spec?["replicas"] == 0 }
            try await runtime.waitFor(Kinds.deployment, "web-v1") {
                $0.spec?["replicas"] == 2 && $0.status?["availableReplicas"] == 2
            }
            let warned = try await eventually { try await Self.eventReasons(in: runtime).contains("RolledBack") }
            #expect(warned, "a RolledBack Event on the AppConfig")

            // A fixed image: a new revision rolls out from the restored web-v1.
            try await Self.setImage("nginx:1.28", in: runtime)
            try await runtime.waitFor(Self.rollout, "web-rollout") {
                $0.status?["phase"] == "Succeeded" && $0.status?["targetWorkload"] == "web-v3"
                    && $0.status?["sourceWorkload"] == "web-v1"
            }
            #expect(try await Self.replicas("web-v3", in: runtime) == 2)
            #expect(try await Self.replicas("web-v1", in: runtime) == 0)
            // The failed revision's workload (at 0, neither source nor target) goes.
            try await runtime.waitForAbsence(Self.containerized, "web-v2")
        }
    }

    @Test("paused holds a new revision at no replicas until resumed", arguments: Substrate.available)
    func pausedHoldsTheRollout(on substrate: Substrate) async throws {
        try await Self.withRollouts(on: substrate) { runtime in
            try await runtime.create(Self.component(image: "nginx:1.27"))
            try await runtime.create(Self.appConfig(trait: "{replicas: 2, batchSize: 1, paused: true}"))
            try await runtime.waitFor(Self.rollout, "web-rollout") { $0.status?["phase"] == "Succeeded" }
            try await Self.setImage("nginx:1.28", in: runtime)
            let paused = try await runtime.waitFor(Self.rollout, "web-rollout") {
                $0.status?["phase"] == "Paused" && $0.status?["targetWorkload"] == "web-v2"
            }
            #expect(paused.status?["message"] == "paused at batch 0 of 2: set spec.paused to false to continue")
            try await runtime.waitFor(Kinds.deployment, "web-v2") { $0.spec?["replicas"] == 0 }
            #expect(try await Self.replicas("web-v1", in: runtime) == 2)

            // Resume: the trait is the AppConfig's, so the AppConfig is what the user edits.
            try await runtime.edit(Kinds.appConfig, "shop") { object in
                try object.setValue(false, at: "spec.components[0].traits[0].trait.spec.paused")
            }
            try await runtime.waitFor(Self.rollout, "web-rollout") {
                $0.status?["phase"] == "Succeeded" && $0.status?["targetWorkload"] == "web-v2"
            }
            #expect(try await Self.replicas("web-v2", in: runtime) == 2)
            #expect(try await Self.replicas("web-v1", in: runtime) == 0)
        }
    }
}
