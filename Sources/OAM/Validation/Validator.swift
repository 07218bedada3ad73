import OrderedCollections
public import Resources

/// Checks objects against the rules of OAM v1alpha2 and Kubernetes, returning every problem
/// found rather than stopping at the first (spec §10 and the spec MUSTs nobody implemented).
///
/// Pure: the verdict depends only on the objects and the ``Catalog`` (which should hold every
/// object being validated, so that references between them resolve).
///
/// ```swift
/// let diagnostics = Validator(catalog: catalog).validate(resource)
/// if diagnostics.hasErrors { … }
/// ```
public struct Validator: Sendable {
    public var catalog: Catalog

    public init(catalog: Catalog) {
        self.catalog = catalog
    }

    /// The OAM kinds this runtime understands.
    public static let oamKinds: Set<String> = [
        WorkloadDefinition.kind, TraitDefinition.kind, ScopeDefinition.kind, Component.kind,
        ApplicationConfiguration.kind, ContainerizedWorkload.kind, ManualScalerTrait.kind, HealthScope.kind,
    ]

    /// Every problem with `resource`, errors and warnings.
    public func validate(_ resource: Resource) -> [Diagnostic] {
        validate(resource, decodedComponent: nil)
    }

    /// Every problem with `resource`; `decodedComponent` is the result of decoding it as a
    /// Component when the caller already has it (a ``ManifestSet`` decodes every Component for its
    /// catalog), so that it is not decoded twice.
    func validate(_ resource: Resource, decodedComponent: Result<Component, JSONValueDecodingError>?) -> [Diagnostic] {
        var diagnostics = validateObject(resource)
        guard !diagnostics.hasErrors || !resource.kind.isEmpty else { return diagnostics }
        let group = GroupVersion(apiVersion: resource.apiVersion).group
        if group == OAM.group {
            let subject = ObjectName(resource)
            guard Self.oamKinds.contains(resource.kind) else {
                diagnostics.append(.error(subject, "kind",
                    "unknown kind \"\(resource.kind)\" in \(OAM.group) (known: \(Self.oamKinds.sorted().joined(separator: ", ")))"))
                return diagnostics
            }
            if resource.apiVersion != OAM.apiVersion {
                diagnostics.append(.error(subject, "apiVersion",
                    "unsupported version \"\(resource.apiVersion)\"; Mizzen serves \(OAM.apiVersion)"))
                return diagnostics
            }
        }
        switch (group, resource.kind) {
        case (OAM.group, Component.kind): diagnostics += validateComponent(resource, decoded: decodedComponent)
        case (OAM.group, ApplicationConfiguration.kind): diagnostics += validateApplicationConfiguration(resource)
        case (OAM.group, WorkloadDefinition.kind): diagnostics += decodeDiagnostics(WorkloadDefinition.self, resource)
        case (OAM.group, TraitDefinition.kind): diagnostics += validateTraitDefinition(resource)
        case (OAM.group, ScopeDefinition.kind): diagnostics += validateScopeDefinition(resource)
        case (OAM.group, ContainerizedWorkload.kind): diagnostics += decodeDiagnostics(ContainerizedWorkload.self, resource)
        case (OAM.group, ManualScalerTrait.kind): diagnostics += validateManualScaler(resource)
        case (OAM.group, HealthScope.kind): diagnostics += decodeDiagnostics(HealthScope.self, resource)
        case ("apps", "ControllerRevision"): diagnostics += validateControllerRevision(resource)
        default: break
        }
        return diagnostics
    }

    // MARK: Every object

    /// apiVersion, kind, and metadata by Kubernetes rules.
    func validateObject(_ resource: Resource) -> [Diagnostic] {
        let subject = ObjectName(resource)
        var out: [Diagnostic] = []
        if resource.object["apiVersion"]?.stringValue?.isEmpty ?? true {
            out.append(.error(subject, "apiVersion", "apiVersion is required"))
        }
        if resource.object["kind"]?.stringValue?.isEmpty ?? true {
            out.append(.error(subject, "kind", "kind is required"))
        }
        if let metadata = resource.object["metadata"], metadata.objectValue == nil {
            out.append(.error(subject, "metadata", "expected an object, found \(metadata.typeName)"))
            return out
        }
        out += Self.metadataDiagnostics(resource.object["metadata"] ?? .emptyObject, subject: subject,
                                        path: "metadata", nameRequired: true)
        return out
    }

