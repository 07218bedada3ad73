import OrderedCollections
import Resources

extension Validator {
    /// An ApplicationConfiguration: spec §10.4, parameters, traits, scopes and dependencies.
    func validateApplicationConfiguration(_ resource: Resource) -> [Diagnostic] {
        var out: [Diagnostic] = []
        guard let appConfig = decode(ApplicationConfiguration.self, resource, into: &out) else { return out }
        let subject = ObjectName(resource)
        let namespace = resource.namespace ?? "default"
        var graph = DependencyGraph()

        for (index, entry) in appConfig.spec.components.enumerated() {
            let path = FieldPath([.field("spec"), .field("components"), .index(index)])
            let component = resolveComponent(entry, namespace: namespace, subject: subject, path: path, into: &out)
            let componentName = component?.name ?? entry.resolvedComponentName

            // Workload and its definition.
            var workloadDefinition: (name: String, definition: WorkloadDefinition?)?
            if let component, case .object = component.spec.workload {
                let definition = catalog.workloadDefinition(for: component.spec.workload)
                workloadDefinition = definition
                if definition.definition == nil {
                    out.append(.warning(subject, path,
                        "no WorkloadDefinition \"\(definition.name)\" for the workload of component \"\(componentName)\"; traits that need one (scalers, health) will not find its children"))
                }
            }
            if let component {
                out += validateParameters(entry, component: component, subject: subject, path: path)
            }

            // Traits.
            var traitTypes: [String: Int] = [:]
            var revisionEnabled = false
            var attached: [AttachedTrait] = []
            for (traitIndex, trait) in (entry.traits ?? []).enumerated() {
                let traitPath = path.appending("traits").appending(index: traitIndex).appending("trait")
                guard let definition = validateTrait(trait.trait, subject: subject, path: traitPath, into: &out) else {
                    continue
                }
                if let first = traitTypes[definition.name] {
                    out.append(.error(subject, traitPath,
                        "component \"\(componentName)\" already has a trait of type \"\(definition.name)\" (traits[\(first)]); at most one of each type is allowed"))
                } else {
                    traitTypes[definition.name] = traitIndex
                }
                guard let traitDefinition = definition.definition else { continue }
                attached.append(AttachedTrait(index: traitIndex, name: definition.name, definition: traitDefinition))
                revisionEnabled = revisionEnabled || traitDefinition.isRevisionEnabled
                if let workloadDefinition, let component {
                    out += appliesTo(traitDefinition, workload: component.spec.workload,
                                     workloadDefinition: workloadDefinition, component: componentName,
                                     subject: subject, path: traitPath)
                }
            }
            out += traitConflicts(attached, component: componentName, subject: subject, path: path)
            if revisionEnabled, let component {
                out += revisionEnabledNaming(entry, component: component, subject: subject, path: path)
            }

            out += validateScopes(entry, component: componentName, namespace: namespace, subject: subject, path: path)

            // Data flow: collect for the checks across entries.
            graph.add(node: .init(entry: index, trait: nil), label: "component \"\(componentName)\"",
                      outputs: entry.dataOutputs ?? [], inputs: entry.dataInputs ?? [], path: path)
            for (traitIndex, trait) in (entry.traits ?? []).enumerated() {
                let kind = trait.trait["kind"]?.stringValue ?? "trait"
                graph.add(node: .init(entry: index, trait: traitIndex),
                          label: "trait \(kind) of component \"\(componentName)\"",
                          outputs: trait.dataOutputs ?? [], inputs: trait.dataInputs ?? [],
                          path: path.appending("traits").appending(index: traitIndex))
            }
        }
        out += graph.diagnostics(subject: subject)
        return out
    }

