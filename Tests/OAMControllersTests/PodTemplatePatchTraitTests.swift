import ClusterControllers  // not declared for this target: see RuntimeSupport.swift
import ControllerRuntime
import Foundation
import KubeClient
import Logging
@testable import OAMControllers
import OAM
import OrderedCollections
import Resources
import TestSupport
import Testing

/// The pod-template patch traits end to end, through a Component and an AppConfig: the patch
/// appears in the pod template of the workload's Deployment (or the Deployment itself), edits
/// follow, the workload's own controller re-applying leaves it alone, removing a trait takes
/// out exactly its fields, and a resync writes nothing.
@Suite("Pod-template patch traits end to end", .serialized)
struct PodTemplatePatchTraitTests {
    static func kind(_ name: String) -> GroupVersionKind {
        GroupVersionKind(group: "standard.oam.dev", version: "v1alpha1", kind: name)
    }

    static let sidecar = kind("SidecarTrait")
    static let env = kind("EnvTrait")
    static let initContainer = kind("InitContainerTrait")
    static let nodePlacement = kind("NodePlacementTrait")
    static let podMetadata = kind("PodMetadataTrait")
    static let containerized = GroupVersionKind(group: OAM.group, version: OAM.version, kind: "ContainerizedWorkload")

    /// The OAM controllers with workloads running; at the end the patch traits' finalizers are
    /// taken off whatever the test left (on the kit, the namespace would stay Terminating).
    static func withTraits(on substrate: Substrate, _ body: (Runtime) async throws -> Void) async throws {
        try await Runtime.with(on: substrate, runningWorkloads: true, registering: { manager, logger in
            OAMControllers.register(on: manager, logger: logger)
        }) { runtime in
            var failure: (any Error)?
            do { try await body(runtime) } catch { failure = error }
            for kind in [sidecar, env, initContainer, nodePlacement, podMetadata] {
                for trait in (try? await runtime.client.list(kind, namespace: runtime.namespace).items) ?? []
                where !trait.finalizers.isEmpty {
                    _ = try? await runtime.client.patch(
                        kind, name: trait.name, namespace: runtime.namespace,
                        patch: ["metadata": ["finalizers": .null]], type: .merge)
                }
            }
            if let failure { throw failure }
        }
    }

    static let component = """
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
                image: nginx:1.27
                env: [{name: A, value: "1"}]
                ports: [{name: http, containerPort: 80}]
        """

    static let sidecarTrait = """
        - trait:
            apiVersion: standard.oam.dev/v1alpha1
            kind: SidecarTrait
            metadata: {name: web-sidecar}
            spec:
              containers:
              - name: shipper
                image: busybox:1.36
                volumeMounts: [{name: logs, mountPath: /logs}]
              volumes: [{name: logs, emptyDir: {}}]
              appVolumeMounts: [{name: logs, mountPath: /var/log/web}]
        """

    static func envTrait(level: String) -> String {
        """
        - trait:
            apiVersion: standard.oam.dev/v1alpha1
            kind: EnvTrait
            metadata: {name: web-env}
            spec:
              env:
              - {name: LEVEL, value: \(level)}
              - name: PASSWORD
                valueFrom: {secretKeyRef: {name: db, key: password}}
        """
    }

    static let scalerTrait = """
        - trait:
            apiVersion: core.oam.dev/v1alpha2
            kind: ManualScalerTrait
            metadata: {name: web-scaler}
            spec: {replicaCount: 2}
        """

    static func appConfig(traits: [String]) -> String {
        """
        apiVersion: core.oam.dev/v1alpha2
        kind: ApplicationConfiguration
        metadata: {name: shop}
        spec:
          components:
          - componentName: web
            scopes:
            - scopeRef: {apiVersion: core.oam.dev/v1alpha2, kind: HealthScope, name: health}
            traits:
        \(traits.joined(separator: "\n").split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        """
    }

    static let healthScope = """
        apiVersion: core.oam.dev/v1alpha2
        kind: HealthScope
        metadata: {name: health}
        spec: {workloadRefs: []}
        """

    static func container(_ deployment: Resource, _ name: String) -> JSONValue? {
        deployment.valueIfPresent(at: "spec.template.spec.containers")?.arrayValue?.first { $0["name"]?.stringValue == name }
    }

