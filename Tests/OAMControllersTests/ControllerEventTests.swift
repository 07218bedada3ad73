@testable import ControllerRuntime
@testable import OAMControllers
import Foundation
import KubeClient
import Logging
import OAM
import OrderedCollections
import Resources
import Synchronization
import TestSupport
import Testing

/// The Events of the workload and trait controllers (spec §7, §8): on the AppConfig that owns
/// the workload or trait, one per actual write, none on a resync.
@Suite("Events of the workload and trait controllers", .serialized)
struct ControllerEventTests {
    static let eventKind = GroupVersionKind(group: "", version: "v1", kind: "Event")

    @Test("a ContainerizedWorkload's writes are Events on its AppConfig, one per write, none on a resync",
          arguments: Substrate.available)
    func containerizedWorkloadEvents(on substrate: Substrate) async throws {
        try await withEventfulControllers(on: substrate) { runtime, recorder in
            let app = try await createAppConfig("shop", in: runtime)
            try await runtime.create(workloadYAML(owner: app, image: "nginx:1.25", config: true))
            let first = try await waitForEvents(on: app, in: runtime) { events in
                Set(events.map(\.reason)) == ["Deployment created", "ConfigMap created", "Service created"]
            }
            #expect(first.allSatisfy { $0.type == "Normal" && $0.count == 1 })
            #expect(first.first { $0.reason == "Deployment created" }?.message == "Workload `web` created Deployment `web`")

            // A new image updates the Deployment; the config file taken out deletes its ConfigMap.
            try await runtime.edit(WorkloadTestKinds.containerizedWorkload, "web", namespace: runtime.namespace) { workload in
                try workload.setValue("nginx:1.26", at: "spec.containers[0].image")
                try workload.removeValue(at: "spec.containers[0].config")
            }
            let second = try await waitForEvents(on: app, in: runtime) { events in
                Set(events.map(\.reason)).isSuperset(of: ["Deployment updated", "ConfigMap deleted"])
            }
            #expect(second.filter { $0.reason == "Deployment updated" }.map(\.count) == [1])
            #expect(second.filter { $0.reason == "ConfigMap deleted" }.map(\.count) == [1])
            #expect(!second.contains { $0.reason == "Service updated" }, "the Service did not change")

            try await expectResyncRecordsNothing(on: app, in: runtime, recorder: recorder)
        }
    }

