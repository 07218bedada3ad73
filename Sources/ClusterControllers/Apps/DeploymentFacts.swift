import ControllerRuntime
import Foundation
import OrderedCollections
import Resources

/// What the deployment controller decides by in a Deployment's spec, with the API server's
/// defaults for what is unset (1 replica, a rolling update, 10 revisions kept, a 600 s deadline).
struct DeploymentFacts: Sendable {
    static let rollingUpdate = "RollingUpdate"
    static let recreate = "Recreate"

    var replicas: Int
    var strategyType: String
    /// `spec.strategy.rollingUpdate.maxSurge` / `maxUnavailable` as written (an int or a percentage).
    var maxSurgeValue: JSONValue?
    var maxUnavailableValue: JSONValue?
    var minReadySeconds: Int
    /// How many old ReplicaSets to keep; `nil` keeps them all.
    var revisionHistoryLimit: Int?
    /// `nil` when the Deployment has no progress deadline.
    var progressDeadlineSeconds: Int?
    var paused: Bool
    var template: JSONValue
    var selector: JSONValue
    var generation: Int64

    init(_ deployment: Resource) {
        let spec = deployment.spec ?? .object([:])
        replicas = Int(spec["replicas"]?.intValue ?? 1)
        strategyType = spec["strategy"]?["type"]?.stringValue ?? Self.rollingUpdate
        maxSurgeValue = spec["strategy"]?["rollingUpdate"]?["maxSurge"].presentValue
        maxUnavailableValue = spec["strategy"]?["rollingUpdate"]?["maxUnavailable"].presentValue
        minReadySeconds = Int(spec["minReadySeconds"]?.intValue ?? 0)
        // Int32's maximum means "none", as in kube.
        revisionHistoryLimit = spec["revisionHistoryLimit"]?.intValue.flatMap { $0 == Int64(Int32.max) ? nil : Int($0) }
        progressDeadlineSeconds = spec["progressDeadlineSeconds"]?.intValue.flatMap {
            $0 == Int64(Int32.max) ? nil : Int($0)
        }
        paused = spec["paused"]?.boolValue ?? false
        template = spec["template"] ?? .object([:])
        selector = spec["selector"] ?? .null
        generation = deployment.generation ?? 0
    }

    var isRollingUpdate: Bool { strategyType == Self.rollingUpdate }

    /// The surge and unavailability the rolling update allows, as kube resolves them: a
    /// percentage of the replicas, surge rounded up and unavailability down, and never both 0
    /// (unavailability becomes 1).
    var fenceposts: (surge: Int, unavailable: Int) {
        let surge = Self.scaledValue(maxSurgeValue, total: replicas, roundUp: true) ?? 0
        var unavailable = Self.scaledValue(maxUnavailableValue, total: replicas, roundUp: false) ?? 0
        if surge == 0 && unavailable == 0 { unavailable = 1 }
        return (surge, unavailable)
    }

    /// Pods the update may add beyond the replicas (0 unless rolling).
    var maxSurge: Int { isRollingUpdate ? fenceposts.surge : 0 }

    /// Pods that may be unavailable during the update (0 unless rolling, at most the replicas).
    var maxUnavailable: Int {
        guard isRollingUpdate, replicas > 0 else { return 0 }
        return min(fenceposts.unavailable, replicas)
    }

    /// `value` (an int, or a string `"25%"`) against `total`; `nil` when unset or malformed.
    static func scaledValue(_ value: JSONValue?, total: Int, roundUp: Bool) -> Int? {
        switch value {
        case .int(let number)?: return Int(number)
        case .string(let text)? where text.hasSuffix("%"):
            guard let percent = Int(text.dropLast()) else { return nil }
            let exact = Double(percent) * Double(total) / 100
            return Int(roundUp ? exact.rounded(.up) : exact.rounded(.down))
        default: return nil  // kube reads a string that is not a percentage as an error
        }
    }
}

/// What the deployment controller reads of one ReplicaSet.
struct DeploymentReplicaSet: Sendable {
    var object: Resource

