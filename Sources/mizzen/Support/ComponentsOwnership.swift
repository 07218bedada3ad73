import OrderedCollections
import Resources

/// Who owns an ApplicationConfiguration's `spec.components` in `metadata.managedFields`, and how
/// `mizzen rollback` gives it back.
///
/// `spec.components` is an atomic list: the JSON patch that pins (or unpins) an entry is an
/// update, and an update takes every field it changes away from the managers that owned it. Left
/// so, the user's applier (`kubectl`, `mizzen`) would own nothing of the list after a pin, and
/// `mizzen-rollback` would keep owning it after the unpin, so that the user's next server-side
/// apply of an edited file conflicts with a rollback long undone. So rollback follows each write
/// with a second one that edits `managedFields` alone:
///
/// - after a pin, the owners from before the write own the list again, beside
///   `mizzen-rollback`: an apply of a file that still says `componentName` still conflicts
///   with the pin (so it is not undone unnoticed), and the unpin knows whom to give it back to;
/// - after an unpin, `mizzen-rollback` gives the list up and those owners have it alone, as
///   before the pin.
///
/// Pure: the entries are values; the command reads and writes them.
enum ComponentsOwnership {
    /// The path of `spec.components` in a `fieldsV1` set.
    static let path = ["f:spec", "f:components"]

    /// The entries of `managedFields` that own `spec.components` (or a field in it), other than
    /// `manager`'s; entries of a subresource own no spec.
    static func owners(in managedFields: [JSONValue], except manager: String) -> [JSONValue] {
        managedFields.filter { entry in
            entry["manager"]?.stringValue != manager && (entry["subresource"]?.stringValue ?? "").isEmpty
                && entry["fieldsV1"]?[path[0]]?[path[1]] != nil
        }
    }

    /// `managedFields` with each of `owners` as it was before the write (replacing the entry of
    /// the same manager, operation, API version and subresource, or added again when the write
    /// emptied it away), and, when `release`, without `manager`'s `spec.components` (its entry
    /// dropped when it owns nothing else).
    static func handedBack(_ managedFields: [JSONValue], owners: [JSONValue], manager: String, release: Bool) -> [JSONValue] {
        var result: [JSONValue] = []
        var restored = Set<Identity>()
        let wanted = Dictionary(owners.map { (Identity($0), $0) }, uniquingKeysWith: { first, _ in first })
        for entry in managedFields {
            let identity = Identity(entry)
            if let owner = wanted[identity] {
                if restored.insert(identity).inserted { result.append(owner) }
                continue
            }
            if release, entry["manager"]?.stringValue == manager, (entry["subresource"]?.stringValue ?? "").isEmpty {
                guard let released = withoutComponents(entry) else { continue }
                result.append(released)
                continue
            }
            result.append(entry)
        }
        for owner in owners where restored.insert(Identity(owner)).inserted { result.append(owner) }
        return result
    }

    /// `entry` without `spec.components` in its field set; `nil` when nothing is left.
    private static func withoutComponents(_ entry: JSONValue) -> JSONValue? {
        guard var entryMembers = entry.objectValue, var fields = entry["fieldsV1"]?.objectValue,
            var spec = fields[path[0]]?.objectValue
        else { return entry }
        spec.removeValue(forKey: path[1])
        if spec.isEmpty || (spec.count == 1 && spec["."] != nil) {
            fields.removeValue(forKey: path[0])
        } else {
            fields[path[0]] = .object(spec)
        }
        if fields.isEmpty { return nil }
        entryMembers["fieldsV1"] = .object(fields)
        return .object(entryMembers)
    }

    /// What names a managedFields entry: two entries with the same identity are one.
    private struct Identity: Hashable {
        var manager: String
        var operation: String
        var apiVersion: String
        var subresource: String

        init(_ entry: JSONValue) {
            manager = entry["manager"]?.stringValue ?? ""
            operation = entry["operation"]?.stringValue ?? ""
            apiVersion = entry["apiVersion"]?.stringValue ?? ""
            subresource = entry["subresource"]?.stringValue ?? ""
        }
    }

    /// The JSON patch that makes the object's managedFields `entries`, guarded by its
    /// `resourceVersion`: `[{}]` clears them when none is left, as kube-apiserver reads it.
    static func patch(resourceVersion: String, entries: [JSONValue]) -> JSONValue {
        [
            ["op": "test", "path": "/metadata/resourceVersion", "value": .string(resourceVersion)],
            ["op": "replace", "path": "/metadata/managedFields", "value": .array(entries.isEmpty ? [.emptyObject] : entries)],
        ]
    }

    /// The managers named in `owners`, for messages: `kubectl`, `mizzen`.
    static func names(_ owners: [JSONValue]) -> [String] {
        var seen = Set<String>()
        return owners.compactMap { $0["manager"]?.stringValue }.filter { seen.insert($0).inserted }
    }
}
