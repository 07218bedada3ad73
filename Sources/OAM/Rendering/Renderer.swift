import OrderedCollections
import Resources

/// Turns an ApplicationConfiguration into the objects it stands for (spec §4.3, §4.4, §6).
///
/// Pure: the result depends only on the AppConfig and the ``Catalog``; there is no I/O and no
/// clock, and the output order follows `spec.components`. The controllers call the very same
/// code with their live state in the catalog; `mizzen render` calls it with files.
///
/// ```swift
/// let rendered = Renderer(catalog: catalog).render(appConfig)
/// for object in rendered.objects where object.isReady { apply(object.object) }
/// ```
///
/// Differences from the reference runtime, each a fix listed in spec §12:
/// - a component entry that cannot render is reported in ``RenderedApplication/errors`` and the
///   other entries still render (§12.11);
/// - an unnamed trait reuses the name of the trait of the same kind *at the same position* in
///   `status.workloads`, so two unnamed traits of one kind do not collapse (§12.9);
/// - scopes list only workloads that are ready to be applied (§12.10);
/// - the AppConfig's `kubectl.kubernetes.io/last-applied-configuration` annotation is not passed
///   down to workloads and traits (reference issue #264);
/// - every data input of an object is evaluated, so the status lists every edge, not only the
///   first unsatisfied one.
public struct Renderer: Sendable {
    public var catalog: Catalog
    /// Kinds the API server does not serve (no CustomResourceDefinition defines them, found by
    /// discovery): an entry whose workload or trait is of one of them does not render, with an
    /// error naming the object, so that nothing of it is applied. Empty offline.
    public var unservedKinds: Set<GroupVersionKind>

    public init(catalog: Catalog, unservedKinds: Set<GroupVersionKind> = []) {
        self.catalog = catalog
        self.unservedKinds = unservedKinds
    }

    /// Annotations never copied from the AppConfig onto what it renders.
    static let annotationsNotPassedThrough: Set<String> = ["kubectl.kubernetes.io/last-applied-configuration"]

    /// Renders `appConfig`.
    public func render(_ appConfig: ApplicationConfiguration) -> RenderedApplication {
        var context = RenderContext(appConfig: appConfig, catalog: catalog, unservedKinds: unservedKinds)
        var components: [RenderedComponent] = []
        components.reserveCapacity(appConfig.spec.components.count)
        var outputs: [String: OutputSource] = [:]

        // Pass 1: render every entry and register every data output.
        var failedEntries: [Int] = []
        for (index, entry) in appConfig.spec.components.enumerated() {
            guard let rendered = context.renderEntry(entry, at: index) else {
                failedEntries.append(index)
                continue
            }
            context.registerOutputs(entry.dataOutputs, source: rendered.workload.object, into: &outputs)
            for (traitIndex, trait) in (entry.traits ?? []).enumerated() where traitIndex < rendered.traits.count {
                context.registerOutputs(trait.dataOutputs, source: rendered.traits[traitIndex].object, into: &outputs)
            }
            components.append(rendered)
        }

        // Pass 2: evaluate every data input against the outputs and the observed objects, in place.
        var failed: Set<Int> = []
        for position in components.indices {
            let entryIndex = components[position].entryIndex
            let entry = appConfig.spec.components[entryIndex]
            // Only errors need the path.
            var base: FieldPath { FieldPath([.field("spec"), .field("components"), .index(entryIndex)]) }
            guard
                context.resolveInputs(
                    entry.dataInputs, into: &components[position].workload, outputs: outputs,
                    path: { base.appending("dataInputs") })
            else {
                failed.insert(position)
                continue
            }
            for (traitIndex, trait) in (entry.traits ?? []).enumerated()
            where traitIndex < components[position].traits.count {
                if !context.resolveInputs(
                    trait.dataInputs, into: &components[position].traits[traitIndex], outputs: outputs,
                    path: { base.appending("traits").appending(index: traitIndex).appending("dataInputs") })
                {
                    failed.insert(position)
                    break
                }
            }
        }
        if !failed.isEmpty {
            failedEntries += failed.map { components[$0].entryIndex }
            failedEntries.sort()
            components = components.enumerated().filter { !failed.contains($0.offset) }.map(\.element)
        }
        // Stores: outputs write to them, after the inputs (spec §6.6).
        let stores = context.renderStores(&components)
        var edges: [DataEdge] = []
        for component in components {
            edges += component.workload.outputs + component.workload.inputs
            for trait in component.traits { edges += trait.outputs + trait.inputs }
        }

        let scopes = context.renderScopes(components)
        return RenderedApplication(
            components: components, scopes: scopes, dataEdges: edges, errors: context.errors,
            failedEntries: failedEntries, stores: stores)
    }
}

