import ControllerRuntime
import Foundation
import OrderedCollections
import Resources

/// A Deployment's `status` as the controller computes it, written as kube writes it (zero counts
/// left out, `terminatingReplicas` and `collisionCount` present once known).
struct DeploymentStatus: Sendable, Equatable {
    var observedGeneration: Int64 = 0
    var replicas = 0
    var updatedReplicas = 0
    var readyReplicas = 0
    var availableReplicas = 0
    var unavailableReplicas = 0
    var terminatingReplicas: Int?
    var conditions: [DeploymentCondition] = []
    var collisionCount: Int64?

    init() {}

    /// The status `json` says (an object, or nothing).
    init(_ json: JSONValue?) {
        func count(_ key: String) -> Int { Int(json?[key]?.intValue ?? 0) }
        observedGeneration = json?["observedGeneration"]?.intValue ?? 0
        replicas = count("replicas")
        updatedReplicas = count("updatedReplicas")
        readyReplicas = count("readyReplicas")
        availableReplicas = count("availableReplicas")
        unavailableReplicas = count("unavailableReplicas")
        terminatingReplicas = json?["terminatingReplicas"]?.intValue.map { Int($0) }
        conditions = (json?["conditions"]?.arrayValue ?? []).map { DeploymentCondition($0) }
        collisionCount = json?["collisionCount"]?.intValue
    }

    var json: JSONValue {
        var members: JSONObject = [:]
        func put(_ key: String, _ value: Int) { if value != 0 { members[key] = .int(Int64(value)) } }
        if observedGeneration != 0 { members["observedGeneration"] = .int(observedGeneration) }
        put("replicas", replicas)
        put("updatedReplicas", updatedReplicas)
        put("readyReplicas", readyReplicas)
        put("availableReplicas", availableReplicas)
        put("unavailableReplicas", unavailableReplicas)
        if let terminatingReplicas { members["terminatingReplicas"] = .int(Int64(terminatingReplicas)) }
        if !conditions.isEmpty { members["conditions"] = .array(conditions.map(\.json)) }
        if let collisionCount { members["collisionCount"] = .int(collisionCount) }
        return .object(members)
    }

    func condition(_ type: String) -> DeploymentCondition? {
        conditions.first { $0.type == type }
    }

    /// Sets `condition` as kube does: nothing changes when one of its type already has its
    /// status and reason; one of the same status keeps its transition time; it goes last.
    mutating func set(_ condition: DeploymentCondition) {
        var condition = condition
        if let current = self.condition(condition.type) {
            if current.status == condition.status && current.reason == condition.reason { return }
            if current.status == condition.status { condition.lastTransitionTime = current.lastTransitionTime }
        }
        remove(condition.type)
        conditions.append(condition)
    }

    mutating func remove(_ type: String) {
        conditions.removeAll { $0.type == type }
    }
}

/// One entry of a Deployment's `status.conditions`.
struct DeploymentCondition: Sendable, Equatable {
    var type: String
    var status: String
    var lastUpdateTime: String
    var lastTransitionTime: String
    var reason: String
    var message: String

    /// The condition types and reasons kube writes.
    static let available = "Available"
    static let progressing = "Progressing"
    static let replicaFailure = "ReplicaFailure"

    enum Reason {
        static let minimumReplicasAvailable = "MinimumReplicasAvailable"
        static let minimumReplicasUnavailable = "MinimumReplicasUnavailable"
        static let replicaSetUpdated = "ReplicaSetUpdated"
        static let replicaSetCreateError = "ReplicaSetCreateError"
        static let newReplicaSetCreated = "NewReplicaSetCreated"
        static let foundNewReplicaSet = "FoundNewReplicaSet"
        static let newReplicaSetAvailable = "NewReplicaSetAvailable"
        static let progressDeadlineExceeded = "ProgressDeadlineExceeded"
        static let deploymentPaused = "DeploymentPaused"
        static let deploymentResumed = "DeploymentResumed"
    }

    /// A condition that changes `now`.
    init(type: String, status: String, reason: String, message: String, now: String) {
        self.type = type
        self.status = status
        self.lastUpdateTime = now
        self.lastTransitionTime = now
        self.reason = reason
        self.message = message
    }

    init(_ json: JSONValue) {
        func text(_ key: String) -> String { json[key]?.stringValue ?? "" }
        type = text("type")
        status = text("status")
        lastUpdateTime = text("lastUpdateTime")
        lastTransitionTime = text("lastTransitionTime")
        reason = text("reason")
        message = text("message")
    }

