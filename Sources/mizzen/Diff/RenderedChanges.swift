import KubeClient
import OAM
import OAMControllers
import OrderedCollections
import Resources

/// What the controllers would do to the cluster once the desired AppConfigs and Components are
/// on the server: each affected ApplicationConfiguration is rendered with the pure ``Renderer``
/// against the live Components (with the revision the controller would record for a changed
/// spec), revisions, definitions, scopes, stores and the objects it owns; every object it would
/// apply is applied with dryRun=All as the controller applies it (field manager `mizzen`,
/// forced) and compared with the live one. A ContainerizedWorkload's Deployment, Service and
/// ConfigMaps are translated and dry-run the same way. What the AppConfig owns and would no
/// longer render is what garbage collection would delete.
///
/// Affected: the AppConfigs given, and the live AppConfigs that follow a changed Component (name
/// it by `componentName`; those pinning a revision with `revisionName` do not move).
struct RenderedChanges {
    let client: KubernetesClient

    /// The uid a new AppConfig's objects are rendered with: the server gives it one only when
    /// it is created, and an owner reference needs one to pass validation.
    static let placeholderUID = "00000000-0000-0000-0000-000000000000"

    /// The lines told before the summary, and the object changes.
    struct Outcome {
        var changes: [DiffReport.Change] = []
        var notes: [String] = []
    }

    /// The state of one namespace, read once.
    private struct Namespace {
        var components: [String: Component] = [:]
        var revisions: [Resource] = []
        var appConfigs: [Resource] = []
    }

    /// Renders the affected AppConfigs. `appConfigs` and `components` are what the server would
    /// store (dry-run answers); `definitions` the definitions of the files, which replace the
    /// live ones of the same name. Objects already in `skipping` (the files' own objects) are
    /// not compared again.
    func outcome(
        appConfigs: [Resource], components: [Resource], definitions: [Resource], skipping: Set<String>
    ) async throws -> Outcome {
        var outcome = Outcome()
        guard !appConfigs.isEmpty || !components.isEmpty else { return outcome }
        var base = Catalog()
        for kind in [OAMKinds.workloadDefinition, OAMKinds.traitDefinition, OAMKinds.scopeDefinition] {
            for definition in (try? await client.listAll(kind))?.items ?? [] { try? base.add(definition: definition) }
        }
        for definition in definitions { try? base.add(definition: definition) }

        // The namespaces involved, each read once; the Components of the files replace the live ones.
        let names = OrderedSet((appConfigs + components).map { $0.namespace ?? client.defaultNamespace })
        var namespaces: [String: Namespace] = [:]
        for namespace in names {
            var state = Namespace()
            for object in (try? await client.listAll(OAMKinds.component, namespace: namespace))?.items ?? [] {
                if let component = try? Component(object) { state.components[component.name] = component }
            }
            state.revisions = (try? await client.listAll(OAMKinds.controllerRevision, namespace: namespace))?.items ?? []
            state.appConfigs = (try? await client.listAll(OAMKinds.applicationConfiguration, namespace: namespace))?.items ?? []
            namespaces[namespace] = state
        }

        // Components: the revision the controller would record for each changed spec.
        var changedComponents: [(namespace: String, name: String, revision: String, isNew: Bool)] = []
        for namespace in names {
            guard var state = namespaces[namespace] else { continue }
            let given = Set(components.filter { ($0.namespace ?? client.defaultNamespace) == namespace }.map(\.name))
            for object in components where (object.namespace ?? client.defaultNamespace) == namespace {
                guard let desired = try? Component(object) else { continue }
                let live = state.components[desired.name]
                let simulated = Self.withLatestRevision(desired, revisions: state.revisions)
                state.components[desired.name] = simulated
                if live?.resource.spec != desired.resource.spec, let revision = simulated.latestRevision?.name {
                    changedComponents.append((namespace, desired.name, revision, live == nil))
                }
            }
            // Live Components the controller has not given a revision yet get their first one too.
            for (name, component) in state.components where !given.contains(name) && component.latestRevision == nil {
                state.components[name] = Self.withLatestRevision(component, revisions: state.revisions)
            }
            namespaces[namespace] = state
        }

        // The AppConfigs: those given, then those following a changed Component.
        var affected: OrderedDictionary<String, Resource> = [:]
        for appConfig in appConfigs {
            affected["\(appConfig.namespace ?? client.defaultNamespace)/\(appConfig.name)"] = appConfig
        }
        for change in changedComponents {
            let state = namespaces[change.namespace] ?? Namespace()
            var followers: [String] = []
            var pinned: [String] = []
            for live in state.appConfigs.sorted(by: { $0.name < $1.name }) {
                let key = "\(change.namespace)/\(live.name)"
                let appConfig = affected[key] ?? live
                for entry in appConfig.spec?["components"]?.arrayValue ?? [] {
                    if let revision = entry["revisionName"]?.stringValue, !revision.isEmpty {
                        if Component.Revision.componentName(ofRevision: revision) == change.name {
                            pinned.append("ApplicationConfiguration/\(appConfig.name) pins \(revision)")
                        }
                    } else if entry["componentName"]?.stringValue == change.name {
                        followers.append("ApplicationConfiguration/\(appConfig.name)")
                        if affected[key] == nil { affected[key] = live }
                        break
                    }
                }
            }
            for appConfig in affected.values where (appConfig.namespace ?? client.defaultNamespace) == change.namespace
                && !state.appConfigs.contains(where: { $0.name == appConfig.name })
                && (appConfig.spec?["components"]?.arrayValue ?? []).contains(where: {
                    $0["componentName"]?.stringValue == change.name && ($0["revisionName"]?.stringValue ?? "").isEmpty
                })
            {
                followers.append("ApplicationConfiguration/\(appConfig.name)")
            }
            var note = "Component/\(change.name) \(change.isNew ? "is new" : "changes"): the controller records revision \(change.revision); "
            note += followers.isEmpty
                ? "no ApplicationConfiguration follows it"
                : "\(followers.joined(separator: ", ")) follow\(followers.count == 1 ? "s" : "") it (below)"
            if !pinned.isEmpty { note += "; unchanged: " + pinned.joined(separator: ", ") }
            outcome.notes.append(note)
        }

        for appConfig in affected.values {
            let namespace = appConfig.namespace ?? client.defaultNamespace
            try await render(appConfig, namespace: namespace, state: namespaces[namespace] ?? Namespace(), base: base,
                             skipping: skipping, into: &outcome)
        }
        return outcome
    }

