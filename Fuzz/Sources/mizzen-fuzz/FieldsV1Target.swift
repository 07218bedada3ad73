import FuzzSupport
@testable import APIMachinery
import Resources

/// Server-side apply field sets: `metadata.managedFields[].fieldsV1` read into a ``FieldSet``
/// (and written back to the same set), the set algebra on it, and the managedFields entries.
enum FieldsV1Target {
    static func run(_ bytes: [UInt8]) {
        guard let value = try? JSONValue(parsingJSON: bytes) else { return }
        _ = ManagedFieldsEntry(json: value)
        _ = ManagedFields(object: ["metadata": ["managedFields": value]])
        if case .array(let entries) = value { for entry in entries { _ = ManagedFieldsEntry(json: entry) } }
        guard let set = FieldSet(fieldsV1: value) else { return }
        guard let again = FieldSet(fieldsV1: set.fieldsV1) else { broken("\(set.fieldsV1) (from \(value)) does not read") }
        if again != set { broken("\(value) read, written and read again differs") }
        if set.union(set) != set || set.intersection(set) != set || !set.subtracting(set).isEmpty {
            broken("set algebra on \(value)")
        }
        _ = set.subtractingRecursively(FieldSet())
    }
}
