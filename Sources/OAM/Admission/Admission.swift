import OrderedCollections
public import Resources

/// Mutation and validation of Components and ApplicationConfigurations on create and update, as
/// the reference runtime's admission webhooks do (spec §10) — pure: the verdict depends only on
/// the objects, the ``Catalog`` and the ``DefinedKinds``.
///
/// Mutation runs first (§10.1: a Component's `spec.workload.type` becomes `apiVersion`/`kind`
/// through its WorkloadDefinition; §10.3: a trait's `name`/`properties` become `apiVersion`/`kind`
/// and `spec` through its TraitDefinition), then validation of the result with the
/// foundation's ``Validator`` (which covers §10.2 and §10.4 and more).
///
/// **What denies and what only warns** (spec §12.14). The reference webhook denies an
/// ApplicationConfiguration whose Workload- or TraitDefinition is missing, while its controller
/// renders such traits with a dummy definition; users hit that inconsistency (kubevela #1628).
/// Here admission denies only what is wrong with the object itself or contradicts what exists
/// (a malformed trait, unknown parameters, `appliesToWorkloads`, revisionEnabled naming…), and
/// *warns* about references to things that may simply not exist yet — a missing TraitDefinition
/// (the controller uses the dummy definition), a missing WorkloadDefinition, and, beyond the
/// reference, a Component, component revision, scope or ScopeDefinition not found — because
/// `kubectl apply -f dir/` creates objects in file-name order and the controller reports those on
/// the status until they appear. Mutation is different: a `type` or trait `name` whose
/// definition (or the kind it names) is unknown cannot be rewritten, so it is denied.
///
/// On an update that leaves `spec` unchanged, and on an object being deleted, nothing is checked:
/// metadata-only writes (finalizers, labels) must not be refused because a definition or
/// component changed since the object was admitted.
///
/// ```swift
/// let admission = Admission(catalog: catalog, kinds: DefinedKinds(crds: crds))
/// switch admission.admit(object, old: nil) {
/// case .allowed(let mutated, let warnings): …
/// case .denied(let diagnostics): …
/// }
/// ```
public struct Admission: Sendable {
    /// Definitions, components and revisions that exist.
    public var catalog: Catalog
    /// What definition names stand for, for mutation.
    public var kinds: DefinedKinds

    /// Admission over what exists: `catalog` for definitions, components, revisions and scopes;
    /// `kinds` for what definition names stand for (the built-in kinds when not given).
    public init(catalog: Catalog, kinds: DefinedKinds = DefinedKinds()) {
        self.catalog = catalog
        self.kinds = kinds
    }

    /// Mutates, then validates the result: what an API server with both webhooks does.
    public func admit(_ object: Resource, old: Resource?) -> AdmissionVerdict {
        switch mutate(object, old: old) {
        case .denied(let diagnostics):
            return .denied(diagnostics)
        case .allowed(let mutated, let warnings):
            switch validate(mutated, old: old) {
            case .allowed(let result, let more): return .allowed(result, warnings: warnings + more)
            case .denied(let diagnostics): return .denied(warnings + diagnostics)
            }
        }
    }

    /// The mutating step only (spec §10.1, §10.3); other kinds pass unchanged.
    public func mutate(_ object: Resource, old: Resource?) -> AdmissionVerdict {
        guard Self.isChecked(object, old: old) else { return .allowed(object, warnings: []) }
        var mutated = object
        var diagnostics: [Diagnostic] = []
        switch object.kind {
        case Component.kind: mutateComponent(&mutated, into: &diagnostics)
        case ApplicationConfiguration.kind: mutateApplicationConfiguration(&mutated, into: &diagnostics)
        default: break
        }
        return diagnostics.hasErrors ? .denied(diagnostics) : .allowed(mutated, warnings: diagnostics)
    }

    /// The validating step only (spec §10.2, §10.4 and the ``Validator``'s checks); other kinds
    /// pass unchanged.
    public func validate(_ object: Resource, old: Resource?) -> AdmissionVerdict {
        guard Self.isChecked(object, old: old),
            object.kind == Component.kind || object.kind == ApplicationConfiguration.kind
        else { return .allowed(object, warnings: []) }
        var diagnostics = Validator(catalog: catalog).validate(object)
        if object.kind == ApplicationConfiguration.kind {
            diagnostics = softenMissingReferences(diagnostics, of: object)
        }
        return diagnostics.hasErrors ? .denied(diagnostics) : .allowed(object, warnings: diagnostics)
    }