    // MARK: One AppConfig

    private func render(
        _ desired: Resource, namespace: String, state: Namespace, base: Catalog, skipping: Set<String>,
        into outcome: inout Outcome
    ) async throws {
        let subject = "ApplicationConfiguration/\(desired.name)"
        let live = state.appConfigs.first { $0.name == desired.name }
        var resource = desired
        if resource.namespace == nil { resource.namespace = namespace }
        if (resource.uid ?? "").isEmpty { resource.uid = live?.uid ?? Self.placeholderUID }
        // A new AppConfig has no status yet: the live one's names its workloads and traits.
        if resource.status == nil, let status = live?.status {
            var members = resource.object
            members["status"] = status
            resource = Resource(object: members)
        }
        guard let appConfig = try? ApplicationConfiguration(resource) else {
            outcome.notes.append("\(subject) does not decode: its objects are not rendered")
            return
        }
        var owned: [OwnedObjects.Entry] = []
        if let live { owned = try await OwnedObjects(client: client).collect(live) }

        var catalog = base
        for component in state.components.values { catalog.add(component: component) }
        for revision in state.revisions { catalog.add(revision: revision) }
        for entry in owned where entry.depth == 1 { catalog.add(object: entry.object) }
        for entry in appConfig.spec.components {
            for scope in entry.scopes ?? [] {
                let reference = scope.scopeRef
                if let object = try? await DiffCommand.existing(
                    GroupVersionKind(apiVersion: reference.apiVersion, kind: reference.kind), name: reference.name,
                    namespace: namespace, client: client)
                {
                    catalog.add(object: object)
                }
            }
        }
        for reference in Self.storeReferences(in: resource.spec?["components"] ?? .null) {
            if let store = try? await DiffCommand.existing(
                GroupVersionKind(apiVersion: reference.apiVersion, kind: reference.kind), name: reference.name,
                namespace: namespace, client: client)
            {
                catalog.add(object: store)
            }
        }
        let rendered = Renderer(catalog: catalog).render(appConfig)
        for error in rendered.errors {
            outcome.notes.append("\(subject) would not render an entry: \(error.summary); its live objects stay as they are")
        }

        // Workloads, then their traits: what the controller would apply now.
        for component in rendered.components {
            let revision = component.revisionName.isEmpty ? "" : " (\(component.revisionName))"
            for item in [component.workload] + component.traits {
                let origin = item.provenance + revision
                let key = Self.key(item.object)
                guard !skipping.contains(key) else { continue }
                guard item.isReady else {
                    for edge in item.inputs {
                        guard case .waiting(let reason) = edge.state else { continue }
                        let from = "\(edge.from.kind)/\(edge.from.name)" + (edge.from.fieldPath.map { " \($0)" } ?? "")
                        outcome.notes.append(
                            "\(item.object.kind)/\(item.object.name) (\(origin)) would not be applied yet: it waits on "
                                + "dataOutput \"\(edge.outputName)\" of \(from): \(reason)")
                    }
                    continue
                }
                let current = try await DiffCommand.existing(
                    item.object.groupVersionKind, name: item.object.name, namespace: namespace, client: client)
                if let owner = current?.controllerReference, owner.uid != appConfig.resource.uid {
                    outcome.notes.append(
                        "\(item.object.kind)/\(item.object.name) (\(origin)) is controlled by \(owner.kind)/\(owner.name): "
                            + "the controller would not apply it")
                    if item.role == .workload { break }
                    continue
                }
                // As the controller applies it: without the fields a trait owns (a scaler's replicas).
                guard let after = await dryRun(item.objectToApply(live: current), origin: origin, into: &outcome) else {
                    if item.role == .workload { break }
                    continue
                }
                outcome.changes.append(change(live: current, desired: after, origin: origin))
                if item.role == .workload, after.kind == ContainerizedWorkload.kind, after.apiVersion == OAM.apiVersion {
                    try await translate(after, origin: item.provenance + revision, owned: owned, skipping: skipping,
                                        into: &outcome)
                }
            }
        }

        // Stores the ready outputs would write (a merge patch of the live store, or a new one).
        for store in rendered.stores where store.needsWrite {
            guard let after = store.desired, !skipping.contains(Self.key(after)) else { continue }
            outcome.changes.append(change(live: store.live, desired: after, origin: "\(subject) · data store"))
        }

        scopes(of: appConfig, rendered: rendered, catalog: catalog, subject: subject, into: &outcome)

        // Garbage collection: what the AppConfig controls and no longer renders.
        guard let uid = live?.uid else { return }
        let keep = Set(rendered.objects.map { Self.ref($0.object) } + rendered.stores.map {
            "\(GroupVersion.group(ofAPIVersion: $0.reference.apiVersion))/\($0.reference.kind)/\($0.reference.name)"
        })
        let collectable = Self.collectableComponents(of: appConfig, rendered: rendered)
        let revisionEnabled = Set(rendered.components.filter(\.isRevisionEnabled).map(\.componentName))
        for entry in owned where entry.depth == 1 {
            let object = entry.object
            guard object.controllerReference?.uid == uid, !keep.contains(Self.ref(object)), !object.isBeingDeleted,
                !RenderedStore.isStore(object)
            else { continue }
            if let collectable, !collectable.contains(object.labels[OAM.Label.component] ?? "") { continue }
            if object.labels[OAM.Label.resourceType] == "WORKLOAD",
                let component = object.labels[OAM.Label.component], revisionEnabled.contains(component)
            {
                continue
            }
            outcome.changes.append(change(live: object, desired: nil, origin: "\(subject) · garbage collection"))
        }
    }

