import BuiltinKinds
import Foundation
import OrderedCollections
import Resources
import Testing

/// What a quota counts, without a server: quantities as Go's `resource.Quantity` adds and
/// writes them, and each kind's usage as kube's quota evaluators reckon it.
@Suite("Quota usage")
struct ResourceQuotaUsageTests {
    @Test("sums keep their first term's format and read as Go writes them", arguments: [
        (["100Mi", "100Mi"], "200Mi"),
        (["100m", "500m"], "600m"),
        (["600m", "600m"], "1200m"),
        (["0", "100Mi"], "100Mi"),
        (["1", "1"], "2"),
        (["500m", "500m"], "1"),
        (["1Gi", "512Mi"], "1536Mi"),
        (["1k", "500"], "1500"),
    ])
    func sums(terms: [String], expected: String) throws {
        let sum = try terms.map { try #require(Quantity($0)) }.reduce(.zero, +)
        #expect(sum.description == expected)
    }

    @Test("quantities compare by amount whatever their format")
    func comparison() throws {
        #expect(try #require(Quantity("1Ki")) == #require(Quantity("1024")))
        #expect(try #require(Quantity("1200m")) > #require(Quantity("1")))
        #expect(Quantity("x1") == nil)
    }

    @Test("quota names map to the kind they count")
    func countedResources() {
        #expect(QuotaUsage.countedResource(of: "requests.cpu")! == ("pods", ""))
        #expect(QuotaUsage.countedResource(of: "services.nodeports")! == ("services", ""))
        #expect(QuotaUsage.countedResource(of: "count/deployments.apps")! == ("deployments", "apps"))
        #expect(QuotaUsage.countedResource(of: "count/pods")! == ("pods", ""))
        #expect(QuotaUsage.countedResource(of: "gold.storageclass.storage.k8s.io/requests.storage")! == ("persistentvolumeclaims", ""))
        #expect(QuotaUsage.countedResource(of: "nonsense") == nil)
    }

    static func pod(_ yaml: String) throws -> Resource {
        try Resource(try DocumentDecoder.decode(yaml, file: "pod.yaml")[0].value)
    }

    @Test("a Pod counts its containers' requests and limits, sidecars and the largest init container; a finished one only its object")
    func podUsage() throws {
        let pod = try Self.pod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: p}
            spec:
              initContainers:
              - {name: init, image: x, resources: {requests: {cpu: "2"}}}
              - {name: side, image: x, restartPolicy: Always, resources: {requests: {cpu: 100m, memory: 64Mi}}}
              containers:
              - {name: a, image: x, resources: {requests: {cpu: 250m, memory: 64Mi}, limits: {memory: 128Mi}}}
              - {name: b, image: x, resources: {requests: {cpu: 250m}}}
            """)
        let usage = QuotaUsage.usage(of: pod, resource: "pods", group: "")
        #expect(usage["pods"]?.description == "1" && usage["count/pods"]?.description == "1")
        // max(250m + 250m + 100m, 2 + 0) = 2
        #expect(usage["requests.cpu"]?.description == "2" && usage["cpu"]?.description == "2")
        #expect(usage["requests.memory"]?.description == "128Mi")
        #expect(usage["limits.memory"]?.description == "128Mi")
        #expect(usage["limits.cpu"] == nil)

        var finished = pod
        finished.status = ["phase": "Succeeded"]
        #expect(QuotaUsage.usage(of: finished, resource: "pods", group: "").keys.sorted() == ["count/pods"])
    }

    @Test("a Pod missing explicit compute resources is named per resource and container, as kube words it")
    func missing() throws {
        let pod = try Self.pod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: p}
            spec:
              containers:
              - {name: web, image: x, resources: {limits: {memory: 1Gi}}}
              - {name: log, image: x}
            """)
        #expect(QuotaUsage.missingComputeResources(of: pod, required: ["requests.cpu", "limits.memory", "pods"])
            == "must specify limits.memory for: log; requests.cpu for: log,web")
        #expect(QuotaUsage.missingComputeResources(of: pod, required: ["pods", "services"]) == nil)
    }

    @Test("Services count node ports and load balancers by type")
    func serviceUsage() throws {
        let service = try Self.pod("""
            apiVersion: v1
            kind: Service
            metadata: {name: s}
            spec: {type: LoadBalancer, ports: [{port: 80}, {port: 443}]}
            """)
        let usage = QuotaUsage.usage(of: service, resource: "services", group: "")
        #expect(usage["services"]?.description == "1")
        #expect(usage["services.loadbalancers"]?.description == "1")
        #expect(usage["services.nodeports"]?.description == "2")
    }

    @Test("scoped quotas take in only the Pods their scopes match")
    func scopes() throws {
        let quota = try Self.pod("""
            apiVersion: v1
            kind: ResourceQuota
            metadata: {name: q}
            spec: {hard: {pods: "1"}, scopes: [BestEffort]}
            """)
        let bestEffort = try Self.pod("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: x}]}")
        let burstable = try Self.pod(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: x, resources: {requests: {cpu: 1}}}]}")
        #expect(QuotaUsage.quotaMatches(quota, object: bestEffort, resource: "pods", group: ""))
        #expect(!QuotaUsage.quotaMatches(quota, object: burstable, resource: "pods", group: ""))
    }
}
