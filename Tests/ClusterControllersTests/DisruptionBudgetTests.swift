@testable import APIServer
@testable import ClusterControllers
import ControllerRuntime
import Foundation
import OrderedCollections
import Resources
import Testing

@Suite("The disruption controller's and the eviction subresource's pure parts")
struct DisruptionBudgetTests {
    static func budget(_ spec: JSONValue, status: JSONValue? = nil, generation: Int64 = 1) throws -> Resource {
        var pdb = try Resource([
            "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": ["name": "web", "namespace": "shop", "generation": .int(generation)], "spec": spec,
        ])
        pdb.status = status
        return pdb
    }

    static func pod(_ name: String, ready: Bool, owner: String? = "rs-uid", deleting: Bool = false) throws -> Resource {
        var metadata: JSONObject = ["name": .string(name), "namespace": "shop", "labels": ["app": "web"]]
        if let owner {
            metadata["ownerReferences"] = [[
                "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1", "uid": .string(owner), "controller": true,
            ]]
        }
        if deleting { metadata["deletionTimestamp"] = "2026-01-01T00:00:00Z" }
        return try Resource([
            "apiVersion": "v1", "kind": "Pod", "metadata": .object(metadata),
            "status": ["phase": "Running", "conditions": [["type": "Ready", "status": ready ? "True" : "False"]]],
        ])
    }

    static let scaledCases: [(JSONValue, Int64, Int64)] = [
        (["maxUnavailable": 1], 5, 4),
        (["maxUnavailable": "30%"], 5, 3),
        (["minAvailable": "50%"], 5, 3),
        (["minAvailable": "100%"], 5, 5),
        (["maxUnavailable": "100%"], 5, 0),
    ]

    @Test("maxUnavailable and percentages resolve against the controllers' scale, rounded up", arguments: scaledCases)
    func scaledCounts(spec: JSONValue, expected: Int64, desired: Int64) throws {
        var spec = spec
        spec["selector"] = ["matchLabels": ["app": "web"]]
        let pods = try [Self.pod("a", ready: true), Self.pod("b", ready: true)]
        let counts = try DisruptionBudget.counts(of: Self.budget(spec), pods: pods) { reference, _ in
            .init(uid: reference.uid, replicas: 5)
        }
        #expect(counts.expectedPods == expected)
        #expect(counts.desiredHealthy == desired)
    }

    @Test("an integer minAvailable counts the selected pods, without their controllers")
    func integerMinAvailable() throws {
        let pods = try [Self.pod("a", ready: true), Self.pod("b", ready: false, owner: nil)]
        let counts = try DisruptionBudget.counts(of: Self.budget(["minAvailable": 2]), pods: pods) { _, _ in nil }
        #expect(counts == .init(expectedPods: 2, desiredHealthy: 2, unmanagedPods: []))
    }