/// The type of a trait, for counting traits of one type on a component.
struct TraitKind: Hashable {
    var apiVersion: String
    var kind: String
}

/// Where a named data output comes from.
struct OutputSource {
    var apiVersion: String
    var kind: String
    var name: String
    var namespace: String
    var output: DataOutput
}

/// The state of one render: the inputs and the errors found so far.
struct RenderContext {
    let appConfig: ApplicationConfiguration
    let catalog: Catalog
    let unservedKinds: Set<GroupVersionKind>
    let namespace: String
    let subject: ObjectName
    /// What every rendered object gets from the AppConfig, computed once per render.
    let passedLabels: JSONObject
    let passedAnnotations: JSONObject
    /// The keys of the labels of an object without metadata, and their values with the
    /// component, revision and type still to fill in (at 1, 2 and 3).
    let freshLabelKeys: ContiguousArray<String>
    let freshLabelValues: ContiguousArray<JSONValue>
    /// The annotations of an object without metadata: the same for every object of a render.
    let freshAnnotations: JSONValue
    let generation: JSONValue
    let ownerReferences: JSONValue
    let appName: JSONValue
    let namespaceValue: JSONValue
    var errors: [Diagnostic] = []
    /// The scope objects found while rendering entries, so that scopes are looked up once.
    var scopeObjects: [(reference: TypedReference, object: Resource)] = []

    init(appConfig: ApplicationConfiguration, catalog: Catalog, unservedKinds: Set<GroupVersionKind> = []) {
        self.appConfig = appConfig
        self.catalog = catalog
        self.unservedKinds = unservedKinds
        self.namespace = appConfig.namespace ?? "default"
        self.subject = ObjectName(kind: ApplicationConfiguration.kind, namespace: namespace, name: appConfig.name)
        let metadata = appConfig.resource.object["metadata"]
        // Filtering copies; most AppConfigs have nothing to filter out.
        let givenLabels = metadata?["labels"]?.objectValue ?? [:]
        self.passedLabels = givenLabels.values.allSatisfy { $0.stringValue != nil }
            ? givenLabels : givenLabels.filter { $0.value.stringValue != nil }
        let givenAnnotations = metadata?["annotations"]?.objectValue ?? [:]
        let passAnnotation: ((key: String, value: JSONValue)) -> Bool = {
            $0.value.stringValue != nil && !Renderer.annotationsNotPassedThrough.contains($0.key)
        }
        self.passedAnnotations = givenAnnotations.allSatisfy(passAnnotation)
            ? givenAnnotations : givenAnnotations.filter(passAnnotation)
        var labelKeys: ContiguousArray<String> = [OAM.Label.appName, OAM.Label.component, OAM.Label.revision,
                                                  OAM.Label.resourceType]
        var labelValues: ContiguousArray<JSONValue> = [.string(appConfig.name), .null, .null, .null]
        for (key, value) in passedLabels where !labelKeys[..<4].contains(key) {
            labelKeys.append(key)
            labelValues.append(value)
        }
        self.freshLabelKeys = labelKeys
        self.freshLabelValues = labelValues
        var annotations = JSONObject(minimumCapacity: 1 + passedAnnotations.count)
        annotations[OAM.Annotation.generation] = .string(String(appConfig.resource.generation ?? 1))
        for (key, value) in passedAnnotations where annotations[key] == nil {
            annotations[key] = value
        }
        self.freshAnnotations = .object(annotations)
        self.generation = .string(String(appConfig.resource.generation ?? 1))
        self.appName = .string(appConfig.name)
        self.namespaceValue = .string(namespace)
        self.ownerReferences = .array([OwnerReference(
            apiVersion: OAM.apiVersion, kind: ApplicationConfiguration.kind, name: appConfig.name,
            uid: appConfig.resource.uid ?? "", controller: true, blockOwnerDeletion: true).json])
    }

