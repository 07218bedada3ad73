import Foundation
public import OrderedCollections
public import Resources

/// One revision's workload as a RolloutTrait sees it: the object that runs its Pods (the
/// workload itself, or its child such as a ContainerizedWorkload's Deployment) and how many of
/// them are available.
public struct RolloutWorkload: Sendable, Equatable {
    /// The workload's name (`web-v2`).
    public var workload: String
    /// Its component revision (`app.oam.dev/revision`, usually the same as its name).
    public var revision: String
    /// The number after the revision's last `-v`, for ordering; 0 when there is none.
    public var revisionNumber: Int
    /// `Kind/name` of the object scaled, for messages.
    public var scaled: String
    /// Its `spec.replicas`.
    public var replicas: Int32
    /// Its available replicas.
    public var available: Int32
    /// Whether its controller has reported on its latest spec (`status.observedGeneration`).
    public var observed: Bool
    /// What its controller says is wrong (a failed condition), if anything.
    public var problem: String?

    public init(
        workload: String, revision: String? = nil, scaled: String? = nil, replicas: Int32, available: Int32,
        observed: Bool = true, problem: String? = nil
    ) {
        self.workload = workload
        self.revision = revision ?? workload
        self.revisionNumber = Self.number(of: revision ?? workload)
        self.scaled = scaled ?? "Deployment/\(workload)"
        self.replicas = replicas
        self.available = available
        self.observed = observed
        self.problem = problem
    }

    /// `7` for `web-v7`.
    public static func number(of revision: String) -> Int {
        guard let range = revision.range(of: "-v", options: .backwards) else { return 0 }
        return Int(revision[range.upperBound...]) ?? 0
    }
}

/// What a RolloutTrait reports in its status (besides its `Synced` condition).
public struct RolloutStatus: Sendable, Equatable {
    public enum Phase: String, Sendable {
        case progressing = "Progressing"
        case paused = "Paused"
        case succeeded = "Succeeded"
        case rolledBack = "RolledBack"
    }

    public var phase: Phase
    public var message: String
    public var sourceWorkload: String?
    public var sourceRevision: String?
    public var targetWorkload: String
    public var targetRevision: String
    /// The total the rollout works with (`spec.replicas`, or what the source ran).
    public var replicas: Int32
    /// The batch under way, 1-based; 0 before the first.
    public var currentBatch: Int32
    public var totalBatches: Int32
    public var sourceReplicas: Int32?
    public var targetReplicas: Int32
    public var targetAvailableReplicas: Int32
    /// When the current batch scaled the target up: its availability deadline runs from here.
    public var batchStartedAt: Date?
    /// When the current batch's target replicas were all available: the pause runs from here.
    public var batchCompletedAt: Date?

    public init(
        phase: Phase, message: String = "", sourceWorkload: String? = nil, sourceRevision: String? = nil,
        targetWorkload: String, targetRevision: String, replicas: Int32, currentBatch: Int32 = 0,
        totalBatches: Int32 = 0, sourceReplicas: Int32? = nil, targetReplicas: Int32 = 0,
        targetAvailableReplicas: Int32 = 0, batchStartedAt: Date? = nil, batchCompletedAt: Date? = nil
    ) {
        self.phase = phase
        self.message = message
        self.sourceWorkload = sourceWorkload
        self.sourceRevision = sourceRevision
        self.targetWorkload = targetWorkload
        self.targetRevision = targetRevision
        self.replicas = replicas
        self.currentBatch = currentBatch
        self.totalBatches = totalBatches
        self.sourceReplicas = sourceReplicas
        self.targetReplicas = targetReplicas
        self.targetAvailableReplicas = targetAvailableReplicas
        self.batchStartedAt = batchStartedAt
        self.batchCompletedAt = batchCompletedAt
    }

