import OrderedCollections
import Foundation
import OAM
import Resources

/// The rows `mizzen get` prints for objects of one kind: columns that fit each OAM kind, NAME
/// and AGE for anything else. Pure: what the server knows beyond the objects themselves comes in
/// a ``Context`` read beforehand, and the clock is a parameter.
struct KindTable {
    /// What some columns need besides the objects.
    struct Context {
        /// AppConfig reports by `namespace/name` (HEALTH, STATUS, MESSAGE).
        var reports: [String: AppReport] = [:]
        /// Component revisions (REVISIONS of Components).
        var revisions: [Resource] = []
        var now = Date()
    }

    var presentation: KindPresentation
    /// With a NAMESPACE column first (`-A`).
    var showNamespace: Bool
    /// `-o wide`: more columns after AGE.
    var wide: Bool

    /// The column headers.
    var columns: [String] {
        var columns = showNamespace ? ["NAMESPACE"] : []
        switch presentation {
        case .applicationConfiguration:
            columns += ["APP", "COMPONENTS", "TRAITS", "HEALTH", "STATUS", "AGE"]
            if wide { columns += ["REVISIONS", "MESSAGE"] }
        case .component:
            columns += ["NAME", "WORKLOAD", "LATEST-REVISION", "REVISIONS", "AGE"]
            if wide { columns += ["WORKLOAD-API-VERSION", "PARAMETERS"] }
        case .workloadDefinition:
            columns += ["NAME", "DEFINITION-REF", "CHILD-KINDS", "AGE"]
            if wide { columns += ["REVISION-LABEL", "POD-SPEC-PATH"] }
        case .traitDefinition:
            columns += ["NAME", "DEFINITION-REF", "APPLIES-TO", "REVISION-ENABLED", "AGE"]
            if wide { columns += ["WORKLOAD-REF-PATH"] }
        case .scopeDefinition:
            columns += ["NAME", "DEFINITION-REF", "ALLOW-OVERLAP", "AGE"]
            if wide { columns += ["WORKLOAD-REFS-PATH"] }
        case .componentRevision:
            columns += ["NAME", "COMPONENT", "REVISION", "AGE"]
            if wide { columns += ["WORKLOAD"] }
        case .containerizedWorkload:
            columns += ["NAME", "IMAGE", "AGE"]
            if wide { columns += ["CONTAINERS"] }
        case .manualScalerTrait:
            columns += ["NAME", "REPLICAS", "WORKLOAD", "AGE"]
            if wide { columns += ["SYNCED"] }
        case .healthScope:
            columns += ["NAME", "HEALTH", "WORKLOADS", "AGE"]
            if wide { columns += ["UNHEALTHY"] }
        case .generic:
            columns += ["NAME", "AGE"]
            if wide { columns += ["HEALTH", "LABELS"] }
        }
        return columns
    }

    /// The table of `objects`.
    func table(_ objects: [Resource], context: Context) -> Table {
        Table(columns, rows: objects.map { row($0, context: context) })
    }

