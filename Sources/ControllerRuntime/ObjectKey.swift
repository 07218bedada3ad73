public import Resources

/// Names one object of a known kind: its namespace (empty for cluster-scoped objects) and name.
public struct ObjectKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var namespace: String
    public var name: String

    public init(namespace: String?, name: String) {
        self.namespace = namespace ?? ""
        self.name = name
    }

    /// The key of `object`.
    public init(_ object: Resource) {
        self.init(namespace: object.namespace, name: object.name)
    }

    /// `namespace/name`, or `name` for a cluster-scoped object.
    public var description: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }

    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }
}
