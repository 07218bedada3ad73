import APIServer
import Foundation
import Resources
import TestSupport
import Testing

/// Nodes, Endpoints, ResourceQuotas, LimitRanges, PriorityClasses, events.k8s.io Events,
/// Ingresses, IngressClasses, NetworkPolicies, PodDisruptionBudgets, HorizontalPodAutoscalers
/// (v2 and v1) and EndpointSlices served by the embedded plane, driven by kubectl.
@Suite("cluster kinds with kubectl", .enabled(if: Kubectl.isInstalled))
struct ClusterKindsTests {
    static let manifests = """
        apiVersion: v1
        kind: Node
        metadata: {name: node-a, labels: {node-role.kubernetes.io/worker: ""}}
        ---
        apiVersion: v1
        kind: Endpoints
        metadata: {name: ep1}
        subsets:
        - addresses: [{ip: 10.1.2.3}]
          ports: [{port: 80, name: http}]
        ---
        apiVersion: v1
        kind: ResourceQuota
        metadata: {name: rq1}
        spec:
          hard: {pods: "10", limits.memory: 1Gi}
        ---
        apiVersion: v1
        kind: LimitRange
        metadata: {name: lr1}
        spec:
          limits:
          - type: Container
            max: {memory: 1Gi}
        ---
        apiVersion: scheduling.k8s.io/v1
        kind: PriorityClass
        metadata: {name: ck-pc}
        value: 1000
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata: {name: ing1}
        spec:
          rules:
          - host: foo.example.com
            http:
              paths:
              - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
        ---
        apiVersion: networking.k8s.io/v1
        kind: IngressClass
        metadata: {name: ck-ic}
        spec: {controller: example.com/ingress}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: np1}
        spec:
          podSelector: {matchLabels: {app: web}}
          egress:
          - ports: [{port: 53}]
        ---
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: {name: pdb1}
        spec:
          minAvailable: 1
          selector: {matchLabels: {app: web}}
        ---
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: hpa2}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
          maxReplicas: 5
          metrics:
          - type: Resource
            resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: es1}
        addressType: IPv4
        endpoints:
        - addresses: [10.1.2.3]
        ports: [{name: http, port: 80}]
        """

    @Test("every kind is created, defaulted and listed with kube's columns")
    func createAndList() async throws {
        let plane = try await EmbeddedPlane.start()
        defer { Task { await plane.stop() } }
        try await plane.kubectlOK(["create", "-f", "-"], stdin: Self.manifests)

        let nodes = try await plane.kubectlOK(["get", "nodes", "-o", "wide"])
        #expect(nodes.contains("ROLES") && nodes.contains("node-a") && nodes.contains("Unknown") && nodes.contains("worker"), "\(nodes)")
        let endpoints = try await plane.kubectlOK(["get", "ep"])
        #expect(endpoints.contains("10.1.2.3:80"), "\(endpoints)")
        let limits = try await plane.kubectlOK(["get", "limitrange", "lr1", "-o", "jsonpath={.spec.limits[0].defaultRequest.memory}"])
        #expect(limits == "1Gi")
        let classes = try await plane.kubectlOK(["get", "pc"])
        for name in ["ck-pc", "system-cluster-critical", "system-node-critical", "PREEMPTIONPOLICY"] {
            #expect(classes.contains(name), "\(name) missing in \(classes)")
        }
        let policy = try await plane.kubectlOK(["get", "netpol", "np1", "-o", "jsonpath={.spec.policyTypes}"])
        #expect(policy == #"["Ingress","Egress"]"#)
        let ingresses = try await plane.kubectlOK(["get", "ing"])
        #expect(ingresses.contains("foo.example.com") && ingresses.contains("<none>"), "\(ingresses)")
        let budgets = try await plane.kubectlOK(["get", "pdb"])
        #expect(budgets.contains("MIN AVAILABLE") && budgets.contains("N/A"), "\(budgets)")
        let autoscalers = try await plane.kubectlOK(["get", "hpa"])
        #expect(autoscalers.contains("Deployment/web") && autoscalers.contains("cpu: <unknown>/60%"), "\(autoscalers)")
        let slices = try await plane.kubectlOK(["get", "endpointslices", "-o", "jsonpath={.items[0].ports[0].protocol}"])
        #expect(slices == "TCP")
        let discovery = try await plane.kubectlOK(["api-resources", "--api-group=networking.k8s.io", "-o", "wide"])
        #expect(discovery.contains("netpol") && discovery.contains("ingressclasses"), "\(discovery)")
    }