    /// Reads what a previous reconcile wrote; `nil` when the status holds no rollout.
    public init?(_ status: JSONValue?) {
        guard let status, let phaseText = status["phase"]?.stringValue, let phase = Phase(rawValue: phaseText),
            let target = status["targetWorkload"]?.stringValue
        else { return nil }
        func int(_ field: String) -> Int32? { status[field]?.intValue.map { Int32(clamping: $0) } }
        func date(_ field: String) -> Date? { status[field]?.stringValue.flatMap(Self.parseTime) }
        self.init(
            phase: phase, message: status["message"]?.stringValue ?? "",
            sourceWorkload: status["sourceWorkload"]?.stringValue, sourceRevision: status["sourceRevision"]?.stringValue,
            targetWorkload: target, targetRevision: status["targetRevision"]?.stringValue ?? target,
            replicas: int("replicas") ?? 0, currentBatch: int("currentBatch") ?? 0, totalBatches: int("totalBatches") ?? 0,
            sourceReplicas: int("sourceReplicas"), targetReplicas: int("targetReplicas") ?? 0,
            targetAvailableReplicas: int("targetAvailableReplicas") ?? 0,
            batchStartedAt: date("batchStartedAt"), batchCompletedAt: date("batchCompletedAt"))
    }

    /// The status fields, as the trait's `status` carries them next to its conditions.
    public var fields: JSONObject {
        var members: JSONObject = ["phase": .string(phase.rawValue), "message": .string(message)]
        if let sourceWorkload { members["sourceWorkload"] = .string(sourceWorkload) }
        if let sourceRevision { members["sourceRevision"] = .string(sourceRevision) }
        members["targetWorkload"] = .string(targetWorkload)
        members["targetRevision"] = .string(targetRevision)
        members["replicas"] = .int(Int64(replicas))
        members["currentBatch"] = .int(Int64(currentBatch))
        members["totalBatches"] = .int(Int64(totalBatches))
        if let sourceReplicas { members["sourceReplicas"] = .int(Int64(sourceReplicas)) }
        members["targetReplicas"] = .int(Int64(targetReplicas))
        members["targetAvailableReplicas"] = .int(Int64(targetAvailableReplicas))
        if let batchStartedAt { members["batchStartedAt"] = .string(Self.time(batchStartedAt)) }
        if let batchCompletedAt { members["batchCompletedAt"] = .string(Self.time(batchCompletedAt)) }
        return members
    }

    /// The field names ``fields`` may write, so that a status write can drop stale ones.
    public static let fieldNames = [
        "phase", "message", "sourceWorkload", "sourceRevision", "targetWorkload", "targetRevision", "replicas",
        "currentBatch", "totalBatches", "sourceReplicas", "targetReplicas", "targetAvailableReplicas",
        "batchStartedAt", "batchCompletedAt",
    ]

    /// One line for `mizzen status`: `batch 2/3 web-v1 → web-v2 (1 → 2 replicas): waiting …`.
    public var summary: String {
        let route = sourceRevision.map { "\($0) → \(targetRevision)" } ?? targetRevision
        let counts = sourceReplicas.map { "\($0) → \(targetReplicas) replicas" } ?? "\(targetReplicas) replicas"
        let batch = totalBatches > 0 ? "batch \(currentBatch)/\(totalBatches) " : ""
        return "\(phase.rawValue) \(batch)\(route) (\(counts)): \(message)"
    }

    /// Times with milliseconds: pauses of less than a second must survive the round trip.
    static func time(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
    }

    static func parseTime(_ text: String) -> Date? {
        (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt).parse(text))
            ?? (try? Date.ISO8601FormatStyle(timeZone: .gmt).parse(text))
    }
}

/// An Event a rollout decision asks to record on the AppConfig.
public struct RolloutEvent: Sendable, Equatable {
    public var warning: Bool
    public var reason: String
    public var message: String

    public init(warning: Bool, reason: String, message: String) {
        self.warning = warning
        self.reason = reason
        self.message = message
    }

    public static let startedReason = "RolloutStarted"
    public static let batchReason = "RolloutBatchCompleted"
    public static let succeededReason = "RolloutSucceeded"
    public static let pausedReason = "RolloutPaused"
    public static let resumedReason = "RolloutResumed"
    public static let rolledBackReason = "RolledBack"
}

/// What to do now: the replica counts to set, the workloads to delete, the status to write,
/// the Events to record and when to look again.
public struct RolloutDecision: Sendable, Equatable {
    /// `spec.replicas` to set, by workload name; only those that differ from what is observed.
    public var scale: OrderedDictionary<String, Int32> = [:]
    /// Earlier revisions' workloads no longer needed (at 0, neither source nor target).
    public var delete: [String] = []
    public var status: RolloutStatus
    public var events: [RolloutEvent] = []
    /// When to reconcile again if nothing else changes first; `nil`: only on a change.
    public var requeueAfter: Duration?
}

