import OrderedCollections
import OAM
import Resources
import Testing

/// The pure renders of HorizontalPodAutoscalerTrait, PodDisruptionBudgetTrait and
/// ServiceExposeTrait, and their catalog entries.
@Suite("Autoscaler, budget and Service traits")
struct ScalingBudgetServiceTraitTests {
    /// A trait as the AppConfig controller creates it: labelled, with a uid and its workloadRef.
    static func trait(_ kind: String, spec: String) throws -> Resource {
        try object("""
            apiVersion: standard.oam.dev/v1alpha1
            kind: \(kind)
            metadata:
              name: web-trait
              namespace: shop
              uid: 0a1b
              labels: {app.oam.dev/name: shop, app.oam.dev/component: web, other: x}
            spec:
              workloadRef: {apiVersion: apps/v1, kind: Deployment, name: web}
            \(spec)
            """)
    }

    static let deployment = TypedReference(apiVersion: "apps/v1", kind: "Deployment", name: "web")

    @Test("the autoscaler scales the target between min and max on the CPU and memory it names, owned by the trait")
    func autoscaler() throws {
        let trait = try Self.trait(HorizontalPodAutoscalerTrait.kind, spec: """
              minReplicas: 2
              maxReplicas: 5
              targetCPUUtilizationPercentage: 70
              targetMemoryUtilizationPercentage: 60
              scaleDownStabilizationSeconds: 60
            """)
        let hpa = try HorizontalPodAutoscalerTrait.autoscaler(for: trait, target: Self.deployment)
        #expect(hpa.apiVersion == "autoscaling/v2")
        #expect(hpa.kind == "HorizontalPodAutoscaler")
        #expect(hpa.name == "web-trait")
        #expect(hpa.namespace == "shop")
        #expect(hpa.labels == ["app.oam.dev/name": "shop", "app.oam.dev/component": "web"])
        #expect(hpa.ownerReferences == [OwnerReference(
            apiVersion: "standard.oam.dev/v1alpha1", kind: "HorizontalPodAutoscalerTrait", name: "web-trait",
            uid: "0a1b", controller: true, blockOwnerDeletion: true)])
        #expect(hpa.spec == [
            "scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": "web"],
            "minReplicas": 2,
            "maxReplicas": 5,
            "metrics": [
                ["type": "Resource", "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": 70]]],
                ["type": "Resource", "resource": ["name": "memory", "target": ["type": "Utilization", "averageUtilization": 60]]],
            ],
            "behavior": ["scaleDown": ["stabilizationWindowSeconds": 60]],
        ])
    }

    @Test("an autoscaler with no target aims at 80% CPU from one replica")
    func autoscalerDefaults() throws {
        let trait = try Self.trait(HorizontalPodAutoscalerTrait.kind, spec: "  maxReplicas: 3")
        let hpa = try HorizontalPodAutoscalerTrait.autoscaler(for: trait, target: Self.deployment)
        #expect(hpa.spec?["minReplicas"] == 1)
        #expect(hpa.spec?["metrics"] == [
            ["type": "Resource", "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": 80]]],
        ])
        #expect(hpa.spec?["behavior"] == nil)
        // Only memory: no CPU target is added.
        let memoryOnly = try Self.trait(
            HorizontalPodAutoscalerTrait.kind, spec: "  maxReplicas: 3\n  targetMemoryUtilizationPercentage: 50")
        let metrics = try HorizontalPodAutoscalerTrait.autoscaler(for: memoryOnly, target: Self.deployment).spec?["metrics"]
        #expect(metrics?.arrayValue?.map { $0["resource"]?["name"] } == ["memory"])
    }

    @Test("autoscaler fields out of range name the field and what is wrong", arguments: [
        ("  minReplicas: 2", "spec.maxReplicas: is required: the most replicas to scale to"),
        ("  minReplicas: 4\n  maxReplicas: 3", "spec.maxReplicas: must be at least minReplicas (4), found 3"),
        ("  minReplicas: 0\n  maxReplicas: 3", "spec.minReplicas: must be at least 1, found 0"),
        ("  maxReplicas: 3\n  targetCPUUtilizationPercentage: \"high\"",
         "spec.targetCPUUtilizationPercentage: must be an integer, found string"),
    ])
    func autoscalerErrors(spec: String, message: String) throws {
        let trait = try Self.trait(HorizontalPodAutoscalerTrait.kind, spec: spec)
        #expect(throws: CatalogFieldError.self) { try HorizontalPodAutoscalerTrait.autoscaler(for: trait, target: Self.deployment) }
        do {
            _ = try HorizontalPodAutoscalerTrait.autoscaler(for: trait, target: Self.deployment)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test("the autoscaler's status fields and conditions come from the HPA")
    func autoscalerStatus() throws {
        let hpa = try object("""
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata: {name: web-trait}
            spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, maxReplicas: 3}
            status:
              currentReplicas: 2
              desiredReplicas: 2
              conditions:
              - {type: AbleToScale, status: "True", reason: SucceededGetScale}
              - {type: ScalingActive, status: "False", reason: FailedGetResourceMetric}
            """)
        #expect(HorizontalPodAutoscalerTrait.statusFields(of: hpa) == [
            "autoscaler": "web-trait", "target": "Deployment/web", "currentReplicas": 2, "desiredReplicas": 2,
        ])
        #expect(HorizontalPodAutoscalerTrait.conditions(of: hpa).map { $0["type"] } == ["AbleToScale", "ScalingActive"])
    }

    @Test("the budget selects the Pods with the selector given and keeps minAvailable or maxUnavailable")
    func budget() throws {
        let selector: JSONValue = ["matchLabels": ["app": "web"]]
        let min = try Self.trait(PodDisruptionBudgetTrait.kind, spec: "  minAvailable: \"50%\"")
        let budget = try PodDisruptionBudgetTrait.budget(for: min, selector: selector)
        #expect(budget.apiVersion == "policy/v1")
        #expect(budget.kind == "PodDisruptionBudget")
        #expect(budget.name == "web-trait")
        #expect(budget.ownerReferences.first?.controller == true)
        #expect(budget.spec == ["selector": ["matchLabels": ["app": "web"]], "minAvailable": "50%"])

        let max = try Self.trait(PodDisruptionBudgetTrait.kind, spec: "  maxUnavailable: 1")
        #expect(try PodDisruptionBudgetTrait.budget(for: max, selector: selector).spec?["maxUnavailable"] == 1)
        // A count written as a string is a count.
        let text = try Self.trait(PodDisruptionBudgetTrait.kind, spec: "  minAvailable: \"2\"")
        #expect(try PodDisruptionBudgetTrait.budget(for: text, selector: selector).spec?["minAvailable"] == 2)
    }

    @Test("a budget needs exactly one of minAvailable and maxUnavailable, each a count or a percentage", arguments: [
        ("  other: 1", "spec.minAvailable: set minAvailable or maxUnavailable (a count or a percentage)"),
        ("  minAvailable: 1\n  maxUnavailable: 1",
         "spec.maxUnavailable: cannot be set together with spec.minAvailable: set one of them"),
        ("  minAvailable: \"most\"", "spec.minAvailable: must be a count or a percentage such as 50%, found \"most\""),
        ("  maxUnavailable: \"150%\"",
         "spec.maxUnavailable: must be a count or a percentage such as 50%, found \"150%\""),
        ("  maxUnavailable: -1", "spec.maxUnavailable: must be a count (0 or more) or a percentage such as 50%"),
    ])
    func budgetErrors(spec: String, message: String) throws {
        let trait = try Self.trait(PodDisruptionBudgetTrait.kind, spec: spec)
        do {
            _ = try PodDisruptionBudgetTrait.budget(for: trait, selector: ["matchLabels": ["app": "web"]])
            Issue.record("expected \(message)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test("the budget's counts are mirrored")
    func budgetStatus() throws {
        let pdb = try object("""
            apiVersion: policy/v1
            kind: PodDisruptionBudget
            metadata: {name: web-trait}
            status: {currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1, expectedPods: 3, observedGeneration: 1}
            """)
        #expect(PodDisruptionBudgetTrait.statusFields(of: pdb) == [
            "budget": "web-trait", "currentHealthy": 3, "desiredHealthy": 2, "disruptionsAllowed": 1, "expectedPods": 3,
        ])
    }

    @Test("the Service selects the Pods' labels on the ports listed, with targetPort, protocol and names filled in")
    func service() throws {
        let trait = try Self.trait(ServiceExposeTrait.kind, spec: """
              type: NodePort
              ports:
              - {port: 80, targetPort: 8080}
              - {port: 53, protocol: UDP}
              - {port: 9090, targetPort: metrics, name: prom}
            """)
        let service = try ServiceExposeTrait.service(for: trait, selector: ["app": "web"])
        #expect(service.apiVersion == "v1")
        #expect(service.kind == "Service")
        #expect(service.name == "web-trait")
        #expect(service.labels == ["app.oam.dev/name": "shop", "app.oam.dev/component": "web"])
        #expect(service.ownerReferences.first?.kind == "ServiceExposeTrait")
        #expect(service.spec == [
            "type": "NodePort",
            "selector": ["app": "web"],
            "ports": [
                ["name": "tcp-80", "port": 80, "targetPort": 8080, "protocol": "TCP"],
                ["name": "udp-53", "port": 53, "targetPort": 53, "protocol": "UDP"],
                ["name": "prom", "port": 9090, "targetPort": "metrics", "protocol": "TCP"],
            ],
        ])
        // One port needs no name; ClusterIP by default.
        let single = try Self.trait(ServiceExposeTrait.kind, spec: "  ports: [{port: 80}]")
        #expect(try ServiceExposeTrait.service(for: single, selector: ["app": "web"]).spec == [
            "type": "ClusterIP", "selector": ["app": "web"],
            "ports": [["port": 80, "targetPort": 80, "protocol": "TCP"]],
        ])
    }

    @Test("Service fields that cannot be used name the field", arguments: [
        ("  ports: []", "spec.ports: list at least one port to expose"),
        ("  type: External\n  ports: [{port: 80}]",
         "spec.type: must be one of ClusterIP, NodePort, LoadBalancer, found \"External\""),
        ("  ports: [{port: 0}]", "spec.ports[0].port: must be a port number from 1 to 65535"),
        ("  ports: [{port: 80, protocol: HTTP}]", "spec.ports[0].protocol: must be one of TCP, UDP, SCTP, found \"HTTP\""),
        ("  ports: [{port: 80, name: web}, {port: 81, name: web}]",
         "spec.ports[1].name: another port is named \"web\" already"),
    ])
    func serviceErrors(spec: String, message: String) throws {
        let trait = try Self.trait(ServiceExposeTrait.kind, spec: spec)
        do {
            _ = try ServiceExposeTrait.service(for: trait, selector: ["app": "web"])
            Issue.record("expected \(message)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test("the Service's name, type, cluster IP and node ports are shown")
    func serviceStatus() throws {
        let service = try object("""
            apiVersion: v1
            kind: Service
            metadata: {name: web-trait}
            spec:
              type: NodePort
              clusterIP: 10.96.0.12
              ports: [{name: http, port: 80, nodePort: 30080}]
            """)
        #expect(ServiceExposeTrait.statusFields(of: service) == [
            "service": "web-trait", "type": "NodePort", "clusterIP": "10.96.0.12",
            "nodePorts": [["name": "http", "port": 80, "nodePort": 30080]],
        ])
    }

    @Test("the three entries have a CRD in standard.oam.dev, a definition with workloadRefPath and appliesToWorkloads, and the autoscaler and ManualScalerTrait conflict both ways")
    func entries() throws {
        let names = [
            HorizontalPodAutoscalerTrait.definitionName, PodDisruptionBudgetTrait.definitionName,
            ServiceExposeTrait.definitionName,
        ]
        for name in names {
            let entry = try #require(StandardCatalog.entries.first { $0.definition.name == name })
            #expect(entry.definition.kind == "TraitDefinition")
            #expect(entry.definition.spec?["workloadRefPath"] == "spec.workloadRef")
            #expect(entry.definition.spec?["appliesToWorkloads"]?.arrayValue?.contains("deployments.apps") == true)
            #expect(entry.customResourceDefinition?.name == name)
            #expect(entry.customResourceDefinition?.spec?["group"] == "standard.oam.dev")
            #expect(!entry.summary.isEmpty)
            #expect(entry.example.contains("apiVersion: standard.oam.dev/v1alpha1"))
            #expect(OAMCustomResourceDefinitions.all.contains { $0.name == name })
            #expect(BuiltinDefinitions.all.contains { $0.name == name })
        }
        let hpa = try #require(StandardCatalog.entries.first { $0.definition.name == names[0] })
        #expect(hpa.definition.spec?["conflictsWith"] == ["manualscalertraits.core.oam.dev"])
        #expect(BuiltinDefinitions.manualScalerTrait.spec?["conflictsWith"] == [.string(names[0])])
    }

    @Test("an AppConfig's autoscaler trait renders with its workload reference and a name of the component")
    func rendered() throws {
        let rendered = try render(webComponent + """

            ---
            apiVersion: core.oam.dev/v1alpha2
            kind: ApplicationConfiguration
            metadata: {name: shop}
            spec:
              components:
              - componentName: web
                traits:
                - trait:
                    apiVersion: standard.oam.dev/v1alpha1
                    kind: HorizontalPodAutoscalerTrait
                    spec: {maxReplicas: 4}
            """)
        let trait = try #require(rendered.objects.first { $0.object.kind == HorizontalPodAutoscalerTrait.kind })
        #expect(trait.definitionName == HorizontalPodAutoscalerTrait.definitionName)
        #expect(trait.object.valueIfPresent(at: "spec.workloadRef") == [
            "apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
        ])
        #expect(trait.object.name.hasPrefix("web-horizontalpodautoscalertraits-"))
    }

    @Test("validation refuses an autoscaler and a ManualScalerTrait on one component, at the later trait's line")
    func conflictsWithManualScaler() throws {
        let diagnostics = try validate(webComponent + """

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
                - trait:
                    apiVersion: standard.oam.dev/v1alpha1
                    kind: HorizontalPodAutoscalerTrait
                    spec: {maxReplicas: 4}
            """)
        let conflicts = errors(diagnostics).filter { $0.contains("conflicts with") }
        #expect(conflicts.count == 1, "\(errors(diagnostics))")
        let message = try #require(conflicts.first)
        #expect(message.contains("test.yaml:"))
        #expect(message.contains(HorizontalPodAutoscalerTrait.definitionName))
        #expect(message.contains("manualscalertraits.core.oam.dev"))
    }
}