    mutating func fail(_ path: FieldPath, _ message: String) {
        errors.append(.error(subject, path, message))
    }

    // MARK: Components (spec §4.3)

    /// The component an entry uses and the revision it renders, or `nil` after recording why not.
    mutating func resolveComponent(
        _ entry: ApplicationConfiguration.ComponentEntry, path: FieldPath
    ) -> (component: Component, revisionName: String)? {
        if let revisionName = entry.revisionName, !revisionName.isEmpty {
            guard let revision = catalog.revision(named: revisionName, namespace: namespace) else {
                fail(path.appending("revisionName"),
                     "component revision \"\(revisionName)\" does not exist (a ControllerRevision of that name is needed)")
                return nil
            }
            do {
                var snapshot = try ComponentSnapshot.component(from: revision)
                if snapshot.latestRevision == nil {
                    let number = revision.object["revision"]?.intValue ?? 0
                    var status = snapshot.status ?? Component.Status()
                    status.latestRevision = .init(name: revisionName, revision: number)
                    snapshot.status = status
                }
                return (snapshot, revisionName)
            } catch {
                fail(path.appending("revisionName"),
                     "cannot read component revision \"\(revisionName)\": \(error)")
                return nil
            }
        }
        let name = entry.componentName ?? ""
        guard !name.isEmpty else {
            fail(path, "neither componentName nor revisionName is set")
            return nil
        }
        guard let component = catalog.component(named: name, namespace: namespace) else {
            fail(path.appending("componentName"), "component \"\(name)\" does not exist in namespace \(namespace)")
            return nil
        }
        return (component, component.latestRevision?.name ?? "")
    }

    mutating func renderEntry(_ entry: ApplicationConfiguration.ComponentEntry, at index: Int) -> RenderedComponent? {
        let path = FieldPath([.field("spec"), .field("components"), .index(index)])
        guard let (component, revisionName) = resolveComponent(entry, path: path) else { return nil }
        let componentName = component.name

        guard case .object(let template) = component.spec.workload else {
            fail(path, "Component/\(componentName) spec.workload is not an object")
            return nil
        }
        var workload = Resource(object: template)
        guard applyParameters(entry, of: component, to: &workload, path: path) else { return nil }

        // The traits' definitions first: the workload's name depends on whether any is revisionEnabled.
        let traitEntries = entry.traits ?? []
        var definitions: [(name: String, definition: TraitDefinition?)] = []
        definitions.reserveCapacity(traitEntries.count)
        for (traitIndex, trait) in traitEntries.enumerated() {
            guard case .object(let members) = trait.trait else {
                fail(path.appending("traits").appending(index: traitIndex).appending("trait"),
                     "the trait must be an object, found \(trait.trait.typeName)")
                return nil
            }
            guard members["apiVersion"]?.stringValue?.isEmpty == false, members["kind"]?.stringValue?.isEmpty == false
            else {
                fail(path.appending("traits").appending(index: traitIndex).appending("trait"),
                     "the trait needs apiVersion and kind")
                return nil
            }
            definitions.append(catalog.traitDefinition(for: trait.trait))
        }
        let revisionEnabled = definitions.contains { $0.definition?.isRevisionEnabled == true }
        let violations = traitRuleViolations(definitions, workload: component.spec.workload, component: componentName,
                                             path: path)
        guard violations.isEmpty else {
            errors += violations
            return nil
        }

        var workloadName = workload.name
        if workloadName.isEmpty {
            if revisionEnabled {
                guard let latest = component.latestRevision else {
                    fail(path, "component \"\(componentName)\" has no revision yet while a revisionEnabled trait needs one")
                    return nil
                }
                workloadName = existingWorkloadName(component: componentName, workload: workload, latest: latest.name)
                    ?? latest.name
            } else {
                workloadName = componentName
            }
        }
        stamp(&workload, name: workloadName, component: componentName, revision: revisionName,
              resourceType: Self.workloadType)

        let workloadReference = TypedReference(to: workload).json
        var traits: [RenderedObject] = []
        traits.reserveCapacity(traitEntries.count)
        var occurrences: [TraitKind] = []
        for (traitIndex, trait) in traitEntries.enumerated() {
            guard let rendered = renderTrait(
                trait, definition: definitions[traitIndex], index: traitIndex, entryIndex: index,
                component: componentName, revision: revisionName, workloadReference: workloadReference,
                occurrences: &occurrences)
            else { return nil }
            traits.append(rendered)
        }
        guard checkServed(workload: workload, traits: traits, path: path) else { return nil }
        guard let ownedFields = traitOwnedFields(definitions, workload: workload) else { return nil }

        // Scopes must exist.
        var scopes: [TypedReference] = []
        for (scopeIndex, scope) in (entry.scopes ?? []).enumerated() {
            let reference = scope.scopeRef
            let typed = TypedReference(apiVersion: reference.apiVersion, kind: reference.kind, name: reference.name)
            if !scopeObjects.contains(where: { $0.reference == typed }) {
                guard let object = catalog.object(apiVersion: reference.apiVersion, kind: reference.kind,
                                                  namespace: namespace, name: reference.name)
                else {
                    fail(path.appending("scopes").appending(index: scopeIndex).appending("scopeRef"),
                         "scope \(reference.kind)/\(reference.name) does not exist in namespace \(namespace)")
                    return nil
                }
                scopeObjects.append((typed, object))
            }
            scopes.append(typed)
        }

        let (workloadDefinitionName, _) = catalog.workloadDefinition(for: workload.value)
        return RenderedComponent(
            entryIndex: index, componentName: componentName, revisionName: revisionName,
            workload: RenderedObject(
                object: workload, role: .workload, definitionName: workloadDefinitionName,
                provenance: "AppConfig/\(appConfig.name) · Component/\(componentName)", inputs: [], message: nil,
                traitOwnedFields: ownedFields),
            traits: traits, scopes: scopes, isRevisionEnabled: revisionEnabled)
    }

