@testable import ClusterControllers
import ControllerRuntime
import Foundation
import OrderedCollections
import Resources
import Testing

@Suite("ReplicaSet Pods: deletion order and status")
struct ReplicaSetPodsTests {
    static func pod(
        _ name: String, node: String? = "mizzen", phase: String = "Running", readySince: Date? = nil,
        created: Date = Date(timeIntervalSince1970: 1_000), cost: Int? = nil, restarts: Int = 0,
        labels: JSONObject = ["tier": "front"]
    ) -> Resource {
        var object: JSONObject = [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": [
                "name": .string(name), "uid": .string(name), "labels": .object(labels),
                "creationTimestamp": .string(KubernetesTime.time(created)),
            ],
            "spec": .object(node.map { ["nodeName": .string($0)] } ?? [:]),
        ]
        var status: JSONObject = ["phase": .string(phase)]
        if let readySince {
            status["conditions"] = [
                ["type": "Ready", "status": "True", "lastTransitionTime": .string(KubernetesTime.time(readySince))],
            ]
        }
        status["containerStatuses"] = [["name": "c", "restartCount": .int(Int64(restarts))]]
        object["status"] = .object(status)
        var pod = Resource(object: object)
        if let cost { pod.setAnnotation(ReplicaSetPods.deletionCost, String(cost)) }
        return pod
    }

    static let now = Date(timeIntervalSince1970: 1_000_000)

    @Test("unscheduled, then pending, then not ready, then cheaper, then more recently ready Pods go first")
    func order() {
        let now = Self.now
        let pods = [
            Self.pod("ready-long", readySince: now.addingTimeInterval(-100_000)),
            Self.pod("ready-recent", readySince: now.addingTimeInterval(-10)),
            Self.pod("running-not-ready"),
            Self.pod("pending", phase: "Pending"),
            Self.pod("unscheduled", node: nil, phase: "Pending"),
            Self.pod("costly", readySince: now.addingTimeInterval(-10), cost: 100),
            Self.pod("cheap", readySince: now.addingTimeInterval(-100_000), cost: -5),
        ]
        let order = ReplicaSetPods.deletionOrder(pods, related: pods, now: now).map(\.name)
        #expect(order == ["unscheduled", "pending", "running-not-ready", "cheap", "ready-recent", "ready-long", "costly"])
    }

    @Test("among Pods ready as long (by powers of two) the one restarted more goes first, then the younger")
    func restartsThenAge() {
        let since = Self.now.addingTimeInterval(-50)
        let pods = [
            Self.pod("calm-old", readySince: since, created: Date(timeIntervalSince1970: 10)),
            Self.pod("flaky", readySince: since, restarts: 4),
            Self.pod("calm-young", readySince: since, created: Self.now.addingTimeInterval(-60)),
        ]
        let order = ReplicaSetPods.deletionOrder(pods, related: pods, now: Self.now).map(\.name)
        #expect(order == ["flaky", "calm-young", "calm-old"])
    }

    @Test("the status counts labelled, ready and available Pods and leaves zero counts out, as kube writes it")
    func status() throws {
        let replicaSet = try Resource(JSONValue(parsingJSON: Array("""
            {"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"front","generation":2},
             "spec":{"replicas":3,"minReadySeconds":30,"selector":{"matchLabels":{"tier":"front"}},
                     "template":{"metadata":{"labels":{"tier":"front","extra":"yes"}}}}}
            """.utf8)))
        let pods = [
            Self.pod("a", readySince: Self.now.addingTimeInterval(-60), labels: ["tier": "front", "extra": "yes"]),
            Self.pod("b", readySince: Self.now.addingTimeInterval(-5)),
            Self.pod("c", phase: "Pending"),
        ]
        let status = ReplicaSetPods.status(of: replicaSet, active: pods, terminating: 1, failure: nil, now: Self.now)
        #expect(status == [
            "replicas": 3, "fullyLabeledReplicas": 1, "readyReplicas": 2, "availableReplicas": 1,
            "observedGeneration": 2, "terminatingReplicas": 1,
        ])
        let wait = try #require(ReplicaSetPods.nextAvailabilityCheck(active: pods, minReadySeconds: 30, now: Self.now))
        #expect(abs(wait - 25) < 0.001)

        let failing = ReplicaSetPods.status(
            of: replicaSet, active: [], terminating: 0, failure: "pods \"front-\" is forbidden: exceeded quota", now: Self.now)
        let condition = try #require(failing["conditions"]?[0])
        #expect(condition["type"] == "ReplicaFailure" && condition["status"] == "True" && condition["reason"] == "FailedCreate")
        #expect(failing["readyReplicas"] == nil && failing["replicas"] == 0)
    }
}
