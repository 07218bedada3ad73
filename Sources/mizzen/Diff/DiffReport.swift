import OAM
import OrderedCollections
import Resources

/// What `mizzen diff` found: per object, the change `up` would make; per controller-managed
/// object, the fields changed outside Mizzen.
struct DiffReport: Sendable {
    /// One object of the files (or one that would be garbage-collected) and how it would change.
    struct Change: Sendable {
        enum Action: String, Sendable {
            case added, changed, removed, unchanged
        }

        var apiVersion: String
        var kind: String
        var name: String
        var namespace: String?
        var action: Action
        var diff: UnifiedDiff
        /// Where a rendered object comes from (`AppConfig/shop · Component/web (web-v2)`); `nil`
        /// for an object of the files.
        var origin: String?

        /// `live` is what the server has (`nil`: nothing), `desired` what it would have after
        /// `up` (`nil`: the object would be removed).
        init(live: Resource?, desired: Resource?) {
            let object = desired ?? live ?? Resource(apiVersion: "", kind: "", name: "")
            apiVersion = object.apiVersion
            kind = object.kind
            name = object.name
            namespace = object.namespace
            let (before, after) = ComparableObject.maskingSecrets(live: live?.value, desired: desired?.value)
            diff = UnifiedDiff(
                old: ComparableObject.yaml(before), new: ComparableObject.yaml(after),
                oldLabel: "live/\(kind)/\(name)", newLabel: "desired/\(kind)/\(name)")
            action = live == nil ? .added : desired == nil ? .removed : diff.isEmpty ? .unchanged : .changed
        }

        var json: JSONValue {
            var members: JSONObject = [
                "apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(name),
            ]
            if let namespace { members["namespace"] = .string(namespace) }
            members["action"] = .string(action.rawValue)
            if let origin { members["origin"] = .string(origin) }
            if action != .unchanged { members["diff"] = .string(diff.text(on: .plain)) }
            return .object(members)
        }
    }

    /// A controller-managed object with fields changed outside Mizzen.
    struct DriftedObject: Sendable {
        var kind: String
        var name: String
        /// The AppConfig it belongs to.
        var application: String
        var fields: [Drift.Field]

        var json: JSONValue {
            [
                "kind": .string(kind), "name": .string(name), "application": .string(application),
                "fields": .array(fields.map(\.json)),
            ]
        }
    }

    var changes: [Change] = []
    var drift: [DriftedObject] = []
    /// What the reader should know besides the diffs: a Component's new revision and who
    /// follows it, objects that wait on data inputs, entries that would not render.
    var notes: [String] = []

    func count(_ action: Change.Action) -> Int {
        changes.filter { $0.action == action }.count
    }

    /// Something would change, or something drifted.
    var hasDifferences: Bool {
        changes.contains { $0.action != .unchanged } || !drift.isEmpty
    }

    /// `+1 added ~2 changed -0 removed !1 drifted`.
    var summary: String {
        "+\(count(.added)) added ~\(count(.changed)) changed -\(count(.removed)) removed !\(drift.count) drifted"
    }

    /// The diffs, then the drift, then the summary line.
    func text(on terminal: Terminal) -> String {
        var text = ""
        for change in changes where !change.diff.isEmpty {
            if let origin = change.origin { text += terminal.paint("# \(change.action.rawValue): \(origin)", .cyan) + "\n" }
            text += change.diff.text(on: terminal)
        }
        for note in notes { text += terminal.paint("note: ", .yellow) + note + "\n" }
        for object in drift {
            text += terminal.paint(
                "drift: \(object.kind)/\(object.name) (ApplicationConfiguration/\(object.application)) was changed outside Mizzen:",
                .yellow) + "\n"
            for field in object.fields {
                let value = field.value.map { " = \($0.jsonString())" } ?? ""
                text += "  \(field.path)\(value)  (\(field.manager)\(field.time.map { ", \($0)" } ?? ""))\n"
            }
        }
        return text + summary + "\n"
    }

    var json: JSONValue {
        [
            "objects": .array(changes.map(\.json)),
            "drift": .array(drift.map(\.json)),
            "notes": .array(notes.map(JSONValue.string)),
            "summary": [
                "added": .int(Int64(count(.added))), "changed": .int(Int64(count(.changed))),
                "removed": .int(Int64(count(.removed))), "unchanged": .int(Int64(count(.unchanged))),
                "drifted": .int(Int64(drift.count)),
            ],
        ]
    }

    /// The workloads and traits the controller would remove once `desired` replaces `live`:
    /// those of components the desired AppConfig no longer lists, and traits whose kind a kept
    /// component no longer lists. Read from the live AppConfig's `status.workloads`.
    static func removedReferences(live: Resource, desired: Resource) -> [(apiVersion: String, kind: String, name: String)] {
        var kept: [String: Set<String>] = [:]
        for entry in desired.spec?["components"]?.arrayValue ?? [] {
            guard let name = entry["componentName"]?.stringValue
                ?? entry["revisionName"]?.stringValue.map(Component.Revision.componentName(ofRevision:))
            else { continue }
            kept[name] = Set((entry["traits"]?.arrayValue ?? []).compactMap { $0["trait"]?["kind"]?.stringValue })
        }
        var removed: [(apiVersion: String, kind: String, name: String)] = []
        func reference(_ value: JSONValue?) -> (apiVersion: String, kind: String, name: String)? {
            guard let apiVersion = value?["apiVersion"]?.stringValue, let kind = value?["kind"]?.stringValue,
                let name = value?["name"]?.stringValue
            else { return nil }
            return (apiVersion, kind, name)
        }
        for workload in live.status?["workloads"]?.arrayValue ?? [] {
            let component = workload["componentName"]?.stringValue ?? ""
            let traits = (workload["traits"]?.arrayValue ?? []).compactMap { reference($0["traitRef"]) }
            guard let traitKinds = kept[component] else {
                if let workload = reference(workload["workloadRef"]) { removed.append(workload) }
                removed += traits
                continue
            }
            removed += traits.filter { !traitKinds.contains($0.kind) }
        }
        return removed
    }
}