    /// Whether the kinds of the workload and every trait are served; records an error naming
    /// each object of a kind that is not (nothing of the entry may then be applied).
    mutating func checkServed(workload: Resource, traits: [RenderedObject], path: FieldPath) -> Bool {
        guard !unservedKinds.isEmpty else { return true }
        var served = true
        if unservedKinds.contains(workload.groupVersionKind) {
            fail(path, Self.notServed("workload", workload))
            served = false
        }
        for trait in traits where unservedKinds.contains(trait.object.groupVersionKind) {
            guard case .trait(let traitIndex) = trait.role else { continue }
            fail(path.appending("traits").appending(index: traitIndex).appending("trait"),
                 Self.notServed("trait", trait.object))
            served = false
        }
        return served
    }

    /// `trait rollout.example.com/v1 CanaryTrait "web-canarytrait-…" cannot be applied: …`.
    static func notServed(_ role: String, _ object: Resource) -> String {
        "\(role) \(object.apiVersion) \(object.kind) \"\(object.name)\" cannot be applied: the API server does not "
            + "serve kind \(object.kind) in \(object.apiVersion); install the CustomResourceDefinition that defines "
            + "it (the component is applied as soon as the kind is served)"
    }

    /// Writes the parameter values into the workload template (spec §4.3 step 3).
    mutating func applyParameters(
        _ entry: ApplicationConfiguration.ComponentEntry, of component: Component, to workload: inout Resource,
        path: FieldPath
    ) -> Bool {
        let values = entry.parameterValues ?? []
        let declared = component.spec.parameters ?? []
        var ok = true
        for (valueIndex, value) in values.enumerated() {
            var valuePath: FieldPath { path.appending("parameterValues").appending(index: valueIndex) }
            guard let parameterIndex = declared.firstIndex(where: { $0.name == value.name }) else {
                let known = declared.map(\.name).joined(separator: ", ")
                fail(valuePath.appending("name"),
                     "unknown parameter \"\(value.name)\" (Component/\(component.name) declares: \(known.isEmpty ? "none" : known))")
                ok = false
                continue
            }
            for (fieldIndex, fieldPath) in declared[parameterIndex].fieldPaths.enumerated() {
                do {
                    try workload.setValue(value.value.json, at: try catalog.fieldPath(fieldPath))
                } catch {
                    errors.append(.error(
                        ObjectName(component.resource),
                        FieldPath([.field("spec"), .field("parameters"), .index(parameterIndex), .field("fieldPaths"),
                                   .index(fieldIndex)]),
                        "cannot set parameter \"\(value.name)\": \(error)"))
                    ok = false
                }
            }
        }
        for parameter in declared where parameter.isRequired && !values.contains(where: { $0.name == parameter.name }) {
            fail(path.appending("parameterValues"),
                 "required parameter \"\(parameter.name)\" of Component/\(component.name) is not set")
            ok = false
        }
        return ok
    }