    /// Whether admission looks at this write at all: OAM objects, not being deleted, and on
    /// update only when `spec` changed.
    static func isChecked(_ object: Resource, old: Resource?) -> Bool {
        guard GroupVersion(apiVersion: object.apiVersion).group == OAM.group, !object.isBeingDeleted else {
            return false
        }
        if let old, old.spec == object.spec { return false }
        return true
    }

    // MARK: Component (spec §10.1)

    func mutateComponent(_ component: inout Resource, into out: inout [Diagnostic]) {
        let subject = ObjectName(component)
        let path: FieldPath = "spec.workload"
        guard case .object(let workload)? = component.valueIfPresent(at: path), let typeValue = workload["type"] else {
            return
        }
        guard let type = typeValue.stringValue, !type.isEmpty else {
            out.append(.error(subject, path.appending("type"),
                "the workload type must be the name of a WorkloadDefinition, found \(typeValue.typeName)"))
            return
        }
        guard let definition = catalog.workloadDefinitions[type] else {
            let known = catalog.workloadDefinitions.keys.sorted().joined(separator: ", ")
            out.append(.error(subject, path.appending("type"),
                "no WorkloadDefinition \"\(type)\" to turn the workload type into apiVersion and kind (installed: \(known.isEmpty ? "none" : known))"))
            return
        }
        let reference = definition.spec.definitionRef
        guard let gvk = kinds.groupVersionKind(for: reference) else {
            out.append(.error(subject, path.appending("type"),
                "WorkloadDefinition \"\(type)\" refers to \"\(reference.name)\", which is no kind this server serves; install its CustomResourceDefinition first"))
            return
        }
        var rewritten: JSONObject = ["apiVersion": .string(gvk.apiVersion), "kind": .string(gvk.kind)]
        for (key, value) in workload where !["type", "apiVersion", "kind"].contains(key) { rewritten[key] = value }
        // The reference replaces the template's labels and annotations with the Component's; here
        // the template keeps its own, the Component's are added, and the type label wins.
        var metadata = rewritten["metadata"]?.objectValue ?? [:]
        if let namespace = component.namespace, !namespace.isEmpty { metadata["namespace"] = .string(namespace) }
        var labels = metadata["labels"]?.objectValue ?? [:]
        for (key, value) in component.labels { labels[key] = .string(value) }
        labels[OAM.Label.workloadType] = .string(type)
        metadata["labels"] = .object(labels)
        // kubectl's record of what it applied describes the Component, not the workload.
        let annotations = component.annotations.filter { $0.key != Self.lastAppliedAnnotation }
        if !annotations.isEmpty {
            var merged = metadata["annotations"]?.objectValue ?? [:]
            for (key, value) in annotations { merged[key] = .string(value) }
            metadata["annotations"] = .object(merged)
        }
        rewritten["metadata"] = .object(metadata)
        set(.object(rewritten), at: path, in: &component, subject: subject, into: &out)
    }

    static let lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

    // MARK: ApplicationConfiguration (spec §10.3)

    func mutateApplicationConfiguration(_ appConfig: inout Resource, into out: inout [Diagnostic]) {
        let subject = ObjectName(appConfig)
        let entries = appConfig.valueIfPresent(at: "spec.components")?.arrayValue ?? []
        for (index, entry) in entries.enumerated() {
            for (traitIndex, item) in (entry["traits"]?.arrayValue ?? []).enumerated() {
                let path = FieldPath([
                    .field("spec"), .field("components"), .index(index), .field("traits"), .index(traitIndex),
                    .field("trait"),
                ])
                guard case .object(let trait)? = item["trait"], let nameValue = trait["name"] else { continue }
                guard let rewritten = mutateTrait(trait, name: nameValue, subject: subject, path: path, into: &out)
                else { continue }
                set(.object(rewritten), at: path, in: &appConfig, subject: subject, into: &out)
            }
        }
    }

