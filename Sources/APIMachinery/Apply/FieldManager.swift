public import Resources
import OrderedCollections

/// Server-side apply and field ownership, as kube-apiserver's field manager does them with
/// structured-merge-diff: every write records in `metadata.managedFields` which manager owns
/// which fields, and an apply merges a configuration into the live object, removes what the
/// applier gave up, and refuses to change fields another manager owns unless forced.
///
/// ```swift
/// let manager = FieldManager()
/// let created = try manager.apply(live: nil, applied: config, manager: "kubectl", force: false,
///                                 time: "2025-01-01T00:00:00Z", schema: schema)
/// let scaled = manager.update(live: created, new: edited, manager: "kube-controller-manager",
///                             time: "2025-01-01T00:01:00Z", schema: schema)
/// ```
///
/// Objects are served at one version, so field sets recorded at other API versions are used
/// as they are, without conversion.
public struct FieldManager: Sendable {
    /// `status` when writing through the status subresource; `nil` for the main resource.
    public var subresource: String?
    /// Fields the write cannot set and nobody owns through it (the reset fields of the
    /// registry's strategy: `status` for the main resource, `spec` for `/status`). The caller
    /// resets their values itself.
    public var ignoredFields: FieldSet

    public init(subresource: String? = nil, ignoredFields: [FieldPath] = []) {
        self.subresource = subresource
        var ignored = FieldSet()
        for path in ignoredFields {
            ignored.insert(path.segments.map { segment -> PathElement in
                switch segment {
                case .field(let name): .field(name)
                case .index(let index): .index(index)
                }
            })
        }
        self.ignoredFields = ignored
    }

    /// The metadata that nobody owns: it is the server's, or names the object.
    static let serverFields: FieldSet = {
        var set = FieldSet()
        for path in [["apiVersion"], ["kind"], ["metadata"]] { set.insert(path.map(PathElement.field)) }
        for field in [
            "name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation", "managedFields",
            "resourceVersion",
        ] {
            set.insert([.field("metadata"), .field(field)])
        }
        return set
    }()

    private func owned(_ set: FieldSet) -> FieldSet {
        set.subtracting(Self.serverFields).subtractingRecursively(ignoredFields)
    }

    // MARK: Update

    /// `new` with `metadata.managedFields` brought up to date after a create, update or patch by
    /// `manager`: the fields the write added or changed become the manager's, and are taken
    /// from the managers that owned them; removed fields are owned by nobody.
    ///
    /// Managed fields the write itself carries replace the live ones, so that clients can edit
    /// them; `managedFields: [{}]` clears them.
    public func update(
        live: JSONValue?, new: JSONValue, manager: String, operation: ManagedFieldsEntry.Operation = .update,
        time: String, schema: PatchSchema
    ) -> JSONValue {
        var result = new
        if ManagedFields.isReset(in: new) {
            ManagedFields().write(into: &result)
            return result
        }
        var managed =
            ManagedFields.isPresent(in: new) && subresource == nil
            ? ManagedFields(object: new) : ManagedFields(object: live)
        let old = live.map(ManagedFields.stripped)
        let comparison = TypedValue.compare(old, ManagedFields.stripped(new), schema.root).filtered(owned)
        let changed = comparison.added.union(comparison.modified)
        for (identity, var entry) in managed.entries {
            entry.fields = entry.fields.subtracting(changed).subtracting(comparison.removed)
            managed.entries[identity] = entry
        }
        if !changed.isEmpty {
            let apiVersion = new["apiVersion"]?.stringValue ?? ""
            var entry = ManagedFieldsEntry(
                manager: manager, operation: operation, apiVersion: apiVersion, time: time, subresource: subresource,
                fields: changed)
            if let previous = managed.entries[entry.identity] { entry.fields = entry.fields.union(previous.fields) }
            managed.entries[entry.identity] = entry
        }
        managed.removeEmpty()
        managed.write(into: &result)
        return result
    }