    @Test("an autoscaling/v2 object reads through autoscaling/v1 with its CPU target, and a v1 write keeps its other metrics")
    func autoscalingViews() async throws {
        let plane = try await EmbeddedPlane.start()
        defer { Task { await plane.stop() } }
        try await plane.kubectlOK(["create", "-f", "-"], stdin: """
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata: {name: web}
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
              maxReplicas: 5
              metrics:
              - {type: Resource, resource: {name: memory, target: {type: AverageValue, averageValue: 100Mi}}}
              - {type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}}
            """)
        let v1 = try await plane.kubectlOK(["get", "horizontalpodautoscalers.v1.autoscaling", "web", "-o", "jsonpath={.spec.targetCPUUtilizationPercentage}"])
        #expect(v1 == "60")
        try await plane.kubectlOK(["patch", "horizontalpodautoscalers.v1.autoscaling", "web", "--type=merge", "-p", #"{"spec":{"targetCPUUtilizationPercentage":75}}"#])
        let metrics = try await plane.kubectlOK(["get", "horizontalpodautoscalers.v2.autoscaling", "web", "-o", "jsonpath={.spec.metrics[*].resource.name}"])
        #expect(metrics == "memory cpu")
        let cpu = try await plane.kubectlOK(["get", "horizontalpodautoscalers.v2.autoscaling", "web", "-o", "jsonpath={.spec.metrics[1].resource.target.averageUtilization}"])
        #expect(cpu == "75")
        try await plane.kubectlOK(["create", "-f", "-"], stdin: """
            apiVersion: autoscaling/v1
            kind: HorizontalPodAutoscaler
            metadata: {name: old}
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
              maxReplicas: 3
            """)
        let defaulted = try await plane.kubectlOK(["get", "horizontalpodautoscalers.v2.autoscaling", "old", "-o", "jsonpath={.spec.minReplicas} {.spec.metrics[0].resource.target.averageUtilization}"])
        #expect(defaulted == "1 80")
    }

    @Test("an Event created through events.k8s.io/v1 is listed through core v1, and the other way round")
    func eventViews() async throws {
        let plane = try await EmbeddedPlane.start()
        defer { Task { await plane.stop() } }
        try await plane.kubectlOK(["create", "-f", "-"], stdin: """
            apiVersion: events.k8s.io/v1
            kind: Event
            metadata: {name: new-api}
            eventTime: "2026-01-01T00:00:00.000000Z"
            reportingController: example.com/ctl
            reportingInstance: ctl-1
            action: Testing
            reason: Tested
            type: Normal
            note: hello
            regarding: {kind: ConfigMap, name: cm1, namespace: default, apiVersion: v1}
            """)
        let core = try await plane.kubectlOK(["get", "events.v1.", "new-api", "-o", "jsonpath={.message} {.involvedObject.name} {.reportingComponent}"])
        #expect(core == "hello cm1 example.com/ctl")
        try await plane.kubectlOK(["create", "-f", "-"], stdin: """
            apiVersion: v1
            kind: Event
            metadata: {name: old-api}
            involvedObject: {kind: ConfigMap, name: cm1, namespace: default, apiVersion: v1}
            reason: Poked
            message: from core
            type: Warning
            source: {component: poker}
            count: 3
            """)
        let viewed = try await plane.kubectlOK(["get", "events.v1.events.k8s.io", "old-api", "-o", "jsonpath={.note} {.regarding.name} {.deprecatedCount} {.deprecatedSource.component}"])
        #expect(viewed == "from core cm1 3 poker")
        let refused = try await plane.kubectl(["create", "-f", "-"], stdin: """
            apiVersion: events.k8s.io/v1
            kind: Event
            metadata: {name: bad}
            note: nothing else
            """)
        #expect(refused.status != 0 && refused.stderr.contains("eventTime: Required value"), "\(refused.stderr)")
    }

    @Test("kubectl's generators (protobuf bodies) create quotas, priority classes, ingresses, budgets and autoscalers")
    func generators() async throws {
        let plane = try await EmbeddedPlane.start()
        defer { Task { await plane.stop() } }
        try await plane.kubectlOK(["create", "quota", "q1", "--hard=pods=5,requests.cpu=1"])
        try await plane.kubectlOK(["create", "priorityclass", "ck-gen", "--value=50", "--preemption-policy=Never"])
        try await plane.kubectlOK(["create", "ingress", "gen-ing", "--rule=foo.com/bar=svc1:8080"])
        try await plane.kubectlOK(["create", "pdb", "gen-pdb", "--selector=app=web", "--min-available=1"])
        try await plane.kubectlOK(["create", "deployment", "web", "--image=nginx:1.27"])
        try await plane.kubectlOK(["autoscale", "deployment", "web", "--max=5", "--cpu-percent=70"])
        let quota = try await plane.kubectlOK(["get", "quota", "q1", "-o", "jsonpath={.spec.hard.pods}"])
        #expect(quota == "5")
        let policy = try await plane.kubectlOK(["get", "pc", "ck-gen", "-o", "jsonpath={.preemptionPolicy}"])
        #expect(policy == "Never")
        let path = try await plane.kubectlOK(["get", "ing", "gen-ing", "-o", "jsonpath={.spec.rules[0].http.paths[0].pathType}"])
        #expect(path == "Exact")
        let autoscaler = try await plane.kubectlOK(["get", "horizontalpodautoscalers.v1.autoscaling", "web", "-o", "jsonpath={.spec.targetCPUUtilizationPercentage}"])
        #expect(autoscaler == "70")
    }

    @Test("validation refuses what kube-apiserver refuses")
    func validation() async throws {
        let plane = try await EmbeddedPlane.start()
        defer { Task { await plane.stop() } }
        let cases: [(manifest: String, message: String)] = [
            ("apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: big}\nvalue: 2000000000",
             "value: Forbidden: maximum allowed value of a user defined priority is 1000000000"),
            ("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: empty}\nspec: {}",
             "either `defaultBackend` or `rules` must be specified"),
            ("apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: both}\nspec: {minAvailable: 1, maxUnavailable: \"120%\"}",
             "spec.maxUnavailable: Invalid value: \"120%\": must not be greater than 100%"),
            ("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: w}, minReplicas: 3, maxReplicas: 2}",
             "spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`"),
            ("apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s}\naddressType: IPv5\nendpoints: []",
             "addressType: Unsupported value: \"IPv5\""),
        ]
        for (manifest, message) in cases {
            let result = try await plane.kubectl(["create", "-f", "-"], stdin: manifest)
            #expect(result.status != 0 && result.stderr.contains(message), "\(manifest)\n→ \(result.stderr)")
        }
    }
}