    /// One object's cells.
    func row(_ object: Resource, context: Context) -> [String] {
        var cells = showNamespace ? [object.namespace ?? ""] : []
        let age = Self.age(object.creationTimestamp, now: context.now)
        let spec = object.spec
        switch presentation {
        case .applicationConfiguration:
            let entries = spec?["components"]?.arrayValue ?? []
            let traits = entries.reduce(0) { $0 + ($1["traits"]?.arrayValue?.count ?? 0) }
            let report = context.reports["\(object.namespace ?? "")/\(object.name)"]
            cells += [
                object.name, "\(entries.count)", "\(traits)", report?.health.rawValue ?? Health.unknown.rawValue,
                Self.syncedStatus(object), age,
            ]
            if wide {
                let revisions = report?.components.compactMap(\.revision) ?? []
                cells += [Self.list(revisions), report?.lastError ?? ""]
            }
        case .component:
            let workload = spec?["workload"]
            let owned = context.revisions.filter { Self.isRevision($0, of: object) }
            cells += [
                object.name, workload?["kind"]?.stringValue ?? Self.none,
                object.status?["latestRevision"]?["name"]?.stringValue ?? Self.none, "\(owned.count)", age,
            ]
            if wide {
                let parameters = (spec?["parameters"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
                cells += [workload?["apiVersion"]?.stringValue ?? Self.none, Self.list(parameters)]
            }
        case .workloadDefinition:
            let children = (spec?["childResourceKinds"]?.arrayValue ?? []).compactMap { $0["kind"]?.stringValue }
            cells += [object.name, Self.definitionRef(object), Self.list(children), age]
            if wide {
                cells += [spec?["revisionLabel"]?.stringValue ?? Self.none, spec?["podSpecPath"]?.stringValue ?? Self.none]
            }
        case .traitDefinition:
            let appliesTo = (spec?["appliesToWorkloads"]?.arrayValue ?? []).compactMap(\.stringValue)
            cells += [
                object.name, Self.definitionRef(object), appliesTo.isEmpty ? "any" : appliesTo.joined(separator: ","),
                String(spec?["revisionEnabled"]?.boolValue ?? false), age,
            ]
            if wide { cells += [spec?["workloadRefPath"]?.stringValue ?? Self.none] }
        case .scopeDefinition:
            cells += [object.name, Self.definitionRef(object), String(spec?["allowComponentOverlap"]?.boolValue ?? false), age]
            if wide { cells += [spec?["workloadRefsPath"]?.stringValue ?? Self.none] }
        case .componentRevision:
            let component = object.labels[OAM.Label.controllerRevisionComponent]
                ?? object.ownerReferences.first { $0.kind == Component.kind }?.name ?? Self.none
            cells += [object.name, component, object.object["revision"]?.intValue.map(String.init) ?? Self.none, age]
            if wide { cells += [object.object["data"]?["spec"]?["workload"]?["kind"]?.stringValue ?? Self.none] }
        case .containerizedWorkload:
            let containers = spec?["containers"]?.arrayValue ?? []
            cells += [object.name, Self.list(containers.compactMap { $0["image"]?.stringValue }), age]
            if wide { cells += [Self.list(containers.compactMap { $0["name"]?.stringValue })] }
        case .manualScalerTrait:
            cells += [
                object.name, spec?["replicaCount"]?.intValue.map(String.init) ?? Self.none,
                spec?["workloadRef"]?["name"]?.stringValue ?? Self.none, age,
            ]
            if wide {
                let synced = HealthRules.conditions(object).first { $0.type == "Synced" }
                cells += [synced.map { $0.status == "True" ? "True" : "\($0.status) (\($0.reason))" } ?? Self.none]
            }
        case .healthScope:
            let condition = object.status?["scopeHealthCondition"]
            cells += [
                object.name, condition?["healthStatus"]?.stringValue ?? Self.none,
                "\(spec?["workloadRefs"]?.arrayValue?.count ?? 0)", age,
            ]
            if wide { cells += [condition?["unhealthyWorkloads"]?.intValue.map(String.init) ?? "0"] }
        case .generic:
            cells += [object.name, age]
            if wide {
                let labels = object.labels.map { "\($0.key)=\($0.value)" }
                cells += [HealthRules.evaluate(object).health.rawValue, Self.list(labels)]
            }
        }
        return cells
    }

    /// What a missing value reads as.
    static let none = "<none>"

    private static func list(_ values: [String]) -> String {
        values.isEmpty ? none : values.joined(separator: ",")
    }

    private static func definitionRef(_ object: Resource) -> String {
        object.spec?["definitionRef"]?["name"]?.stringValue ?? none
    }

    /// `Synced` when the AppConfig's Synced condition is True, its reason when it is not, `-`
    /// before the controller has looked at it.
    static func syncedStatus(_ object: Resource) -> String {
        guard let synced = HealthRules.conditions(object).first(where: { $0.type == "Synced" }) else { return "-" }
        if synced.status == "True" { return "Synced" }
        return synced.reason.isEmpty ? "NotSynced" : synced.reason
    }

    /// Whether `revision` is a ControllerRevision of `component`.
    static func isRevision(_ revision: Resource, of component: Resource) -> Bool {
        guard revision.namespace == component.namespace else { return false }
        if let uid = component.uid, revision.ownerReferences.contains(where: { $0.uid == uid }) { return true }
        return revision.ownerReferences.isEmpty && revision.labels[OAM.Label.controllerRevisionComponent] == component.name
    }

    /// An object's age as `kubectl get` writes it: `42s`, `3m12s`, `25m`, `5h10m`, `3d4h`, `120d`.
    static func age(_ timestamp: String?, now: Date) -> String {
        guard let timestamp, let created = try? Date(timestamp, strategy: .iso8601) else { return "<unknown>" }
        return duration(max(0, Int(now.timeIntervalSince(created))))
    }

    /// A number of seconds the way `kubectl` writes durations.
    static func duration(_ seconds: Int) -> String {
        let minutes = seconds / 60, hours = seconds / 3600, days = seconds / 86400
        switch seconds {
        case ..<120: return "\(seconds)s"
        case ..<600: return seconds % 60 == 0 ? "\(minutes)m" : "\(minutes)m\(seconds % 60)s"
        case ..<(3 * 3600): return "\(minutes)m"
        case ..<(8 * 3600): return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h\(minutes % 60)m"
        case ..<(48 * 3600): return "\(hours)h"
        case ..<(8 * 86400): return hours % 24 == 0 ? "\(days)d" : "\(days)d\(hours % 24)h"
        case ..<(2 * 365 * 86400): return "\(days)d"
        default: return "\(days / 365)y\(days % 365)d"
        }
    }
}
