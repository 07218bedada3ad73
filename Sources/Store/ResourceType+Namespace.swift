import OrderedCollections
public import Resources

extension ResourceType {
    /// `namespaces` (core/v1): the store creates `default` on a new database, refuses content
    /// in missing or terminating namespaces, and empties a namespace before deleting it.
    public static let namespace = ResourceType(
        group: "", version: "v1", resource: "namespaces", kind: "Namespace", namespaced: false, hasStatus: true,
        shortNames: ["ns"])

    /// The key the store files objects of this type under: `group/resource`, whatever the version.
    var storageKey: String { "\(group)/\(resource)" }
}