    /// Labels, annotations, owner and namespace every rendered object gets (spec §4.3 steps 4–6).
    func stamp(_ object: inout Resource, name: String, component: String, revision: String, resourceType: JSONValue) {
        let index = object.object.index(forKey: "metadata")
        if let index, case .object = object.object.values[index] {
            stampExisting(&object, name: name, component: component, revision: revision, resourceType: resourceType)
            return
        }
        // No metadata, as in most templates and traits: build it whole from keys known to be
        // distinct, in the order the general path below gives.
        var labelValues = freshLabelValues
        labelValues[1] = .string(component)
        labelValues[2] = .string(revision)
        labelValues[3] = resourceType
        let labels = JSONObject(uncheckedUniqueKeys: freshLabelKeys, values: labelValues)
        let metadata = JSONObject(
            uncheckedUniqueKeys: Self.freshMetadataKeys,
            values: [.string(name), .object(labels), freshAnnotations, ownerReferences, namespaceValue] as ContiguousArray)
        if let index {
            object.object.values[index] = .object(metadata)
        } else {
            // Right after apiVersion and kind, where people look for it (as Resource.metadata puts it).
            let position = max(object.object.index(forKey: "apiVersion") ?? -1, object.object.index(forKey: "kind") ?? -1) + 1
            object.object.updateValue(.object(metadata), forKey: "metadata", insertingAt: position)
        }
    }

    static let freshMetadataKeys: ContiguousArray<String> = ["name", "labels", "annotations", "ownerReferences", "namespace"]

    private func stampExisting(
        _ object: inout Resource, name: String, component: String, revision: String, resourceType: JSONValue
    ) {
        object.withMetadata { metadata in
            metadata.reserveCapacity(metadata.count + 5)
            if metadata["name"]?.stringValue?.isEmpty ?? true { metadata["name"] = .string(name) }
            metadata.withObject("labels") { labels in
                labels.reserveCapacity(labels.count + 4 + passedLabels.count)
                addLabels(to: &labels, component: component, revision: revision, resourceType: resourceType)
            }
            metadata.withObject("annotations") { annotations in
                annotations.reserveCapacity(annotations.count + 1 + passedAnnotations.count)
                addAnnotations(to: &annotations)
            }
            metadata["ownerReferences"] = ownerReferences
            metadata["namespace"] = namespaceValue
        }
    }

    private func addLabels(to labels: inout JSONObject, component: String, revision: String, resourceType: JSONValue) {
        labels[OAM.Label.appName] = appName
        labels[OAM.Label.component] = .string(component)
        labels[OAM.Label.revision] = .string(revision)
        labels[OAM.Label.resourceType] = resourceType
        for (key, value) in passedLabels where labels[key] == nil {
            labels[key] = value
        }
    }

    private func addAnnotations(to annotations: inout JSONObject) {
        annotations[OAM.Annotation.generation] = generation
        for (key, value) in passedAnnotations where annotations[key] == nil {
            annotations[key] = value
        }
    }

    static let workloadType: JSONValue = "WORKLOAD"
    static let traitType: JSONValue = "TRAIT"