/// The RolloutTrait's decisions, as a pure function of what it observes.
///
/// The rollout works with a total `R` (`spec.replicas`) split in batches of `s`
/// (``RolloutSpec/batchSize(of:)``). Batch `k` of `n = ⌈R/s⌉` first sets the target revision's
/// workload to `min(k·s, R)` replicas, waits until that many are available, then sets the
/// older revisions to `R − min(k·s, R)` (the revision of an interrupted rollout is emptied first,
/// the source last), waits `pauseBetweenBatches`, and starts batch `k + 1`. It succeeds when the
/// target runs `R` and the older revisions nothing; it rolls back — target to 0, source to `R` —
/// when a batch's replicas are not available within `availabilityDeadline` of its start.
/// `paused` holds it at its batch (no deadline runs meanwhile; the deadline starts again on
/// resume). A new target revision (the Component was edited) starts a new rollout from the last
/// revision known good: the previous target if it succeeded, else the previous source.
public enum RolloutPlanner {
    /// - Parameters:
    ///   - previous: the status the last decision wrote (`nil` at first).
    ///   - target: the workload of the revision the AppConfig renders now (`spec.workloadRef`).
    ///   - history: the earlier revisions' workloads of the same component.
    public static func decide(
        spec: RolloutSpec, previous: RolloutStatus?, target: RolloutWorkload, history: [RolloutWorkload], now: Date
    ) -> RolloutDecision {
        var plan = Plan(spec: spec, target: target, history: history, now: now)
        plan.start(previous: previous)
        plan.run()
        return plan.decision
    }

    /// One decision in the making.
    private struct Plan {
        let spec: RolloutSpec
        let target: RolloutWorkload
        let history: [RolloutWorkload]
        let now: Date
        var status: RolloutStatus
        var decision: RolloutDecision
        /// Replicas decided so far, by workload (observed until decided otherwise).
        var desired: [String: Int32] = [:]

        init(spec: RolloutSpec, target: RolloutWorkload, history: [RolloutWorkload], now: Date) {
            self.spec = spec
            self.target = target
            self.history = history
            self.now = now
            status = RolloutStatus(
                phase: .progressing, targetWorkload: target.workload, targetRevision: target.revision, replicas: 0)
            decision = RolloutDecision(status: status)
        }

        var source: RolloutWorkload? {
            status.sourceWorkload.flatMap { name in history.first { $0.workload == name } }
        }

        /// Older revisions other than the source that still run something, newest first.
        var intermediates: [RolloutWorkload] {
            history.filter { $0.workload != status.sourceWorkload && replicas(of: $0) > 0 }
                .sorted { ($0.revisionNumber, $0.workload) > ($1.revisionNumber, $1.workload) }
        }

        func replicas(of workload: RolloutWorkload) -> Int32 { desired[workload.workload] ?? workload.replicas }

        mutating func set(_ workload: RolloutWorkload, to replicas: Int32) {
            desired[workload.workload] = replicas
            decision.scale[workload.workload] = replicas == workload.replicas ? nil : replicas
        }

        mutating func event(_ reason: String, _ message: String, warning: Bool = false) {
            decision.events.append(RolloutEvent(warning: warning, reason: reason, message: message))
        }

