@testable import ClusterControllers
import Foundation
import OrderedCollections
import Resources
import Testing

@Suite("Deployment rollout arithmetic")
struct DeploymentRolloutTests {
    static func deployment(replicas: Int, surge: JSONValue? = "25%", unavailable: JSONValue? = "25%", type: String = "RollingUpdate")
        -> DeploymentFacts
    {
        var rolling: JSONObject = [:]
        if let surge { rolling["maxSurge"] = surge }
        if let unavailable { rolling["maxUnavailable"] = unavailable }
        var strategy: JSONObject = ["type": .string(type)]
        if type == "RollingUpdate" { strategy["rollingUpdate"] = .object(rolling) }
        var object = Resource(apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "default")
        object.spec = ["replicas": .int(Int64(replicas)), "strategy": .object(strategy)]
        return DeploymentFacts(object)
    }

    @Test("percentages round the surge up and the unavailability down; both zero makes one unavailable", arguments: [
        (10, JSONValue("25%"), JSONValue("25%"), 3, 2),
        (3, JSONValue("25%"), JSONValue("25%"), 1, 0),
        (1, JSONValue("25%"), JSONValue("25%"), 1, 0),
        (4, JSONValue(0), JSONValue(0), 0, 1),
        (5, JSONValue("50%"), JSONValue(2), 3, 2),
        (3, JSONValue(0), JSONValue(5), 0, 3),
    ])
    func fenceposts(replicas: Int, surge: JSONValue, unavailable: JSONValue, wantSurge: Int, wantUnavailable: Int) {
        let facts = Self.deployment(replicas: replicas, surge: surge, unavailable: unavailable)
        #expect(facts.maxSurge == wantSurge)
        #expect(facts.maxUnavailable == wantUnavailable)
    }

    @Test("Recreate has no surge and no unavailability budget")
    func recreate() {
        let facts = Self.deployment(replicas: 4, type: "Recreate")
        #expect(facts.maxSurge == 0 && facts.maxUnavailable == 0)
    }

    @Test("the pod-template-hash uses kube's alphabet, is at most ten characters, stable, and changes with the template or collision count")
    func hash() throws {
        let template: JSONValue = ["metadata": ["labels": ["app": "web"]], "spec": ["containers": [["name": "nginx", "image": "nginx"]]]]
        let reordered: JSONValue = ["spec": ["containers": [["image": "nginx", "name": "nginx"]]], "metadata": ["labels": ["app": "web"]]]
        let hash = DeploymentPodTemplateHash.hash(of: template, collisionCount: nil)
        #expect(!hash.isEmpty && hash.count <= 10)
        #expect(hash.allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
        #expect(DeploymentPodTemplateHash.hash(of: reordered, collisionCount: nil) == hash)
        #expect(DeploymentPodTemplateHash.hash(of: template, collisionCount: 1) != hash)
        var changed = template
        try changed.setValue("nginx:1.27", at: "spec.containers[0].image")
        #expect(DeploymentPodTemplateHash.hash(of: changed, collisionCount: nil) != hash)
        // kube's SafeEncodeString: each decimal digit mapped by its code point.
        #expect(DeploymentPodTemplateHash.safeEncode("0123456789") == "456789bcdf")
        let long = String(repeating: "a", count: 260)
        #expect(DeploymentPodTemplateHash.replicaSetName(deployment: long, hash: "abc").count == 253)
    }

    @Test("templates equal but for the pod-template-hash label are the same template")
    func equalIgnoringHash() {
        let a: JSONValue = ["metadata": ["labels": ["app": "web", "pod-template-hash": "x2"]], "spec": ["containers": []]]
        let b: JSONValue = ["metadata": ["labels": ["app": "web"], "creationTimestamp": nil], "spec": [:]]
        let c: JSONValue = ["metadata": ["labels": ["app": "api"]]]
        #expect(DeploymentRollout.equalIgnoringHash(a, b))
        #expect(!DeploymentRollout.equalIgnoringHash(a, c))
    }

    @Test("a new ReplicaSet grows by what the surge leaves, up to the replicas")
    func newReplicas() {
        let facts = Self.deployment(replicas: 4)  // surge 1
        var old = DeploymentReplicaSet(Resource(apiVersion: "apps/v1", kind: "ReplicaSet", name: "old"))
        old.replicas = 4
        var new = DeploymentReplicaSet(Resource(apiVersion: "apps/v1", kind: "ReplicaSet", name: "new"))
        new.replicas = 0
        #expect(DeploymentRollout.newReplicaSetReplicas(facts, all: [old, new], new: new) == 1)
        old.replicas = 2
        new.replicas = 2
        #expect(DeploymentRollout.newReplicaSetReplicas(facts, all: [old, new], new: new) == 3)
    }

    @Test("conditions keep their transition time while their status holds, and go last when they change")
    func conditions() {
        var status = DeploymentStatus()
        status.set(DeploymentCondition(type: "Available", status: "False", reason: "MinimumReplicasUnavailable", message: "m", now: "t1"))
        status.set(DeploymentCondition(type: "Progressing", status: "True", reason: "NewReplicaSetCreated", message: "m", now: "t1"))
        status.set(DeploymentCondition(type: "Progressing", status: "True", reason: "ReplicaSetUpdated", message: "m", now: "t2"))
        #expect(status.condition("Progressing")?.lastTransitionTime == "t1")
        #expect(status.condition("Progressing")?.lastUpdateTime == "t2")
        status.set(DeploymentCondition(type: "Available", status: "True", reason: "MinimumReplicasAvailable", message: "m", now: "t3"))
        #expect(status.conditions.map(\.type) == ["Progressing", "Available"])
        #expect(status.condition("Available")?.lastTransitionTime == "t3")
        #expect(status.json["unavailableReplicas"] == nil && status.json["conditions"]?.arrayValue?.count == 2)
    }
}