    /// The name of the existing workload to keep when a revisionEnabled trait is attached to a
    /// component whose workload already runs the latest revision (spec §4.3 step 8, fix #282).
    func existingWorkloadName(component: String, workload: Resource, latest: String) -> String? {
        guard let last = appConfig.status?.workloads?.last(where: { $0.componentName == component }),
            let reference = last.workloadRef,
            let live = catalog.object(apiVersion: workload.apiVersion, kind: workload.kind, namespace: namespace,
                                      name: reference.name),
            live.labels[OAM.Label.revision] == latest
        else { return nil }
        return reference.name
    }

    // MARK: Traits (spec §4.4)

    mutating func renderTrait(
        _ trait: ApplicationConfiguration.ComponentTrait, definition: (name: String, definition: TraitDefinition?),
        index: Int, entryIndex: Int, component: String, revision: String, workloadReference: JSONValue,
        occurrences: inout [TraitKind]
    ) -> RenderedObject? {
        guard case .object(let members) = trait.trait else { return nil }
        var object = Resource(object: members)
        let message: String? = definition.definition == nil
            ? "No valid TraitDefinition found, all framework capabilities will work as default or disabled"
            : nil
        let effectiveName = definition.definition == nil ? "dummy" : definition.name

        // The n-th trait of a kind matches the n-th of that kind recorded in status (named or not).
        let kindKey = TraitKind(apiVersion: object.apiVersion, kind: object.kind)
        var occurrence = 0
        for seen in occurrences where seen == kindKey { occurrence += 1 }
        occurrences.append(kindKey)
        var name = object.name
        if name.isEmpty {
            name = existingTraitName(component: component, apiVersion: object.apiVersion, kind: object.kind,
                                     occurrence: occurrence)
                ?? generatedTraitName(component: component, definitionName: effectiveName, entryIndex: entryIndex,
                                      traitIndex: index, trait: trait)
        }
        stamp(&object, name: name, component: component, revision: revision, resourceType: Self.traitType)

        // Tell the trait where its workload is, when its definition asks for it.
        if let refPath = definition.definition?.spec.workloadRefPath, !refPath.isEmpty {
            do {
                try object.setValue(workloadReference, at: try catalog.fieldPath(refPath))
            } catch {
                errors.append(.error(
                    ObjectName(kind: TraitDefinition.kind, name: definition.name), "spec.workloadRefPath",
                    "cannot set the workload reference in trait \(object.kind): \(error)"))
                return nil
            }
        }
        return RenderedObject(
            object: object, role: .trait(index), definitionName: effectiveName,
            provenance: "AppConfig/\(appConfig.name) · Component/\(component) · Trait/\(object.kind)", inputs: [],
            message: message)
    }

    /// The name recorded in `status.workloads` for the `occurrence`-th trait of this kind.
    func existingTraitName(component: String, apiVersion: String, kind: String, occurrence: Int) -> String? {
        guard let entry = appConfig.status?.workloads?.last(where: { $0.componentName == component }) else {
            return nil
        }
        let sameKind = (entry.traits ?? []).filter { $0.traitRef.apiVersion == apiVersion && $0.traitRef.kind == kind }
        guard occurrence < sameKind.count else { return nil }
        return sameKind[occurrence].traitRef.name
    }

    /// `<component>-<traitType>-<hash>` (spec §4.4 step 3).
    func generatedTraitName(
        component: String, definitionName: String, entryIndex: Int, traitIndex: Int,
        trait: ApplicationConfiguration.ComponentTrait
    ) -> String {
        var traitType = definitionName.split(separator: ".", maxSplits: 1).first.map { $0.lowercased() } ?? ""
        if traitType.isEmpty { traitType = "trait" }
        // Hash the entry as written in the AppConfig so that an unchanged entry keeps its name.
        let entry = appConfig.resource.object["spec"]?["components"]?[entryIndex]?["traits"]?[traitIndex]
            ?? trait.trait
        return "\(component)-\(traitType)-\(TraitNameHash.hash(entry))"
    }

    // MARK: Data outputs and inputs (spec §6)

    func registerOutputs(_ dataOutputs: [DataOutput]?, source: Resource, into outputs: inout [String: OutputSource]) {
        for output in dataOutputs ?? [] {
            guard let name = output.name, !name.isEmpty else { continue }
            outputs[name] = OutputSource(
                apiVersion: source.apiVersion, kind: source.kind, name: source.name, namespace: namespace,
                output: output)
        }
    }

