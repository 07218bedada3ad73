@testable import OAMControllers
import ControllerRuntime
import Foundation
import KubeClient
import OAM
import Resources
import TestSupport
import Testing

/// OAM on the embedded plane's own controllers: a ManualScalerTrait's replicas become a
/// ReplicaSet's Pods, and a HealthScope judges Deployments, StatefulSets and DaemonSets from the
/// status their controllers write from those Pods (the kit has no kubelet: no Pod is ever ready
/// there, so these run where Pods do).
@Suite("OAM on Pods")
struct PodLevelWorkloadTests {
    static let replicaSet = GroupVersionKind(group: "apps", version: "v1", kind: "ReplicaSet")
    static let statefulSet = GroupVersionKind(group: "apps", version: "v1", kind: "StatefulSet")
    static let daemonSet = GroupVersionKind(group: "apps", version: "v1", kind: "DaemonSet")

    /// The substrates whose workloads run as Pods.
    static let podSubstrates = Substrate.available.filter(\.runsPods)

    @Test("a ManualScalerTrait scales a Deployment, whose ReplicaSet then runs that many Pods", arguments: podSubstrates)
    func scalerRunsPods(on substrate: Substrate) async throws {
        try await withWorkloadControllers(on: substrate, nodeSimulator: true) { runtime in
            try await runtime.create(deployment("api", image: "busybox:1.36"))
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: ManualScalerTrait
                metadata: {name: api-scaler}
                spec:
                  replicaCount: 3
                  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: api}
                """)
            try await runtime.waitFor(Kinds.deployment, "api") {
                $0.spec?["replicas"] == 3 && $0.status?["readyReplicas"] == 3
            }
            let replicaSets = try await owned(by: "api", kind: Self.replicaSet, in: runtime)
            #expect(replicaSets.count == 1)
            #expect(replicaSets.first?.spec?["replicas"] == 3)
            let pods = try await runningPods(of: "api", in: runtime)
            #expect(pods.count == 3)
            #expect(pods.allSatisfy { $0.ownerReferences.first?.name == replicaSets.first?.name })

            try await runtime.edit(Kinds.manualScaler, "api-scaler") { $0.spec?["replicaCount"] = 1 }
            try await runtime.waitFor(Kinds.deployment, "api") {
                $0.spec?["replicas"] == 1 && $0.status?["replicas"] == 1 && $0.status?["readyReplicas"] == 1
            }
            let scaledDown = try await eventually(timeout: Runtime.patience) {
                try await runningPods(of: "api", in: runtime).count == 1
            }
            #expect(scaledDown, "the ReplicaSet should keep one Pod")
        }
    }

    @Test("a HealthScope judges a DaemonSet, a StatefulSet and a Deployment from the status their controllers write", arguments: podSubstrates)
    func scopeOverPods(on substrate: Substrate) async throws {
        try await withWorkloadControllers(on: substrate, nodeSimulator: true) { runtime in
            try await runtime.create("""
                apiVersion: apps/v1
                kind: DaemonSet
                metadata: {name: agent}
                spec:
                  selector: {matchLabels: {app: agent}}
                  template:
                    metadata: {labels: {app: agent}}
                    spec: {containers: [{name: agent, image: "busybox:1.36"}]}
                """)
            try await runtime.create("""
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: db}
                spec:
                  replicas: 2
                  serviceName: db
                  selector: {matchLabels: {app: db}}
                  template:
                    metadata: {labels: {app: db}}
                    spec: {containers: [{name: db, image: "postgres:16"}]}
                """)
            // A registry under .invalid never resolves: the simulated node never pulls the image.
            try await runtime.create(deployment("broken", image: "registry.invalid/broken:1"))
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: HealthScope
                metadata: {name: health}
                spec:
                  probe-interval: 3600
                  workloadRefs:
                  - {apiVersion: apps/v1, kind: DaemonSet, name: agent}
                  - {apiVersion: apps/v1, kind: Deployment, name: broken}
                  - {apiVersion: apps/v1, kind: StatefulSet, name: db}
                """)
            // The interval is an hour: only the workloads' status changes bring the scope along.
            let scope = try await runtime.waitFor(Kinds.healthScope, "health") {
                $0.status?["scopeHealthCondition"]?["healthyWorkloads"] == 2
            }
            #expect(scope.status?["scopeHealthCondition"] == [
                "healthStatus": "UNHEALTHY", "total": 3, "healthyWorkloads": 2, "unhealthyWorkloads": 1,
            ])
            let conditions = try #require(scope.status?["healthConditions"]?.arrayValue)
            #expect(conditions.map { $0["targetWorkload"]?["name"] } == ["agent", "broken", "db"])
            #expect(conditions.map { $0["healthStatus"] } == ["HEALTHY", "UNHEALTHY", "HEALTHY"])
            #expect(conditions.map { $0["diagnosis"] } == ["Ready:1/1", "Ready:0/1", "Ready:2/2"])
        }
    }

    @Test("an AppConfig's ContainerizedWorkload, scaled by its trait, runs as Pods and its HealthScope reports it HEALTHY", arguments: podSubstrates)
    func appConfigOnPods(on substrate: Substrate) async throws {
        var options = OAMControllers.Options()
        options.nodeSimulator = true
        try await Runtime.with(on: substrate, options: options) { runtime in
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: HealthScope
                metadata: {name: health}
                spec: {workloadRefs: []}
                ---
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
                        image: "nginx:1.27"
                        ports: [{name: http, containerPort: 80}]
                ---
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata: {name: shop}
                spec:
                  components:
                  - componentName: web
                    traits:
                    - trait:
                        apiVersion: core.oam.dev/v1alpha2
                        kind: ManualScalerTrait
                        spec: {replicaCount: 2}
                    scopes:
                    - scopeRef: {apiVersion: core.oam.dev/v1alpha2, kind: HealthScope, name: health}
                """)
            // An empty scope is HEALTHY too: wait for the workload's own result.
            let scope = try await runtime.waitFor(Kinds.healthScope, "health") {
                $0.status?["healthConditions"]?[0]?["healthStatus"] == "HEALTHY"
            }
            #expect(scope.status?["scopeHealthCondition"] == ["healthStatus": "HEALTHY", "total": 1, "healthyWorkloads": 1])
            #expect(scope.status?["healthConditions"]?[0]?["diagnosis"] == "Ready:2/2")
            let deployment = try #require(try await runtime.get(Kinds.deployment, "web"))
            #expect(deployment.status?["readyReplicas"] == 2)
            let pods = try await runtime.client.list(WorkloadTestKinds.pod, namespace: runtime.namespace).items
            #expect(pods.filter { $0.name.hasPrefix("web-") && $0.valueIfPresent(at: "status.phase") == "Running" }.count == 2)
        }
    }

    @Test("a DaemonSet is healthy once its controller reported every Pod it should run ready, and none unavailable")
    func daemonSetRule() throws {
        func health(_ status: JSONValue?) -> (String, String?) {
            var object = Resource(apiVersion: "apps/v1", kind: "DaemonSet", name: "agent")
            object.status = status
            let result = HealthScopeReconciler.daemonSetHealth(object)
            return (result.status.rawValue, result.diagnosis)
        }
        // Not reported on yet: the reference's rule (numberUnavailable == 0) read this as HEALTHY.
        #expect(health(nil) == ("UNHEALTHY", "Ready:0/0"))
        #expect(health(["observedGeneration": 1, "desiredNumberScheduled": 1, "numberReady": 0]) == ("UNHEALTHY", "Ready:0/1"))
        #expect(health([
            "observedGeneration": 1, "desiredNumberScheduled": 2, "numberReady": 2, "numberUnavailable": 1,
        ]) == ("UNHEALTHY", "Ready:2/2"))
        #expect(health(["observedGeneration": 1, "desiredNumberScheduled": 1, "numberReady": 1]) == ("HEALTHY", "Ready:1/1"))
        // No node it should run on: nothing to wait for.
        #expect(health(["observedGeneration": 1, "desiredNumberScheduled": 0]) == ("HEALTHY", "Ready:0/0"))
    }

    // MARK: Helpers

    private func deployment(_ name: String, image: String) -> String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: \(name), labels: {app: \(name)}}
        spec:
          selector: {matchLabels: {app: \(name)}}
          template:
            metadata: {labels: {app: \(name)}}
            spec: {containers: [{name: main, image: "\(image)"}]}
        """
    }

    /// The objects of `kind` whose controller is the Deployment `name`.
    private func owned(by name: String, kind: GroupVersionKind, in runtime: Runtime) async throws -> [Resource] {
        try await runtime.client.list(kind, namespace: runtime.namespace).items.filter {
            $0.ownerReferences.contains { $0.kind == "Deployment" && $0.name == name }
        }
    }

    /// The Pods labelled `app=name` that are not being deleted.
    private func runningPods(of name: String, in runtime: Runtime) async throws -> [Resource] {
        try await runtime.client.list(
            WorkloadTestKinds.pod, namespace: runtime.namespace,
            options: ListOptions(labelSelector: try LabelSelector(parsing: "app=\(name)"))
        ).items.filter { !$0.isBeingDeleted }
    }
}