    @Test("a ContainerizedWorkload that keeps failing records its ReconcileError once, not on every look",
          arguments: Substrate.available)
    func persistentFailureRecordedOnce(on substrate: Substrate) async throws {
        try await withEventfulControllers(on: substrate) { runtime, recorder in
            let app = try await createAppConfig("shop", in: runtime)
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: ContainerizedWorkload
                metadata:
                  name: broken
                  namespace: \(runtime.namespace)
                  ownerReferences: \(ownerYAML(app))
                spec:
                  containers:
                  - {name: app, image: "app:1", config: [{path: "/", value: "not a file"}]}
                """)
            let failed = try await waitForEvents(on: app, in: runtime) { $0.contains { $0.reason == "ReconcileError" } }
                .filter { $0.reason == "ReconcileError" }
            #expect(failed.map(\.count) == [1])
            #expect(failed.first?.message.hasPrefix("Workload `broken`: cannot translate the workload") == true)
            try await expectResyncRecordsNothing(on: app, in: runtime, recorder: recorder)
        }
    }

    @Test("a ManualScalerTrait records Manual scalar applied on its AppConfig once per change of scale",
          arguments: Substrate.available)
    func manualScalerEvents(on substrate: Substrate) async throws {
        try await withEventfulControllers(on: substrate) { runtime, recorder in
            let app = try await createAppConfig("shop", in: runtime)
            try await runtime.create(deploymentYAML("api"))
            try await runtime.create(scalerYAML("api-scaler", workload: "api", replicas: 3, owner: app))
            let first = try await waitForEvents(on: app, in: runtime) { $0.contains { $0.reason == "Manual scalar applied" } }
                .filter { $0.reason == "Manual scalar applied" }
            #expect(first.map(\.message) == ["Trait `api-scaler` successfully scaled Deployment/api to 3 instances"])
            #expect(first.map(\.count) == [1])

            _ = try await runtime.client.patch(
                Kinds.manualScaler, name: "api-scaler", namespace: runtime.namespace,
                patch: ["spec": ["replicaCount": 2]], type: .merge)
            let second = try await waitForEvents(on: app, in: runtime) {
                $0.filter { $0.reason == "Manual scalar applied" }.count == 2
            }.filter { $0.reason == "Manual scalar applied" }
            #expect(second.map(\.count) == [1, 1])
            #expect(second.map(\.message).sorted() == [
                "Trait `api-scaler` successfully scaled Deployment/api to 2 instances",
                "Trait `api-scaler` successfully scaled Deployment/api to 3 instances",
            ])
            try await expectResyncRecordsNothing(on: app, in: runtime, recorder: recorder)
        }
    }

    @Test("a ManualScalerTrait no AppConfig owns records its Event on itself", arguments: Substrate.available)
    func manualScalerWithoutOwner(on substrate: Substrate) async throws {
        try await withEventfulControllers(on: substrate) { runtime, _ in
            try await runtime.create(deploymentYAML("api"))
            let trait = try #require(try await runtime.create(
                scalerYAML("api-scaler", workload: "api", replicas: 2, owner: nil)).first)
            let events = try await waitForEvents(on: trait, in: runtime) {
                $0.contains { $0.reason == "Manual scalar applied" }
            }
            // (A first reconcile may beat the Deployment into the cache and warn that it is missing.)
            let scaled = events.filter { $0.reason == "Manual scalar applied" }
            #expect(scaled.map(\.involvedKind) == ["ManualScalerTrait"])
            #expect(scaled.map(\.message) == ["Trait `api-scaler` successfully scaled Deployment/api to 2 instances"])
        }
    }

    // MARK: Helpers

    /// An Event as the test reads it.
    struct SeenEvent: Equatable {
        var reason: String
        var message: String
        var type: String
        var count: Int64
        var involvedKind: String
        var resourceVersion: String?

        init(_ event: Resource) {
            reason = event.object["reason"]?.stringValue ?? ""
            message = event.object["message"]?.stringValue ?? ""
            type = event.object["type"]?.stringValue ?? ""
            count = event.object["count"]?.intValue ?? 1
            involvedKind = event.object["involvedObject"]?["kind"]?.stringValue ?? ""
            resourceVersion = event.resourceVersion
        }
    }

    /// The Events whose involvedObject is `object` (by uid).
    func events(on object: Resource, in runtime: Runtime) async throws -> [SeenEvent] {
        try await runtime.client.list(Self.eventKind, namespace: runtime.namespace).items
            .filter { $0.object["involvedObject"]?["uid"]?.stringValue == object.uid }
            .map(SeenEvent.init)
            .sorted { ($0.reason, $0.message) < ($1.reason, $1.message) }
    }

    /// Waits until the Events on `object` satisfy `condition`, and returns them.
    func waitForEvents(
        on object: Resource, in runtime: Runtime, _ condition: @escaping ([SeenEvent]) -> Bool
    ) async throws -> [SeenEvent] {
        var seen: [SeenEvent] = []
        let ok = try await eventually {
            seen = try await events(on: object, in: runtime)
            return condition(seen)
        }
        #expect(ok, "events on \(object.kind)/\(object.name): \(seen)")
        return seen
    }

    /// A full resync, once worked through and its Events written, leaves the Events on `app` as
    /// they were: a converged workload or trait records nothing.
    func expectResyncRecordsNothing(on app: Resource, in runtime: Runtime, recorder: EventRecorder) async throws {
        await runtime.manager.waitUntilIdle()
        let before = try await events(on: app, in: runtime)
        await runtime.manager.resync()
        await runtime.manager.waitUntilIdle()
        // Events are written in order: once a marker recorded now is written, so is all before it.
        var marker = Resource(apiVersion: "v1", kind: "ConfigMap", name: "marker", namespace: runtime.namespace)
        marker = try await runtime.client.create(marker)
        await recorder.record(on: marker, type: .normal, reason: "Marker", message: "after the resync")
        _ = try await waitForEvents(on: marker, in: runtime) { !$0.isEmpty }
        #expect(try await events(on: app, in: runtime) == before, "a resync recorded Events")
    }

    func createAppConfig(_ name: String, in runtime: Runtime) async throws -> Resource {
        try #require(try await runtime.create("""
            apiVersion: core.oam.dev/v1alpha2
            kind: ApplicationConfiguration
            metadata: {name: \(name), namespace: \(runtime.namespace)}
            spec:
              components: []
            """).first)
    }

    func ownerYAML(_ owner: Resource?) -> String {
        guard let owner else { return "[]" }
        return "[{apiVersion: core.oam.dev/v1alpha2, kind: ApplicationConfiguration, name: \(owner.name), "
            + "uid: \(owner.uid ?? ""), controller: true, blockOwnerDeletion: true}]"
    }

    func workloadYAML(owner: Resource, image: String, config: Bool) -> String {
        """
        apiVersion: core.oam.dev/v1alpha2
        kind: ContainerizedWorkload
        metadata:
          name: web
          namespace: \(owner.namespace ?? "default")
          labels: {app.oam.dev/component: web, app.oam.dev/name: \(owner.name)}
          ownerReferences: \(ownerYAML(owner))
        spec:
          containers:
          - name: nginx
            image: "\(image)"
            ports: [{name: http, containerPort: 80}]
        \(config ? "    config: [{path: /etc/web/site.conf, value: \"listen 80;\"}]" : "")
        """
    }

    func deploymentYAML(_ name: String) -> String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: \(name), labels: {app: \(name)}}
        spec:
          selector: {matchLabels: {app: \(name)}}
          template:
            metadata: {labels: {app: \(name)}}
            spec: {containers: [{name: main, image: "busybox:1.36"}]}
        """
    }

    func scalerYAML(_ name: String, workload: String, replicas: Int, owner: Resource?) -> String {
        """
        apiVersion: core.oam.dev/v1alpha2
        kind: ManualScalerTrait
        metadata:
          name: \(name)
          ownerReferences: \(ownerYAML(owner))
        spec:
          replicaCount: \(replicas)
          workloadRef: {apiVersion: apps/v1, kind: Deployment, name: \(workload)}
        """
    }
}

/// The workload, trait and scope controllers recording into a running ``EventRecorder``.
func withEventfulControllers(
    on substrate: Substrate, _ body: (Runtime, EventRecorder) async throws -> Void
) async throws {
    let slot = Mutex<EventRecorder?>(nil)
    try await Runtime.with(on: substrate, registering: { manager, logger in
        let recorder = EventRecorder(client: manager.client, logger: logger, metricsFactory: PrometheusMetrics().factory)
        slot.withLock { $0 = recorder }
        manager.add(WorkloadControllers.containerizedWorkloadController(
            manager: manager, workers: 2, events: recorder, logger: logger))
        manager.add(WorkloadControllers.manualScalerTraitController(
            manager: manager, workers: 2, events: recorder, logger: logger))
    }) { runtime in
        let recorder = try #require(slot.withLock { $0 })
        try await withTestTasks { tasks in
            tasks.start { await recorder.run() }
            try await body(runtime, recorder)
        }
    }
}
