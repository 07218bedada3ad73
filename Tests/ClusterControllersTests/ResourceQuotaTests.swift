import ClusterControllers
import ControllerRuntime
import OrderedCollections
import Foundation
import KubeClient
import Resources
import TestSupport
import Testing

/// ResourceQuota status from the quota controller and quota admission in the API server,
/// driven with kubectl as a user would.
@Suite("ResourceQuotas")
struct ResourceQuotaTests {
    static let quota = GroupVersionKind(group: "", version: "v1", kind: "ResourceQuota")

    static func waitForUsed(_ plane: Plane, _ name: String, _ expected: [String: String]) async throws -> Bool {
        try await eventually {
            let used = try await plane.get(Self.quota, name)?.status?["used"]?.objectValue ?? [:]
            return expected.allSatisfy { used[$0.key]?.stringValue == $0.value }
        }
    }

    static let podWithResources = #"{"spec":{"containers":[{"name":"c","image":"nginx","resources":{"requests":{"cpu":"600m"},"limits":{"memory":"100Mi"}}}]}}"#

    @Test("status.hard mirrors spec.hard and status.used counts the namespace's objects, as kubectl describe shows")
    func usage() async throws {
        try await Plane.with(areas: [.quota]) { plane in
            try await plane.kubectl("create", "quota", "q",
                                    "--hard=pods=4,services=2,configmaps=5,requests.cpu=2,limits.memory=1Gi,count/deployments.apps=1,services.nodeports=2")
            #expect(try await Self.waitForUsed(plane, "q", [
                "pods": "0", "services": "1", "configmaps": "1", "requests.cpu": "0", "limits.memory": "0",
                "count/deployments.apps": "0", "services.nodeports": "0",
            ]))
            let quota = try #require(try await plane.get(Self.quota, "q"))
            #expect(quota.status?["hard"] == quota.spec?["hard"])

            try await plane.kubectl("run", "p1", "--image=nginx", "--overrides=\(Self.podWithResources)")
            try await plane.kubectl("run", "p2", "--image=nginx", "--overrides=\(Self.podWithResources)")
            try await plane.kubectl("create", "service", "nodeport", "np", "--tcp=80:80")
            try await plane.kubectl("create", "deployment", "d", "--image=nginx")
            #expect(try await Self.waitForUsed(plane, "q", [
                "pods": "2", "requests.cpu": "1200m", "limits.memory": "200Mi", "services": "2",
                "services.nodeports": "1", "count/deployments.apps": "1",
            ]))
            let described = try await plane.kubectl("describe", "quota", "q")
            #expect(described.stdout.contains("Resource"), "\(described.stdout)")
            let line = described.stdout.split(separator: "\n").first { $0.hasPrefix("requests.cpu") }.map(String.init) ?? ""
            #expect(line.split(separator: " ", omittingEmptySubsequences: true) == ["requests.cpu", "1200m", "2"], "\(described.stdout)")

            // A finished Pod holds no compute resources any more.
            _ = try await plane.client.patch(
                .pod, name: "p1", namespace: "default", patch: ["status": ["phase": "Succeeded"]], type: .merge,
                subresource: "status")
            #expect(try await Self.waitForUsed(plane, "q", ["pods": "1", "requests.cpu": "600m", "limits.memory": "100Mi"]))

            // Converged: a resync writes nothing.
            await plane.service.manager.waitUntilIdle()
            let version = try await plane.get(Self.quota, "q")?.resourceVersion
            await plane.service.manager.resync()
            await plane.service.manager.waitUntilIdle()
            #expect(try await plane.get(Self.quota, "q")?.resourceVersion == version)
        }
    }

    @Test("a create beyond a quota is refused with 403 and kube's message")
    func exceeded() async throws {
        try await Plane.with(areas: [.quota]) { plane in
            try await plane.kubectl("create", "quota", "q", "--hard=pods=2,services=1")
            #expect(try await Self.waitForUsed(plane, "q", ["pods": "0", "services": "1"]))
            try await plane.kubectl("run", "p1", "--image=nginx")
            try await plane.kubectl("run", "p2", "--image=nginx")
            let refused = try await plane.kubectl("run", "p3", "--image=nginx", allowFailure: true)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains(
                #"Error from server (Forbidden): pods "p3" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2"#),
                "\(refused.stderr)")
            let service = try await plane.kubectl("create", "service", "clusterip", "b", "--tcp=80:80", allowFailure: true)
            #expect(service.stderr.contains(
                #"services "b" is forbidden: exceeded quota: q, requested: services=1, used: services=1, limited: services=1"#),
                "\(service.stderr)")
            // Admission charged the quota at once.
            let used = try await plane.get(Self.quota, "q")?.status?["used"]?["pods"]
            #expect(used == "2")
        }
    }

    @Test("a quota binds only once its status says its limits; with limits but no usage, the writes it counts are refused")
    func statusUnknown() async throws {
        try await Plane.with(areas: []) { plane in
            try await plane.kubectl("create", "quota", "q", "--hard=pods=2,configmaps=3")
            // No controller has written status.hard: as in kube, the quota does not bind yet.
            try await plane.kubectl("run", "p1", "--image=nginx")
            try await plane.kubectl("patch", "quota", "q", "--subresource=status", "--type=merge",
                                    "-p", #"{"status":{"hard":{"pods":"2","configmaps":"3"}}}"#)
            let refused = try await plane.kubectl("run", "p2", "--image=nginx", allowFailure: true)
            #expect(refused.stderr.contains(#"pods "p2" is forbidden: status unknown for quota: q, resources: pods"#), "\(refused.stderr)")
            // Services are not counted by this quota.
            try await plane.kubectl("create", "service", "clusterip", "s", "--tcp=80:80")
        }
    }

    @Test("where a quota limits cpu or memory, Pods must ask for them explicitly")
    func mustSpecify() async throws {
        try await Plane.with(areas: [.quota]) { plane in
            try await plane.kubectl("create", "quota", "q", "--hard=requests.cpu=1,limits.memory=1Gi")
            #expect(try await Self.waitForUsed(plane, "q", ["requests.cpu": "0"]))
            let refused = try await plane.kubectl("run", "p1", "--image=nginx", allowFailure: true)
            #expect(refused.stderr.contains(
                #"pods "p1" is forbidden: failed quota: q: must specify limits.memory for: p1; requests.cpu for: p1"#),
                "\(refused.stderr)")
            try await plane.kubectl("run", "p2", "--image=nginx", "--overrides=\(Self.podWithResources)")
            let tooMuch = try await plane.kubectl("run", "p3", "--image=nginx", "--overrides=\(Self.podWithResources)", allowFailure: true)
            #expect(tooMuch.stderr.contains(
                #"exceeded quota: q, requested: requests.cpu=600m, used: requests.cpu=600m, limited: requests.cpu=1"#),
                "\(tooMuch.stderr)")
        }
    }

    @Test("a charge admission made for an object that never got written is released once the count stays lower")
    func unwrittenChargeReleased() async throws {
        try await Plane.with(areas: [.quota]) { plane in
            try await plane.kubectl("create", "quota", "q", "--hard=pods=3")
            try await plane.kubectl("run", "p1", "--image=nginx")
            #expect(try await Self.waitForUsed(plane, "q", ["pods": "1"]))
            // What admission writes before the object it admits is stored; here nothing follows.
            _ = try await plane.client.patch(
                Self.quota, name: "q", namespace: "default", patch: ["status": ["used": ["pods": "2"]]], type: .merge,
                subresource: "status")
            #expect(try await Self.waitForUsed(plane, "q", ["pods": "1"]))
            // The quota is usable to its limit again.
            try await plane.kubectl("run", "p2", "--image=nginx")
            try await plane.kubectl("run", "p3", "--image=nginx")
            let refused = try await plane.kubectl("run", "p4", "--image=nginx", allowFailure: true)
            #expect(refused.stderr.contains("exceeded quota: q, requested: pods=1, used: pods=3, limited: pods=3"), "\(refused.stderr)")
        }
    }
}