    @Test("a pod whose controller is gone fails the sync; pods without a controller are unmanaged")
    func controllersMissing() throws {
        let owned = try [Self.pod("a", ready: true)]
        #expect(throws: DisruptionBudget.SyncFailure(message: "found no controllers for pod \"a\"")) {
            try DisruptionBudget.counts(of: Self.budget(["maxUnavailable": 1]), pods: owned) { _, _ in nil }
        }
        let orphans = try [Self.pod("o", ready: true, owner: nil)]
        let counts = try DisruptionBudget.counts(of: Self.budget(["maxUnavailable": "30%"]), pods: orphans) { _, _ in nil }
        #expect(counts == .init(expectedPods: 0, desiredHealthy: 0, unmanagedPods: ["o"]))
    }

    @Test("the status counts ready pods not being deleted nor recently evicted, and says whether one may go")
    func status() throws {
        let pdb = try Self.budget(["minAvailable": 2], generation: 3)
        let pods = try [Self.pod("a", ready: true), Self.pod("b", ready: true), Self.pod("c", ready: true),
                        Self.pod("d", ready: true, deleting: true), Self.pod("e", ready: false)]
        let counts = DisruptionBudget.Counts(expectedPods: 5, desiredHealthy: 2, unmanagedPods: [])
        let healthy = DisruptionBudget.currentHealthy(pods, disrupted: ["c": "2026-01-01T00:00:00Z"])
        #expect(healthy == 2)
        let none = try #require(DisruptionBudget.status(of: pdb, counts: counts, currentHealthy: healthy, disrupted: [:],
                                                        now: "2026-01-01T00:00:00Z"))
        #expect(none["disruptionsAllowed"] == 0)
        #expect(none["observedGeneration"] == 3)
        #expect(none["conditions"]?[0] == [
            "type": "DisruptionAllowed", "status": "False", "reason": "InsufficientPods", "message": "",
            "observedGeneration": 3, "lastTransitionTime": "2026-01-01T00:00:00Z",
        ])
        var settled = pdb
        settled.status = none
        // Nothing changed: nothing to write.
        #expect(DisruptionBudget.status(of: settled, counts: counts, currentHealthy: 2, disrupted: [:], now: "later") == nil)
        let one = try #require(DisruptionBudget.status(of: settled, counts: counts, currentHealthy: 3, disrupted: [:],
                                                       now: "2026-01-01T00:01:00Z"))
        #expect(one["disruptionsAllowed"] == 1)
        #expect(one["conditions"]?[0]?["reason"] == "SufficientPods")
        #expect(one["conditions"]?[0]?["lastTransitionTime"] == "2026-01-01T00:01:00Z")
    }

    @Test("an eviction recorded in disruptedPods counts for two minutes, then is overdue")
    func disruptedPods() throws {
        let now = try #require(KubernetesTime.parse("2026-01-01T00:10:00Z"))
        let pdb = try Self.budget(["minAvailable": 1], status: ["disruptedPods": [
            "a": "2026-01-01T00:09:00Z", "b": "2026-01-01T00:07:00Z", "gone": "2026-01-01T00:09:30Z",
        ]])
        let result = DisruptionBudget.disruptedPods(
            of: pdb, pods: try [Self.pod("a", ready: true), Self.pod("b", ready: true)], now: now)
        #expect(result.kept == ["a": "2026-01-01T00:09:00Z"])
        #expect(result.overdue.map(\.name) == ["b"])
        #expect(result.recheck == KubernetesTime.parse("2026-01-01T00:11:00Z"))
    }

    @Test("a failed sync allows no disruption and says why in a SyncFailed condition")
    func failedStatus() throws {
        let pdb = try Self.budget(["maxUnavailable": 1], status: ["disruptionsAllowed": 1, "observedGeneration": 1])
        let status = DisruptionBudget.failedStatus(
            of: pdb, message: "jobs.batch does not implement the scale subresource", now: "2026-01-01T00:00:00Z")
        #expect(status["disruptionsAllowed"] == 0)
        #expect(status["conditions"]?[0]?["reason"] == "SyncFailed")
        #expect(status["conditions"]?[0]?["message"] == "jobs.batch does not implement the scale subresource")
    }

    @Test("selectors are quoted in Events as Go prints them")
    func goSelector() {
        #expect(DisruptionBudget.goDescription(ofSelector: ["matchLabels": ["app": "orph"]])
            == "&LabelSelector{MatchLabels:map[string]string{app: orph,},MatchExpressions:[]LabelSelectorRequirement{},}")
        #expect(DisruptionBudget.goDescription(ofSelector: nil) == "nil")
    }

    @Test("an eviction takes one disruption and records the pod; none left refuses with kube's cause")
    func evictionTakesDisruption() throws {
        let pdb = try Self.budget(["minAvailable": 2], status: [
            "disruptionsAllowed": 1, "currentHealthy": 3, "desiredHealthy": 2, "expectedPods": 3, "observedGeneration": 1,
            "conditions": [["type": "DisruptionAllowed", "status": "True", "reason": "SufficientPods", "message": "",
                            "lastTransitionTime": "2026-01-01T00:00:00Z"]],
        ])
        let taken = try APIHandler.takingDisruption(from: pdb, pod: "a", now: "2026-01-01T00:05:00Z")
        #expect(taken.status?["disruptionsAllowed"] == 0)
        #expect(taken.status?["disruptedPods"] == ["a": "2026-01-01T00:05:00Z"])
        #expect(taken.status?["conditions"]?[0]?["reason"] == "InsufficientPods")
        #expect(taken.status?["conditions"]?[0]?["lastTransitionTime"] == "2026-01-01T00:05:00Z")

        var exhausted = taken
        exhausted.status?["currentHealthy"] = 2
        #expect(APIHandler.refusalCause(exhausted) == "The disruption budget web needs 2 healthy pods and has 2 currently")
        var failed = exhausted
        failed.status?["conditions"] = [["type": "DisruptionAllowed", "status": "False", "reason": "SyncFailed",
                                         "message": "found no controllers for pod \"a\""]]
        #expect(APIHandler.refusalCause(failed)
            == "The disruption budget web does not allow evicting pods currently because it failed sync: "
            + "found no controllers for pod \"a\"")
    }

    @Test("a budget whose status is behind its generation refuses evictions until the controller caught up")
    func staleBudget() throws {
        let pdb = try Self.budget(["minAvailable": 1], status: ["disruptionsAllowed": 3, "observedGeneration": 1],
                                  generation: 2)
        #expect(throws: (any Error).self) { try APIHandler.takingDisruption(from: pdb, pod: "a", now: "now") }
        guard case .json(let code, let body, _) = APIHandler.budgetStillProcessing("web") else { return }
        #expect(code == 429)
        #expect(body["details"]?["retryAfterSeconds"] == 10)
        #expect(body["details"]?["causes"]?[0]?["message"] == "The disruption budget web is still being processed by the server.")
    }

    @Test("pending, finished and terminating pods are evicted without asking a budget")
    func evictionIgnoresBudgets() throws {
        var pod = try Self.pod("a", ready: true)
        #expect(!APIHandler.evictionIgnoresBudgets(pod))
        pod.status?["phase"] = "Pending"
        #expect(APIHandler.evictionIgnoresBudgets(pod))
        #expect(APIHandler.evictionIgnoresBudgets(try Self.pod("b", ready: true, deleting: true)))
    }
}
