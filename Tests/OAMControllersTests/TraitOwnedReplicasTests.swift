import ClusterControllers  // not declared for this target: see RuntimeSupport.swift
import OAMControllers
import ControllerRuntime
import KubeClient
import OAM
import OrderedCollections
import Resources
import TestSupport
import Testing

/// A Component whose workload is a Deployment with `spec.replicas`, with a trait whose
/// TraitDefinition declares `ownsWorkloadFields: [spec.replicas]` (ManualScalerTrait,
/// HorizontalPodAutoscalerTrait, RolloutTrait): the AppConfig controller applies the Deployment
/// without the replicas, so the trait's count stays and a resync writes nothing; taking the trait
/// out gives the replicas back to the Component.
@Suite("Replicas owned by a trait")
struct TraitOwnedReplicasTests {
    static let autoscaler = HorizontalPodAutoscalerTrait.autoscalerKind

    /// A Component `web` whose workload is a Deployment of 2 replicas.
    static let component = """
        apiVersion: core.oam.dev/v1alpha2
        kind: Component
        metadata: {name: web}
        spec:
          workload:
            apiVersion: apps/v1
            kind: Deployment
            spec:
              replicas: 2
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers: [{name: web, image: "nginx:1.27"}]
        """

    /// An AppConfig `shop` running `web` with `traits` (a YAML flow list).
    static func app(traits: String) -> String {
        """
        apiVersion: core.oam.dev/v1alpha2
        kind: ApplicationConfiguration
        metadata: {name: shop}
        spec:
          components:
          - componentName: web
            traits: \(traits)
        """
    }

    /// A ManualScalerTrait `web-scaler` of 4 replicas, as a traits list (JSON is YAML too).
    static let scaler = #"[{"trait": {"apiVersion": "core.oam.dev/v1alpha2", "kind": "ManualScalerTrait", "#
        + #""metadata": {"name": "web-scaler"}, "spec": {"replicaCount": 4}}}]"#
    /// The field managers of the scaler and of the AppConfig controller.
    static let scalerManager = "mizzen-manualscaler"
    static let appConfigManager = "mizzen"

    /// The field managers that own `spec.replicas` of `object`.
    static func replicasOwners(_ object: Resource) -> [String] {
        (object.metadata["managedFields"]?.arrayValue ?? []).compactMap { entry in
            entry["fieldsV1"]?["f:spec"]?["f:replicas"] != nil ? entry["manager"]?.stringValue : nil
        }
    }

    @Test("a Deployment of 2 with a ManualScalerTrait of 4 ends at 4, a resync writes nothing, and without the trait it is 2 again",
          arguments: Substrate.available)
    func manualScalerKeepsItsReplicas(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await runtime.create(Self.component + "\n---\n" + Self.app(traits: Self.scaler))
            try await runtime.waitFor(Kinds.deployment, "web") { $0.spec?["replicas"] == 4 }
            #expect(try await eventually { try await runtime.resyncLeavesUnwritten([
                (Kinds.deployment, "web"), (Kinds.appConfig, "shop"),
            ]) })
            let scaled = try #require(try await runtime.get(Kinds.deployment, "web"))
            #expect(scaled.spec?["replicas"] == 4)
            // The AppConfig's apply does not hold the field: only the scaler does.
            #expect(Self.replicasOwners(scaled) == [Self.scalerManager])

            // Without the trait the Component's value is applied again, and it holds.
            try await runtime.setTraits(of: "shop", [])
            try await runtime.waitForAbsence(Kinds.manualScaler, "web-scaler")
            try await runtime.waitFor(Kinds.deployment, "web") { $0.spec?["replicas"] == 2 }
            #expect(try await eventually { try await runtime.resyncLeavesUnwritten([(Kinds.deployment, "web")]) })
            let back = try #require(try await runtime.get(Kinds.deployment, "web"))
            #expect(back.spec?["replicas"] == 2)
            #expect(Self.replicasOwners(back) == [Self.appConfigManager])
        }
    }

    @Test("a ManualScalerTrait attached to a running Deployment scales it straight to its count, never through the default 1",
          arguments: Substrate.available)
    func attachingScalesStraight(on substrate: Substrate) async throws {
        try await Runtime.with(on: substrate) { runtime in
            try await runtime.create(Self.component + "\n---\n" + Self.app(traits: "[]"))
            let running = try await runtime.waitFor(Kinds.deployment, "web") { $0.spec?["replicas"] == 2 }
            await runtime.manager.waitUntilIdle()
            let generation = try #require(try await runtime.get(Kinds.deployment, "web")?.generation)
            #expect(running.generation == generation)

            try await runtime.setTraits(of: "shop", try JSONValue(parsingJSON: Self.scaler))
            // Every value the Deployment shows on the way: never the default 1.
            var seen: [Int64] = []
            _ = try await eventually(timeout: Runtime.patience) {
                let replicas = try await runtime.get(Kinds.deployment, "web")?.spec?["replicas"]?.intValue ?? 1
                if seen.last != replicas { seen.append(replicas) }
                return replicas == 4
            }
            #expect(seen == [2, 4])
            try await runtime.waitFor(Kinds.deployment, "web") { $0.spec?["replicas"] == 4 }
            #expect(try await eventually { try await runtime.resyncLeavesUnwritten([
                (Kinds.deployment, "web"), (Kinds.appConfig, "shop"),
            ]) })
            let scaled = try #require(try await runtime.get(Kinds.deployment, "web"))
            // Like kube-apiserver, the plane bumps a Deployment's generation for a change of its
            // spec or annotations: the AppConfig's generation annotation, the scaler's 4, the
            // applied-hash annotation of the apply without replicas. Two more would be 4 → 1 → 4.
            #expect(scaled.generation == generation + 3)
            #expect(scaled.spec?["replicas"] == 4)
            #expect(Self.replicasOwners(scaled) == [Self.scalerManager])
        }
    }

    @Test("a Deployment of 2 with an autoscaler trait of 3 to 5 ends at 3 and the AppConfig does not put 2 back",
          arguments: Substrate.available)
    func autoscalerKeepsItsReplicas(on substrate: Substrate) async throws {
        var options = OAMControllers.Options()
        options.nodeSimulator = true
        try await Runtime.with(on: substrate, options: options) { runtime in
            try await runtime.create(Self.component + "\n---\n" + Self.app(traits: """
                [{trait: {apiVersion: standard.oam.dev/v1alpha1, kind: HorizontalPodAutoscalerTrait,
                          metadata: {name: web-autoscaler}, spec: {minReplicas: 3, maxReplicas: 5}}}]
                """))
            try await runtime.waitFor(Self.autoscaler, "web-autoscaler")
            // The HPA controller (the plane's, or kube-controller-manager's on the kit) raises the
            // replicas to minReplicas; nothing takes them back.
            try await runtime.waitFor(Kinds.deployment, "web") { $0.spec?["replicas"] == 3 }
            try await runtime.expectResyncWritesNothing([(Kinds.appConfig, "shop"), (Kinds.deployment, "web")])
            let after = try #require(try await runtime.get(Kinds.deployment, "web"))
            #expect(after.spec?["replicas"] == 3)
            #expect(!Self.replicasOwners(after).contains(Self.appConfigManager))
        }
    }
}
