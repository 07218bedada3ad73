import ClusterControllers
import ControllerRuntime
import Foundation
import KubeClient
import OrderedCollections
import Resources
import TestSupport
import Testing

/// Endpoints and quotas with Pods run by the simulated node, as a user meets them:
/// `kubectl expose`, `kubectl get endpoints`, a Pod deleted gracefully, a quota that stops a
/// Deployment from growing.
@Suite("Endpoints and quotas on the simulated node")
struct EndpointNodeChainTests {
    static let slice = GroupVersionKind(group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice")

    @Test("an exposed Deployment's Pods become endpoints when ready; a deleted Pod leaves them")
    func exposedDeployment() async throws {
        try await Plane.with(areas: [.node, .deployments, .endpoints], configure: { $0.node = .fast }) { plane in
            try await plane.kubectl("create", "deployment", "web", "--image=nginx", "--replicas=2", "--port=80")
            try await plane.kubectl("expose", "deployment", "web", "--port=8080", "--target-port=80")
            try await plane.kubectl("rollout", "status", "deployment/web", "--timeout=60s")
            let pods = try await plane.list(.pod)
            let ips = Set(pods.compactMap { $0.status?["podIP"]?.stringValue })
            #expect(ips.count == 2)
            #expect(try await eventually(timeout: .seconds(30)) {
                let table = try await plane.kubectl("get", "endpoints", "web").stdout
                return ips.allSatisfy { table.contains("\($0):80") }
            })
            let slices = try await plane.list(Self.slice, labelSelector: "kubernetes.io/service-name=web")
            #expect(slices.count == 1)
            #expect(slices.first?.object["endpoints"]?.arrayValue?.allSatisfy {
                $0["conditions"] == ["ready": true, "serving": true, "terminating": false] && $0["nodeName"] == "mizzen"
            } == true)

            // A Pod deleted with a grace period leaves the Endpoints (the node stops it at once).
            let victim = try #require(pods.first)
            try await plane.kubectl("delete", "pod", victim.name, "--grace-period=30", "--wait=false")
            let victimIP = try #require(victim.status?["podIP"]?.stringValue)
            #expect(try await eventually(timeout: .seconds(30)) {
                let endpoints = try await plane.get(GroupVersionKind(group: "", version: "v1", kind: "Endpoints"), "web")
                let listed = (endpoints?.object["subsets"]?.arrayValue ?? []).flatMap { $0["addresses"]?.arrayValue ?? [] }
                    .compactMap { $0["ip"]?.stringValue }
                return !listed.contains(victimIP) && listed.count >= 1
            })
        }
    }

    @Test("a quota on pods stops a Deployment's ReplicaSet at the limit, with kube's FailedCreate message")
    func quotaStopsReplicaSet() async throws {
        try await Plane.with(areas: [.node, .deployments, .quota], configure: { $0.node = .fast }) { plane in
            try await plane.kubectl("create", "quota", "q", "--hard=pods=2")
            #expect(try await eventually {
                try await plane.get(GroupVersionKind(group: "", version: "v1", kind: "ResourceQuota"), "q")?.status?["used"]?["pods"] == "0"
            })
            try await plane.kubectl("create", "deployment", "web", "--image=nginx", "--replicas=3")
            #expect(try await eventually(timeout: .seconds(30)) {
                let events = try await plane.kubectl("get", "events", "--field-selector=reason=FailedCreate").stdout
                return events.contains("exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2")
            })
            #expect(try await plane.list(.pod).count == 2)
            let described = try await plane.kubectl("describe", "quota", "q").stdout
            let line = described.split(separator: "\n").first { $0.hasPrefix("pods") }.map(String.init) ?? ""
            #expect(line.split(separator: " ", omittingEmptySubsequences: true) == ["pods", "2", "2"], "\(described)")
        }
    }
}