        /// The status to continue from: the previous one for the same target, else a new rollout.
        mutating func start(previous: RolloutStatus?) {
            if let previous, previous.targetWorkload == target.workload {
                status = previous
            } else {
                let live = history.filter { $0.replicas > 0 }
                var sourceName: String?
                if let previous, history.contains(where: { $0.workload == previous.targetWorkload }) {
                    // The last revision known good: the previous target once it succeeded, else its source.
                    let good = previous.phase == .succeeded ? previous.targetWorkload : previous.sourceWorkload
                    if let good, history.contains(where: { $0.workload == good }) {
                        sourceName = good
                    } else {
                        sourceName = previous.targetWorkload
                    }
                }
                if sourceName == nil {
                    sourceName = live.max { ($0.revisionNumber, $0.workload) < ($1.revisionNumber, $1.workload) }?.workload
                }
                let running = live.reduce(Int32(0)) { $0 + $1.replicas }
                let total = spec.replicas ?? previous?.replicas ?? (sourceName != nil ? max(1, running) : target.replicas)
                status = RolloutStatus(
                    phase: .progressing, sourceWorkload: sourceName,
                    sourceRevision: sourceName.flatMap { name in history.first { $0.workload == name }?.revision },
                    targetWorkload: target.workload, targetRevision: target.revision, replicas: total)
                if let sourceName {
                    let batches = Self.batches(total, spec.batchSize(of: total))
                    event(RolloutEvent.startedReason,
                          "Rolling out \(target.revision) in place of \(status.sourceRevision ?? sourceName): "
                              + "\(total) replicas in \(batches) batch\(batches == 1 ? "" : "es")")
                }
            }
            if let replicas = spec.replicas { status.replicas = replicas }
            status.totalBatches = status.sourceWorkload == nil ? 0 : Self.batches(status.replicas, batchSize)
        }

        var batchSize: Int32 { spec.batchSize(of: status.replicas) }

        static func batches(_ total: Int32, _ size: Int32) -> Int32 { total <= 0 ? 0 : (total + size - 1) / size }

        /// The target's replicas once batch `k` is under way.
        func targetReplicas(atBatch k: Int32) -> Int32 { min(status.replicas, max(0, k) * batchSize) }

        mutating func run() {
            defer { finish() }
            guard let source else { return withoutSource() }
            switch status.phase {
            case .rolledBack:
                rollBack(source: source, reason: nil)
                return
            case .succeeded:
                set(target, to: status.replicas)
                drainOlder(to: 0, source: source)
                decision.delete = history.filter { $0.workload != source.workload && replicas(of: $0) == 0 }
                    .map(\.workload)
                return
            case .progressing, .paused:
                break
            }
            if spec.paused {
                if status.phase != .paused {
                    event(RolloutEvent.pausedReason, "Rollout of \(target.revision) paused at batch "
                        + "\(status.currentBatch) of \(status.totalBatches) (spec.paused)")
                }
                status.phase = .paused
                // Before the first batch the new revision takes no traffic.
                set(target, to: targetReplicas(atBatch: status.currentBatch))
                status.message = "paused at batch \(status.currentBatch) of \(status.totalBatches): "
                    + "set spec.paused to false to continue"
                return
            }
            if status.phase == .paused {
                status.phase = .progressing
                status.batchStartedAt = now
                event(RolloutEvent.resumedReason, "Rollout of \(target.revision) resumed at batch "
                    + "\(status.currentBatch) of \(status.totalBatches)")
            }
            if status.currentBatch == 0 { startBatch(1) }
            while true {
                let k = status.currentBatch
                let wanted = targetReplicas(atBatch: k)
                if target.replicas != wanted || replicas(of: target) != wanted {
                    set(target, to: wanted)
                    waitForAvailability(source: source, wanted: wanted, why: "scaling \(target.scaled) to \(wanted)")
                    return
                }
                guard target.observed, target.available >= wanted else {
                    let why = "waiting for \(target.revision) to have \(wanted) available "
                        + "replica\(wanted == 1 ? "" : "s") (\(target.available) now)"
                    waitForAvailability(source: source, wanted: wanted, why: why)
                    return
                }
                drainOlder(to: status.replicas - wanted, source: source)
                if status.batchCompletedAt == nil {
                    status.batchCompletedAt = now
                    event(RolloutEvent.batchReason,
                          "Batch \(k) of \(status.totalBatches): \(target.revision) has \(wanted) available "
                              + "replica\(wanted == 1 ? "" : "s"), \(source.revision) is set to \(replicas(of: source))")
                }
                if k >= status.totalBatches {
                    status.phase = .succeeded
                    status.message = "\(target.revision) runs all \(status.replicas) replicas; \(source.revision) "
                        + "is kept at 0 for a rollback"
                    event(RolloutEvent.succeededReason,
                          "Rolled out \(target.revision) in place of \(source.revision): \(status.replicas) replicas")
                    return
                }
                let next = (status.batchCompletedAt ?? now).addingTimeInterval(Self.seconds(spec.pauseBetweenBatches))
                if next > now {
                    status.message = "batch \(k) of \(status.totalBatches) done; batch \(k + 1) starts at "
                        + "\(RolloutStatus.time(next)) (pauseBetweenBatches \(RolloutDuration.text(spec.pauseBetweenBatches)))"
                    decision.requeueAfter = Self.duration(next.timeIntervalSince(now))
                    return
                }
                startBatch(k + 1)
            }
        }