    /// A trait written as `name` + `properties`, rewritten as `apiVersion`/`kind` + `spec`.
    func mutateTrait(
        _ trait: JSONObject, name nameValue: JSONValue, subject: ObjectName, path: FieldPath,
        into out: inout [Diagnostic]
    ) -> JSONObject? {
        guard let name = nameValue.stringValue, !name.isEmpty else {
            out.append(.error(subject, path.appending("name"),
                "name of trait should be the name of a TraitDefinition, found \(nameValue.typeName)"))
            return nil
        }
        guard let definition = catalog.traitDefinitions[name] else {
            let known = catalog.traitDefinitions.keys.sorted().joined(separator: ", ")
            out.append(.error(subject, path.appending("name"),
                "no TraitDefinition \"\(name)\" to turn the trait name into apiVersion and kind (installed: \(known.isEmpty ? "none" : known))"))
            return nil
        }
        let reference = definition.spec.definitionRef
        guard let gvk = kinds.groupVersionKind(for: reference) else {
            out.append(.error(subject, path.appending("name"),
                "TraitDefinition \"\(name)\" refers to \"\(reference.name)\", which is no kind this server serves; install its CustomResourceDefinition first"))
            return nil
        }
        var rewritten: JSONObject = ["apiVersion": .string(gvk.apiVersion), "kind": .string(gvk.kind)]
        for (key, value) in trait where !["name", "properties", "apiVersion", "kind"].contains(key) {
            rewritten[key] = value
        }
        if let properties = trait["properties"] { rewritten["spec"] = properties }
        var metadata = rewritten["metadata"]?.objectValue ?? [:]
        var labels = metadata["labels"]?.objectValue ?? [:]
        labels[OAM.Label.traitType] = .string(name)
        metadata["labels"] = .object(labels)
        rewritten["metadata"] = .object(metadata)
        return rewritten
    }

    private func set(
        _ value: JSONValue, at path: FieldPath, in resource: inout Resource, subject: ObjectName,
        into out: inout [Diagnostic]
    ) {
        do {
            try resource.setValue(value, at: path)
        } catch {
            out.append(.error(subject, path, "cannot write the mutated value: \(error)"))
        }
    }

    // MARK: References that may exist later

    /// The Validator's "not found" errors for components, revisions, scopes and
    /// ScopeDefinitions, turned into warnings (see the type's discussion).
    func softenMissingReferences(_ diagnostics: [Diagnostic], of appConfig: Resource) -> [Diagnostic] {
        guard let decoded = try? ApplicationConfiguration(appConfig) else { return diagnostics }
        let namespace = appConfig.namespace ?? "default"
        var missing: [FieldPath: [String]] = [:]  // path → message prefixes to soften there
        for (index, entry) in decoded.spec.components.enumerated() {
            let path = FieldPath([.field("spec"), .field("components"), .index(index)])
            if let name = entry.componentName, !name.isEmpty, entry.revisionName?.isEmpty ?? true,
                catalog.component(named: name, namespace: namespace) == nil
            {
                missing[path.appending("componentName"), default: []].append("")
            }
            if let name = entry.revisionName, !name.isEmpty, entry.componentName?.isEmpty ?? true,
                catalog.revision(named: name, namespace: namespace) == nil
            {
                missing[path.appending("revisionName"), default: []].append("")
            }
            for (scopeIndex, scope) in (entry.scopes ?? []).enumerated() {
                let scopePath = path.appending("scopes").appending(index: scopeIndex).appending("scopeRef")
                let reference = scope.scopeRef
                if catalog.object(apiVersion: reference.apiVersion, kind: reference.kind, namespace: namespace,
                                  name: reference.name) == nil
                {
                    missing[scopePath, default: []].append("scope ")
                }
                if catalog.scopeDefinition(for: reference).definition == nil {
                    missing[scopePath, default: []].append("no ScopeDefinition ")
                }
            }
        }
        guard !missing.isEmpty else { return diagnostics }
        return diagnostics.map { diagnostic in
            guard diagnostic.severity == .error, let path = diagnostic.path, let prefixes = missing[path],
                prefixes.contains(where: { diagnostic.message.hasPrefix($0) })
            else { return diagnostic }
            var softened = diagnostic
            softened.severity = .warning
            softened.message += "; admitted anyway: the controller reports it on the status until it exists"
            return softened
        }
    }
}
