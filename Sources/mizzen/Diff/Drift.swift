import APIMachinery
import OAMControllers
import ControllerRuntime
import OrderedCollections
import Resources

/// Fields of a controller-managed object that were changed outside Mizzen.
///
/// The controllers write workloads and traits with server-side apply, so the server records in
/// `metadata.managedFields` which fields they own. Whoever changes the object afterwards
/// (`kubectl edit`, `kubectl annotate`, another controller) becomes the owner of the fields it
/// set; those fields, held by a manager that is not one of Mizzen's, are the drift. Writes
/// through the `status` subresource are not drift, nor is the bookkeeping the cluster's own
/// components keep on the objects they run (a Deployment's `deployment.kubernetes.io/revision`
/// annotation, written by kube-controller-manager's deployment controller — and by the embedded
/// plane's, which writes as it).
///
/// A field changed out of band that the controllers also set is put back at their next
/// reconcile (and then no longer shows); fields they do not set stay until someone removes them.
enum Drift {
    /// One field changed outside Mizzen.
    struct Field: Sendable, Hashable {
        /// As structured-merge-diff prints it: `.spec.template.spec.containers[name="web"].image`.
        var path: String
        /// The live value, when the path leads to one.
        var value: JSONValue?
        var manager: String
        var operation: String
        var time: String?

        var json: JSONValue {
            var members: JSONObject = ["path": .string(path), "manager": .string(manager), "operation": .string(operation)]
            if let value { members["value"] = value }
            if let time { members["time"] = .string(time) }
            return .object(members)
        }
    }

    /// Whether `manager` is one of Mizzen's own: the controllers' field manager and the
    /// `mizzen-…` managers of individual reconcilers.
    static func isMizzen(manager: String) -> Bool {
        manager == Controllers.fieldManager || manager.hasPrefix(Controllers.fieldManager + "-")
    }

    /// The field managers of the cluster's own components, whose writes run the application
    /// rather than change it.
    static let clusterManagers: Set<String> = ["kube-controller-manager", "kube-scheduler", "kubelet"]

    /// The fields of `object` other managers hold, leaves only, in path order.
    static func fields(of object: Resource) -> [Field] {
        var result: [Field] = []
        for json in object.metadata["managedFields"]?.arrayValue ?? [] {
            guard let entry = ManagedFieldsEntry(json: json), !isMizzen(manager: entry.manager),
                !clusterManagers.contains(entry.manager), (entry.subresource ?? "").isEmpty
            else { continue }
            let paths = entry.fields.paths
            for path in paths where !paths.contains(where: { $0.count > path.count && Array($0.prefix(path.count)) == path }) {
                result.append(Field(
                    path: FieldSet.describe(path), value: value(at: path, in: object.value),
                    manager: entry.manager, operation: entry.operation.rawValue, time: entry.time))
            }
        }
        return result.sorted { ($0.path, $0.manager) < ($1.path, $1.manager) }
    }

    /// The value at a managed-fields path: fields by name, list-map elements by their keys,
    /// set elements by value, atomic list elements by index.
    static func value(at path: [PathElement], in root: JSONValue) -> JSONValue? {
        var current = root
        for element in path {
            switch element {
            case .field(let name):
                guard let next = current[name] else { return nil }
                current = next
            case .key(let fields):
                guard let next = current.arrayValue?.first(where: { item in fields.allSatisfy { item[$0.name] == $0.value } })
                else { return nil }
                current = next
            case .value(let value):
                guard current.arrayValue?.contains(value) == true else { return nil }
                current = value
            case .index(let index):
                guard let next = current[index] else { return nil }
                current = next
            }
        }
        return current
    }
}
