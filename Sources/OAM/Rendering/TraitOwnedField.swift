import OrderedCollections
public import Resources

/// A field of a workload that a trait attached to its component sets itself — the replicas a
/// ManualScalerTrait, an autoscaler or a rollout decides — as the trait's TraitDefinition
/// declares in `spec.ownsWorkloadFields`.
///
/// The AppConfig controller applies the workload by server-side apply with force: applying the
/// Component's value would take the field back from the trait at every reconcile, and the trait
/// would take it again, without end. So the workload is applied without the field
/// (``RenderedObject/objectToApply(live:)``), the trait's value stays, and taking the trait out
/// gives the field back to the Component.
public struct TraitOwnedField: Sendable, Hashable {
    /// Where the field is in the workload.
    public var path: FieldPath
    /// What the Component's workload (with its parameters) sets it to.
    public var componentValue: JSONValue
    /// The TraitDefinition that declares it.
    public var definitionName: String

    public init(path: FieldPath, componentValue: JSONValue, definitionName: String) {
        self.path = path
        self.componentValue = componentValue
        self.definitionName = definitionName
    }
}

extension RenderedObject {
    /// The object to apply when `live` is the object as it is now: ``object`` without the fields
    /// the component's traits own (``traitOwnedFields``) — except a field the live object still
    /// holds at the Component's value. That one is applied as it is, which changes nothing, so
    /// that attaching a scaler to a running workload does not first drop the field (a
    /// Deployment's `spec.replicas` would fall to the default, 1) before the trait sets its own
    /// value; once the trait has set another value, the field is left out and stays the trait's.
    /// A workload that does not exist yet is created without the field: the trait sizes it.
    ///
    /// ```swift
    /// let desired = item.objectToApply(live: cache.get(namespace: ns, name: item.object.name))
    /// ```
    public func objectToApply(live: Resource?) -> Resource {
        guard !traitOwnedFields.isEmpty else { return object }
        var result = object
        for field in traitOwnedFields {
            if let live, live.valueIfPresent(at: field.path) == field.componentValue { continue }
            try? result.removeValue(at: field.path)
        }
        return result
    }
}

extension RenderContext {
    /// The fields of `workload` that the traits with `definitions` own (`ownsWorkloadFields`) and
    /// the workload sets, each once (the first trait declaring it names it); `nil` after recording
    /// an error for a declared path that is not a field path.
    mutating func traitOwnedFields(
        _ definitions: [(name: String, definition: TraitDefinition?)], workload: Resource
    ) -> [TraitOwnedField]? {
        var fields: [TraitOwnedField] = []
        for (name, definition) in definitions {
            for text in definition?.spec.ownsWorkloadFields ?? [] {
                let path: FieldPath
                do {
                    path = try catalog.fieldPath(text)
                } catch {
                    errors.append(.error(
                        ObjectName(kind: TraitDefinition.kind, name: name), "spec.ownsWorkloadFields",
                        "\"\(text)\" is not a field path: \(error)"))
                    return nil
                }
                guard !fields.contains(where: { $0.path == path }),
                    let value = workload.valueIfPresent(at: path), !value.isNull
                else { continue }
                fields.append(TraitOwnedField(path: path, componentValue: value, definitionName: name))
            }
        }
        return fields
    }
}
