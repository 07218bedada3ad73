import Foundation
import ControllerRuntime
import OrderedCollections
import ClusterControllers
import KubeClient
import Resources
import TestSupport
import Testing

/// The Endpoints and EndpointSlice controllers, driven as a user would: a Service, Pods whose
/// status the test writes (as the node would), and `kubectl get endpoints/endpointslices`.
@Suite("Endpoints and EndpointSlices")
struct EndpointControllersTests {
    static let service = """
        apiVersion: v1
        kind: Service
        metadata: {name: web, labels: {app: web, tier: front}}
        spec:
          selector: {app: web}
          ports:
          - {name: http, port: 80, targetPort: http}
          - {name: metrics, port: 9090, targetPort: 9090}
        """

    static func pod(_ name: String, port: Int, hostname: String? = nil) -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: \(name), labels: {app: web}}
        spec:
          nodeName: mizzen
          \(hostname.map { "hostname: \($0)\n  subdomain: web" } ?? "")
          containers:
          - name: c
            image: nginx
            ports: [{name: http, containerPort: \(port)}]
        """
    }

    /// Writes the status a node would: an IP and the Ready condition.
    static func run(_ plane: Plane, _ name: String, ip: String, ready: Bool) async throws {
        let status: JSONValue = [
            "status": [
                "phase": "Running", "podIP": .string(ip), "podIPs": [["ip": .string(ip)]],
                "conditions": [["type": "Ready", "status": ready ? "True" : "False", "lastTransitionTime": "2026-01-01T00:00:00Z"]],
            ],
        ]
        _ = try await plane.client.patch(.pod, name: name, namespace: "default", patch: status, type: .merge, subresource: "status")
    }

    static let endpoints = GroupVersionKind(group: "", version: "v1", kind: "Endpoints")
    static let slice = GroupVersionKind(group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice")

    @Test("a Service's Endpoints list ready Pods as addresses and the others as notReadyAddresses, named ports resolved per Pod")
    func endpoints() async throws {
        try await Plane.with(areas: [.endpoints]) { plane in
            try await plane.create(Self.service)
            try await plane.create(Self.pod("web-1", port: 8080, hostname: "host1"))
            try await plane.create(Self.pod("web-2", port: 8081))
            try await Self.run(plane, "web-1", ip: "10.1.0.1", ready: true)
            try await Self.run(plane, "web-2", ip: "10.1.0.2", ready: false)
            var subsets: [JSONValue] = []
            let converged = try await eventually {
                subsets = try await plane.get(Self.endpoints, "web")?.object["subsets"]?.arrayValue ?? []
                return subsets.count == 3
            }
            #expect(converged, "\(subsets)")
            let endpoints = try #require(try await plane.get(Self.endpoints, "web"))
            #expect(endpoints.labels["endpoints.kubernetes.io/managed-by"] == "endpoint-controller")
            #expect(endpoints.labels["tier"] == "front")
            #expect(endpoints.annotations["endpoints.kubernetes.io/last-change-trigger-time"] != nil)
            // http:8080 only on web-1 (ready), http:8081 only on web-2 (not ready), metrics on both.
            let http8080 = try #require(subsets.first { $0["ports"]?[0]?["port"]?.intValue == 8080 })
            #expect(http8080["addresses"]?[0]?["ip"] == "10.1.0.1")
            #expect(http8080["addresses"]?[0]?["hostname"] == "host1")
            #expect(http8080["addresses"]?[0]?["nodeName"] == "mizzen")
            #expect(http8080["addresses"]?[0]?["targetRef"]?["name"] == "web-1")
            #expect(http8080["notReadyAddresses"] == nil)
            let http8081 = try #require(subsets.first { $0["ports"]?[0]?["port"]?.intValue == 8081 })
            #expect(http8081["notReadyAddresses"]?[0]?["ip"] == "10.1.0.2")
            #expect(http8081["addresses"] == nil)
            let metrics = try #require(subsets.first { $0["ports"]?[0]?["name"] == "metrics" })
            #expect(metrics["addresses"]?.arrayValue?.count == 1 && metrics["notReadyAddresses"]?.arrayValue?.count == 1)

            let table = try await plane.kubectl("get", "endpoints", "web")
            #expect(table.stdout.contains("10.1.0.1:8080") && table.stdout.contains("10.1.0.1:9090"), "\(table.stdout)")

            // Readiness moves web-2 to addresses.
            try await Self.run(plane, "web-2", ip: "10.1.0.2", ready: true)
            let ready = try await eventually {
                let subsets = try await plane.get(Self.endpoints, "web")?.object["subsets"]?.arrayValue ?? []
                return subsets.allSatisfy { $0["notReadyAddresses"] == nil } && subsets.count == 3
            }
            #expect(ready)
        }
    }

    @Test("EndpointSlices are generated per port set, labelled, owned by the Service, with endpoint conditions, and updated in place")
    func endpointSlices() async throws {
        try await Plane.with(areas: [.endpoints]) { plane in
            try await plane.create(Self.service)
            try await plane.create(Self.pod("web-1", port: 8080, hostname: "host1"))
            try await plane.create(Self.pod("web-2", port: 8081))
            try await Self.run(plane, "web-1", ip: "10.1.0.1", ready: true)
            try await Self.run(plane, "web-2", ip: "10.1.0.2", ready: false)
            var slices: [Resource] = []
            let converged = try await eventually {
                slices = try await plane.list(Self.slice, labelSelector: "kubernetes.io/service-name=web")
                return slices.count == 2 && slices.allSatisfy { ($0.object["endpoints"]?.arrayValue?.count ?? 0) == 1 }
            }
            #expect(converged, "\(slices.map { "\($0.name): \($0.object["ports"] ?? nil) \($0.object["endpoints"] ?? nil)" })")
            for slice in slices {
                #expect(slice.name.hasPrefix("web-") && slice.name.count == "web-".count + 5)
                #expect(slice.generateName == "web-")
                #expect(slice.labels["endpointslice.kubernetes.io/managed-by"] == "endpointslice-controller.k8s.io")
                #expect(slice.labels["app"] == "web")
                #expect(slice.object["addressType"] == "IPv4")
                #expect(slice.controllerReference?.kind == "Service" && slice.controllerReference?.name == "web")
            }
            let notReady = try #require(slices.first { $0.object["endpoints"]?[0]?["addresses"]?[0] == "10.1.0.2" })
            #expect(notReady.object["endpoints"]?[0]?["conditions"] == ["ready": false, "serving": false, "terminating": false])
            let ready = try #require(slices.first { $0.object["endpoints"]?[0]?["addresses"]?[0] == "10.1.0.1" })
            #expect(ready.object["endpoints"]?[0]?["conditions"] == ["ready": true, "serving": true, "terminating": false])
            #expect(ready.object["endpoints"]?[0]?["hostname"] == "host1")
            #expect(ready.object["endpoints"]?[0]?["nodeName"] == "mizzen")
            #expect(ready.object["endpoints"]?[0]?["targetRef"]?["name"] == "web-1")

            let table = try await plane.kubectl("get", "endpointslices")
            #expect(table.stdout.contains("8080,9090") && table.stdout.contains("10.1.0.1"), "\(table.stdout)")

            // web-2 ready: its slice is updated in place, not replaced.
            try await Self.run(plane, "web-2", ip: "10.1.0.2", ready: true)
            let updated = try await eventually {
                let slice = try await plane.get(Self.slice, notReady.name)
                return slice?.object["endpoints"]?[0]?["conditions"]?["ready"] == true
            }
            #expect(updated)
            let names = Set(try await plane.list(Self.slice, labelSelector: "kubernetes.io/service-name=web").map(\.name))
            #expect(names == Set(slices.map(\.name)))

            // Converged: an unrelated change of a Pod writes nothing.
            await plane.service.manager.waitUntilIdle()
            let before = try await plane.list(Self.slice, labelSelector: "kubernetes.io/service-name=web").map(\.resourceVersion)
            let endpointsBefore = try await plane.get(Self.endpoints, "web")?.resourceVersion
            _ = try await plane.kubectl("annotate", "pod", "web-1", "note=x")
            await plane.service.manager.waitUntilIdle()
            #expect(try await plane.list(Self.slice, labelSelector: "kubernetes.io/service-name=web").map(\.resourceVersion) == before)
            #expect(try await plane.get(Self.endpoints, "web")?.resourceVersion == endpointsBefore)
        }
    }

    @Test("a terminating Pod leaves the Endpoints and stays in its slice as serving and terminating, not ready")
    func terminating() async throws {
        try await Plane.with(areas: [.endpoints]) { plane in
            try await plane.create(Self.service)
            try await plane.create(Self.pod("web-1", port: 8080))
            try await Self.run(plane, "web-1", ip: "10.1.0.1", ready: true)
            #expect(try await eventually {
                try await plane.get(Self.endpoints, "web")?.object["subsets"]?[0]?["addresses"]?[0]?["ip"] == "10.1.0.1"
            })
            // No kubelet here: the bound Pod stays terminating for its grace period.
            try await plane.kubectl("delete", "pod", "web-1", "--grace-period=300", "--wait=false")
            #expect(try await eventually {
                let endpoints = try await plane.get(Self.endpoints, "web")
                let slices = try await plane.list(Self.slice, labelSelector: "kubernetes.io/service-name=web")
                return endpoints?.object["subsets"] == nil
                    && slices.first?.object["endpoints"]?[0]?["conditions"] == ["ready": false, "serving": true, "terminating": true]
            })
        }
    }

    @Test("a Service no Pod backs gets empty Endpoints and a placeholder slice; both go with the Service")
    func emptyAndDeleted() async throws {
        try await Plane.with(areas: [.endpoints]) { plane in
            _ = try await plane.kubectl("create", "service", "clusterip", "empty", "--tcp=80:8080")
            let placeholder = try await eventually {
                let slices = try await plane.list(Self.slice, labelSelector: "kubernetes.io/service-name=empty")
                let endpoints = try await plane.get(Self.endpoints, "empty")
                return slices.count == 1 && (slices[0].object["endpoints"]?.arrayValue ?? []).isEmpty && endpoints != nil
            }
            #expect(placeholder)
            let table = try await plane.kubectl("get", "endpoints", "empty")
            #expect(table.stdout.contains("<none>"), "\(table.stdout)")
            _ = try await plane.kubectl("delete", "service", "empty")
            let gone = try await eventually {
                let endpoints = try await plane.get(Self.endpoints, "empty")
                let slices = try await plane.list(Self.slice, labelSelector: "kubernetes.io/service-name=empty")
                return endpoints == nil && slices.isEmpty
            }
            #expect(gone)
        }
    }

    @Test("a Service without a selector keeps the Endpoints its user writes, mirrored into an EndpointSlice")
    func withoutSelector() async throws {
        try await Plane.with(areas: [.endpoints]) { plane in
            try await plane.create("""
                apiVersion: v1
                kind: Service
                metadata: {name: external}
                spec:
                  ports: [{port: 80}]
                ---
                apiVersion: v1
                kind: Endpoints
                metadata: {name: external}
                subsets: [{addresses: [{ip: 192.0.2.10}], ports: [{port: 80}]}]
                """)
            try await plane.create(Self.service)
            _ = try await eventually { try await plane.get(Self.endpoints, "web") != nil }
            await plane.service.manager.waitUntilIdle()
            let external = try #require(try await plane.get(Self.endpoints, "external"))
            #expect(external.object["subsets"]?[0]?["addresses"]?[0]?["ip"] == "192.0.2.10")
            #expect(external.labels["endpoints.kubernetes.io/managed-by"] == nil)
            var mirrored: [Resource] = []
            #expect(try await eventually {
                mirrored = try await plane.list(Self.slice, labelSelector: "kubernetes.io/service-name=external")
                return mirrored.count == 1
            })
            let slice = try #require(mirrored.first)
            #expect(slice.labels["endpointslice.kubernetes.io/managed-by"] == "endpointslicemirroring-controller.k8s.io")
            #expect(slice.generateName == "external-")
            #expect(slice.controllerReference?.kind == "Endpoints" && slice.controllerReference?.name == "external")
            #expect(slice.object["endpoints"] == [["addresses": ["192.0.2.10"], "conditions": ["ready": true]]])
            #expect(slice.object["ports"] == [["name": "", "port": 80, "protocol": "TCP"]])

            // Marked not to be mirrored: the mirrored slice goes.
            _ = try await plane.kubectl("label", "endpoints", "external", "endpointslice.kubernetes.io/skip-mirror=true")
            #expect(try await eventually {
                try await plane.list(Self.slice, labelSelector: "kubernetes.io/service-name=external").isEmpty
            })
        }
    }

    @Test("publishNotReadyAddresses lists unready Pods as addresses, and as ready endpoints")
    func publishNotReady() async throws {
        try await Plane.with(areas: [.endpoints]) { plane in
            try await plane.create("""
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec:
                  clusterIP: None
                  publishNotReadyAddresses: true
                  selector: {app: web}
                  ports: [{name: http, port: 80, targetPort: 8080}]
                """)
            try await plane.create(Self.pod("web-1", port: 8080))
            try await Self.run(plane, "web-1", ip: "10.1.0.1", ready: false)
            let listed = try await eventually {
                let endpoints = try await plane.get(Self.endpoints, "web")
                let slices = try await plane.list(Self.slice, labelSelector: "kubernetes.io/service-name=web")
                return endpoints?.object["subsets"]?[0]?["addresses"]?[0]?["ip"] == "10.1.0.1"
                    && slices.first?.object["endpoints"]?[0]?["conditions"] == ["ready": true, "serving": false, "terminating": false]
            }
            #expect(listed)
            let endpoints = try #require(try await plane.get(Self.endpoints, "web"))
            #expect(endpoints.labels["service.kubernetes.io/headless"] == "")
        }
    }

    @Test("the kubernetes Service has Endpoints and an EndpointSlice at the API server's own address")
    func kubernetesService() async throws {
        try await Plane.with(areas: []) { plane in
            let endpoints = try #require(try await plane.get(Self.endpoints, "kubernetes"))
            #expect(endpoints.labels["endpointslice.kubernetes.io/skip-mirror"] == "true")
            #expect(endpoints.object["subsets"]?[0]?["addresses"]?[0]?["ip"] == "127.0.0.1")
            #expect(endpoints.object["subsets"]?[0]?["ports"]?[0]?["name"] == "https")
            let slice = try #require(try await plane.get(Self.slice, "kubernetes"))
            #expect(slice.labels["kubernetes.io/service-name"] == "kubernetes")
            #expect(slice.object["endpoints"]?[0]?["addresses"]?[0] == "127.0.0.1")
            #expect(slice.object["endpoints"]?[0]?["conditions"]?["ready"] == true)
            let service = try #require(try await plane.get(GroupVersionKind(group: "", version: "v1", kind: "Service"), "kubernetes"))
            #expect(slice.object["ports"]?[0]?["port"] == service.spec?["ports"]?[0]?["targetPort"])
            let names = try await plane.kubectl("get", "endpoints,endpointslices", "-l", "kubernetes.io/service-name=kubernetes", "-o", "name")
            #expect(names.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "endpointslice.discovery.k8s.io/kubernetes")
        }
    }
}
