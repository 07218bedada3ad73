import ClusterControllers  // not declared for this target: see RuntimeSupport.swift
import OAMControllers
import ControllerRuntime
import KubeClient
import OAM
import OrderedCollections
import Resources
import TestSupport
import Testing

/// HorizontalPodAutoscalerTrait, PodDisruptionBudgetTrait and ServiceExposeTrait end to end:
/// a Component and an AppConfig with the trait; the object it makes appears, follows edits of
/// the trait, goes with it, and a resync writes nothing.
@Suite("Autoscaler, budget and Service traits on a plane")
struct ScalingBudgetServiceTraitControllerTests {
    static let autoscaler = HorizontalPodAutoscalerTrait.autoscalerKind
    static let budget = PodDisruptionBudgetTrait.budgetKind
    static let service = ServiceExposeTrait.serviceKind

    /// A Component `web` whose workload is a Deployment of `replicas` Pods labelled `app: web`.
    static let deploymentComponent = """
        apiVersion: core.oam.dev/v1alpha2
        kind: Component
        metadata: {name: web}
        spec:
          workload:
            apiVersion: apps/v1
            kind: Deployment
            spec:
              replicas: 3
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers: [{name: web, image: "nginx:1.27"}]
        """

    /// An AppConfig `shop` running `web` with `trait` (YAML of the trait object, indented for the entry).
    static func app(trait: String) -> String {
        """
        apiVersion: core.oam.dev/v1alpha2
        kind: ApplicationConfiguration
        metadata: {name: shop}
        spec:
          components:
          - componentName: web
            traits:
            - trait:
        \(trait)
        """
    }

    static func synced(_ object: Resource) -> Bool {
        let conditions = object.status?["conditions"]?.arrayValue ?? []
        return conditions.contains { $0["type"] == "Synced" && $0["reason"] == "ReconcileSuccess" }
    }

    @Test("an autoscaler trait makes an HPA on the Deployment, follows edits, shows the HPA's conditions and goes with the trait", arguments: Substrate.available)
    func autoscalerTrait(on substrate: Substrate) async throws {
        var options = OAMControllers.Options()
        options.nodeSimulator = true
        try await Runtime.with(on: substrate, options: options) { runtime in
            try await runtime.create(Self.deploymentComponent + "\n---\n" + Self.app(trait: """
                        apiVersion: standard.oam.dev/v1alpha1
                        kind: HorizontalPodAutoscalerTrait
                        metadata: {name: web-autoscaler}
                        spec: {minReplicas: 2, maxReplicas: 4, targetCPUUtilizationPercentage: 70}
                """))
            let hpa = try await runtime.waitFor(Self.autoscaler, "web-autoscaler")
            #expect(hpa.valueIfPresent(at: "spec.scaleTargetRef") == ["apiVersion": "apps/v1", "kind": "Deployment", "name": "web"])
            #expect(hpa.spec?["minReplicas"] == 2)
            #expect(hpa.spec?["maxReplicas"] == 4)
            #expect(hpa.valueIfPresent(at: "spec.metrics[0].resource") == [
                "name": "cpu", "target": ["type": "Utilization", "averageUtilization": 70],
            ])
            #expect(hpa.controllerReference?.kind == HorizontalPodAutoscalerTrait.kind)
            #expect(hpa.labels[OAM.Label.appName] == "shop")
            #expect(hpa.labels[OAM.Label.component] == "web")

            // The plane's autoscaler controller reports; the trait shows what it says: no metrics here.
            let trait = try await runtime.waitFor(HorizontalPodAutoscalerTrait.traitKind, "web-autoscaler") { trait in
                let types = (trait.status?["conditions"]?.arrayValue ?? []).compactMap { $0["type"]?.stringValue }
                return Self.synced(trait) && types.contains("AbleToScale") && types.contains("ScalingActive")
            }
            #expect(trait.status?["autoscaler"] == "web-autoscaler")
            #expect(trait.status?["target"] == "Deployment/web")
            let scalingActive = trait.status?["conditions"]?.arrayValue?.first { $0["type"] == "ScalingActive" }
            #expect(scalingActive?["status"] == "False")
            let live = try #require(try await runtime.get(Self.autoscaler, "web-autoscaler"))
            let liveConditions = live.status?["conditions"]?.arrayValue ?? []
            #expect(Array((trait.status?["conditions"]?.arrayValue ?? []).dropFirst()) == liveConditions)

            try await runtime.edit(Kinds.appConfig, "shop") { app in
                try app.setValue(6, at: "spec.components[0].traits[0].trait.spec.maxReplicas")
            }
            try await runtime.waitFor(Self.autoscaler, "web-autoscaler") { $0.spec?["maxReplicas"] == 6 }

            try await runtime.expectResyncWritesNothing([
                (Self.autoscaler, "web-autoscaler"), (HorizontalPodAutoscalerTrait.traitKind, "web-autoscaler"),
            ])