    static func containerNames(_ deployment: Resource) -> [String] {
        (deployment.valueIfPresent(at: "spec.template.spec.containers")?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
    }

    static func envNames(_ deployment: Resource, _ container: String = "web") -> [String] {
        (Self.container(deployment, container)?["env"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
    }

    static func synced(_ object: Resource) -> JSONValue? {
        object.status?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Synced" }
    }

    @Test("a SidecarTrait and an EnvTrait patch a ContainerizedWorkload's Deployment, follow edits, survive the workload's re-apply, keep scaler and health working, and leave with only their fields",
          arguments: Substrate.available)
    func sidecarAndEnv(on substrate: Substrate) async throws {
        try await Self.withTraits(on: substrate) { runtime in
            try await runtime.create(Self.component)
            try await runtime.create(Self.healthScope)
            try await runtime.create(Self.appConfig(traits: [Self.sidecarTrait, Self.envTrait(level: "debug"), Self.scalerTrait]))

            let patched = try await runtime.waitFor(Kinds.deployment, "web") { deployment in
                Self.containerNames(deployment) == ["web", "shipper"]
                    && Self.envNames(deployment) == ["A", "LEVEL", "PASSWORD"]
                    && Self.envNames(deployment, "shipper") == []
                    && deployment.spec?["replicas"] == 2
            }
            #expect(Self.container(patched, "web")?["image"] == "nginx:1.27")
            #expect(Self.container(patched, "web")?["volumeMounts"] == [["name": "logs", "mountPath": "/var/log/web"]])
            #expect(Self.container(patched, "shipper")?["image"] == "busybox:1.36")
            #expect(patched.valueIfPresent(at: "spec.template.metadata.annotations") == ["sidecar.standard.oam.dev/shipper": "true"])
            #expect(patched.valueIfPresent(at: "spec.template.spec.volumes") == [["name": "logs", "emptyDir": [:]]])
            #expect(Self.container(patched, "web")?["env"]?[2]
                == ["name": "PASSWORD", "valueFrom": ["secretKeyRef": ["name": "db", "key": "password"]]])
            let managers = Set((patched.metadata["managedFields"]?.arrayValue ?? []).compactMap { $0["manager"]?.stringValue })
            #expect(managers.isSuperset(of: ["mizzen", "mizzen-sidecar/web-sidecar", "mizzen-env/web-env"]))

            let sidecar = try await runtime.waitFor(Self.sidecar, "web-sidecar") { Self.synced($0)?["status"] == "True" }
            #expect(sidecar.finalizers.contains(PodTemplatePatch.finalizer))
            #expect(sidecar.valueIfPresent(at: "status.targets[0].kind") == "Deployment")
            #expect(sidecar.valueIfPresent(at: "status.targets[0].name") == "web")
            try await runtime.waitFor(Self.env, "web-env") { Self.synced($0)?["status"] == "True" }

            // Health follows the Deployment with its sidecar.
            try await runtime.waitFor(Kinds.healthScope, "health") {
                $0.status?["scopeHealthCondition"]?["healthStatus"] == "HEALTHY"
            }

            // Editing a trait changes the template.
            try await runtime.edit(Kinds.appConfig, "shop") { app in
                try app.setValue("info", at: "spec.components[0].traits[1].trait.spec.env[0].value")
            }
            try await runtime.waitFor(Kinds.deployment, "web") {
                Self.container($0, "web")?["env"]?[1] == ["name": "LEVEL", "value": "info"]
            }

            // The workload's controller re-applies the Deployment: the traits' fields stay.
            try await runtime.edit(Kinds.component, "web") { component in
                try component.setValue("nginx:1.28", at: "spec.workload.spec.containers[0].image")
            }
            let reapplied = try await runtime.waitFor(Kinds.deployment, "web") {
                Self.container($0, "web")?["image"] == "nginx:1.28"
            }
            #expect(Self.containerNames(reapplied) == ["web", "shipper"])
            #expect(Self.envNames(reapplied) == ["A", "LEVEL", "PASSWORD"])
            #expect(reapplied.spec?["replicas"] == 2)

            #expect(try await eventually {
                try await runtime.resyncWritesNothingToPatched([
                    (Kinds.deployment, "web"), (Self.containerized, "web"), (Self.sidecar, "web-sidecar"),
                    (Self.env, "web-env"), (Kinds.appConfig, "shop"),
                ])
            }, "a reconcile that changes nothing must not write")

            // Removing the sidecar takes out its container, volume and mount, and nothing else.
            try await runtime.edit(Kinds.appConfig, "shop") { app in
                try app.setValue([Self.yamlTrait(Self.envTrait(level: "info")), Self.yamlTrait(Self.scalerTrait)],
                                 at: "spec.components[0].traits")
            }
            try await runtime.waitForAbsence(Self.sidecar, "web-sidecar")
            let unsidecared = try await runtime.waitFor(Kinds.deployment, "web") { Self.containerNames($0) == ["web"] }
            #expect(unsidecared.valueIfPresent(at: "spec.template.spec.volumes") == nil)
            #expect(unsidecared.valueIfPresent(at: "spec.template.metadata.annotations") == nil)
            #expect(Self.container(unsidecared, "web")?["volumeMounts"] == nil)
            #expect(Self.envNames(unsidecared) == ["A", "LEVEL", "PASSWORD"])
            #expect(Self.container(unsidecared, "web")?["image"] == "nginx:1.28")
            #expect(unsidecared.spec?["replicas"] == 2)

            // Removing the env trait leaves the workload's own variable.
            try await runtime.edit(Kinds.appConfig, "shop") { app in
                try app.setValue([Self.yamlTrait(Self.scalerTrait)], at: "spec.components[0].traits")
            }
            try await runtime.waitForAbsence(Self.env, "web-env")
            let plain = try await runtime.waitFor(Kinds.deployment, "web") { Self.envNames($0) == ["A"] }
            #expect(Self.containerNames(plain) == ["web"])
            #expect(plain.spec?["replicas"] == 2)
        }
    }