    // MARK: Apply

    /// The live object (or, when `live` is `nil`, a new object) with the applied configuration
    /// merged in, and `metadata.managedFields` updated.
    ///
    /// Lists whose schema is a list map merge element by element, sets by value, other lists and
    /// atomic maps are replaced. Fields `manager` applied before but not now are removed unless
    /// another manager owns them.
    ///
    /// - Throws: ``APIError`` 409 Conflict, with a `FieldManagerConflict` cause per field, when
    ///   the apply changes a field another manager owns and `force` is false (with `force` the
    ///   fields move to `manager`); 400 for a configuration that is not an object, carries
    ///   `metadata.managedFields`, or has list elements without or with repeated keys.
    public func apply(
        live: JSONValue?, applied: JSONValue, manager: String, force: Bool, time: String, schema: PatchSchema
    ) throws(APIError) -> JSONValue {
        guard case .object = applied else {
            throw .badRequest("error decoding YAML: the applied configuration must be an object, not \(applied.typeName)")
        }
        if applied["metadata"]?["managedFields"] != nil {
            throw .badRequest("metadata.managedFields must be nil")
        }
        let apiVersion = applied["apiVersion"]?.stringValue ?? ""
        do {
            try TypedValue.validate(applied, schema.root)
        } catch let failure {
            let gvk = GroupVersionKind(apiVersion: apiVersion, kind: applied["kind"]?.stringValue ?? "")
            throw .badRequest("failed to create typed patch object (\(gvk.apiVersion), Kind=\(gvk.kind)): \(failure.description)")
        }

        var managed = ManagedFields(object: live)
        let old = live.map(ManagedFields.stripped)
        if let old, !ManagedFields.isPresent(in: live), old != .emptyObject {
            // Fields set before anyone tracked them are owned by a stand-in manager, so that
            // changing them conflicts.
            let before = ManagedFieldsEntry(
                manager: "before-first-apply", operation: .update, apiVersion: apiVersion, time: time,
                subresource: subresource, fields: owned(TypedValue.fieldSet(old, schema.root) ?? FieldSet()))
            managed.entries[before.identity] = before
        }

        let appliedSet = owned(TypedValue.fieldSet(applied, schema.root) ?? FieldSet())
        var entry = ManagedFieldsEntry(
            manager: manager, operation: .apply, apiVersion: apiVersion, time: time, subresource: subresource,
            fields: appliedSet)
        let previous = managed.entries[entry.identity]
        managed.entries[entry.identity] = entry

        var merged = TypedValue.merge(old, applied, schema.root) ?? .emptyObject
        if let last = previous?.fields, !last.isEmpty {
            let everyone = managed.entries.values.reduce(FieldSet()) { $0.union($1.fields) }
            TypedValue.prune(&merged, schema.root, last: last, managed: everyone)
        }

        let comparison = TypedValue.compare(old, merged, schema.root).filtered(owned)
        let changed = comparison.added.union(comparison.modified)
        var conflicts: [(ManagedFieldsEntry, FieldSet)] = []
        for (identity, other) in managed.entries where identity != entry.identity {
            let taken = other.fields.intersection(changed)
            if !taken.isEmpty { conflicts.append((other, taken)) }
        }
        if !force && !conflicts.isEmpty, manager == Self.kubectlApplier,
            let allowed = Self.lastAppliedFields(live, schema: schema)
        {
            // kubectl's server-side apply takes over, without conflicts, the fields its
            // client-side apply set and nobody changed since (kube's lastAppliedManager).
            conflicts = conflicts.map { ($0.0, $0.1.subtracting(allowed)) }.filter { !$0.1.isEmpty }
        }
        if !force && !conflicts.isEmpty {
            throw Self.conflictError(conflicts)
        }
        for (identity, var other) in managed.entries where identity != entry.identity {
            other.fields = other.fields.subtracting(changed).subtracting(comparison.removed)
            managed.entries[identity] = other
        }
        if merged == old {
            // Nothing changed: the applier keeps the time of its last change, and a new applier
            // gets none (kube sets the time only when an apply changes the object).
            entry.time = previous?.time
            managed.entries[entry.identity] = entry
        }
        managed.removeEmpty()
        managed.write(into: &merged)
        if manager == Self.kubectlApplier {
            Self.updateLastApplied(&merged, applied: applied)
        }
        return merged
    }