            try await runtime.edit(Kinds.appConfig, "shop") { app in
                try app.setValue([["componentName": "web"]], at: "spec.components")
            }
            try await runtime.waitForAbsence(HorizontalPodAutoscalerTrait.traitKind, "web-autoscaler")
            try await runtime.waitForAbsence(Self.autoscaler, "web-autoscaler")
        }
    }

    @Test("an autoscaler on a ContainerizedWorkload scales its Deployment, and a budget selects that Deployment's Pods", arguments: Substrate.available)
    func autoscalerOnChild(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await runtime.create("""
                apiVersion: core.oam.dev/v1alpha2
                kind: Component
                metadata: {name: web}
                spec:
                  workload:
                    apiVersion: core.oam.dev/v1alpha2
                    kind: ContainerizedWorkload
                    spec:
                      containers: [{name: web, image: "nginx:1.27"}]
                ---

                """ + Self.app(trait: """
                        apiVersion: standard.oam.dev/v1alpha1
                        kind: HorizontalPodAutoscalerTrait
                        metadata: {name: web-autoscaler}
                        spec: {maxReplicas: 3}
                    - trait:
                        apiVersion: standard.oam.dev/v1alpha1
                        kind: PodDisruptionBudgetTrait
                        metadata: {name: web-budget}
                        spec: {maxUnavailable: 1}
                """))
            let deployment = try await runtime.waitFor(Kinds.deployment, "web")
            let hpa = try await runtime.waitFor(Self.autoscaler, "web-autoscaler")
            #expect(hpa.valueIfPresent(at: "spec.scaleTargetRef") == ["apiVersion": "apps/v1", "kind": "Deployment", "name": "web"])
            let pdb = try await runtime.waitFor(Self.budget, "web-budget")
            #expect(pdb.spec?["selector"] == deployment.spec?["selector"])
            let trait = try await runtime.waitFor(HorizontalPodAutoscalerTrait.traitKind, "web-autoscaler") { Self.synced($0) }
            #expect(trait.status?["target"] == "Deployment/web")
        }
    }

    @Test("a budget trait makes a PDB over the Deployment's Pods, mirrors its counts and follows a switch to maxUnavailable", arguments: Substrate.available)
    func budgetTrait(on substrate: Substrate) async throws {
        var options = OAMControllers.Options()
        options.nodeSimulator = true
        try await Runtime.with(on: substrate, options: options) { runtime in
            try await runtime.create(Self.deploymentComponent + "\n---\n" + Self.app(trait: """
                        apiVersion: standard.oam.dev/v1alpha1
                        kind: PodDisruptionBudgetTrait
                        metadata: {name: web-budget}
                        spec: {minAvailable: 2}
                """))
            let pdb = try await runtime.waitFor(Self.budget, "web-budget")
            #expect(pdb.spec?["selector"] == ["matchLabels": ["app": "web"]])
            #expect(pdb.spec?["minAvailable"] == 2)
            #expect(pdb.controllerReference?.kind == PodDisruptionBudgetTrait.kind)

            // The disruption controller counts the Pods (three run on the embedded plane; none on the kit).
            let healthy: Int64 = substrate.runsPods ? 3 : 0
            let counted = try await runtime.waitFor(Self.budget, "web-budget") {
                $0.status?["currentHealthy"]?.intValue == healthy && $0.status?["desiredHealthy"] != nil
            }
            // The trait mirrors the budget's counts (the disruption controller may write them in
            // more than one step: the trait follows each).
            let mirrored = ["currentHealthy", "desiredHealthy", "disruptionsAllowed", "expectedPods"]
            var last: (trait: Resource?, budget: Resource?)
            let mirrors = try await eventually(timeout: Runtime.patience) {
                last = (try await runtime.get(PodDisruptionBudgetTrait.traitKind, "web-budget"),
                        try await runtime.get(Self.budget, "web-budget"))
                guard let trait = last.trait, Self.synced(trait) else { return false }
                return mirrored.allSatisfy { trait.status?[$0] == last.budget?.status?[$0] }
            }
            #expect(mirrors, "trait \(last.trait?.status?.jsonString() ?? "-"), budget \(last.budget?.status?.jsonString() ?? "-")")
            let trait = try #require(last.trait)
            #expect(counted.status?["currentHealthy"] == trait.status?["currentHealthy"])
            #expect(trait.status?["budget"] == "web-budget")
            if substrate.runsPods { #expect(trait.status?["disruptionsAllowed"] == 1) }

            try await runtime.edit(Kinds.appConfig, "shop") { app in
                try app.setValue(["maxUnavailable": "50%"], at: "spec.components[0].traits[0].trait.spec")
            }
            let switched = try await runtime.waitFor(Self.budget, "web-budget") { $0.spec?["maxUnavailable"] == "50%" }
            #expect(switched.spec?["minAvailable"] == nil)

            try await runtime.expectResyncWritesNothing([
                (Self.budget, "web-budget"), (PodDisruptionBudgetTrait.traitKind, "web-budget"),
            ])

            try await runtime.edit(Kinds.appConfig, "shop") { app in
                try app.setValue([["componentName": "web"]], at: "spec.components")
            }
            try await runtime.waitForAbsence(Self.budget, "web-budget")
        }
    }

    @Test("a Service trait exposes a ContainerizedWorkload's Pods, shows its cluster IP, follows port edits and is put back when deleted", arguments: Substrate.available)
    func serviceTrait(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await runtime.create("""
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
                        ports: [{name: http, containerPort: 8080}]
                ---

                """ + Self.app(trait: """
                        apiVersion: standard.oam.dev/v1alpha1
                        kind: ServiceExposeTrait
                        metadata: {name: web-public}
                        spec:
                          type: NodePort
                          ports: [{port: 80, targetPort: 8080}]
                """))
            // The ContainerizedWorkload's Deployment runs the Pods: its selector is the Service's.
            let deployment = try await runtime.waitFor(Kinds.deployment, "web")
            let podLabels = try #require(deployment.valueIfPresent(at: "spec.selector.matchLabels"))
            let service = try await runtime.waitFor(Self.service, "web-public")
            #expect(service.spec?["type"] == "NodePort")
            #expect(service.spec?["selector"] == podLabels)
            #expect(service.valueIfPresent(at: "spec.ports[0].port") == 80)
            #expect(service.valueIfPresent(at: "spec.ports[0].targetPort") == 8080)
            #expect(service.valueIfPresent(at: "spec.ports[0].nodePort")?.intValue != nil)
            #expect(service.controllerReference?.kind == ServiceExposeTrait.kind)

            let trait = try await runtime.waitFor(ServiceExposeTrait.traitKind, "web-public") { Self.synced($0) }
            #expect(trait.status?["service"] == "web-public")
            #expect(trait.status?["clusterIP"] == service.spec?["clusterIP"])
            #expect(trait.status?["clusterIP"]?.stringValue?.isEmpty == false)
            #expect(trait.status?["nodePorts"]?[0]?["nodePort"] == service.valueIfPresent(at: "spec.ports[0].nodePort"))

            try await runtime.edit(Kinds.appConfig, "shop") { app in
                try app.setValue([["port": 81, "targetPort": 8080]], at: "spec.components[0].traits[0].trait.spec.ports")
            }
            try await runtime.waitFor(Self.service, "web-public") { $0.valueIfPresent(at: "spec.ports[0].port") == 81 }

            try await runtime.expectResyncWritesNothing([
                (Self.service, "web-public"), (ServiceExposeTrait.traitKind, "web-public"),
            ])

            // Deleted by someone else: made again.
            let before = try #require(try await runtime.get(Self.service, "web-public"))
            try await runtime.client.delete(Self.service, name: "web-public", namespace: runtime.namespace)
            try await runtime.waitFor(Self.service, "web-public") { $0.uid != before.uid }

            try await runtime.edit(Kinds.appConfig, "shop") { app in
                try app.setValue([["componentName": "web"]], at: "spec.components")
            }
            try await runtime.waitForAbsence(Self.service, "web-public")
            #expect(try await runtime.get(Self.service, "web") != nil, "the workload's own Service stays")
        }
    }

    @Test("a trait whose spec cannot be rendered says which field in Synced, and makes nothing", arguments: Substrate.available)
    func invalidSpec(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await runtime.create(Self.deploymentComponent + "\n---\n" + Self.app(trait: """
                        apiVersion: standard.oam.dev/v1alpha1
                        kind: PodDisruptionBudgetTrait
                        metadata: {name: web-budget}
                        spec: {minAvailable: 1, maxUnavailable: 1}
                """))
            let trait = try await runtime.waitFor(PodDisruptionBudgetTrait.traitKind, "web-budget") {
                $0.status?["conditions"]?[0]?["reason"] == "ReconcileError"
            }
            #expect(trait.status?["conditions"]?[0]?["message"]
                == "spec.maxUnavailable: cannot be set together with spec.minAvailable: set one of them")
            #expect(try await runtime.get(Self.budget, "web-budget") == nil)
        }
    }

    @Test("an AppConfig putting an autoscaler and a ManualScalerTrait on one component is refused, and no HPA is made", arguments: Substrate.available)
    func conflictingScalers(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await runtime.create(Self.deploymentComponent)
            let app = Self.app(trait: """
                        apiVersion: core.oam.dev/v1alpha2
                        kind: ManualScalerTrait
                        spec: {replicaCount: 2}
                    - trait:
                        apiVersion: standard.oam.dev/v1alpha1
                        kind: HorizontalPodAutoscalerTrait
                        metadata: {name: web-autoscaler}
                        spec: {maxReplicas: 4}
                """)
            do {
                try await runtime.create(app)
                // Admitted (no admission webhook on this substrate): the controller refuses to render it.
                let refused = try await runtime.waitFor(Kinds.appConfig, "shop") { app in
                    (app.status?["conditions"]?.arrayValue ?? []).contains {
                        $0["type"] == "Synced" && $0["message"]?.stringValue?.contains("conflicts with") == true
                    }
                }
                #expect(refused.status?["conditions"]?[0]?["status"] == "False")
            } catch let error as APIError {
                #expect(error.message.contains("conflicts with"), "\(error.message)")
            }
            await runtime.manager.waitUntilIdle()
            #expect(try await runtime.get(Self.autoscaler, "web-autoscaler") == nil)
        }
    }

}