    /// The Deployment, Service and ConfigMaps the ContainerizedWorkload controller would apply
    /// for `workload`, and those it controls and would delete.
    private func translate(
        _ workload: Resource, origin: String, owned: [OwnedObjects.Entry], skipping: Set<String>,
        into outcome: inout Outcome
    ) async throws {
        let origin = origin + " · translated"
        let translated: TranslatedWorkload
        do {
            translated = try ContainerizedWorkloadTranslation.translate(workload)
        } catch {
            outcome.notes.append("\(workload.kind)/\(workload.name) (\(origin)) cannot be translated: \(error)")
            return
        }
        let namespace = workload.namespace ?? client.defaultNamespace
        var kept: Set<String> = []
        var deployment: Resource?
        for object in [translated.deployment] + (translated.service.map { [$0] } ?? []) {
            kept.insert(Self.ref(object))
            guard !skipping.contains(Self.key(object)) else { continue }
            let current = try await DiffCommand.existing(
                object.groupVersionKind, name: object.name, namespace: namespace, client: client)
            guard let after = await dryRun(object, origin: origin, into: &outcome) else { continue }
            if object.kind == "Deployment" { deployment = after }
            outcome.changes.append(change(live: current, desired: after, origin: origin))
        }
        for var configMap in translated.configMaps {
            kept.insert(Self.ref(configMap))
            if let deployment, let owner = ContainerizedWorkloadTranslation.configMapOwnerReference(deployment: deployment) {
                configMap.ownerReferences = [owner]
            }
            let current = try await DiffCommand.existing(
                configMap.groupVersionKind, name: configMap.name, namespace: namespace, client: client)
            guard let after = await dryRun(configMap, origin: origin, into: &outcome) else { continue }
            outcome.changes.append(change(live: current, desired: after, origin: origin))
        }
        // What the live workload (and its Deployment) control beyond the translation.
        guard let uid = workload.uid else { return }
        let deploymentUID = owned.first { $0.object.kind == "Deployment" && $0.object.controllerReference?.uid == uid }?.object.uid
        for entry in owned where entry.depth > 1 && !kept.contains(Self.ref(entry.object)) {
            let owner = entry.object.controllerReference?.uid
            let byWorkload = owner == uid && ["Deployment", "Service"].contains(entry.object.kind)
            let byDeployment = owner != nil && owner == deploymentUID && entry.object.kind == "ConfigMap"
            guard byWorkload || byDeployment else { continue }
            outcome.changes.append(change(live: entry.object, desired: nil, origin: origin + " · garbage collection"))
        }
    }

