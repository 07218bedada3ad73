import OAM
import OrderedCollections
import Resources
import Testing

@Suite("PodSpecWorkload")
struct PodSpecWorkloadTests {
    static func workload(_ spec: String, uid: String? = "u-1") throws -> Resource {
        try object("""
            apiVersion: standard.oam.dev/v1alpha1
            kind: PodSpecWorkload
            metadata:
              name: web
              namespace: shop
              labels: {app.oam.dev/name: shop, app.oam.dev/component: web}
            \(uid.map { "  uid: \($0)" } ?? "")
            spec:
            \(spec)
            """)
    }

    @Test("renders a Deployment of the pod spec selecting the workload's Pods by its uid, owned by the workload")
    func deployment() throws {
        let rendered = try PodSpecWorkload.render(try Self.workload("""
              replicas: 3
              podSpec:
                containers: [{name: web, image: nginx:1.27}]
                restartPolicy: Always
            """))
        let deployment = rendered.deployment
        #expect(deployment.apiVersion == "apps/v1" && deployment.kind == "Deployment")
        #expect(deployment.name == "web" && deployment.namespace == "shop")
        #expect(deployment.labels["app.oam.dev/component"] == "web")
        #expect(deployment.spec?["replicas"] == 3)
        #expect(deployment.spec?["selector"] == ["matchLabels": ["podspecworkload.standard.oam.dev": "u-1"]])
        #expect(deployment.valueIfPresent(at: "spec.template.metadata.labels") == [
            "podspecworkload.standard.oam.dev": "u-1", "app.oam.dev/name": "shop", "app.oam.dev/component": "web",
        ])
        #expect(deployment.valueIfPresent(at: "spec.template.spec") == [
            "containers": [["name": "web", "image": "nginx:1.27"]], "restartPolicy": "Always",
        ])
        let owner = try #require(deployment.ownerReferences.first)
        #expect(owner.kind == "PodSpecWorkload" && owner.uid == "u-1" && owner.controller == true)
        #expect(rendered.service == nil, "no ports, no Service")
    }

    @Test("leaves replicas out when unset, or when another manager scales the Deployment")
    func replicas() throws {
        let unset = try PodSpecWorkload.render(try Self.workload("  podSpec: {containers: [{name: a, image: b}]}"))
        #expect(unset.deployment.spec?["replicas"] == nil)
        let workload = try Self.workload("  replicas: 2\n  podSpec: {containers: [{name: a, image: b}]}")
        #expect(try PodSpecWorkload.render(workload, withReplicas: false).deployment.spec?["replicas"] == nil)

        var scaled = Resource(apiVersion: "apps/v1", kind: "Deployment", name: "web")
        scaled.object["metadata"]?["managedFields"] = [
            ["manager": "mizzen-podspecworkload", "operation": "Apply",
             "fieldsV1": ["f:spec": ["f:template": [:]]]],
            ["manager": "mizzen-manualscaler", "operation": "Apply", "fieldsV1": ["f:spec": ["f:replicas": [:]]]],
        ]
        #expect(PodSpecWorkload.replicasManagedElsewhere(scaled, fieldManager: "mizzen-podspecworkload"))
        scaled.object["metadata"]?["managedFields"] = [
            ["manager": "mizzen-podspecworkload", "operation": "Apply", "fieldsV1": ["f:spec": ["f:replicas": [:]]]],
        ]
        #expect(!PodSpecWorkload.replicasManagedElsewhere(scaled, fieldManager: "mizzen-podspecworkload"))
    }

    @Test("makes one Service port per distinct port the containers declare, named when there are several")
    func service() throws {
        let rendered = try PodSpecWorkload.render(try Self.workload("""
              podSpec:
                containers:
                - name: web
                  image: nginx
                  ports: [{containerPort: 80, name: http}, {containerPort: 9090}]
                - name: dns
                  image: coredns
                  ports: [{containerPort: 53, protocol: UDP}, {containerPort: 80, name: again}]
            """))
        let service = try #require(rendered.service)
        #expect(service.name == "web" && service.namespace == "shop")
        #expect(service.spec?["type"] == "ClusterIP")
        #expect(service.spec?["selector"] == ["podspecworkload.standard.oam.dev": "u-1"])
        #expect(service.spec?["ports"] == [
            ["name": "http", "port": 80, "targetPort": 80, "protocol": "TCP"],
            ["name": "tcp-9090", "port": 9090, "targetPort": 9090, "protocol": "TCP"],
            ["name": "udp-53", "port": 53, "targetPort": 53, "protocol": "UDP"],
        ])
        #expect(service.ownerReferences.first?.uid == "u-1")

        let one = try PodSpecWorkload.render(try Self.workload(
            "  podSpec: {containers: [{name: a, image: b, ports: [{containerPort: 8080}]}]}"))
        #expect(one.service?.spec?["ports"] == [["port": 8080, "targetPort": 8080, "protocol": "TCP"]])
    }

    @Test("offline, without a uid, selects by name and names no owner")
    func offline() throws {
        let rendered = try PodSpecWorkload.render(try Self.workload(
            "  podSpec: {containers: [{name: a, image: b}]}", uid: nil))
        #expect(rendered.deployment.spec?["selector"] == ["matchLabels": ["podspecworkload.standard.oam.dev": "web"]])
        #expect(rendered.deployment.ownerReferences.isEmpty)
    }

    @Test("names the field at fault", arguments: [
        ("  replicas: 1", "spec.podSpec: is required: the pod spec to run"),
        ("  podSpec: {containers: []}", "spec.podSpec.containers: must list at least one container"),
        ("  podSpec: {containers: [{name: a}]}", "spec.podSpec.containers[0].image: is required"),
        ("  replicas: -1\n  podSpec: {containers: [{name: a, image: b}]}", "spec.replicas: must be an integer, 0 or more"),
        ("  podSpec: {containers: [{name: a, image: b, ports: [{containerPort: 70000}]}]}",
         "spec.podSpec.containers[0].ports[0].containerPort: must be a port number from 1 to 65535"),
    ])
    func errors(spec: String, message: String) throws {
        let workload = try Self.workload(spec)
        let error = #expect(throws: CatalogFieldError.self) { try PodSpecWorkload.render(workload) }
        #expect(error?.description == message)
    }

    @Test("the CRD's schema is structural and types containers' name and image; the definition names the children")
    func crdAndDefinition() throws {
        let entry = try #require(StandardCatalog.entries.first { $0.definition.name == "podspecworkloads.standard.oam.dev" })
        let crd = try #require(entry.customResourceDefinition)
        #expect(crd.name == "podspecworkloads.standard.oam.dev")
        let container = crd.value["spec"]?["versions"]?[0]?["schema"]?["openAPIV3Schema"]?["properties"]?["spec"]?[
            "properties"]?["podSpec"]?["properties"]?["containers"]?["items"]
        #expect(container?["properties"]?["image"]?["type"] == "string")
        #expect(container?["required"] == ["name", "image"])
        let definition = try WorkloadDefinition(entry.definition)
        #expect(definition.spec.childResourceKinds?.map(\.kind) == ["Deployment", "Service"])
        let set = try manifestSet(entry.example)
        #expect(set.validate().filter { $0.severity == .error }.isEmpty)
    }
}
