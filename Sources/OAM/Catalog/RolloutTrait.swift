import Foundation
import OrderedCollections
public import Resources

/// `RolloutTrait` (`standard.oam.dev/v1alpha1`): moves a component's replicas from the workload
/// of its previous revision to the workload of its new one, batch by batch.
///
/// Its definition is `revisionEnabled`, so the AppConfig controller gives each component
/// revision its own workload, named after the revision, and keeps the earlier ones
/// (`status.historyWorkloads`); this trait decides how many replicas each of them runs. The
/// decisions are the pure ``RolloutPlanner/decide(spec:previous:target:history:now:)``; the
/// reconciler in `OAMControllers/Catalog/Rollout/` observes the workloads and applies them.
extension StandardCatalog {
    /// `rollouttraits.standard.oam.dev`.
    static var rolloutTrait: StandardCatalogEntry {
        StandardCatalogEntry(
            definition: definition(kind: TraitDefinition.kind, name: RolloutTrait.definitionName, spec: [
                "definitionRef": ["name": .string(RolloutTrait.definitionName)],
                "revisionEnabled": true,
                "workloadRefPath": "spec.workloadRef",
                "appliesToWorkloads": [
                    "containerizedworkloads.core.oam.dev", "podspecworkloads.standard.oam.dev", "deployments.apps",
                ],
                "conflictsWith": ["manualscalertraits.core.oam.dev", "horizontalpodautoscalertraits.standard.oam.dev"],
                "ownsWorkloadFields": ["spec.replicas"],
            ]),
            customResourceDefinition: RolloutTrait.customResourceDefinition,
            example: RolloutTrait.example,
            summary: "Rolls a component's new revision out in batches (size or percent, pauses, manual pause), "
                + "waiting for availability at each step; rolls back when it is not available within a deadline.")
    }
}

/// The RolloutTrait kind: its CRD, its example and its spec.
public enum RolloutTrait {
    public static let kind = "RolloutTrait"
    public static let plural = "rollouttraits"
    /// `rollouttraits.standard.oam.dev`, the name of its TraitDefinition and CRD.
    public static let definitionName = "\(plural).\(StandardCatalog.group)"

    static let example = """
        apiVersion: core.oam.dev/v1alpha2
        kind: ApplicationConfiguration
        metadata:
          name: shop
        spec:
          components:
            - componentName: web
              traits:
                - trait:
                    apiVersion: standard.oam.dev/v1alpha1
                    kind: RolloutTrait
                    spec:
                      replicas: 4
                      batchPercent: 25
                      pauseBetweenBatches: 30s
                      availabilityDeadline: 5m
        """

    private typealias S = SchemaNode

    static let specSchema = S.object([
        "replicas": S.described(
            "How many replicas the component runs in all; the new revision has them all when the rollout ends. "
                + "Default: what the previous revision ran.", S.int32),
        "batchSize": S.described(
            "How many replicas each batch moves to the new revision (default 1). Not with batchPercent.", S.int32),
        "batchPercent": S.described(
            "Each batch moves this percentage of replicas, rounded up (1–100). Not with batchSize.", S.int32),
        "pauseBetweenBatches": S.described(
            "How long to wait after a batch before the next, as a duration such as 30s or 1m30s (default 0).",
            S.string),
        "paused": S.described(
            "Holds the rollout at its current batch while true; set it back to false to continue.", S.boolean),
        "availabilityDeadline": S.described(
            "How long a batch may wait for the new revision's replicas to be available before the rollout rolls "
                + "back to the previous revision, as a duration such as 5m (default: waits forever).", S.string),
        "workloadRef": S.described("The new revision's workload; the runtime fills it in.", OAMSchemas.typedReference),
    ])

    static let statusSchema = OAMSchemas.status([
        "conditions": OAMSchemas.conditions,
        "phase": S.described("Progressing, Paused, Succeeded or RolledBack.", S.string),
        "message": S.described("What the rollout does or waits for, or why it rolled back.", S.string),
        "sourceWorkload": S.string,
        "sourceRevision": S.described("The revision replicas move away from.", S.string),
        "targetWorkload": S.string,
        "targetRevision": S.described("The revision replicas move to.", S.string),
        "replicas": S.described("The total the rollout works with.", S.int32),
        "currentBatch": S.int32,
        "totalBatches": S.int32,
        "sourceReplicas": S.described("The replicas the source revision is set to run.", S.int32),
        "targetReplicas": S.described("The replicas the target revision is set to run.", S.int32),
        "targetAvailableReplicas": S.int32,
        "batchStartedAt": S.string,
        "batchCompletedAt": S.string,
    ])