    // MARK: Client-side apply → server-side apply

    /// The manager whose applies take over client-side apply (`kubectl apply --server-side`).
    static let kubectlApplier = "kubectl"
    /// The annotation client-side apply keeps its last configuration in.
    public static let lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

    /// The fields of `live`'s last-applied configuration whose values are still those of `live`:
    /// those kubectl's client-side apply set and may hand over to its server-side apply.
    /// `nil` without an annotation, or with one of another API version or that is not JSON.
    static func lastAppliedFields(_ live: JSONValue?, schema: PatchSchema) -> FieldSet? {
        guard let live, let text = live["metadata"]?["annotations"]?[lastAppliedAnnotation]?.stringValue,
            !text.isEmpty, let lastApplied = try? JSONValue(parsingJSON: text),
            lastApplied["apiVersion"]?.stringValue == live["apiVersion"]?.stringValue,
            let fields = TypedValue.fieldSet(lastApplied, schema.root)
        else { return nil }
        let comparison = TypedValue.compare(lastApplied, ManagedFields.stripped(live), schema.root)
        return fields.subtracting(comparison.modified).subtracting(comparison.added).subtracting(comparison.removed)
    }

    /// Keeps the last-applied annotation, when `object` has one, equal to the configuration
    /// kubectl applied server-side (without the annotation), as kube's lastAppliedUpdater does:
    /// compact JSON with sorted keys and a final newline, as Go writes it.
    static func updateLastApplied(_ object: inout JSONValue, applied: JSONValue) {
        guard let current = object["metadata"]?["annotations"]?[lastAppliedAnnotation]?.stringValue, !current.isEmpty,
            case .object(var members) = applied
        else { return }
        if var metadata = members["metadata"]?.objectValue, var annotations = metadata["annotations"]?.objectValue {
            annotations.removeValue(forKey: lastAppliedAnnotation)
            metadata["annotations"] = annotations.isEmpty ? nil : .object(annotations)
            members["metadata"] = .object(metadata)
        }
        let text = JSONValue.object(members).jsonString(sortedKeys: true) + "\n"
        guard case .object(var result) = object else { return }
        object = .null
        result.withObject("metadata") { metadata in
            metadata.withObject("annotations") { $0[lastAppliedAnnotation] = .string(text) }
        }
        object = .object(result)
    }

    /// The 409 error kube-apiserver answers a conflicting apply with.
    static func conflictError(_ conflicts: [(ManagedFieldsEntry, FieldSet)]) -> APIError {
        let sorted = conflicts.sorted { $0.0.conflictName < $1.0.conflictName }
        var causes: [APIError.Cause] = []
        var lines: [String] = []
        for (owner, fields) in sorted {
            let paths = fields.paths.map(FieldSet.describe)
            lines.append("conflicts with \(owner.conflictName):")
            for path in paths {
                causes.append(APIError.Cause(
                    type: "FieldManagerConflict", message: "conflict with \(owner.conflictName)", field: path))
                lines.append("- \(path)")
            }
        }
        let message: String
        if causes.count == 1 {
            message = "Apply failed with 1 conflict: \(causes[0].message): \(causes[0].field)"
        } else {
            message = "Apply failed with \(causes.count) conflicts: " + lines.joined(separator: "\n")
        }
        return APIError(code: 409, reason: .conflict, message: message, causes: causes)
    }
}
