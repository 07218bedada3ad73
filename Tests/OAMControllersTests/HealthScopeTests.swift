@testable import ControllerRuntime
@testable import OAMControllers
import Foundation
import KubeClient
import OAM
import OrderedCollections
import Resources
import TestSupport
import Testing

/// The HealthScope controller's rules beyond the common kinds (spec §9): unknown kinds, missing
/// workloads, version peers, probe-interval and probe-timeout. No node simulator runs: the tests
/// write Deployment status themselves.
@Suite("HealthScope", .serialized)
struct HealthScopeTests {
    @Test("a workload kind without a rule is UNKNOWN, counted, with its status copied; a missing one is UNHEALTHY",
          arguments: Substrate.available)
    func unknownAndMissing(on substrate: Substrate) async throws {
        try await withWorkloadControllers(on: substrate) { runtime in
            try await runtime.create("""
                apiVersion: v1
                kind: Service
                metadata: {name: front}
                spec: {ports: [{port: 80}]}
                """)
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: HealthScope
                metadata: {name: health}
                spec:
                  workloadRefs:
                  - {apiVersion: v1, kind: Service, name: front}
                  - {apiVersion: apps/v1, kind: Deployment, name: missing}
                """)
            let scope = try await runtime.waitFor(Kinds.healthScope, "health", namespace: runtime.namespace) {
                $0.status?["scopeHealthCondition"] != nil
            }
            #expect(scope.status?["scopeHealthCondition"] == [
                "healthStatus": "UNHEALTHY", "total": 2, "unhealthyWorkloads": 1, "unknownWorkloads": 1,
            ])
            let conditions = try #require(scope.status?["healthConditions"]?.arrayValue)
            #expect(conditions.map { $0["targetWorkload"]?["name"] } == ["missing", "front"])
            #expect(conditions[0]["healthStatus"] == "UNHEALTHY")
            #expect(conditions[0]["diagnosis"] == .string(
                "error occurs in health check: apps/v1 Deployment missing does not exist in namespace \(runtime.namespace)"))
            #expect(conditions[1]["healthStatus"] == "UNKNOWN")
            #expect(conditions[1]["diagnosis"] == "APIVersion v1 Kind Service workload is unknown for HealthScope")
            let service = try #require(try await runtime.get(WorkloadTestKinds.service, "front", namespace: runtime.namespace))
            #expect(conditions[1]["workloadStatus"] == .string((service.status ?? .null).jsonString()))
            #expect(conditions[1]["targetWorkload"]?["uid"] == service.uid.map(JSONValue.string))
        }
    }

    @Test("the earlier revisions' workloads are checked as version peers: any unhealthy one makes the workload UNHEALTHY",
          arguments: Substrate.available)
    func versionPeers(on substrate: Substrate) async throws {
        try await withWorkloadControllers(on: substrate) { runtime in
            try await runtime.create(revisionDeployment("web-v1", replicas: 0))
            try await runtime.create(revisionDeployment("web-v2", replicas: 1))
            try await runtime.create(revisionDeployment("web-v3", replicas: 1))
            try await runtime.create(revisionDeployment("other-v1", replicas: 1, component: "other"))
            try await setReady("web-v3", 1, in: runtime)
            try await setReady("other-v1", 0, in: runtime)
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: HealthScope
                metadata: {name: health}
                spec:
                  probe-interval: 3600
                  workloadRefs:
                  - {apiVersion: apps/v1, kind: Deployment, name: web-v3}
                """)
            let unhealthy = try await runtime.waitFor(Kinds.healthScope, "health", namespace: runtime.namespace) {
                $0.status?["scopeHealthCondition"] != nil
            }
            // Peers are not counted; web-v1 runs nothing and is left out; other-v1 is another component.
            #expect(unhealthy.status?["scopeHealthCondition"] == ["healthStatus": "UNHEALTHY", "total": 1, "unhealthyWorkloads": 1])
            let condition = unhealthy.status?["healthConditions"]?[0]
            #expect(condition?["healthStatus"] == "UNHEALTHY")
            #expect(condition?["diagnosis"] == "web-v3:Ready:1/1 web-v2:Ready:0/1")
            #expect(condition?["componentName"] == "web")

            // The interval is an hour: only the watch of the peers can bring the change.
            try await setReady("web-v2", 1, in: runtime)
            let healthy = try await runtime.waitFor(Kinds.healthScope, "health", namespace: runtime.namespace) {
                $0.status?["scopeHealthCondition"]?["healthStatus"] == "HEALTHY"
            }
            #expect(healthy.status?["scopeHealthCondition"] == ["healthStatus": "HEALTHY", "total": 1, "healthyWorkloads": 1])
            #expect(healthy.status?["healthConditions"]?[0]?["diagnosis"] == "web-v3:Ready:1/1 web-v2:Ready:1/1")

            // A resync writes nothing while nothing changes.
            try await runtime.expectResyncWritesNothing([(Kinds.healthScope, "health")])
        }
    }

    @Test("the peer diagnosis is ordered by revision number descending and leaves out scaled-down peers after the first")
    func peerDiagnosisOrder() {
        #expect(HealthScopeReconciler.peerDiagnosis([
            ("web-v2", "Ready:0/0"), ("web-v10", "Ready:1/2"), ("web-v9", "Ready:0/0"), ("web-v3", "Ready:1/1"),
        ]) == "web-v10:Ready:1/2 web-v3:Ready:1/1")
        #expect(HealthScopeReconciler.peerDiagnosis([("web-v1", "Ready:1/1"), ("web-v2", "Ready:0/0")])
            == "web-v2:Ready:0/0 web-v1:Ready:1/1")
        #expect(HealthScopeReconciler.revisionNumber("web") == 0)
        #expect(HealthScopeReconciler.revisionNumber("svc-v12") == 12)
    }

    @Test("a scope is queued by a change in the peer groups it looks at, and no longer once it looks elsewhere")
    func peerGroups() throws {
        var groups = PeerGroups()
        let scope = ObjectKey(namespace: "default", name: "health")
        var web = Resource(apiVersion: "apps/v1", kind: "Deployment", name: "web-v1", namespace: "default")
        #expect(PeerGroups.key(of: web, kind: Kinds.deployment) == nil)
        web.setLabel(OAM.Label.component, "web")
        web.setLabel(OAM.Label.appName, "shop")
        let key = try #require(PeerGroups.key(of: web, kind: Kinds.deployment))
        groups.set([key], for: scope)
        #expect(groups.scopes(in: key) == [scope])
        groups.set([], for: scope)
        #expect(groups.scopes(in: key).isEmpty)
    }

    @Test("a check that waits longer than probe-timeout gives up; one that finishes starts the next wait afresh")
    func probeTimeout() {
        var deadlines = ProbeDeadlines()
        let key = ObjectKey(namespace: "default", name: "health")
        let start = ContinuousClock.now
        #expect(deadlines.remaining(key, timeout: .seconds(2), now: start) == .seconds(2))
        #expect(deadlines.remaining(key, timeout: .seconds(2), now: start + .seconds(1)) == .seconds(1))
        #expect(deadlines.remaining(key, timeout: .seconds(2), now: start + .seconds(3)) <= .zero)
        deadlines.finished(key)
        #expect(deadlines.remaining(key, timeout: .seconds(2), now: start + .seconds(5)) == .seconds(2))
    }

    // MARK: Helpers

    /// A Deployment of a revision of `component` in AppConfig `shop`, as the AppConfig controller
    /// labels it.
    func revisionDeployment(_ name: String, replicas: Int, component: String = "web") -> String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: \(name)
          labels: {app.oam.dev/component: \(component), app.oam.dev/name: shop, app: \(name)}
        spec:
          replicas: \(replicas)
          selector: {matchLabels: {app: \(name)}}
          template:
            metadata: {labels: {app: \(name)}}
            spec: {containers: [{name: main, image: "busybox:1.36"}]}
        """
    }

    func setReady(_ name: String, _ ready: Int, in runtime: Runtime) async throws {
        _ = try await runtime.client.patch(
            Kinds.deployment, name: name, namespace: runtime.namespace,
            // kube-apiserver refuses readyReplicas above status.replicas: both are set.
            patch: ["status": ["replicas": .int(Int64(ready)), "readyReplicas": .int(Int64(ready))]],
            type: .merge, subresource: "status")
    }
}
