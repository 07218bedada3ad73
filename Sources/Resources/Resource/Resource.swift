public import OrderedCollections

/// A Kubernetes-style object of any kind: a JSON object with typed accessors for the parts every
/// object shares (`apiVersion`, `kind`, `metadata`).
///
/// The store, the API server, the client and the renderer all pass `Resource` values; typed views
/// such as an OAM `Component` are decoded from them where convenient.
///
/// ```swift
/// var deployment = try Resource(["apiVersion": "apps/v1", "kind": "Deployment"])
/// deployment.name = "web"
/// deployment.setLabel("app", "web")
/// try deployment.setValue(3, at: "spec.replicas")
/// ```
public struct Resource: Sendable, Hashable {
    /// The whole object.
    public var object: JSONObject

    /// Wraps `object`.
    public init(object: JSONObject) {
        self.object = object
    }

    /// Wraps `value`, which must be a JSON object.
    ///
    /// - Throws: ``ResourceError`` when `value` is not an object.
    public init(_ value: JSONValue) throws(ResourceError) {
        guard case .object(let members) = value else {
            throw ResourceError(message: "expected an object, found \(value.typeName)")
        }
        self.object = members
    }

    /// A new object of the given type and name.
    public init(apiVersion: String, kind: String, name: String? = nil, namespace: String? = nil) {
        self.object = ["apiVersion": .string(apiVersion), "kind": .string(kind)]
        if let name { self.name = name }
        if let namespace { self.namespace = namespace }
    }

    /// The object as a JSON value.
    public var value: JSONValue { .object(object) }

    // MARK: Type

    public var apiVersion: String {
        get { object["apiVersion"]?.stringValue ?? "" }
        set { object["apiVersion"] = .string(newValue) }
    }

    public var kind: String {
        get { object["kind"]?.stringValue ?? "" }
        set { object["kind"] = .string(newValue) }
    }

    public var groupVersionKind: GroupVersionKind {
        GroupVersionKind(apiVersion: apiVersion, kind: kind)
    }

    // MARK: Metadata

    /// `metadata`, as an object (empty when absent).
    public var metadata: JSONObject {
        get { object["metadata"]?.objectValue ?? [:] }
        set {
            if object.keys.contains("metadata") {
                object["metadata"] = .object(newValue)
            } else {
                // A new metadata goes right after apiVersion and kind, where people look for it.
                let position = ["apiVersion", "kind"].compactMap { object.index(forKey: $0) }.max().map { $0 + 1 } ?? 0
                object.updateValue(.object(newValue), forKey: "metadata", insertingAt: position)
            }
        }
    }

    /// Edits `metadata` in place, without copying it.
    ///
    /// ```swift
    /// resource.withMetadata { metadata in metadata["namespace"] = "shop" }
    /// ```
    public mutating func withMetadata<Result>(_ body: (inout JSONObject) throws -> Result) rethrows -> Result {
        guard let index = object.index(forKey: "metadata") else {
            var members: JSONObject = [:]
            defer { metadata = members }
            return try body(&members)
        }
        // Move the stored members out so that they are uniquely referenced while they change.
        var stored = JSONValue.null
        swap(&stored, &object.values[index])
        var members: JSONObject = [:]
        if case .object(let existing) = stored { members = existing }
        stored = .null
        defer { object.values[index] = .object(members) }
        return try body(&members)
    }

    private func metadataString(_ key: String) -> String? {
        object["metadata"]?[key]?.stringValue
    }

    private mutating func setMetadata(_ key: String, _ value: JSONValue?) {
        withMetadata { $0[key] = value }
    }

    /// `metadata.name`; empty when absent.
    public var name: String {
        get { metadataString("name") ?? "" }
        set { setMetadata("name", .string(newValue)) }
    }

    /// `metadata.namespace`; `nil` for cluster-scoped objects and objects not yet placed.
    public var namespace: String? {
        get { metadataString("namespace") }
        set { setMetadata("namespace", newValue.map(JSONValue.string)) }
    }

    public var generateName: String? {
        get { metadataString("generateName") }
        set { setMetadata("generateName", newValue.map(JSONValue.string)) }
    }

    public var uid: String? {
        get { metadataString("uid") }
        set { setMetadata("uid", newValue.map(JSONValue.string)) }
    }

    public var resourceVersion: String? {
        get { metadataString("resourceVersion") }
        set { setMetadata("resourceVersion", newValue.map(JSONValue.string)) }
    }

    public var generation: Int64? {
        get { object["metadata"]?["generation"]?.intValue }
        set { setMetadata("generation", newValue.map(JSONValue.int)) }
    }

    public var creationTimestamp: String? {
        get { metadataString("creationTimestamp") }
        set { setMetadata("creationTimestamp", newValue.map(JSONValue.string)) }
    }