    /// The scopes whose member list would change: the ready workloads added, those that left removed.
    private func scopes(
        of appConfig: ApplicationConfiguration, rendered: RenderedApplication, catalog: Catalog, subject: String,
        into outcome: inout Outcome
    ) {
        var previous: [TypedReference: [TypedReference]] = [:]
        for workload in appConfig.status?.workloads ?? [] {
            guard let reference = workload.workloadRef else { continue }
            for scope in workload.scopes ?? [] { previous[Self.plain(scope.scopeRef), default: []].append(Self.plain(reference)) }
        }
        for scope in rendered.scopes {
            guard let path = catalog.scopeDefinition(for: scope.reference).definition?.spec.workloadRefsPath,
                !path.isEmpty, let parsed = try? FieldPath(parsing: path),
                let live = catalog.object(apiVersion: scope.reference.apiVersion, kind: scope.reference.kind,
                                          namespace: appConfig.namespace, name: scope.reference.name)
            else { continue }
            let members = scope.members.map(Self.plain)
            let leaving = (previous[Self.plain(scope.reference)] ?? []).filter { !members.contains($0) }
            var desired = scope.object
            let list = (desired.valueIfPresent(at: parsed)?.arrayValue ?? []).filter { element in
                !leaving.contains { Self.matches(element, $0) }
            }
            try? desired.setValue(.array(list), at: parsed)
            let change = change(live: live, desired: desired, origin: "\(subject) · Scope/\(scope.reference.kind)")
            if change.action != .unchanged { outcome.changes.append(change) }
        }
    }

    // MARK: Pieces

    /// What the server would make of `object` if the controller applied it now; the object as
    /// rendered when its kind or namespace does not exist yet; `nil` after a note when the server
    /// would refuse it.
    private func dryRun(_ object: Resource, origin: String, into outcome: inout Outcome) async -> Resource? {
        do {
            return try await client.apply(object, fieldManager: Controllers.fieldManager, force: true, dryRun: true)
        } catch let error as APIError where error.reason == .notFound {
            return object
        } catch let error as ClientError where error.kind == .noMatch {
            return object
        } catch let error as APIError {
            outcome.notes.append(
                "\(object.kind)/\(object.name) (\(origin)): the server would refuse it: \(error.message)")
            return nil
        } catch {
            outcome.notes.append("\(object.kind)/\(object.name) (\(origin)): cannot ask the server: \(error)")
            return nil
        }
    }

