import APIServer
import ClusterControllers  // not declared for this target: see RuntimeSupport.swift
import OAMControllers
import ControllerRuntime
import Foundation
import KubeClient
import Logging
import OAM
import OrderedCollections
import Resources
import TestSupport
import Testing

/// A plane with the OAM kinds and a running manager with the workload, trait and scope
/// controllers (and, if asked, what runs workloads there: ``WorkloadRunner``), for one test;
/// everything stops at the end.
func withWorkloadControllers(
    on substrate: Substrate, nodeSimulator: Bool = false, _ body: (Runtime) async throws -> Void
) async throws {
    try await Runtime.with(on: substrate, runningWorkloads: nodeSimulator, registering: { manager, logger in
        manager.add(WorkloadControllers.containerizedWorkloadController(manager: manager, workers: 2, logger: logger))
        manager.add(WorkloadControllers.manualScalerTraitController(manager: manager, workers: 2, logger: logger))
        manager.add(WorkloadControllers.healthScopeController(manager: manager, workers: 2, logger: logger))
    }, body)
}

/// Kinds only these tests use (kept apart from ``Kinds`` so that both can grow without clashing).
enum WorkloadTestKinds {
    static let containerizedWorkload = GroupVersionKind(group: OAM.group, version: OAM.version, kind: "ContainerizedWorkload")
    static let service = GroupVersionKind(group: "", version: "v1", kind: "Service")
    static let pod = GroupVersionKind(group: "", version: "v1", kind: "Pod")
}

private extension Runtime {
    /// The resourceVersions of `objects` as the server has them now.
    func resourceVersions(_ objects: [(GroupVersionKind, String)]) async throws -> [String?] {
        var versions: [String?] = []
        for (kind, name) in objects { versions.append(try await get(kind, name)?.resourceVersion) }
        return versions
    }

    /// Whether a full resync of every controller, once worked through, writes none of `objects`.
    func resyncWritesNothing(to objects: [(GroupVersionKind, String)]) async throws -> Bool {
        let managers = [manager] + (clusterControllers.map { [$0.manager] } ?? [])
        for manager in managers { await manager.waitUntilIdle() }
        let before = try await resourceVersions(objects)
        for manager in managers { await manager.resync() }
        for manager in managers { await manager.waitUntilIdle() }
        return try await resourceVersions(objects) == before
    }
}

/// `Synced` of an object's `status.conditions`.
private func syncedCondition(_ object: Resource) -> JSONValue? {
    object.status?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Synced" }
}

/// The ConfigMap name the translation gives a config file (spec §7.2).
private func configMapName(workload: String, container: String, path: String) -> String {
    "\(workload)-\(container)-\(FNV1a.hash32(path))"
}

private let webWorkload = """
    apiVersion: core.oam.dev/v1alpha2
    kind: ContainerizedWorkload
    metadata:
      name: web
      labels:
        app.oam.dev/component: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports:
        - name: http
          containerPort: 80
        config:
        - path: /etc/web/site.conf
          value: "listen 80;"
        - path: /etc/web/extra.conf
          value: "gzip on;"
    """