    /// Evaluates the inputs of `target` and writes the ready values into it; `false` after
    /// recording an error (an input naming an output that does not exist).
    mutating func resolveInputs(
        _ inputs: [DataInput]?, into target: inout RenderedObject, outputs: [String: OutputSource],
        path: () -> FieldPath
    ) -> Bool {
        for (inputIndex, input) in (inputs ?? []).enumerated() {
            // Built only when an error needs it: this is the hot path of every reconcile.
            var inputPath: FieldPath { path().appending(index: inputIndex) }
            guard resolveInputStore(input, into: &target, path: inputPath) else { return false }
            guard let outputName = input.valueFrom?.dataOutputName, !outputName.isEmpty else { continue }
            guard let source = outputs[outputName] else {
                let known = outputs.keys.sorted().joined(separator: ", ")
                fail(inputPath.appending("valueFrom").appending("dataOutputName"),
                     "dataOutput \"\(outputName)\" does not exist (declared: \(known.isEmpty ? "none" : known))")
                return false
            }
            let toFieldPaths = input.toFieldPaths ?? []
            var state = evaluate(source)
            if case .satisfied = state, let conditions = input.conditions, !conditions.isEmpty,
                let live = catalog.object(apiVersion: target.object.apiVersion, kind: target.object.kind,
                                          namespace: namespace, name: target.object.name),
                let failure = check(conditions, defaultSubject: nil, on: live)
            {
                state = .waiting("DataInputs Conditions: \(failure)")
            }
            if case .satisfied(let value) = state {
                for (fieldIndex, toFieldPath) in toFieldPaths.enumerated() {
                    do {
                        try fill(value, into: &target.object, at: try catalog.fieldPath(toFieldPath))
                    } catch {
                        fail(inputPath.appending("toFieldPaths").appending(index: fieldIndex),
                             "cannot pass dataOutput \"\(outputName)\" into \(target.object.kind)/\(target.object.name): \(error)")
                        return false
                    }
                }
            }
            target.inputs.append(DataEdge(
                outputName: outputName,
                from: .init(apiVersion: source.apiVersion, kind: source.kind, name: source.name,
                            fieldPath: source.output.fieldPath),
                to: .init(apiVersion: target.object.apiVersion, kind: target.object.kind, name: target.object.name,
                          fieldPaths: toFieldPaths),
                state: state))
        }
        return true
    }

    /// Whether an output is ready, and its value (spec §6.2 step 1).
    func evaluate(_ source: OutputSource) -> DataEdge.State {
        let fieldPath = source.output.fieldPath ?? ""
        let conditions = source.output.conditions ?? []
        if fieldPath.isEmpty && conditions.isEmpty { return .satisfied(.null) }
        guard let live = catalog.object(apiVersion: source.apiVersion, kind: source.kind, namespace: source.namespace,
                                        name: source.name)
        else {
            return .waiting("\(source.kind)/\(source.name) does not exist yet")
        }
        let value: JSONValue
        if fieldPath.isEmpty {
            value = live.value
        } else {
            // An explicit null is no value either: nothing is passed on for it.
            guard let parsed = try? catalog.fieldPath(fieldPath), let found = live.valueIfPresent(at: parsed),
                found != .null
            else {
                return .waiting("\(fieldPath) not found in \(source.kind)/\(source.name)")
            }
            value = found
        }
        if case .string(let text) = value {
            if conditions.isEmpty {
                return text.isEmpty ? .waiting("\(fieldPath) of \(source.kind)/\(source.name) is empty") : .satisfied(value)
            }
            if let failure = check(conditions, defaultSubject: text, on: live) { return .waiting(failure) }
            return .satisfied(value)
        }
        if let failure = check(conditions, defaultSubject: Self.scalarText(value), on: live) {
            return .waiting(failure)
        }
        return .satisfied(value)
    }