    func resolveComponent(
        _ entry: ApplicationConfiguration.ComponentEntry, namespace: String, subject: ObjectName, path: FieldPath,
        into out: inout [Diagnostic]
    ) -> Component? {
        let componentName = entry.componentName ?? ""
        let revisionName = entry.revisionName ?? ""
        if !componentName.isEmpty && !revisionName.isEmpty {
            out.append(.error(subject, path,
                "componentName \"\(componentName)\" and revisionName \"\(revisionName)\" are mutually exclusive, you can only specify one of them"))
            return nil
        }
        if componentName.isEmpty && revisionName.isEmpty {
            out.append(.error(subject, path, "either componentName or revisionName is required"))
            return nil
        }
        if !revisionName.isEmpty {
            guard let revision = catalog.revision(named: revisionName, namespace: namespace) else {
                out.append(.error(subject, path.appending("revisionName"),
                    "component revision \"\(revisionName)\" not found in namespace \(namespace) (give the ControllerRevision, or use componentName to follow the latest revision)"))
                return nil
            }
            return try? ComponentSnapshot.component(from: revision)
        }
        guard let component = catalog.component(named: componentName, namespace: namespace) else {
            let known = catalog.componentNames(namespace: namespace)
            out.append(.error(subject, path.appending("componentName"),
                "component \"\(componentName)\" not found in namespace \(namespace)" +
                (known.isEmpty ? "" : " (components there: \(known.joined(separator: ", ")))")))
            return nil
        }
        return component
    }