    public var deletionTimestamp: String? {
        get { metadataString("deletionTimestamp") }
        set { setMetadata("deletionTimestamp", newValue.map(JSONValue.string)) }
    }

    /// Whether deletion has been requested and waits on finalizers.
    public var isBeingDeleted: Bool { deletionTimestamp != nil }

    /// `metadata.labels`, keeping their order; non-string values are skipped.
    public var labels: OrderedDictionary<String, String> {
        get { stringMap("labels") }
        set { setStringMap("labels", newValue) }
    }

    /// `metadata.annotations`, keeping their order; non-string values are skipped.
    public var annotations: OrderedDictionary<String, String> {
        get { stringMap("annotations") }
        set { setStringMap("annotations", newValue) }
    }

    /// Sets one label, keeping the position of an existing one.
    public mutating func setLabel(_ key: String, _ value: String) {
        var current = labels
        current[key] = value
        labels = current
    }

    /// Sets one annotation, keeping the position of an existing one.
    public mutating func setAnnotation(_ key: String, _ value: String) {
        var current = annotations
        current[key] = value
        annotations = current
    }

    private func stringMap(_ key: String) -> OrderedDictionary<String, String> {
        guard let members = object["metadata"]?[key]?.objectValue else { return [:] }
        var out = OrderedDictionary<String, String>(minimumCapacity: members.count)
        for (k, v) in members {
            if let s = v.stringValue { out[k] = s }
        }
        return out
    }

    private mutating func setStringMap(_ key: String, _ map: OrderedDictionary<String, String>) {
        if map.isEmpty {
            setMetadata(key, nil)
            return
        }
        var members = JSONObject(minimumCapacity: map.count)
        for (k, v) in map { members[k] = .string(v) }
        setMetadata(key, .object(members))
    }

    /// `metadata.ownerReferences`; malformed entries are skipped.
    public var ownerReferences: [OwnerReference] {
        get { object["metadata"]?["ownerReferences"]?.arrayValue?.compactMap(OwnerReference.init(json:)) ?? [] }
        set { setMetadata("ownerReferences", newValue.isEmpty ? nil : .array(newValue.map(\.json))) }
    }

    /// The owner reference marked `controller: true`, if any.
    public var controllerReference: OwnerReference? {
        ownerReferences.first { $0.controller == true }
    }

    /// `metadata.finalizers`.
    public var finalizers: [String] {
        get { object["metadata"]?["finalizers"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        set { setMetadata("finalizers", newValue.isEmpty ? nil : .array(newValue.map(JSONValue.string))) }
    }

    // MARK: Body

    /// `spec`, if present.
    public var spec: JSONValue? {
        get { object["spec"] }
        set { object["spec"] = newValue }
    }

    /// `status`, if present.
    public var status: JSONValue? {
        get { object["status"] }
        set { object["status"] = newValue }
    }

    /// The value at `path`. See ``JSONValue/value(at:)``.
    public func value(at path: FieldPath) throws(FieldPathError) -> JSONValue {
        try value.value(at: path)
    }

    /// The value at `path`, or `nil` when it does not exist.
    public func valueIfPresent(at path: FieldPath) -> JSONValue? {
        value.valueIfPresent(at: path)
    }

    /// Writes `newValue` at `path`. See ``JSONValue/setValue(_:at:)``.
    ///
    /// - Throws: ``FieldPathError`` as ``JSONValue/setValue(_:at:)`` does, and when `path` is the
    ///   root and `newValue` is not an object (a resource is always an object).
    public mutating func setValue(_ newValue: JSONValue, at path: FieldPath) throws(FieldPathError) {
        if path.isEmpty, newValue.objectValue == nil {
            throw FieldPathError(
                kind: .typeMismatch, path: path, reason: "a resource must be an object, found \(newValue.typeName)")
        }
        var whole = JSONValue.object(object)
        object = [:]
        defer { object = whole.objectValue ?? [:] }
        try whole.setValue(newValue, at: path)
    }

    /// Removes the value at `path`. See ``JSONValue/removeValue(at:)``.
    public mutating func removeValue(at path: FieldPath) throws(FieldPathError) {
        var whole = JSONValue.object(object)
        object = [:]
        defer { object = whole.objectValue ?? [:] }
        try whole.removeValue(at: path)
    }

    /// `Kind/name`, or `Kind/namespace/name`, for messages.
    public var displayName: String {
        if let namespace, !namespace.isEmpty { return "\(kind)/\(namespace)/\(name)" }
        return "\(kind)/\(name)"
    }
}

extension Resource {
    /// Equal when the objects are equal as JSON: member order is ignored, as ``JSONValue`` does.
    public static func == (lhs: Resource, rhs: Resource) -> Bool {
        lhs.value == rhs.value
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(value)
    }
}

/// A value that is not a well-formed object.
public struct ResourceError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