    /// Name, namespace, labels and annotations of a `metadata` object.
    static func metadataDiagnostics(_ metadata: JSONValue, subject: ObjectName?, path: FieldPath, nameRequired: Bool)
        -> [Diagnostic]
    {
        var out: [Diagnostic] = []
        let name = metadata["name"]
        if let name, name.stringValue == nil {
            out.append(.error(subject, path.appending("name"), "expected a string, found \(name.typeName)" + Self.yamlHint(name)))
        } else if let text = name?.stringValue, !text.isEmpty {
            for problem in NameRules.dns1123Subdomain(text) {
                out.append(.error(subject, path.appending("name"), "invalid name \"\(text)\": \(problem)"))
            }
        } else if nameRequired, metadata["generateName"]?.stringValue?.isEmpty ?? true {
            out.append(.error(subject, path.appending("name"), "metadata.name is required"))
        }
        if let namespace = metadata["namespace"]?.stringValue {
            for problem in NameRules.dns1123Label(namespace) {
                out.append(.error(subject, path.appending("namespace"), "invalid namespace \"\(namespace)\": \(problem)"))
            }
        }
        for field in ["labels", "annotations"] {
            guard let map = metadata[field] else { continue }
            guard case .object(let members) = map else {
                if !map.isNull {
                    out.append(.error(subject, path.appending(field), "expected an object, found \(map.typeName)"))
                }
                continue
            }
            for (key, value) in members {
                let keyPath = path.appending(field).appending(key)
                for problem in NameRules.qualifiedName(key) {
                    out.append(.error(subject, keyPath, "invalid \(field == "labels" ? "label" : "annotation") key \"\(key)\": \(problem)"))
                }
                guard let text = value.stringValue else {
                    out.append(.error(subject, keyPath, "expected a string, found \(value.typeName)" + Self.yamlHint(value)))
                    continue
                }
                if field == "labels" {
                    for problem in NameRules.labelValue(text) {
                        out.append(.error(subject, keyPath, "invalid label value \"\(text)\": \(problem)"))
                    }
                }
            }
        }
        return out
    }

    /// A hint for values YAML did not read as the strings they look like.
    static func yamlHint(_ value: JSONValue) -> String {
        switch value {
        case .bool: " (YAML reads unquoted y, yes, on, true… as booleans: quote the value)"
        case .int, .double: " (quote the value to make it a string)"
        default: ""
        }
    }

    func decodeDiagnostics<T: TypedObject>(_ type: T.Type, _ resource: Resource) -> [Diagnostic] {
        do {
            _ = try T(resource)
            return []
        } catch {
            return [.error(ObjectName(resource), error.path, error.message)]
        }
    }

    func decode<T: TypedObject>(_ type: T.Type, _ resource: Resource, into diagnostics: inout [Diagnostic]) -> T? {
        do {
            return try T(resource)
        } catch {
            diagnostics.append(.error(ObjectName(resource), error.path, error.message))
            return nil
        }
    }

    static func parseFieldPath(_ text: String, subject: ObjectName?, path: FieldPath, into out: inout [Diagnostic])
        -> FieldPath?
    {
        do {
            return try FieldPath(parsing: text)
        } catch {
            out.append(.error(subject, path, error.description))
            return nil
        }
    }

    // MARK: Definitions

    func validateTraitDefinition(_ resource: Resource) -> [Diagnostic] {
        var out: [Diagnostic] = []
        guard let definition = decode(TraitDefinition.self, resource, into: &out) else { return out }
        let subject = ObjectName(resource)
        if definition.spec.definitionRef.name.isEmpty {
            out.append(.error(subject, "spec.definitionRef.name", "definitionRef.name is required"))
        }
        if let path = definition.spec.workloadRefPath, !path.isEmpty {
            _ = Self.parseFieldPath(path, subject: subject, path: "spec.workloadRefPath", into: &out)
        }
        return out
    }

    func validateScopeDefinition(_ resource: Resource) -> [Diagnostic] {
        var out: [Diagnostic] = []
        guard let definition = decode(ScopeDefinition.self, resource, into: &out) else { return out }
        if let path = definition.spec.workloadRefsPath, !path.isEmpty {
            _ = Self.parseFieldPath(path, subject: ObjectName(resource), path: "spec.workloadRefsPath", into: &out)
        }
        return out
    }

    func validateManualScaler(_ resource: Resource) -> [Diagnostic] {
        var out: [Diagnostic] = []
        guard let trait = decode(ManualScalerTrait.self, resource, into: &out) else { return out }
        if trait.spec.replicaCount < 0 {
            out.append(.error(ObjectName(resource), "spec.replicaCount", "must be 0 or more, found \(trait.spec.replicaCount)"))
        }
        return out
    }

    func validateControllerRevision(_ resource: Resource) -> [Diagnostic] {
        guard resource.labels[OAM.Label.controllerRevisionComponent] != nil || resource.object["data"]?["kind"]?
            .stringValue == Component.kind
        else { return [] }
        do {
            let component = try ComponentSnapshot.component(from: resource)
            return validateWorkloadTemplate(component.spec.workload, subject: ObjectName(resource),
                                            path: "data.spec.workload")
        } catch let error as JSONValueDecodingError {
            return [.error(ObjectName(resource), error.path, error.message)]
        } catch {
            return [.error(ObjectName(resource), "data", "\(error)")]
        }
    }
}