        mutating func startBatch(_ k: Int32) {
            status.currentBatch = k
            status.batchStartedAt = now
            status.batchCompletedAt = nil
        }

        /// Waits for the target's batch; rolls back once the deadline has passed.
        mutating func waitForAvailability(source: RolloutWorkload, wanted: Int32, why: String) {
            let problem = target.problem.map { "; \(target.scaled): \($0)" } ?? ""
            guard let deadline = spec.availabilityDeadline else {
                status.message = "batch \(status.currentBatch) of \(status.totalBatches): \(why)\(problem)"
                return
            }
            let started = status.batchStartedAt ?? now
            let end = started.addingTimeInterval(Self.seconds(deadline))
            if end <= now {
                let reason = "\(target.revision) did not have \(wanted) available replica\(wanted == 1 ? "" : "s") "
                    + "within availabilityDeadline \(RolloutDuration.text(deadline)) in batch \(status.currentBatch) "
                    + "of \(status.totalBatches) (\(target.available) available\(problem))"
                rollBack(source: source, reason: reason)
                return
            }
            status.message = "batch \(status.currentBatch) of \(status.totalBatches): \(why)\(problem); rolls back to "
                + "\(source.revision) at \(RolloutStatus.time(end)) (availabilityDeadline "
                + "\(RolloutDuration.text(deadline))) unless it becomes available"
            decision.requeueAfter = Self.duration(end.timeIntervalSince(now))
        }

        /// Target to 0, source to the total, every other older revision to 0.
        mutating func rollBack(source: RolloutWorkload, reason: String?) {
            set(target, to: 0)
            set(source, to: status.replicas)
            for other in intermediates { set(other, to: 0) }
            guard let reason else { return }
            status.phase = .rolledBack
            status.message = "rolled back to \(source.revision): \(reason); edit the Component to roll out a new revision"
            event(RolloutEvent.rolledBackReason, "Rolled back to \(source.revision): \(reason)", warning: true)
        }

        /// Sets the older revisions to `count` in all: cuts come from interrupted revisions first,
        /// the source last; a shortfall is made up by the source.
        mutating func drainOlder(to count: Int32, source: RolloutWorkload) {
            let others = intermediates
            let running = others.reduce(replicas(of: source)) { $0 + replicas(of: $1) }
            if running < count {
                set(source, to: replicas(of: source) + count - running)
                return
            }
            var excess = running - count
            for workload in others + [source] where excess > 0 {
                let cut = min(replicas(of: workload), excess)
                set(workload, to: replicas(of: workload) - cut)
                excess -= cut
            }
        }

        /// No earlier revision runs anything: the target simply runs the total.
        mutating func withoutSource() {
            let total = status.replicas
            set(target, to: total)
            for other in intermediates { set(other, to: 0) }
            status.currentBatch = 0
            status.totalBatches = 0
            if target.replicas == total, target.observed, target.available >= total {
                status.phase = .succeeded
                status.message = "\(target.revision) runs all \(total) replicas; no earlier revision to move from"
            } else {
                status.phase = .progressing
                status.message = "waiting for \(target.revision) to have \(total) available replicas "
                    + "(\(target.available) now)" + (target.problem.map { "; \(target.scaled): \($0)" } ?? "")
            }
        }

        mutating func finish() {
            status.targetReplicas = replicas(of: target)
            status.targetAvailableReplicas = target.available
            status.sourceReplicas = source.map { replicas(of: $0) }
            if status.sourceWorkload != nil, source == nil { status.sourceReplicas = 0 }
            decision.status = status
        }

        static func seconds(_ duration: Duration) -> TimeInterval {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }

        /// At least 1 ms: a timer due now still waits for the clock to pass it.
        static func duration(_ interval: TimeInterval) -> Duration {
            .milliseconds(max(1, Int64((interval * 1000).rounded(.up))))
        }
    }
}