    @Test("node placement, pod metadata and init containers patch a Deployment workload; a field its owner set otherwise is a conflict the trait reports",
          arguments: Substrate.available)
    func deploymentWorkload(on substrate: Substrate) async throws {
        try await Self.withTraits(on: substrate) { runtime in
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: Component
                metadata: {name: api}
                spec:
                  workload:
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata: {name: api}
                    spec:
                      selector: {matchLabels: {app: api}}
                      template:
                        metadata: {labels: {app: api}}
                        spec:
                          containers: [{name: api, image: nginx:1.27}]
                """)
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: ApplicationConfiguration
                metadata: {name: backend}
                spec:
                  components:
                  - componentName: api
                    traits:
                    - trait:
                        apiVersion: standard.oam.dev/v1alpha1
                        kind: NodePlacementTrait
                        metadata: {name: api-placement}
                        spec:
                          nodeSelector: {disk: ssd}
                          tolerations: [{key: dedicated, operator: Equal, value: api, effect: NoSchedule}]
                    - trait:
                        apiVersion: standard.oam.dev/v1alpha1
                        kind: PodMetadataTrait
                        metadata: {name: api-metadata}
                        spec:
                          labels: {team: payments}
                          annotations: {note: patched}
                    - trait:
                        apiVersion: standard.oam.dev/v1alpha1
                        kind: InitContainerTrait
                        metadata: {name: api-init}
                        spec:
                          initContainers:
                          - name: prepare
                            image: busybox:1.36
                            command: [sh, -c, "echo ready > /work/ready"]
                            volumeMounts: [{name: work, mountPath: /work}]
                          volumes: [{name: work, emptyDir: {}}]
                          appVolumeMounts: [{name: work, mountPath: /etc/api}]
                """)
            let patched = try await runtime.waitFor(Kinds.deployment, "api") { deployment in
                deployment.valueIfPresent(at: "spec.template.spec.nodeSelector") == ["disk": "ssd"]
                    && deployment.valueIfPresent(at: "spec.template.metadata.labels.team") == "payments"
                    && deployment.valueIfPresent(at: "spec.template.spec.initContainers[0].name") == "prepare"
            }
            #expect(patched.valueIfPresent(at: "spec.template.spec.tolerations")
                == [["key": "dedicated", "operator": "Equal", "value": "api", "effect": "NoSchedule"]])
            #expect(patched.valueIfPresent(at: "spec.template.metadata.labels") == ["app": "api", "team": "payments"])
            #expect(patched.valueIfPresent(at: "spec.template.metadata.annotations.note") == "patched")
            #expect(Self.container(patched, "api")?["volumeMounts"] == [["name": "work", "mountPath": "/etc/api"]])
            for (kind, name) in [(Self.nodePlacement, "api-placement"), (Self.podMetadata, "api-metadata"),
                                 (Self.initContainer, "api-init")] {
                try await runtime.waitFor(kind, name) { Self.synced($0)?["status"] == "True" }
            }
            #expect(try await eventually {
                try await runtime.resyncWritesNothingToPatched([
                    (Kinds.deployment, "api"), (Self.nodePlacement, "api-placement"), (Self.podMetadata, "api-metadata"),
                    (Self.initContainer, "api-init"), (Kinds.appConfig, "backend"),
                ])
            }, "a reconcile that changes nothing must not write")

            // The selector's label is the workload's: the trait does not take it.
            try await runtime.edit(Kinds.appConfig, "backend") { app in
                try app.setValue("other", at: "spec.components[0].traits[1].trait.spec.labels.app")
            }
            let refused = try await runtime.waitFor(Self.podMetadata, "api-metadata") {
                Self.synced($0)?["status"] == "False"
            }
            let message = Self.synced(refused)?["message"]?.stringValue ?? ""
            #expect(message.contains("cannot patch the pod template of Deployment/api"), "\(message)")
            #expect(message.contains("conflict"), "\(message)")
            #expect(try await runtime.get(Kinds.deployment, "api")?.valueIfPresent(at: "spec.template.metadata.labels.app") == "api")

            // Removing the traits leaves the Deployment as its owner wrote it.
            try await runtime.edit(Kinds.appConfig, "backend") { app in
                try app.removeValue(at: "spec.components[0].traits")
            }
            let plain = try await runtime.waitFor(Kinds.deployment, "api") { deployment in
                deployment.valueIfPresent(at: "spec.template.spec.nodeSelector") == nil
                    && deployment.valueIfPresent(at: "spec.template.spec.tolerations") == nil
                    && deployment.valueIfPresent(at: "spec.template.spec.initContainers") == nil
                    && deployment.valueIfPresent(at: "spec.template.spec.volumes") == nil
                    && deployment.valueIfPresent(at: "spec.template.metadata.labels") == ["app": "api"]
            }
            #expect(plain.valueIfPresent(at: "spec.template.metadata.annotations") == nil)
            #expect(Self.container(plain, "api")?["volumeMounts"] == nil)
            for (kind, name) in [(Self.nodePlacement, "api-placement"), (Self.podMetadata, "api-metadata"),
                                 (Self.initContainer, "api-init")] {
                try await runtime.waitForAbsence(kind, name)
            }
        }
    }

    /// A trait entry of ``appConfig(traits:)`` as a JSON value.
    static func yamlTrait(_ text: String) throws -> JSONValue {
        let decoded = try DocumentDecoder.decode(text, file: nil)
        return try #require(decoded.first?.value.arrayValue?.first)
    }
}

