import OrderedCollections
import Resources
import Testing
@testable import mizzen

/// How `mizzen status` reads a RolloutTrait: its phase, batch, revisions and why it waits.
@Suite("RolloutTrait health")
struct RolloutHealthTests {
    static func trait(_ status: JSONObject) -> Resource {
        Resource(object: [
            "apiVersion": "standard.oam.dev/v1alpha1", "kind": "RolloutTrait", "metadata": ["name": "web-rollout"],
            "status": .object(status),
        ])
    }

    @Test("a rolling trait is progressing and says which batch and why; succeeded is healthy; rolled back unhealthy")
    func phases() {
        var status: JSONObject = [
            "phase": "Progressing", "message": "batch 2 of 4: waiting for web-v2 to have 2 available replicas (1 now)",
            "sourceRevision": "web-v1", "targetRevision": "web-v2", "targetWorkload": "web-v2", "replicas": 4,
            "currentBatch": 2, "totalBatches": 4, "sourceReplicas": 3, "targetReplicas": 2,
        ]
        #expect(HealthRules.evaluate(Self.trait(status)) == .init(
            health: .progressing,
            detail: "Progressing batch 2/4 web-v1 → web-v2 (3 → 2 replicas): batch 2 of 4: waiting for web-v2 to have "
                + "2 available replicas (1 now)"))
        status["phase"] = "Succeeded"
        #expect(HealthRules.evaluate(Self.trait(status)).health == .healthy)
        status["phase"] = "RolledBack"
        #expect(HealthRules.evaluate(Self.trait(status)).health == .unhealthy)
        status["phase"] = "Paused"
        #expect(HealthRules.evaluate(Self.trait(status)).health == .progressing)
        #expect(HealthRules.evaluate(Self.trait([:])) == .init(health: .progressing, detail: "no rollout observed yet"))
    }

    @Test("a trait that cannot work is unhealthy with its Synced message")
    func failing() {
        let failing = Self.trait(["conditions": [[
            "type": "Synced", "status": "False", "reason": "ReconcileError",
            "message": "spec.batchPercent: set either batchSize or batchPercent, not both",
        ]]])
        #expect(HealthRules.evaluate(failing) == .init(
            health: .unhealthy, detail: "Synced: spec.batchPercent: set either batchSize or batchPercent, not both"))
    }
}