    /// A ReplicaSet's `ReplicaFailure` condition as the Deployment carries it.
    init(replicaSetCondition json: JSONValue) {
        self.init(json)
        lastUpdateTime = lastTransitionTime
    }

    var json: JSONValue {
        var members: JSONObject = ["type": .string(type), "status": .string(status)]
        if !lastUpdateTime.isEmpty { members["lastUpdateTime"] = .string(lastUpdateTime) }
        if !lastTransitionTime.isEmpty { members["lastTransitionTime"] = .string(lastTransitionTime) }
        if !reason.isEmpty { members["reason"] = .string(reason) }
        if !message.isEmpty { members["message"] = .string(message) }
        return .object(members)
    }
}

/// The pure arithmetic of a rollout, as kube's deployment controller does it.
enum DeploymentRollout {
    /// The status of a Deployment running `all` (its new ReplicaSet `new` among them), with the
    /// `Available` condition set; its other conditions kept.
    static func status(
        of facts: DeploymentFacts, current: DeploymentStatus, all: [DeploymentReplicaSet], new: DeploymentReplicaSet?,
        now: String
    ) -> DeploymentStatus {
        var status = DeploymentStatus()
        let available = all.reduce(0) { $0 + $1.availableReplicas }
        let total = all.reduce(0) { $0 + $1.replicas }
        status.observedGeneration = facts.generation
        status.replicas = all.reduce(0) { $0 + $1.statusReplicas }
        status.updatedReplicas = new?.statusReplicas ?? 0
        status.readyReplicas = all.reduce(0) { $0 + $1.readyReplicas }
        status.availableReplicas = available
        status.unavailableReplicas = max(0, total - available)
        status.terminatingReplicas = terminatingReplicas(of: all)
        status.collisionCount = current.collisionCount
        status.conditions = current.conditions
        if available >= facts.replicas - facts.maxUnavailable {
            status.set(DeploymentCondition(
                type: DeploymentCondition.available, status: "True",
                reason: DeploymentCondition.Reason.minimumReplicasAvailable,
                message: "Deployment has minimum availability.", now: now))
        } else {
            status.set(DeploymentCondition(
                type: DeploymentCondition.available, status: "False",
                reason: DeploymentCondition.Reason.minimumReplicasUnavailable,
                message: "Deployment does not have minimum availability.", now: now))
        }
        return status
    }

    /// The Pods of `all` being deleted; `nil` while a ReplicaSet that has been reconciled does
    /// not report it.
    static func terminatingReplicas(of all: [DeploymentReplicaSet]) -> Int? {
        var total = 0
        for replicaSet in all {
            if let terminating = replicaSet.terminatingReplicas {
                total += terminating
            } else if replicaSet.observedGeneration != 0 {
                return nil
            }
        }
        return total
    }

    /// Every replica updated, running and available, for the current generation.
    static func isComplete(_ facts: DeploymentFacts, _ status: DeploymentStatus) -> Bool {
        status.updatedReplicas == facts.replicas && status.replicas == facts.replicas
            && status.availableReplicas == facts.replicas && status.observedGeneration >= facts.generation
    }

    /// Whether `new` shows progress over `old`: more updated, ready or available Pods, or fewer old ones.
    static func isProgressing(old: DeploymentStatus, new: DeploymentStatus) -> Bool {
        new.updatedReplicas > old.updatedReplicas
            || (new.replicas - new.updatedReplicas) < (old.replicas - old.updatedReplicas)
            || new.readyReplicas > old.readyReplicas || new.availableReplicas > old.availableReplicas
    }

    /// Whether the progress deadline passed since the `Progressing` condition last changed.
    static func hasTimedOut(_ facts: DeploymentFacts, _ status: DeploymentStatus, now: Date) -> Bool {
        guard let deadline = facts.progressDeadlineSeconds,
            let condition = status.condition(DeploymentCondition.progressing)
        else { return false }
        if condition.reason == DeploymentCondition.Reason.newReplicaSetAvailable { return false }
        if condition.reason == DeploymentCondition.Reason.progressDeadlineExceeded { return true }
        guard let since = KubernetesTime.parse(condition.lastUpdateTime) else { return false }
        return since.addingTimeInterval(TimeInterval(deadline)) < now
    }

