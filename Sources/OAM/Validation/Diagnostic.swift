import OrderedCollections
public import Resources

/// The object a diagnostic is about: kind, namespace and name.
public struct ObjectName: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var kind: String
    public var namespace: String?
    public var name: String

    public init(kind: String, namespace: String? = nil, name: String) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    /// The kind, namespace and name of `resource`.
    public init(_ resource: Resource) {
        self.init(kind: resource.kind, namespace: resource.namespace, name: resource.name)
    }

    /// `Kind/name`, or `Kind/namespace/name` when a namespace is known.
    public var description: String {
        let shownName = name.isEmpty ? "<unnamed>" : name
        let shownKind = kind.isEmpty ? "<no kind>" : kind
        if let namespace, !namespace.isEmpty { return "\(shownKind)/\(namespace)/\(shownName)" }
        return "\(shownKind)/\(shownName)"
    }

    public static func < (lhs: ObjectName, rhs: ObjectName) -> Bool {
        (lhs.kind, lhs.namespace ?? "", lhs.name) < (rhs.kind, rhs.namespace ?? "", rhs.name)
    }
}

/// One finding about an input: what is wrong, in which object, at which field, and — when the
/// object came from a file — where in that file.
///
/// ```
/// app.yaml:14:9: error: ApplicationConfiguration/shop: spec.components[0].parameterValues[1]: unknown parameter "colour" (Component/web declares: image, replicas)
/// ```
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Comparable {
        case error
        case warning

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            lhs == .error && rhs == .warning
        }
    }

    public var severity: Severity
    /// The object concerned, when there is one.
    public var object: ObjectName?
    /// The field concerned, inside ``object``.
    public var path: FieldPath?
    public var message: String
    /// Where the field (or the object) is in its file.
    public var location: SourceLocation?

    public init(
        _ severity: Severity, object: ObjectName?, path: FieldPath? = nil, message: String,
        location: SourceLocation? = nil
    ) {
        self.severity = severity
        self.object = object
        self.path = path
        self.message = message
        self.location = location
    }

    public static func error(_ object: ObjectName?, _ path: FieldPath?, _ message: String) -> Diagnostic {
        Diagnostic(.error, object: object, path: path, message: message)
    }

    public static func warning(_ object: ObjectName?, _ path: FieldPath?, _ message: String) -> Diagnostic {
        Diagnostic(.warning, object: object, path: path, message: message)
    }

    /// The message with its object and field: `Kind/name: spec.x: message`.
    public var summary: String {
        var parts: [String] = []
        if let object { parts.append(object.description) }
        if let path, !path.isEmpty { parts.append(path.description) }
        parts.append(message)
        return parts.joined(separator: ": ")
    }

    /// `file:line:col: severity: Kind/name: path: message`, as compilers print.
    public var description: String {
        if let location { return "\(location): \(severity.rawValue): \(summary)" }
        return "\(severity.rawValue): \(summary)"
    }
}

extension Array where Element == Diagnostic {
    /// Whether any diagnostic is an error.
    public var hasErrors: Bool { contains { $0.severity == .error } }
}