    /// The change of one rendered object. The `app.oam.dev/generation` annotation, which follows
    /// the AppConfig's generation on every object it renders, is left as it is live, so that an
    /// object whose content does not change shows no difference.
    private func change(live: Resource?, desired: Resource?, origin: String) -> DiffReport.Change {
        var desired = desired
        if let generation = live?.annotations[OAM.Annotation.generation], desired?.annotations[OAM.Annotation.generation] != nil {
            desired?.setAnnotation(OAM.Annotation.generation, generation)
        }
        var change = DiffReport.Change(live: live, desired: desired)
        change.origin = origin
        return change
    }

    /// `component` with the `status.latestRevision` the controller would give it: its latest
    /// revision when that records its spec (or the newest revision does), else the next number.
    static func withLatestRevision(_ component: Component, revisions: [Resource]) -> Component {
        let own = revisions.filter { $0.labels[OAM.Label.controllerRevisionComponent] == component.name }
        func number(_ revision: Resource) -> Int64 { revision.object["revision"]?.intValue ?? 0 }
        let spec = component.resource.spec ?? .emptyObject
        if let latest = component.latestRevision, let stored = own.first(where: { $0.name == latest.name }),
            stored.object["data"]?["spec"] == spec
        {
            return component
        }
        var result = component
        var status = result.status ?? Component.Status()
        if let newest = own.max(by: { number($0) < number($1) }), newest.object["data"]?["spec"] == spec {
            status.latestRevision = .init(name: newest.name, revision: number(newest))
        } else {
            let next = max(component.latestRevision?.revision ?? 0, own.map(number).max() ?? 0) + 1
            status.latestRevision = .init(component: component.name, number: next)
        }
        result.status = status
        return result
    }

    /// The components whose objects may be collected while some entries do not render (as the
    /// controller decides): those a rendered entry names and no failed entry names; `nil` for all.
    static func collectableComponents(of appConfig: ApplicationConfiguration, rendered: RenderedApplication) -> Set<String>? {
        guard !rendered.failedEntries.isEmpty else { return nil }
        let entries = appConfig.spec.components
        let failing = Set(rendered.failedEntries.compactMap { index -> String? in
            guard index < entries.count else { return nil }
            let entry = entries[index]
            if let revision = entry.revisionName, !revision.isEmpty { return Component.Revision.componentName(ofRevision: revision) }
            return entry.componentName
        })
        return Set(rendered.components.map(\.componentName)).subtracting(failing)
    }

    /// The stores `spec.components` names in `outputStore`s and `inputStore`s.
    static func storeReferences(in components: JSONValue) -> [TypedReference] {
        var found: OrderedSet<TypedReference> = []
        func add(_ owner: JSONValue?) {
            for (list, field) in [("dataOutputs", "outputStore"), ("dataInputs", "inputStore")] {
                for item in owner?[list]?.arrayValue ?? [] {
                    guard let store = item[field], let apiVersion = store["apiVersion"]?.stringValue,
                        let kind = store["kind"]?.stringValue, let name = store["name"]?.stringValue,
                        !apiVersion.isEmpty, !kind.isEmpty, !name.isEmpty
                    else { continue }
                    found.append(TypedReference(apiVersion: apiVersion, kind: kind, name: name))
                }
            }
        }
        for entry in components.arrayValue ?? [] {
            add(entry)
            for trait in entry["traits"]?.arrayValue ?? [] { add(trait) }
        }
        return Array(found)
    }

    /// `group/kind/name`: an object whatever its version.
    static func ref(_ object: Resource) -> String {
        "\(GroupVersion.group(ofAPIVersion: object.apiVersion))/\(object.kind)/\(object.name)"
    }

    /// `group/kind/namespace/name`, for objects of several namespaces.
    static func key(_ object: Resource) -> String {
        "\(GroupVersion.group(ofAPIVersion: object.apiVersion))/\(object.kind)/\(object.namespace ?? "")/\(object.name)"
    }

    private static func plain(_ reference: TypedReference) -> TypedReference {
        TypedReference(apiVersion: reference.apiVersion, kind: reference.kind, name: reference.name)
    }

    private static func matches(_ element: JSONValue, _ reference: TypedReference) -> Bool {
        element["apiVersion"]?.stringValue == reference.apiVersion && element["kind"]?.stringValue == reference.kind
            && element["name"]?.stringValue == reference.name
    }
}