extension PodTemplatePatchTraitTests {
    @Test("a Deployment re-applied by its workload's owner counts another manager's list elements as not its own")
    func appliedStateIgnoresOthersElements() throws {
        var desired = Resource(apiVersion: "apps/v1", kind: "Deployment", name: "web")
        try desired.setValue([["name": "web", "image": "nginx", "env": [["name": "A", "value": "1"]]]],
                             at: "spec.template.spec.containers")
        desired = AppliedState.stamped(desired)
        var live = desired
        try live.setValue([
            ["name": "web", "image": "nginx", "env": [["name": "A", "value": "1"], ["name": "X", "value": "x"]]],
            ["name": "shipper", "image": "busybox"],
        ], at: "spec.template.spec.containers")
        #expect(AppliedState.isCurrent(live, desired: desired))
        var edited = live
        try edited.setValue("2", at: "spec.template.spec.containers[0].env[0].value")
        #expect(!AppliedState.isCurrent(edited, desired: desired))
        var withoutOurs = live
        try withoutOurs.setValue([["name": "shipper", "image": "busybox"]], at: "spec.template.spec.containers")
        #expect(!AppliedState.isCurrent(withoutOurs, desired: desired))
        // Lists of other values (command, args) stay compared element by element.
        var args = desired
        try args.setValue(["a"], at: "spec.template.spec.containers[0].args")
        var longer = args
        try longer.setValue(["a", "b"], at: "spec.template.spec.containers[0].args")
        #expect(!AppliedState.contains(longer.value, args.value))
    }
}

private extension Runtime {
    /// Whether a resync of every controller leaves `objects` as they are.
    func resyncWritesNothingToPatched(_ objects: [(GroupVersionKind, String)]) async throws -> Bool {
        let managers = [manager] + (clusterControllers.map { [$0.manager] } ?? [])
        for manager in managers { await manager.waitUntilIdle() }
        var before: [String?] = []
        for (kind, name) in objects { before.append(try await get(kind, name)?.resourceVersion) }
        for manager in managers { await manager.resync() }
        for manager in managers { await manager.waitUntilIdle() }
        var after: [String?] = []
        for (kind, name) in objects { after.append(try await get(kind, name)?.resourceVersion) }
        return after == before
    }
}