    /// The replicas of the new ReplicaSet for the next step: all of them when recreating; when
    /// rolling, as many more as the surge allows, up to the Deployment's replicas.
    static func newReplicaSetReplicas(_ facts: DeploymentFacts, all: [DeploymentReplicaSet], new: DeploymentReplicaSet) -> Int {
        guard facts.isRollingUpdate else { return facts.replicas }
        let surge = DeploymentFacts.scaledValue(facts.maxSurgeValue, total: facts.replicas, roundUp: true) ?? 0
        let current = all.reduce(0) { $0 + $1.replicas }
        let most = facts.replicas + surge
        guard current < most else { return new.replicas }
        return new.replicas + min(most - current, facts.replicas - new.replicas)
    }

    /// Whether `replicaSet` alone runs the Deployment, fully available at its size.
    static func isSaturated(_ facts: DeploymentFacts, _ replicaSet: DeploymentReplicaSet?) -> Bool {
        guard let replicaSet, let desired = replicaSet.object.annotations[DeploymentAnnotations.desiredReplicas]
            .flatMap({ Int($0) })
        else { return false }
        return replicaSet.replicas == facts.replicas && desired == facts.replicas
            && replicaSet.availableReplicas == facts.replicas
    }

    /// The share of a proportional scaling of `toAdd` replicas (of which `added` are given
    /// out) that falls to `replicaSet`, as kube computes it from the Deployment's size before
    /// the scaling (its `max-replicas` annotation).
    static func proportion(
        of replicaSet: DeploymentReplicaSet, _ facts: DeploymentFacts, statusReplicas: Int, toAdd: Int, added: Int
    ) -> Int {
        guard replicaSet.replicas != 0, toAdd != 0, toAdd != added else { return 0 }
        let fraction: Int
        if facts.replicas == 0 {
            fraction = -replicaSet.replicas
        } else {
            let most = facts.replicas + facts.maxSurge
            var before = replicaSet.object.annotations[DeploymentAnnotations.maxReplicas]
                .flatMap { UInt32($0) }.map(Int.init) ?? 0
            if before == 0 { before = statusReplicas }
            if before == 0 {
                fraction = 0
            } else {
                let size = Double(replicaSet.replicas * most) / Double(before)
                fraction = Int(size.rounded()) - replicaSet.replicas
            }
        }
        let allowed = toAdd - added
        return toAdd > 0 ? min(fraction, allowed) : max(fraction, allowed)
    }

    /// The one ReplicaSet with Pods (or the newest, when none has any); `nil` when several have.
    static func activeOrLatest(new: DeploymentReplicaSet?, old: [DeploymentReplicaSet]) -> DeploymentReplicaSet? {
        guard new != nil || !old.isEmpty else { return nil }
        let sortedOld = old.sorted { DeploymentReplicaSet.byCreation($1, $0) }
        let active = (sortedOld + (new.map { [$0] } ?? [])).filter { $0.replicas > 0 }
        switch active.count {
        case 0: return new ?? sortedOld.first
        case 1: return active[0]
        default: return nil
        }
    }

    /// The highest revision among `replicaSets` (0 when none has one).
    static func maxRevision(_ replicaSets: [DeploymentReplicaSet]) -> Int64 {
        replicaSets.compactMap(\.revision).max() ?? 0
    }

    /// Two Pod templates equal but for the `pod-template-hash` label (and empty or null
    /// members, which kube's semantic equality does not tell from absent ones).
    static func equalIgnoringHash(_ a: JSONValue, _ b: JSONValue) -> Bool {
        normalized(withoutHash(a)) == normalized(withoutHash(b))
    }

    static func withoutHash(_ template: JSONValue) -> JSONValue {
        guard var members = template.objectValue else { return template }
        if var metadata = members["metadata"]?.objectValue {
            if var labels = metadata["labels"]?.objectValue {
                labels[DeploymentAnnotations.podTemplateHash] = nil
                metadata["labels"] = .object(labels)
            }
            members["metadata"] = .object(metadata)
        }
        return .object(members)
    }

    /// `value` without null members and empty objects and arrays as members.
    static func normalized(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            var kept: JSONObject = [:]
            for (key, member) in members {
                let member = normalized(member)
                switch member {
                case .null: continue
                case .object(let inner) where inner.isEmpty: continue
                case .array(let inner) where inner.isEmpty: continue
                default: kept[key] = member
                }
            }
            return .object(kept)
        case .array(let elements): return .array(elements.map(normalized))
        default: return value
        }
    }
}