    /// The text conditions compare for a value: a string itself, a number or Boolean as JSON
    /// writes it (`1`, `true`); `nil` for objects, arrays and null. The reference runtime compares
    /// strings only; comparing scalars lets a condition read `status.readyReplicas`.
    static func scalarText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): text
        case .int, .double, .bool: value.jsonString()
        default: nil
        }
    }

    /// The first condition that fails, as a reason; `nil` when all hold (spec §6.3).
    func check(_ conditions: [ConditionRequirement], defaultSubject: String?, on object: Resource) -> String? {
        for condition in conditions {
            let subject: String
            if let fieldPath = condition.fieldPath, !fieldPath.isEmpty {
                guard let parsed = try? FieldPath(parsing: fieldPath),
                    let value = object.valueIfPresent(at: parsed)
                else {
                    return "can't get value to check: \(fieldPath) not found in \(object.kind)/\(object.name)"
                }
                guard let text = Self.scalarText(value) else {
                    return "can't get value to check: \(fieldPath) of \(object.kind)/\(object.name) is \(value.typeName), not a string, number or boolean"
                }
                subject = text
            } else if let defaultSubject {
                subject = defaultSubject
            } else {
                return "can't get value to check: the output is an object or array and the condition has no fieldPath"
            }
            var expected = condition.value ?? ""
            if expected.isEmpty, let from = condition.valueFrom?.fieldPath, let parsed = try? FieldPath(parsing: from) {
                expected = appConfig.resource.valueIfPresent(at: parsed)?.stringValue ?? ""
            }
            switch condition.op {
            case "eq" where subject != expected:
                return "got(\(subject)) expected to be \(expected)"
            case "notEq" where subject == expected:
                return "got(\(subject)) expected not to be \(expected)"
            case "notEmpty" where subject.isEmpty:
                return "value should not be empty"
            default:
                continue
            }
        }
        return nil
    }

    /// Writes a passed value: a list is appended to the list already there, anything else
    /// replaces the field (spec §6.2).
    func fill(_ value: JSONValue, into object: inout Resource, at path: FieldPath) throws(FieldPathError) {
        if case .array(let items) = value {
            var existing: [JSONValue] = []
            if let current = object.valueIfPresent(at: path) {
                guard case .array(let list) = current else {
                    throw FieldPathError(
                        kind: .typeMismatch, path: path,
                        reason: "is \(current.typeName), cannot append a list to it")
                }
                existing = list
            }
            try object.setValue(.array(existing + items), at: path)
        } else {
            try object.setValue(value, at: path)
        }
    }

    // MARK: Scopes

    func renderScopes(_ components: [RenderedComponent]) -> [RenderedScope] {
        // An application has a few scopes: lists searched in order beat hashing the references.
        var order: [TypedReference] = []
        var members: [[TypedReference]] = []
        for component in components {
            for scope in component.scopes {
                let position: Int
                if let known = order.firstIndex(of: scope) {
                    position = known
                } else {
                    position = order.count
                    order.append(scope)
                    members.append([])
                }
                guard component.workload.isReady else { continue }
                let reference = TypedReference(to: component.workload.object)
                if !members[position].contains(reference) { members[position].append(reference) }
            }
        }
        return order.indices.compactMap { position in
            let reference = order[position]
            guard var object = scopeObjects.first(where: { $0.reference == reference })?.object
                ?? catalog.object(apiVersion: reference.apiVersion, kind: reference.kind, namespace: namespace,
                                  name: reference.name)
            else { return nil }
            let list = members[position]
            if let refsPath = catalog.scopeDefinition(for: reference).definition?.spec.workloadRefsPath,
                !refsPath.isEmpty, let parsed = try? catalog.fieldPath(refsPath)
            {
                var existing = object.valueIfPresent(at: parsed)?.arrayValue ?? []
                for member in list where !existing.contains(where: { Self.sameReference($0, member) }) {
                    existing.append(member.json)
                }
                try? object.setValue(.array(existing), at: parsed)
            }
            return RenderedScope(reference: reference, object: object, members: list)
        }
    }

    static func sameReference(_ json: JSONValue, _ reference: TypedReference) -> Bool {
        json["apiVersion"]?.stringValue == reference.apiVersion && json["kind"]?.stringValue == reference.kind
            && json["name"]?.stringValue == reference.name
    }
}