    /// Unknown and missing parameter values.
    func validateParameters(
        _ entry: ApplicationConfiguration.ComponentEntry, component: Component, subject: ObjectName, path: FieldPath
    ) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let declared = component.spec.parameters ?? []
        var supplied: [String: Int] = [:]
        for (index, value) in (entry.parameterValues ?? []).enumerated() {
            let valuePath = path.appending("parameterValues").appending(index: index)
            if !declared.contains(where: { $0.name == value.name }) {
                let known = declared.map(\.name).joined(separator: ", ")
                out.append(.error(subject, valuePath.appending("name"),
                    "unknown parameter \"\(value.name)\" (Component/\(component.name) declares: \(known.isEmpty ? "none" : known))"))
            }
            if let first = supplied[value.name] {
                out.append(.warning(subject, valuePath.appending("name"),
                    "parameter \"\(value.name)\" is set twice; this value overrides parameterValues[\(first)]"))
            } else {
                supplied[value.name] = index
            }
        }
        for parameter in declared where parameter.isRequired && supplied[parameter.name] == nil {
            out.append(.error(subject, path.appending("parameterValues"),
                "required parameter \"\(parameter.name)\" of Component/\(component.name) is not set"))
        }
        return out
    }

    /// The trait object itself (spec §10.4 rule 1) and its definition; `nil` when unusable.
    func validateTrait(_ trait: JSONValue, subject: ObjectName, path: FieldPath, into out: inout [Diagnostic])
        -> (name: String, definition: TraitDefinition?)?
    {
        guard case .object(let members) = trait else {
            out.append(.error(subject, path, "the trait must be an object, found \(trait.typeName)"))
            return nil
        }
        var usable = true
        if members["name"] != nil {
            out.append(.error(subject, path.appending("name"),
                "the trait contains 'name' info that should be mutated to GVK; write its apiVersion and kind"))
            usable = false
        }
        if members["properties"] != nil {
            out.append(.error(subject, path.appending("properties"),
                "the trait contains 'properties' info that should be mutated to spec; write them under spec"))
            usable = false
        }
        for field in ["apiVersion", "kind"] where members[field]?.stringValue?.isEmpty ?? true {
            out.append(.error(subject, path.appending(field), "the trait needs \(field)"))
            usable = false
        }
        if let metadata = members["metadata"] {
            out += Self.metadataDiagnostics(metadata, subject: subject, path: path.appending("metadata"),
                                            nameRequired: false)
        }
        guard usable else { return nil }
        let definition = catalog.traitDefinition(for: trait)
        if definition.definition == nil {
            out.append(.warning(subject, path,
                "no TraitDefinition \"\(definition.name)\": No valid TraitDefinition found, all framework capabilities will work as default or disabled"))
        }
        return definition
    }

    /// `appliesToWorkloads` (spec §10.4 rule 4, accepting the documented `kind.group/version` form too, §12.15).
    func appliesTo(
        _ trait: TraitDefinition, workload: JSONValue, workloadDefinition: (name: String, definition: WorkloadDefinition?),
        component: String, subject: ObjectName, path: FieldPath
    ) -> [Diagnostic] {
        let allowed = trait.spec.appliesToWorkloads ?? []
        guard !allowed.isEmpty else { return [] }
        let crdName = workloadDefinition.definition?.spec.definitionRef.name ?? workloadDefinition.name
        let crdGroup = crdName.split(separator: ".", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
        let gvk = GroupVersionKind(apiVersion: workload["apiVersion"]?.stringValue ?? "",
                                   kind: workload["kind"]?.stringValue ?? "")
        let kindForms: Set<String> = [
            "\(gvk.kind).\(gvk.group)/\(gvk.version)".lowercased(), "\(gvk.kind).\(gvk.group)".lowercased(),
            "\(gvk.group)/\(gvk.version).\(gvk.kind)".lowercased(),
        ]
        for entry in allowed {
            if entry == "*" || entry == crdName || entry == workloadDefinition.name || entry == "*.\(crdGroup)"
                || kindForms.contains(entry.lowercased())
            {
                return []
            }
        }
        let list = allowed.map { "\"\($0)\"" }.joined(separator: " ")
        return [.error(subject, path,
            "the trait \"\(trait.name)\" cannot apply to workload \"\(workloadDefinition.name)\" of component \"\(component)\" (appliable: [\(list)])")]
    }

    /// With a revisionEnabled trait every revision gets its own workload, named by the runtime
    /// (spec §10.4 rule 3).
    func revisionEnabledNaming(
        _ entry: ApplicationConfiguration.ComponentEntry, component: Component, subject: ObjectName, path: FieldPath
    ) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let nameParameters = Set((component.spec.parameters ?? [])
            .filter { $0.fieldPaths.contains { $0.contains("metadata.name") } }.map(\.name))
        for (index, value) in (entry.parameterValues ?? []).enumerated() where nameParameters.contains(value.name) {
            out.append(.error(subject, path.appending("parameterValues").appending(index: index),
                "versioning-enabled component's workload name MUST NOT be assigned, expect workload name \"\(value.value)\" to be empty."))
        }
        if let name = component.spec.workload["metadata"]?["name"]?.stringValue, !name.isEmpty {
            out.append(.error(ObjectName(component.resource), "spec.workload.metadata.name",
                "versioning-enabled component's workload name MUST NOT be assigned, expect workload name \"\(name)\" to be empty."))
        }
        return out
    }

    /// Scopes exist, have a definition, and do not overlap where the definition forbids it.
    func validateScopes(
        _ entry: ApplicationConfiguration.ComponentEntry, component: String, namespace: String, subject: ObjectName,
        path: FieldPath
    ) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var byDefinition: [String: (index: Int, name: String)] = [:]
        for (index, scope) in (entry.scopes ?? []).enumerated() {
            let scopePath = path.appending("scopes").appending(index: index).appending("scopeRef")
            let reference = scope.scopeRef
            if catalog.object(apiVersion: reference.apiVersion, kind: reference.kind, namespace: namespace,
                              name: reference.name) == nil
            {
                out.append(.error(subject, scopePath,
                    "scope \(reference.kind)/\(reference.name) not found in namespace \(namespace)"))
            }
            let definition = catalog.scopeDefinition(for: reference)
            guard let scopeDefinition = definition.definition else {
                out.append(.error(subject, scopePath,
                    "no ScopeDefinition \"\(definition.name)\" for scope \(reference.kind)/\(reference.name); scopes need one"))
                continue
            }
            if let first = byDefinition[definition.name], first.name != reference.name,
                !scopeDefinition.spec.allowComponentOverlap
            {
                out.append(.error(subject, scopePath,
                    "component \"\(component)\" is in two scopes of type \"\(definition.name)\" (\(first.name) and \(reference.name)), which does not allow component overlap"))
            } else if byDefinition[definition.name] == nil {
                byDefinition[definition.name] = (index, reference.name)
            }
        }
        return out
    }
}