@Suite("Workload, trait and scope controllers", .serialized)
struct WorkloadControllersTests {
    @Test("a ContainerizedWorkload becomes its Deployment, Service and ConfigMaps, and a resync writes nothing", arguments: Substrate.available)
    func containerizedWorkload(on substrate: Substrate) async throws {
        try await withWorkloadControllers(on: substrate) { runtime in
            let workload = try #require(try await runtime.create(webWorkload).first)
            let uid = try #require(workload.uid)
            let converged = try await runtime.waitFor(WorkloadTestKinds.containerizedWorkload, "web") { object in
                syncedCondition(object)?["status"] == "True"
                    && object.status?["resources"]?.arrayValue?.count == 2
            }

            let deployment = try await runtime.waitFor(Kinds.deployment, "web")
            #expect(deployment.controllerReference?.uid == uid)
            #expect(deployment.controllerReference?.kind == "ContainerizedWorkload")
            #expect(deployment.valueIfPresent(at: "spec.selector.matchLabels")
                == [OAM.Label.containerizedWorkload: .string(uid)])
            #expect(deployment.valueIfPresent(at: "spec.template.spec.containers[0].image") == "nginx:1.25")
            // The controller sets no replicas; the server defaults them to 1, as kube-apiserver does.
            #expect(deployment.valueIfPresent(at: "spec.replicas") == 1)
            #expect(deployment.labels[OAM.Label.component] == "web")

            let service = try await runtime.waitFor(WorkloadTestKinds.service, "web")
            #expect(service.controllerReference?.uid == uid)
            #expect(service.valueIfPresent(at: "spec.ports[0].port") == 80)
            #expect(service.valueIfPresent(at: "spec.selector") == [OAM.Label.containerizedWorkload: .string(uid)])

            let site = configMapName(workload: "web", container: "nginx", path: "/etc/web/site.conf")
            let configMap = try await runtime.waitFor(Kinds.configMap, site)
            #expect(configMap.object["data"] == ["site.conf": "listen 80;"])
            #expect(configMap.controllerReference?.uid == deployment.uid)
            #expect(configMap.controllerReference?.kind == "Deployment")

            let resources = try #require(converged.status?["resources"]?.arrayValue)
            #expect(resources[0] == TypedReference(
                apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: deployment.uid).json)
            #expect(resources[1] == TypedReference(
                apiVersion: "v1", kind: "Service", name: "web", uid: service.uid).json)

            let extra = configMapName(workload: "web", container: "nginx", path: "/etc/web/extra.conf")
            let everything: [(GroupVersionKind, String)] = [
                (WorkloadTestKinds.containerizedWorkload, "web"), (Kinds.deployment, "web"), (WorkloadTestKinds.service, "web"),
                (Kinds.configMap, site), (Kinds.configMap, extra),
            ]
            #expect(try await eventually { try await runtime.resyncWritesNothing(to: everything) },
                    "a reconcile that changes nothing must not write")
        }
    }

    @Test("a config file taken out of the workload takes its ConfigMap with it", arguments: Substrate.available)
    func removedConfigFile(on substrate: Substrate) async throws {
        try await withWorkloadControllers(on: substrate) { runtime in
            try await runtime.create(webWorkload)
            let site = configMapName(workload: "web", container: "nginx", path: "/etc/web/site.conf")
            let extra = configMapName(workload: "web", container: "nginx", path: "/etc/web/extra.conf")
            try await runtime.waitFor(Kinds.configMap, site)
            try await runtime.waitFor(Kinds.configMap, extra)

            // A patch, not an update: the controller writes the status meanwhile.
            _ = try await runtime.client.patch(
                WorkloadTestKinds.containerizedWorkload, name: "web", namespace: runtime.namespace,
                patch: [["op": "remove", "path": "/spec/containers/0/config/1"]], type: .json)

            try await runtime.waitForAbsence(Kinds.configMap, extra)
            #expect(try await runtime.get(Kinds.configMap, site) != nil)
            let deployment = try await runtime.waitFor(Kinds.deployment, "web") { deployment in
                deployment.valueIfPresent(at: "spec.template.spec.volumes")?.arrayValue?.count == 1
            }
            #expect(deployment.valueIfPresent(at: "spec.template.spec.volumes[0].name") == .string(site))
        }
    }

    @Test("a workload without ports has no Service, and one that loses its ports loses its Service", arguments: Substrate.available)
    func serviceFollowsPorts(on substrate: Substrate) async throws {
        try await withWorkloadControllers(on: substrate) { runtime in
            try await runtime.create(webWorkload)
            try await runtime.waitFor(WorkloadTestKinds.service, "web")
            _ = try await runtime.client.patch(
                WorkloadTestKinds.containerizedWorkload, name: "web", namespace: runtime.namespace,
                patch: [["op": "remove", "path": "/spec/containers/0/ports"]], type: .json)
            try await runtime.waitForAbsence(WorkloadTestKinds.service, "web")
            let converged = try await runtime.waitFor(WorkloadTestKinds.containerizedWorkload, "web") { object in
                object.status?["resources"]?.arrayValue?.count == 1
            }
            #expect(syncedCondition(converged)?["status"] == "True")
        }
    }

    @Test("a workload that cannot be translated says why in its Synced condition", arguments: Substrate.available)
    func untranslatable(on substrate: Substrate) async throws {
        try await withWorkloadControllers(on: substrate) { runtime in
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: ContainerizedWorkload
                metadata: {name: broken}
                spec:
                  containers:
                  - name: app
                    image: app:1
                    config: [{path: "/", value: "not a file"}]
                """)
            let workload = try await runtime.waitFor(WorkloadTestKinds.containerizedWorkload, "broken") { object in
                syncedCondition(object)?["status"] == "False"
            }
            #expect(syncedCondition(workload)?["reason"] == "ReconcileError")
            #expect(syncedCondition(workload)?["message"]?.stringValue?.contains("spec.containers[0].config[0].path") == true)
            #expect(try await runtime.get(Kinds.deployment, "broken") == nil)
        }
    }

    @Test("a ManualScalerTrait scales the workload's Deployment up and down and puts back a manual edit", arguments: Substrate.available)
    func manualScaler(on substrate: Substrate) async throws {
        try await withWorkloadControllers(on: substrate) { runtime in
            try await runtime.create(webWorkload)
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: ManualScalerTrait
                metadata: {name: web-scaler}
                spec:
                  replicaCount: 3
                  workloadRef: {apiVersion: core.oam.dev/v1alpha2, kind: ContainerizedWorkload, name: web}
                """)
            let scaled = try await runtime.waitFor(Kinds.deployment, "web") { $0.spec?["replicas"] == 3 }
            #expect(scaled.ownerReferences.map(\.kind) == ["ContainerizedWorkload"], "the scaler adds no owner")
            // The first reconcile may run before the Deployment exists (False); it settles on True.
            let trait = try await runtime.waitFor(Kinds.manualScaler, "web-scaler") {
                syncedCondition($0)?["status"] == "True"
            }
            #expect(syncedCondition(trait)?["reason"] == "ReconcileSuccess")

            // Someone else changes the replicas: the trait puts its count back.
            _ = try await runtime.client.patch(
                Kinds.deployment, name: "web", namespace: runtime.namespace, patch: ["spec": ["replicas": 5]], type: .merge,
                options: WriteOptions(fieldManager: "someone"))
            try await runtime.waitFor(Kinds.deployment, "web") { $0.spec?["replicas"] == 3 }

            _ = try await runtime.client.patch(
                Kinds.manualScaler, name: "web-scaler", namespace: runtime.namespace, patch: ["spec": ["replicaCount": 1]],
                type: .merge)
            try await runtime.waitFor(Kinds.deployment, "web") { $0.spec?["replicas"] == 1 }

            #expect(try await eventually {
                try await runtime.resyncWritesNothing(to: [(Kinds.deployment, "web"), (Kinds.manualScaler, "web-scaler")])
            })
        }
    }

    @Test("a ManualScalerTrait whose workload does not exist says so and scales it once it appears", arguments: Substrate.available)
    func manualScalerWaitsForWorkload(on substrate: Substrate) async throws {
        try await withWorkloadControllers(on: substrate) { runtime in
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: ManualScalerTrait
                metadata: {name: api-scaler}
                spec:
                  replicaCount: 2
                  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: api}
                """)
            let failing = try await runtime.waitFor(Kinds.manualScaler, "api-scaler") {
                syncedCondition($0)?["status"] == "False"
            }
            #expect(syncedCondition(failing)?["message"]?.stringValue?.contains("Deployment api does not exist") == true)
            try await runtime.create(bareDeployment("api", replicas: nil))
            try await runtime.waitFor(Kinds.deployment, "api") { $0.spec?["replicas"] == 2 }
            try await runtime.waitFor(Kinds.manualScaler, "api-scaler") { syncedCondition($0)?["status"] == "True" }
        }
    }

    @Test("a HealthScope over running workloads is HEALTHY, with results sorted by reference", arguments: Substrate.available)
    func healthyScope(on substrate: Substrate) async throws {
        try await withWorkloadControllers(on: substrate, nodeSimulator: true) { runtime in
            try await runtime.create(webWorkload)
            try await runtime.create(bareDeployment("api", replicas: 2))
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: HealthScope
                metadata: {name: health}
                spec:
                  workloadRefs:
                  - {apiVersion: core.oam.dev/v1alpha2, kind: ContainerizedWorkload, name: web}
                  - {apiVersion: apps/v1, kind: Deployment, name: api}
                """)
            let scope = try await runtime.waitFor(Kinds.healthScope, "health") { scope in
                scope.status?["scopeHealthCondition"]?["healthStatus"] == "HEALTHY"
            }
            #expect(scope.status?["scopeHealthCondition"] == ["healthStatus": "HEALTHY", "total": 2, "healthyWorkloads": 2])
            let conditions = try #require(scope.status?["healthConditions"]?.arrayValue)
            #expect(conditions.map { $0["targetWorkload"]?["kind"] } == ["Deployment", "ContainerizedWorkload"])
            #expect(conditions[0]["diagnosis"] == "Ready:2/2")
            #expect(conditions[1]["componentName"] == "web")
            #expect(conditions[1]["targetWorkload"]?["uid"] != nil)
        }
    }

    @Test("a HealthScope reports unready, missing and unknown workloads, and follows a workload as it becomes ready", arguments: Substrate.available)
    func unhealthyScope(on substrate: Substrate) async throws {
        try await withWorkloadControllers(on: substrate) { runtime in
            try await runtime.create(bareDeployment("api", replicas: 2))
            try await runtime.create("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: settings}
                data: {k: v}
                """)
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: HealthScope
                metadata: {name: health}
                spec:
                  probe-interval: 3600
                  workloadRefs:
                  - {apiVersion: apps/v1, kind: Deployment, name: api}
                  - {apiVersion: apps/v1, kind: Deployment, name: missing}
                  - {apiVersion: v1, kind: ConfigMap, name: settings}
                """)
            // A first probe may run before the new Deployment or ConfigMap reaches the cache
            // (then it is "missing"); its arrival queues the scope again.
            let scope = try await runtime.waitFor(Kinds.healthScope, "health") { scope in
                scope.status?["healthConditions"]?[0]?["diagnosis"] == "Ready:0/2"
                    && scope.status?["healthConditions"]?[2]?["healthStatus"] == "UNKNOWN"
            }
            #expect(scope.status?["scopeHealthCondition"] == [
                "healthStatus": "UNHEALTHY", "total": 3, "unhealthyWorkloads": 2, "unknownWorkloads": 1,
            ])
            let conditions = try #require(scope.status?["healthConditions"]?.arrayValue)
            #expect(conditions.map { $0["targetWorkload"]?["name"] } == ["api", "missing", "settings"])
            #expect(conditions.map { $0["healthStatus"] } == ["UNHEALTHY", "UNHEALTHY", "UNKNOWN"])
            #expect(conditions[0]["diagnosis"] == "Ready:0/2")

            // The interval is an hour: only the watch of the Deployment can bring the change.
            // Ready replicas never exceed replicas: kube-apiserver refuses such a status.
            _ = try await runtime.client.patch(
                Kinds.deployment, name: "api", namespace: runtime.namespace,
                patch: ["status": ["replicas": 2, "readyReplicas": 2]], type: .merge, subresource: "status")
            let ready = try await runtime.waitFor(Kinds.healthScope, "health") { scope in
                scope.status?["scopeHealthCondition"]?["healthyWorkloads"] == 1
            }
            #expect(ready.status?["healthConditions"]?[0]?["diagnosis"] == "Ready:2/2")
        }
    }

    @Test("workloads run when asked: Deployments and StatefulSets become ready (Pods on the embedded plane, the Deployment-level simulator on the kit), and a resync writes nothing", arguments: Substrate.available)
    func workloadsRun(on substrate: Substrate) async throws {
        try await withWorkloadControllers(on: substrate, nodeSimulator: true) { runtime in
            try await runtime.create(bareDeployment("api", replicas: 3))
            let deployment = try await runtime.waitFor(Kinds.deployment, "api") {
                $0.status?["readyReplicas"] == 3 && $0.status?["availableReplicas"] == 3
            }
            for field in ["replicas", "availableReplicas", "updatedReplicas"] {
                #expect(deployment.status?[field] == 3)
            }
            #expect(deployment.status?["observedGeneration"]?.intValue == deployment.generation)
            let available = deployment.status?["conditions"]?.arrayValue?.first { $0["type"] == "Available" }
            #expect(available?["status"] == "True")
            #expect(available?["reason"] == "MinimumReplicasAvailable")
            if substrate.runsPods {
                // What kube's deployment controller writes, from the Pods of its ReplicaSet.
                #expect(available?["message"] == "Deployment has minimum availability.")
                let pods = try await runtime.client.list(
                    WorkloadTestKinds.pod, namespace: runtime.namespace, options: ListOptions(labelSelector: try LabelSelector(parsing: "app=api")))
                #expect(pods.items.count == 3)
                #expect(pods.items.allSatisfy { $0.valueIfPresent(at: "status.phase") == "Running" })
            } else {
                #expect(available?["message"] == .string(NodeSimulator.availableMessage))
            }

            let statefulSet = GroupVersionKind(group: "apps", version: "v1", kind: "StatefulSet")
            try await runtime.create("""
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: db}
                spec:
                  serviceName: db
                  selector: {matchLabels: {app: db}}
                  template:
                    metadata: {labels: {app: db}}
                    spec: {containers: [{name: db, image: postgres:16}]}
                """)
            if substrate.runsPods {
                let database = try await runtime.waitFor(statefulSet, "db") { $0.status?["readyReplicas"] == 1 }
                #expect(database.status?["availableReplicas"] == 1)
                #expect(try await runtime.get(WorkloadTestKinds.pod, "db-0") != nil)
            } else {
                // The kit's StatefulSet controller owns this status (the simulator leaves it
                // alone), and with no node nothing is ready.
                let database = try await runtime.waitFor(statefulSet, "db") { $0.status?["replicas"] == 1 }
                #expect(database.status?["readyReplicas"] == nil)
            }

            #expect(try await eventually {
                try await runtime.resyncWritesNothing(to: [(Kinds.deployment, "api"), (statefulSet, "db")])
            })
        }
    }

    @Test("the simulated status keeps its condition times while nothing changes")
    func simulatedStatusIsStable() throws {
        var deployment = try Resource(DocumentDecoder.decode(bareDeployment("api", replicas: 2), file: "d.yaml")[0].value)
        deployment.generation = 4
        let first = NodeSimulator.simulatedStatus(of: deployment, now: "2026-01-01T00:00:00Z")
        #expect(first["observedGeneration"] == 4)
        #expect(first["readyReplicas"] == 2)
        deployment.status = first
        #expect(NodeSimulator.simulatedStatus(of: deployment, now: "2026-02-02T00:00:00Z") == first)
    }
}

/// A Deployment YAML without an owner; `replicas: nil` leaves the field out.
private func bareDeployment(_ name: String, replicas: Int?) -> String {
    """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: \(name), labels: {app: \(name)}}
    spec:
      \(replicas.map { "replicas: \($0)" } ?? "")
      selector: {matchLabels: {app: \(name)}}
      template:
        metadata: {labels: {app: \(name)}}
        spec: {containers: [{name: main, image: "busybox:1.36"}]}
    """
}