    init(_ object: Resource) { self.object = object }

    var name: String { object.name }
    var uid: String { object.uid ?? "" }
    /// `spec.replicas` (1 when unset, the API server's default).
    var replicas: Int {
        get { Int(object.spec?["replicas"]?.intValue ?? 1) }
        set { object.spec = Self.setting("replicas", .int(Int64(newValue)), in: object.spec) }
    }
    var statusReplicas: Int { Int(object.status?["replicas"]?.intValue ?? 0) }
    var readyReplicas: Int { Int(object.status?["readyReplicas"]?.intValue ?? 0) }
    var availableReplicas: Int { Int(object.status?["availableReplicas"]?.intValue ?? 0) }
    var terminatingReplicas: Int? { object.status?["terminatingReplicas"]?.intValue.map(Int.init) }
    var observedGeneration: Int64 { object.status?["observedGeneration"]?.intValue ?? 0 }
    var generation: Int64 { object.generation ?? 0 }
    var minReadySeconds: Int { Int(object.spec?["minReadySeconds"]?.intValue ?? 0) }
    var template: JSONValue { object.spec?["template"] ?? .object([:]) }
    var created: Date { object.creationTimestamp.flatMap(KubernetesTime.parse) ?? .distantPast }
    var isBeingDeleted: Bool { object.isBeingDeleted }

    /// `deployment.kubernetes.io/revision`: 0 when absent, `nil` when not a number.
    var revision: Int64? {
        guard let text = object.annotations[DeploymentAnnotations.revision] else { return 0 }
        return Int64(text)
    }

    /// The ReplicaSet's `ReplicaFailure` conditions.
    var replicaFailures: [JSONValue] {
        (object.status?["conditions"]?.arrayValue ?? []).filter { $0["type"]?.stringValue == "ReplicaFailure" }
    }

    private static func setting(_ key: String, _ value: JSONValue, in object: JSONValue?) -> JSONValue {
        var members = object?.objectValue ?? [:]
        members[key] = value
        return .object(members)
    }

    /// kube's order by creation: older first, by name when created in the same second.
    static func byCreation(_ a: DeploymentReplicaSet, _ b: DeploymentReplicaSet) -> Bool {
        a.created == b.created ? a.name < b.name : a.created < b.created
    }

    /// Larger first; among equals the older first.
    static func bySizeOlder(_ a: DeploymentReplicaSet, _ b: DeploymentReplicaSet) -> Bool {
        a.replicas == b.replicas ? byCreation(a, b) : a.replicas > b.replicas
    }

    /// Larger first; among equals the newer first.
    static func bySizeNewer(_ a: DeploymentReplicaSet, _ b: DeploymentReplicaSet) -> Bool {
        a.replicas == b.replicas ? byCreation(b, a) : a.replicas > b.replicas
    }

    /// By revision, by creation when the revisions are equal or unreadable.
    static func byRevision(_ a: DeploymentReplicaSet, _ b: DeploymentReplicaSet) -> Bool {
        guard let left = a.revision, let right = b.revision, left != right else { return byCreation(a, b) }
        return left < right
    }
}

/// The annotations the deployment controller writes.
enum DeploymentAnnotations {
    static let revision = "deployment.kubernetes.io/revision"
    static let revisionHistory = "deployment.kubernetes.io/revision-history"
    static let desiredReplicas = "deployment.kubernetes.io/desired-replicas"
    static let maxReplicas = "deployment.kubernetes.io/max-replicas"
    static let rollbackTo = "deprecated.deployment.rollback.to"
    static let lastApplied = "kubectl.kubernetes.io/last-applied-configuration"
    /// The label on a ReplicaSet, its selector and its Pods that tells the templates apart.
    static let podTemplateHash = "pod-template-hash"
    /// The longest `revision-history` kube keeps, in characters.
    static let revisionHistoryLimitInChars = 2000

    /// Deployment annotations never copied to its ReplicaSets.
    static let notCopied: Set<String> = [lastApplied, revision, revisionHistory, desiredReplicas, maxReplicas, rollbackTo]
}