    static var customResourceDefinition: Resource {
        OAMCustomResourceDefinitions.crd(
            kind: kind, plural: plural, scope: .namespaced, shortNames: ["rollout"],
            columns: [
                OAMCustomResourceDefinitions.column("PHASE", ".status.phase"),
                OAMCustomResourceDefinitions.column("BATCH", ".status.currentBatch", type: "integer"),
                OAMCustomResourceDefinitions.column("BATCHES", ".status.totalBatches", type: "integer"),
                OAMCustomResourceDefinitions.column("SOURCE", ".status.sourceRevision"),
                OAMCustomResourceDefinitions.column("TARGET", ".status.targetRevision"),
                OAMCustomResourceDefinitions.ageColumn,
            ],
            spec: specSchema, status: statusSchema,
            description: "Moves a component's replicas from its previous revision's workload to its new one in batches.",
            group: StandardCatalog.group, version: StandardCatalog.version)
    }
}

// MARK: - Spec

/// The spec of a RolloutTrait, checked.
public struct RolloutSpec: Sendable, Equatable {
    public var replicas: Int32?
    public var batchSize: Int32?
    public var batchPercent: Int32?
    public var pauseBetweenBatches: Duration
    public var paused: Bool
    public var availabilityDeadline: Duration?

    public init(
        replicas: Int32? = nil, batchSize: Int32? = nil, batchPercent: Int32? = nil,
        pauseBetweenBatches: Duration = .zero, paused: Bool = false, availabilityDeadline: Duration? = nil
    ) {
        self.replicas = replicas
        self.batchSize = batchSize
        self.batchPercent = batchPercent
        self.pauseBetweenBatches = pauseBetweenBatches
        self.paused = paused
        self.availabilityDeadline = availabilityDeadline
    }

    /// A spec the trait cannot work with: the field path and what is wrong.
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public var fieldPath: String
        public var message: String
        public var description: String { "\(fieldPath): \(message)" }
    }

    /// Reads and checks the `spec` of a RolloutTrait.
    public init(_ spec: JSONValue?) throws(Problem) {
        func integer(_ field: String, minimum: Int64, maximum: Int64 = Int64(Int32.max)) throws(Problem) -> Int32? {
            guard let value = spec?[field], !value.isNull else { return nil }
            guard let number = value.intValue else {
                throw Problem(fieldPath: "spec.\(field)", message: "must be an integer, found \(value.jsonString())")
            }
            guard number >= minimum, number <= maximum else {
                let range = maximum == Int64(Int32.max) ? "at least \(minimum)" : "between \(minimum) and \(maximum)"
                throw Problem(fieldPath: "spec.\(field)", message: "must be \(range), found \(number)")
            }
            return Int32(number)
        }
        func duration(_ field: String) throws(Problem) -> Duration? {
            guard let value = spec?[field], !value.isNull else { return nil }
            guard let text = value.stringValue, let parsed = RolloutDuration.parse(text) else {
                throw Problem(
                    fieldPath: "spec.\(field)",
                    message: "must be a duration such as 500ms, 30s, 5m or 1m30s, found \(value.jsonString())")
            }
            return parsed
        }
        replicas = try integer("replicas", minimum: 0)
        batchSize = try integer("batchSize", minimum: 1)
        batchPercent = try integer("batchPercent", minimum: 1, maximum: 100)
        if batchSize != nil, batchPercent != nil {
            throw Problem(fieldPath: "spec.batchPercent", message: "set either batchSize or batchPercent, not both")
        }
        pauseBetweenBatches = try duration("pauseBetweenBatches") ?? .zero
        availabilityDeadline = try duration("availabilityDeadline")
        paused = spec?["paused"]?.boolValue ?? false
    }

    /// How many replicas one batch moves when the rollout works with `total`: `batchSize`, or
    /// `batchPercent` of `total` rounded up; at least 1, at most `total`.
    public func batchSize(of total: Int32) -> Int32 {
        let size: Int32
        if let batchSize {
            size = batchSize
        } else if let batchPercent {
            size = Int32((Int64(total) * Int64(batchPercent) + 99) / 100)
        } else {
            size = 1
        }
        return max(1, min(size, max(total, 1)))
    }
}

/// Go-style durations as the trait's fields take them: `500ms`, `30s`, `5m`, `1h`, `1m30s`.
public enum RolloutDuration {
    /// The duration `text` says, or `nil` when it is not one.
    public static func parse(_ text: String) -> Duration? {
        if text == "0" { return .zero }
        var rest = Substring(text)
        var total = Duration.zero
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !digits.isEmpty, let value = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix { $0.isASCII && $0.isLetter }
            rest = rest.dropFirst(unit.count)
            let scale: Double
            switch unit {
            case "ms": scale = 0.001
            case "s": scale = 1
            case "m": scale = 60
            case "h": scale = 3600
            default: return nil
            }
            total += .milliseconds(Int64((value * scale * 1000).rounded()))
        }
        return total
    }

    /// `1.5s`, `30s`, `5m`, `1m30s` — how messages show a duration.
    public static func text(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        if milliseconds % 1000 != 0 || milliseconds < 60_000 {
            let seconds = Double(milliseconds) / 1000
            return seconds == seconds.rounded() ? "\(Int64(seconds))s" : "\(seconds)s"
        }
        let seconds = milliseconds / 1000
        let (minutes, remainder) = seconds.quotientAndRemainder(dividingBy: 60)
        return remainder == 0 ? "\(minutes)m" : "\(minutes)m\(remainder)s"
    }
}
