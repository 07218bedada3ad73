import Foundation
import OAM
import OrderedCollections
import Resources
import Testing

/// The RolloutTrait's decisions: batches, percentages, pauses, manual pause and resume, the
/// availability deadline and its rollback, and a new revision in the middle of a rollout.
@Suite("RolloutTrait planner")
struct RolloutPlannerTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func workload(_ name: String, _ replicas: Int32, available: Int32? = nil, observed: Bool = true,
                         problem: String? = nil) -> RolloutWorkload {
        RolloutWorkload(workload: name, replicas: replicas, available: available ?? replicas, observed: observed,
                        problem: problem)
    }

    /// Runs decisions as the reconciler would, applying each one's scaling to the observed
    /// workloads (available at once unless `unavailable` names them), until nothing changes.
    struct Simulation {
        var spec: RolloutSpec
        var target: RolloutWorkload
        var history: [RolloutWorkload]
        var status: RolloutStatus?
        var now = RolloutPlannerTests.start
        var unavailable: Set<String> = []
        var events: [RolloutEvent] = []
        /// `(target, source)` replicas after each decision that scaled something.
        var steps: [[String: Int32]] = []

        @discardableResult
        mutating func step() -> RolloutDecision {
            let decision = RolloutPlanner.decide(spec: spec, previous: status, target: target, history: history, now: now)
            status = decision.status
            events += decision.events
            for (name, replicas) in decision.scale {
                if target.workload == name {
                    target.replicas = replicas
                    target.available = unavailable.contains(name) ? 0 : replicas
                }
                for index in history.indices where history[index].workload == name {
                    history[index].replicas = replicas
                    history[index].available = unavailable.contains(name) ? 0 : replicas
                }
            }
            if !decision.scale.isEmpty {
                var counts = [target.workload: target.replicas]
                for older in history { counts[older.workload] = older.replicas }
                steps.append(counts)
            }
            return decision
        }

        /// Steps until a decision scales nothing and asks for no timer, advancing the clock to each timer.
        mutating func settle(limit: Int = 50) {
            for _ in 0..<limit {
                let decision = step()
                if let after = decision.requeueAfter {
                    now = now.addingTimeInterval(Double(after.components.seconds) + Double(after.components.attoseconds) / 1e18)
                } else if decision.scale.isEmpty {
                    return
                }
            }
            Issue.record("the rollout did not settle")
        }
    }

    @Test("a rollout moves replicas batch by batch, the target scaled up before the source down")
    func batches() {
        var run = Simulation(
            spec: RolloutSpec(replicas: 3, batchSize: 1), target: Self.workload("web-v2", 1),
            history: [Self.workload("web-v1", 3)])
        run.settle()
        // Each batch found available lets the source down by one and starts the next: one
        // replica more than the total runs while a batch starts, never one less.
        #expect(run.steps == [["web-v2": 2, "web-v1": 2], ["web-v2": 3, "web-v1": 1], ["web-v2": 3, "web-v1": 0]])
        let status = try! #require(run.status)
        #expect(status.phase == .succeeded)
        #expect(status.currentBatch == 3 && status.totalBatches == 3)
        #expect(status.sourceRevision == "web-v1" && status.targetRevision == "web-v2")
        #expect(status.sourceReplicas == 0 && status.targetReplicas == 3 && status.targetAvailableReplicas == 3)
        #expect(run.events.map(\.reason) == [
            "RolloutStarted", "RolloutBatchCompleted", "RolloutBatchCompleted", "RolloutBatchCompleted",
            "RolloutSucceeded",
        ])
        #expect(run.events[0].message == "Rolling out web-v2 in place of web-v1: 3 replicas in 3 batches")
        // Converged: another look changes nothing and says the same.
        let again = run.step()
        #expect(again.scale.isEmpty && again.events.isEmpty && again.status == status && again.requeueAfter == nil)
    }

    @Test("a new target starts at 0 when the first batch is bigger than what it was created with")
    func firstBatchScalesTheTargetUp() {
        var run = Simulation(
            spec: RolloutSpec(replicas: 4, batchSize: 2), target: Self.workload("web-v2", 1),
            history: [Self.workload("web-v1", 4)])
        let first = run.step()
        #expect(first.scale == ["web-v2": 2])
        #expect(first.status.phase == .progressing && first.status.currentBatch == 1 && first.status.totalBatches == 2)
        #expect(first.status.message == "batch 1 of 2: scaling Deployment/web-v2 to 2")
        run.settle()
        #expect(run.steps.last == ["web-v2": 4, "web-v1": 0])
        #expect(run.status?.phase == .succeeded)
    }

    @Test("batchPercent is rounded up and never less than one replica", arguments: [
        (Int32(5), Int32(30), Int32(2), Int32(3)), (10, 25, 3, 4), (3, 1, 1, 3), (4, 100, 4, 1), (7, 50, 4, 2),
    ])
    func percentRounding(replicas: Int32, percent: Int32, size: Int32, batches: Int32) {
        let spec = RolloutSpec(replicas: replicas, batchPercent: percent)
        #expect(spec.batchSize(of: replicas) == size)
        let decision = RolloutPlanner.decide(
            spec: spec, previous: nil, target: Self.workload("web-v2", 0), history: [Self.workload("web-v1", replicas)],
            now: Self.start)
        #expect(decision.status.totalBatches == batches)
        #expect(decision.scale["web-v2"] == size)
    }

    @Test("the pause between batches is a timer, not a wait in the reconcile")
    func pauseBetweenBatches() {
        var run = Simulation(
            spec: RolloutSpec(replicas: 2, batchSize: 1, pauseBetweenBatches: .seconds(30)),
            target: Self.workload("web-v2", 1), history: [Self.workload("web-v1", 2)])
        let first = run.step()
        #expect(first.scale == ["web-v1": 1])
        #expect(first.requeueAfter == .seconds(30))
        #expect(first.status.message.hasPrefix("batch 1 of 2 done; batch 2 starts at "))
        #expect(first.status.message.hasSuffix("(pauseBetweenBatches 30s)"))
        // Too early: nothing moves, the timer shrinks.
        run.now = Self.start.addingTimeInterval(10)
        let early = run.step()
        #expect(early.scale.isEmpty && early.requeueAfter == .seconds(20))
        run.now = Self.start.addingTimeInterval(30)
        let next = run.step()
        #expect(next.scale == ["web-v2": 2])
        #expect(next.status.currentBatch == 2)
    }

    @Test("paused holds the batch, starts no deadline and keeps a new revision at 0; resuming continues")
    func pauseAndResume() {
        var run = Simulation(
            spec: RolloutSpec(replicas: 2, batchSize: 1, paused: true, availabilityDeadline: .seconds(5)),
            target: Self.workload("web-v2", 1), history: [Self.workload("web-v1", 2)])
        let paused = run.step()
        #expect(paused.scale == ["web-v2": 0])
        #expect(paused.status.phase == .paused && paused.status.currentBatch == 0)
        #expect(paused.status.message == "paused at batch 0 of 2: set spec.paused to false to continue")
        #expect(paused.events.map(\.reason) == ["RolloutStarted", "RolloutPaused"])
        #expect(paused.requeueAfter == nil)
        // Long past any deadline, still paused: nothing happens.
        run.now = Self.start.addingTimeInterval(3600)
        let still = run.step()
        #expect(still.scale.isEmpty && still.events.isEmpty && still.status.phase == .paused)

        run.spec.paused = false
        let resumed = run.step()
        #expect(resumed.events.map(\.reason) == ["RolloutResumed"])
        #expect(resumed.scale == ["web-v2": 1])
        #expect(resumed.status.phase == .progressing && resumed.status.batchStartedAt == run.now)
        run.settle()
        #expect(run.status?.phase == .succeeded)
        #expect(run.steps.last == ["web-v2": 2, "web-v1": 0])
    }

    @Test("pausing in the middle leaves the source as it is and keeps the batch")
    func pauseInTheMiddle() {
        var run = Simulation(
            spec: RolloutSpec(replicas: 4, batchSize: 1), target: Self.workload("web-v2", 1),
            history: [Self.workload("web-v1", 4)])
        run.step()
        #expect(run.status?.currentBatch == 2)
        run.spec.paused = true
        let paused = run.step()
        #expect(paused.scale.isEmpty)
        #expect(paused.status.phase == .paused && paused.status.currentBatch == 2)
        #expect(run.history[0].replicas == 3)
    }

    @Test("a batch not available within the deadline rolls back: target to 0, source to the total")
    func deadlineRollback() {
        var run = Simulation(
            spec: RolloutSpec(replicas: 3, batchSize: 1, availabilityDeadline: .seconds(10)),
            target: Self.workload("web-v2", 1, available: 0, problem: nil), history: [Self.workload("web-v1", 3)])
        run.unavailable = ["web-v2"]
        let waiting = run.step()
        #expect(waiting.scale.isEmpty)
        #expect(waiting.requeueAfter == .seconds(10))
        #expect(waiting.status.message.hasPrefix("batch 1 of 3: waiting for web-v2 to have 1 available replica (0 now); rolls back to web-v1 at "))
        run.target.problem = "ProgressDeadlineExceeded: ReplicaSet web-v2-abc has timed out progressing."
        run.now = Self.start.addingTimeInterval(10)
        let rolledBack = run.step()
        #expect(rolledBack.scale == ["web-v2": 0])
        #expect(rolledBack.status.phase == .rolledBack)
        #expect(rolledBack.status.message == "rolled back to web-v1: web-v2 did not have 1 available replica within "
            + "availabilityDeadline 10s in batch 1 of 3 (0 available; Deployment/web-v2: ProgressDeadlineExceeded: "
            + "ReplicaSet web-v2-abc has timed out progressing.); edit the Component to roll out a new revision")
        #expect(rolledBack.events == [RolloutEvent(
            warning: true, reason: "RolledBack",
            message: "Rolled back to web-v1: web-v2 did not have 1 available replica within availabilityDeadline 10s "
                + "in batch 1 of 3 (0 available; Deployment/web-v2: ProgressDeadlineExceeded: ReplicaSet web-v2-abc "
                + "has timed out progressing.)")])
        // It stays rolled back, and puts the counts back if someone changes them.
        run.history[0].replicas = 1
        let kept = run.step()
        #expect(kept.scale == ["web-v1": 3] && kept.status.phase == .rolledBack && kept.events.isEmpty)
    }

    @Test("a rollback in a later batch restores the source's replicas already moved")
    func rollbackLater() {
        var run = Simulation(
            spec: RolloutSpec(replicas: 3, batchSize: 1, availabilityDeadline: .seconds(5)),
            target: Self.workload("web-v2", 1), history: [Self.workload("web-v1", 3)])
        run.unavailable = ["web-v2"]
        let first = run.step()
        #expect(first.scale == ["web-v1": 2, "web-v2": 2])
        #expect(first.status.currentBatch == 2)
        let waiting = run.step()
        #expect(waiting.scale.isEmpty && waiting.requeueAfter == .seconds(5))
        run.now = run.now.addingTimeInterval(5)
        let back = run.step()
        #expect(back.scale == ["web-v2": 0, "web-v1": 3])
        #expect(back.status.phase == .rolledBack)
        #expect(back.status.currentBatch == 2)
        #expect(back.status.message.contains("did not have 2 available replicas within availabilityDeadline 5s in batch 2 of 3"))
    }

    @Test("a third revision in the middle of a rollout rolls from the last good one, emptying the interrupted one first")
    func thirdRevision() {
        var run = Simulation(
            spec: RolloutSpec(replicas: 4, batchSize: 1), target: Self.workload("web-v2", 1),
            history: [Self.workload("web-v1", 4)])
        run.unavailable = ["web-v2"]
        run.step()
        // web-v2 is at 2 (none available in its second batch), web-v1 at 3.
        #expect(run.target.replicas == 2 && run.history[0].replicas == 3)

        // The Component changes again: web-v3 is the target now, web-v2 an interrupted revision.
        run.unavailable = []
        run.history.append(run.target)
        run.target = Self.workload("web-v3", 1)
        let restart = run.step()
        #expect(restart.status.sourceWorkload == "web-v1")
        // web-v3's first replica is available: the older ones go down to 3, web-v2 first.
        #expect(restart.scale == ["web-v2": 0, "web-v3": 2])
        #expect(restart.status.currentBatch == 2 && restart.status.totalBatches == 4)
        #expect(run.history[0].replicas == 3)
        #expect(restart.events.first?.message == "Rolling out web-v3 in place of web-v1: 4 replicas in 4 batches")
        run.settle()
        #expect(run.status?.phase == .succeeded)
        #expect(run.target.replicas == 4)
        #expect(run.history.allSatisfy { $0.replicas == 0 })
        // Succeeded: the interrupted revision's workload goes, the source stays for a rollback.
        let after = run.step()
        #expect(after.delete == ["web-v2"])
    }

    @Test("after a rollback a new revision rolls from the restored source")
    func newRevisionAfterRollback() {
        let previous = RolloutStatus(
            phase: .rolledBack, sourceWorkload: "web-v1", sourceRevision: "web-v1", targetWorkload: "web-v2",
            targetRevision: "web-v2", replicas: 2, currentBatch: 1, totalBatches: 2)
        let decision = RolloutPlanner.decide(
            spec: RolloutSpec(replicas: 2), previous: previous, target: Self.workload("web-v3", 1),
            history: [Self.workload("web-v1", 2), Self.workload("web-v2", 0)], now: Self.start)
        #expect(decision.status.sourceWorkload == "web-v1")
        #expect(decision.status.phase == .progressing)
    }

    @Test("after a success the next revision rolls from the previous target")
    func newRevisionAfterSuccess() {
        let previous = RolloutStatus(
            phase: .succeeded, sourceWorkload: "web-v1", sourceRevision: "web-v1", targetWorkload: "web-v2",
            targetRevision: "web-v2", replicas: 2, currentBatch: 2, totalBatches: 2)
        let decision = RolloutPlanner.decide(
            spec: RolloutSpec(), previous: previous, target: Self.workload("web-v3", 1),
            history: [Self.workload("web-v1", 0), Self.workload("web-v2", 2)], now: Self.start)
        #expect(decision.status.sourceWorkload == "web-v2")
        #expect(decision.status.replicas == 2)
    }

    @Test("without an earlier revision the target simply runs the total")
    func firstRevision() {
        let waiting = RolloutPlanner.decide(
            spec: RolloutSpec(replicas: 3), previous: nil, target: Self.workload("web-v1", 1, available: 1),
            history: [], now: Self.start)
        #expect(waiting.scale == ["web-v1": 3])
        #expect(waiting.status.phase == .progressing && waiting.events.isEmpty)
        let done = RolloutPlanner.decide(
            spec: RolloutSpec(replicas: 3), previous: waiting.status, target: Self.workload("web-v1", 3),
            history: [], now: Self.start)
        #expect(done.scale.isEmpty && done.status.phase == .succeeded)
        #expect(done.status.message == "web-v1 runs all 3 replicas; no earlier revision to move from")
    }

    @Test("without spec.replicas the total is what the earlier revision ran")
    func defaultTotal() {
        let decision = RolloutPlanner.decide(
            spec: RolloutSpec(batchPercent: 50), previous: nil, target: Self.workload("web-v2", 1),
            history: [Self.workload("web-v1", 4)], now: Self.start)
        #expect(decision.status.replicas == 4 && decision.status.totalBatches == 2)
        #expect(decision.scale == ["web-v2": 2])
    }

    @Test("a target not yet observed by its controller is not counted available")
    func unobserved() {
        let decision = RolloutPlanner.decide(
            spec: RolloutSpec(replicas: 2), previous: nil, target: Self.workload("web-v2", 1, observed: false),
            history: [Self.workload("web-v1", 2)], now: Self.start)
        #expect(decision.scale.isEmpty)
        #expect(decision.status.message == "batch 1 of 2: waiting for web-v2 to have 1 available replica (1 now)")
    }

    @Test("the status survives its round trip through JSON, sub-second times included")
    func statusRoundTrip() {
        let status = RolloutStatus(
            phase: .progressing, message: "m", sourceWorkload: "web-v1", sourceRevision: "web-v1",
            targetWorkload: "web-v2", targetRevision: "web-v2", replicas: 3, currentBatch: 1, totalBatches: 3,
            sourceReplicas: 2, targetReplicas: 1, targetAvailableReplicas: 1,
            batchStartedAt: Self.start.addingTimeInterval(0.25), batchCompletedAt: nil)
        #expect(RolloutStatus(.object(status.fields)) == status)
        #expect(status.summary == "Progressing batch 1/3 web-v1 → web-v2 (2 → 1 replicas): m")
    }

    @Test("the spec's fields are checked with their paths", arguments: [
        ("{batchSize: 1, batchPercent: 10}", "spec.batchPercent: set either batchSize or batchPercent, not both"),
        ("{batchPercent: 0}", "spec.batchPercent: must be between 1 and 100, found 0"),
        ("{batchSize: 0}", "spec.batchSize: must be at least 1, found 0"),
        ("{replicas: -1}", "spec.replicas: must be at least 0, found -1"),
        ("{pauseBetweenBatches: soon}", "spec.pauseBetweenBatches: must be a duration such as 500ms, 30s, 5m or 1m30s, found \"soon\""),
    ])
    func specProblems(yaml: String, message: String) throws {
        let value = try #require(DocumentDecoder.decode(yaml, file: nil).first).value
        #expect(throws: RolloutSpec.Problem.self) { try RolloutSpec(value) }
        do {
            _ = try RolloutSpec(value)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test("durations read as Go writes them", arguments: [
        ("500ms", Duration.milliseconds(500)), ("30s", .seconds(30)), ("1m30s", .seconds(90)), ("2h", .seconds(7200)),
        ("1.5s", .milliseconds(1500)), ("0", .zero),
    ])
    func durations(text: String, duration: Duration) {
        #expect(RolloutDuration.parse(text) == duration)
    }

    @Test("the catalog entry is a revisionEnabled trait with its CRD")
    func entry() {
        let definition = StandardCatalog.entries.first { $0.definition.name == "rollouttraits.standard.oam.dev" }
        #expect(definition?.definition.valueIfPresent(at: "spec.revisionEnabled") == true)
        #expect(definition?.definition.valueIfPresent(at: "spec.workloadRefPath") == "spec.workloadRef")
        #expect(definition?.customResourceDefinition?.name == "rollouttraits.standard.oam.dev")
    }
}
