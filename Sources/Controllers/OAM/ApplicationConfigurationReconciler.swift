import Foundation
import KubeClient
import Logging
import OAM
import OrderedCollections
import Resources
import Synchronization

/// Options of the ApplicationConfiguration controller.
public struct ApplicationConfigurationOptions: Sendable {
    /// Skip re-applying workloads and traits whose AppConfig generation and component revision
    /// did not change, so that edits made to them by others persist (spec §4.11).
    public var applyOnceOnly = false
    /// How long to wait before looking again at an AppConfig whose dependencies are unmet, as a
    /// safety net: the sources are watched, so a change usually comes first.
    public var dependencyRecheck: Duration = .seconds(10)
    /// How long to wait before retrying an AppConfig that cannot render or apply.
    public var errorRetry: Duration = .seconds(30)

    public init() {}
}

/// Reconciles ApplicationConfigurations (spec §4 with the fixes of §12): renders with the pure
/// ``OAM/Renderer`` from cached state → applies what is ready with server-side apply →
/// garbage-collects what it owns and no longer renders → maintains scope membership → writes
/// status. Sends no write when nothing changed.
final class ApplicationConfigurationReconciler: Reconciler {
    let manager: Manager
    let client: KubernetesClient
    let appConfigs: Informer
    let components: Informer
    let revisions: Informer
    let definitions: DefinitionCatalog
    let componentRevisions: ComponentRevisions
    let options: ApplicationConfigurationOptions
    let events: any EventSink
    let logger: Logger
    /// Set once the controller exists: owned-object handlers enqueue through it.
    let controller = Mutex<Controller?>(nil)
    /// The kinds whose informers already carry this controller's owner handler.
    private let watchedKinds = Mutex<Set<GroupVersionKind>>([])

    /// AppConfig index: `namespace/component` for every component an AppConfig uses.
    static let componentIndex = "component"
    /// AppConfig index: `namespace/kind/name` for every scope an AppConfig uses.
    static let scopeIndex = "scope"

    init(manager: Manager, definitions: DefinitionCatalog, componentRevisions: ComponentRevisions,
         options: ApplicationConfigurationOptions, events: any EventSink, logger: Logger) {
        self.manager = manager
        self.client = manager.client
        self.appConfigs = manager.informer(for: OAMKinds.applicationConfiguration)
        self.components = manager.informer(for: OAMKinds.component)
        self.revisions = manager.informer(for: OAMKinds.controllerRevision)
        self.definitions = definitions
        self.componentRevisions = componentRevisions
        self.options = options
        self.events = events
        self.logger = logger
    }

    // MARK: Reconcile

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let object = appConfigs.cache.get(key) else { return .done }
        let appConfig: ApplicationConfiguration
        do {
            appConfig = try ApplicationConfiguration(object)
        } catch {
            try await writeStatus(of: object, failure: "the AppConfig does not decode: \(error)", base: object.status)
            return .done
        }
        if object.isBeingDeleted {
            try await finalize(appConfig)
            return .done
        }
        var current = appConfig
        if needsFinalizer(appConfig) {
            current = try ApplicationConfiguration(try await addFinalizer(to: object))
        }

        // The components used by name, read once; those without a first revision get it now, so
        // that nothing renders without one (§12.20).
        var usedComponents: [String: Component] = [:]
        for entry in current.spec.components where (entry.revisionName ?? "").isEmpty {
            guard let name = entry.componentName, usedComponents[name] == nil,
                let cached = components.cache.get(namespace: key.namespace, name: name),
                let component = try? Component(cached)
            else { continue }
            usedComponents[name] = component
        }
        for (name, component) in usedComponents.sorted(by: { $0.key < $1.key }) where component.latestRevision == nil {
            usedComponents[name] = try await componentRevisions.ensureLatestRevision(of: component)
        }

        // Render against the catalog of what exists; a render that meets a kind not watched yet
        // watches it and renders again.
        var kinds = kindsInUse(by: current)
        var owned = ownedObjects(of: current, kinds: kinds)
        var rendered = render(current, components: usedComponents, owned: owned)
        let renderedKinds = Set(rendered.objects.map { $0.object.groupVersionKind })
        if !renderedKinds.isSubset(of: kinds) {
            kinds.formUnion(renderedKinds)
            watch(kinds)
            if let unsynced = kinds.first(where: { !(manager.existingInformer(for: $0)?.hasSynced ?? false) }) {
                logger.debug("cache.waiting", metadata: ["appconfig": "\(key)", "kind": "\(unsynced)"])
                return .requeue(after: .milliseconds(500))
            }
            owned = ownedObjects(of: current, kinds: kinds)
            rendered = render(current, components: usedComponents, owned: owned)
        } else {
            watch(kinds)
        }
        // What render read, for apply to compare with instead of reading the caches again.
        let live = Dictionary(owned.map { (ObjectRef($0), $0) }, uniquingKeysWith: { first, _ in first })

        var problems = rendered.errors.map {
            Problem(object: $0.object.map { "\($0.kind)/\($0.name)" }, path: $0.path?.description, message: $0.message)
        }
        var wrote = 0
        let uid = current.resource.uid ?? ""

        // Apply what is ready, workloads before their traits. The traits of a workload that
        // could not be applied (another AppConfig owns it, the server refused it) are left
        // alone: they would act on a workload this AppConfig does not run.
        var applied: Set<ObjectRef> = []
        for component in rendered.components {
            for item in [component.workload] + component.traits where item.isReady {
                let ref = ObjectRef(item.object)
                do {
                    if try await apply(item.object, ownerUID: uid, live: live[ref]) { wrote += 1 }
                    applied.insert(ref)
                } catch let failure as OwnershipConflict {
                    problems.append(Problem(path: nil, message: failure.message))
                    if item.role == .workload { break }
                } catch let error as APIError {
                    problems.append(Problem(path: nil, message: "cannot apply \(ref): \(error.message)"))
                    if item.role == .workload { break }
                }
            }
        }

        // Collect what this AppConfig owns and no longer renders.
        let collected = try await collectGarbage(of: current, rendered: rendered, kinds: kinds)
        wrote += collected.count
        for ref in collected {
            await events.record(on: current.resource, type: .normal, reason: "GarbageCollectedComponent",
                                message: "deleted \(ref), which the AppConfig no longer renders")
        }

        // Scope membership.
        do {
            wrote += try await updateScopes(of: current, members: rendered.scopes.map { ($0.reference, $0.members) })
        } catch let error as APIError {
            problems.append(Problem(path: nil, message: "cannot update scopes: \(error.message)"))
        }

        if wrote > 0, problems.isEmpty {
            await events.record(on: current.resource, type: .normal, reason: "AppliedComponents",
                                message: "applied \(wrote) change\(wrote == 1 ? "" : "s")")
        }
        for problem in problems {
            await events.record(on: current.resource, type: .warning, reason: "CannotApplyComponents",
                                message: problem.description)
        }
        try await writeStatus(current, rendered: rendered, kinds: kinds, problems: problems)

        if !problems.isEmpty { return .requeue(after: options.errorRetry) }
        if !rendered.unsatisfiedDependencies.isEmpty { return .requeue(after: options.dependencyRecheck) }
        return .done
    }

    // MARK: Rendering

    /// The objects of `kinds` the AppConfig controls.
    private func ownedObjects(of appConfig: ApplicationConfiguration, kinds: Set<GroupVersionKind>) -> [Resource] {
        guard let uid = appConfig.resource.uid else { return [] }
        var owned: [Resource] = []
        for kind in kinds {
            guard let informer = manager.existingInformer(for: kind) else { continue }
            owned += informer.cache.objects(index: Indexes.controllerOwner, value: uid)
        }
        return owned
    }

    /// The catalog for one render: the definitions, the components (`components`, by name) and
    /// revisions the AppConfig uses, the scopes it refers to and the objects it controls (`owned`).
    private func render(
        _ appConfig: ApplicationConfiguration, components: [String: Component], owned: [Resource]
    ) -> RenderedApplication {
        var catalog = definitions.catalog
        let namespace = appConfig.namespace ?? "default"
        for entry in appConfig.spec.components {
            if let revisionName = entry.revisionName, !revisionName.isEmpty {
                if let revision = revisions.cache.get(namespace: namespace, name: revisionName) {
                    catalog.add(revision: revision)
                }
            } else if let name = entry.componentName, let component = components[name] {
                catalog.add(component: component)
            }
            for scope in entry.scopes ?? [] {
                let informer = manager.informer(for: GroupVersionKind(reference: scope.scopeRef))
                if let object = informer.cache.get(namespace: namespace, name: scope.scopeRef.name) {
                    catalog.add(object: object)
                }
            }
        }
        for object in owned { catalog.add(object: object) }
        return Renderer(catalog: catalog).render(appConfig)
    }

    /// The kinds of the workloads, traits and scopes the status lists and the spec names.
    private func kindsInUse(by appConfig: ApplicationConfiguration) -> Set<GroupVersionKind> {
        var kinds: Set<GroupVersionKind> = []
        for workload in appConfig.status?.workloads ?? [] {
            if let ref = workload.workloadRef { kinds.insert(GroupVersionKind(reference: ref)) }
            for trait in workload.traits ?? [] { kinds.insert(GroupVersionKind(reference: trait.traitRef)) }
        }
        for entry in appConfig.spec.components {
            for trait in entry.traits ?? [] {
                if let apiVersion = trait.trait["apiVersion"]?.stringValue, let kind = trait.trait["kind"]?.stringValue {
                    kinds.insert(GroupVersionKind(apiVersion: apiVersion, kind: kind))
                }
            }
        }
        return kinds
    }

    /// Makes sure the informers of `kinds` exist and enqueue the owning AppConfig on changes.
    private func watch(_ kinds: Set<GroupVersionKind>) {
        let new = watchedKinds.withLock { watched -> [GroupVersionKind] in
            let new = kinds.subtracting(watched)
            watched.formUnion(new)
            return Array(new)
        }
        for kind in new {
            manager.informer(for: kind).addHandler { [weak self] event in
                guard let self else { return }
                await self.enqueueOwner(of: event.object)
            }
        }
    }

    private func enqueueOwner(of object: Resource) async {
        guard let owner = object.controllerReference, owner.kind == ApplicationConfiguration.kind,
            GroupVersion(apiVersion: owner.apiVersion).group == OAM.group
        else { return }
        await controller.withLock { $0 }?.enqueue(ObjectKey(namespace: object.namespace, name: owner.name))
    }

    // MARK: Apply

    /// Applies `object` unless the live object (`known`, when the caller has read it already)
    /// already is what it should be; returns whether it wrote.
    private func apply(_ object: Resource, ownerUID: String, live known: Resource?) async throws -> Bool {
        let desired = AppliedState.stamped(object)
        let informer = manager.informer(for: object.groupVersionKind)
        if let live = known ?? informer.cache.get(namespace: object.namespace, name: object.name) {
            if let owner = live.controllerReference, owner.uid != ownerUID {
                throw OwnershipConflict(
                    message: "\(object.kind)/\(object.name) is controlled by \(owner.kind)/\(owner.name); "
                        + "two owners cannot claim one object: give this one another name (a metadata.name "
                        + "parameter) or remove it from the other")
            }
            if options.applyOnceOnly, Self.isSameGenerationAndRevision(live, object) { return false }
            if AppliedState.isCurrent(live, desired: desired) { return false }
        }
        _ = try await client.apply(desired, fieldManager: Controllers.fieldManager, force: true)
        return true
    }

    /// Whether `live` was rendered from the same AppConfig generation and component revision as
    /// `desired` (the apply-once-only test of §4.11).
    static func isSameGenerationAndRevision(_ live: Resource, _ desired: Resource) -> Bool {
        live.annotations[OAM.Annotation.generation] == desired.annotations[OAM.Annotation.generation]
            && [OAM.Label.revision, OAM.Label.component, OAM.Label.appName].allSatisfy {
                live.labels[$0] == desired.labels[$0]
            }
    }

    // MARK: Garbage collection

    /// Deletes the objects this AppConfig controls that it no longer renders — by ownership, not
    /// by name (§12.8) — keeping the earlier revisions' workloads of components with a
    /// revisionEnabled trait (their trait rolls out between them).
    private func collectGarbage(
        of appConfig: ApplicationConfiguration, rendered: RenderedApplication, kinds: Set<GroupVersionKind>
    ) async throws -> [ObjectRef] {
        guard let uid = appConfig.resource.uid else { return [] }
        let keep = Set(rendered.objects.map { ObjectRef($0.object) })
        let revisionEnabled = Set(rendered.components.filter(\.isRevisionEnabled).map(\.componentName))
        var deleted: [ObjectRef] = []
        for kind in kinds.sorted(by: { $0.description < $1.description }) {
            guard let informer = manager.existingInformer(for: kind) else { continue }
            // Keys first: only what is not kept is parsed out of the cache.
            for key in informer.cache.keys(index: Indexes.controllerOwner, value: uid) {
                guard !keep.contains(ObjectRef(group: kind.group, kind: kind.kind, name: key.name)),
                    let object = informer.cache.get(key)
                else { continue }
                let ref = ObjectRef(object)
                guard !keep.contains(ref), !object.isBeingDeleted else { continue }
                if object.labels[OAM.Label.resourceType] == "WORKLOAD",
                    let component = object.labels[OAM.Label.component], revisionEnabled.contains(component)
                {
                    continue
                }
                do {
                    try await client.delete(kind, name: object.name, namespace: object.namespace,
                                            propagationPolicy: .background)
                } catch let error as APIError where error.reason == .notFound {}
                deleted.append(ref)
            }
        }
        return deleted
    }

    // MARK: Scopes

    /// Adds the ready workloads to their scopes and removes those that left (§4.6 with §12.10);
    /// returns the number of scopes written.
    private func updateScopes(
        of appConfig: ApplicationConfiguration, members scopes: [(scope: TypedReference, members: [TypedReference])]
    ) async throws -> Int {
        let namespace = appConfig.namespace ?? "default"
        var desired: OrderedDictionary<TypedReference, [TypedReference]> = [:]
        for (scope, members) in scopes { desired[Self.plain(scope)] = members.map(Self.plain) }
        var previous: [TypedReference: Set<TypedReference>] = [:]
        for workload in appConfig.status?.workloads ?? [] {
            guard let ref = workload.workloadRef else { continue }
            for scope in workload.scopes ?? [] { previous[Self.plain(scope.scopeRef), default: []].insert(Self.plain(ref)) }
        }
        for scope in previous.keys where desired[scope] == nil { desired[scope] = [] }
        var writes = 0
        let catalog = definitions.catalog
        for (scope, members) in desired {
            guard let refsPath = catalog.scopeDefinition(for: scope).definition?.spec.workloadRefsPath,
                !refsPath.isEmpty, let path = try? FieldPath(parsing: refsPath)
            else { continue }
            let informer = manager.informer(for: GroupVersionKind(reference: scope))
            guard var live = informer.cache.get(namespace: namespace, name: scope.name) else { continue }
            let existing = live.valueIfPresent(at: path)?.arrayValue ?? []
            let leaving = previous[scope, default: []].subtracting(members)
            var list = existing.filter { element in
                !leaving.contains { Self.matches(element, $0) }
            }
            for member in members where !list.contains(where: { Self.matches($0, member) }) {
                list.append(member.json)
            }
            guard list != existing || live.valueIfPresent(at: path) == nil else { continue }
            try live.setValue(.array(list), at: path)
            live.withMetadata { $0["managedFields"] = nil }
            _ = try await client.update(live, options: WriteOptions(fieldManager: Controllers.fieldManager))
            writes += 1
        }
        return writes
    }

    static func plain(_ reference: TypedReference) -> TypedReference {
        TypedReference(apiVersion: reference.apiVersion, kind: reference.kind, name: reference.name)
    }

    static func matches(_ element: JSONValue, _ reference: TypedReference) -> Bool {
        element["apiVersion"]?.stringValue == reference.apiVersion && element["kind"]?.stringValue == reference.kind
            && element["name"]?.stringValue == reference.name
    }

    // MARK: Finalizer

    private func needsFinalizer(_ appConfig: ApplicationConfiguration) -> Bool {
        appConfig.spec.components.contains { !($0.scopes ?? []).isEmpty }
            && !appConfig.resource.finalizers.contains(OAM.scopeFinalizer)
    }

    private func addFinalizer(to object: Resource) async throws -> Resource {
        let finalizers = object.finalizers + [OAM.scopeFinalizer]
        return try await client.patch(
            OAMKinds.applicationConfiguration, name: object.name, namespace: object.namespace,
            patch: ["metadata": ["finalizers": .array(finalizers.map(JSONValue.string)),
                                 "resourceVersion": .string(object.resourceVersion ?? "")]],
            type: .merge, options: WriteOptions(fieldManager: Controllers.fieldManager))
    }

    /// Removes the AppConfig's workloads from its scopes, then its finalizer (§4.10).
    private func finalize(_ appConfig: ApplicationConfiguration) async throws {
        guard appConfig.resource.finalizers.contains(OAM.scopeFinalizer) else { return }
        do {
            _ = try await updateScopes(of: appConfig, members: [])
        } catch {
            await events.record(on: appConfig.resource, type: .warning, reason: "CannotFinalizeWorkloads",
                                message: "cannot remove the workloads from their scopes: \(error)")
            throw error
        }
        let finalizers = appConfig.resource.finalizers.filter { $0 != OAM.scopeFinalizer }
        _ = try await client.patch(
            OAMKinds.applicationConfiguration, name: appConfig.name, namespace: appConfig.namespace,
            patch: ["metadata": ["finalizers": .array(finalizers.map(JSONValue.string)),
                                 "resourceVersion": .string(appConfig.resource.resourceVersion ?? "")]],
            type: .merge, options: WriteOptions(fieldManager: Controllers.fieldManager))
    }

    // MARK: Status

    private func writeStatus(
        _ appConfig: ApplicationConfiguration, rendered: RenderedApplication, kinds: Set<GroupVersionKind>,
        problems: [Problem]
    ) async throws {
        let old = appConfig.status
        var status: JSONObject = [:]
        let failure = problems.isEmpty ? nil : problems.map(\.description).joined(separator: "; ")
        status["conditions"] = .array([Self.syncedCondition(failure: failure, old: appConfig.resource.status)])
        if let generation = appConfig.resource.generation { status["observedGeneration"] = .int(generation) }

        var workloads: [JSONValue] = []
        for component in rendered.components {
            var entry = component.workloadStatus
            // Status strings written by others survive (§4.8).
            if let previous = old?.workloads?.first(where: { $0.componentRevisionName == entry.componentRevisionName }) {
                entry.status = previous.status
                entry.traits = entry.traits?.map { trait in
                    var trait = trait
                    trait.status = previous.traits?.first { $0.traitRef.refersToSameObject(as: trait.traitRef) }?.status
                    return trait
                }
            }
            workloads.append((try? JSONValueEncoder().encode(entry)) ?? .null)
        }
        status["workloads"] = .array(workloads)

        var history: [JSONValue] = []
        if let uid = appConfig.resource.uid {
            for component in rendered.components where component.isRevisionEnabled {
                let workload = component.workload.object
                guard let informer = manager.existingInformer(for: workload.groupVersionKind) else { continue }
                for object in informer.cache.objects(index: Indexes.controllerOwner, value: uid)
                where object.labels[OAM.Label.component] == component.componentName
                    && object.labels[OAM.Label.resourceType] == "WORKLOAD" && object.name != workload.name
                {
                    history.append([
                        "revision": .string(object.labels[OAM.Label.revision] ?? object.name),
                        "workloadRef": TypedReference(to: object).json,
                    ])
                }
            }
        }
        if !history.isEmpty { status["historyWorkloads"] = .array(history) }

        let unsatisfied = rendered.unsatisfiedDependencies
        status["dependency"] = unsatisfied.isEmpty
            ? .emptyObject : ["unsatisfied": (try? JSONValueEncoder().encode(unsatisfied)) ?? .null]
        if !rendered.dataEdges.isEmpty { status["dataEdges"] = .array(rendered.dataEdges.map(Self.edgeJSON)) }
        if !problems.isEmpty { status["errors"] = .array(problems.map(\.json)) }
        try await patchStatus(of: appConfig.resource, to: .object(status))
    }

    private func writeStatus(of object: Resource, failure: String, base: JSONValue?) async throws {
        var status = base?.objectValue ?? [:]
        status["conditions"] = .array([Self.syncedCondition(failure: failure, old: base)])
        try await patchStatus(of: object, to: .object(status))
    }

    /// Replaces `status` unless it already is `status`.
    private func patchStatus(of object: Resource, to status: JSONValue) async throws {
        guard object.status != status else { return }
        _ = try await client.patch(
            OAMKinds.applicationConfiguration, name: object.name, namespace: object.namespace,
            patch: [["op": "add", "path": "/status", "value": status]], type: .json, subresource: "status",
            options: WriteOptions(fieldManager: Controllers.fieldManager))
    }

    /// The `Synced` condition, keeping its transition time when its state did not change.
    static func syncedCondition(failure: String?, old: JSONValue?) -> JSONValue {
        let status = failure == nil ? "True" : "False"
        let reason = failure == nil ? "ReconcileSuccess" : "ReconcileError"
        let previous = old?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Synced" }
        let time: String
        if let previous, previous["status"]?.stringValue == status, previous["reason"]?.stringValue == reason,
            let kept = previous["lastTransitionTime"]?.stringValue
        {
            time = kept
        } else {
            time = KubernetesTime.now
        }
        var condition: JSONObject = [
            "type": "Synced", "status": .string(status), "lastTransitionTime": .string(time), "reason": .string(reason),
        ]
        if let failure { condition["message"] = .string(failure) }
        return .object(condition)
    }

    /// One entry of `status.dataEdges`: which output feeds which field, and its value or why it waits.
    static func edgeJSON(_ edge: DataEdge) -> JSONValue {
        let encoder = JSONValueEncoder()
        var entry: JSONObject = [
            "dataOutputName": .string(edge.outputName),
            "from": (try? encoder.encode(edge.from)) ?? .null,
            "to": (try? encoder.encode(edge.to)) ?? .null,
        ]
        switch edge.state {
        case .satisfied(let value):
            entry["ready"] = true
            entry["value"] = value
        case .waiting(let reason):
            entry["ready"] = false
            entry["reason"] = .string(reason)
        }
        return .object(entry)
    }
}

/// A problem a reconcile reports on the AppConfig: what and, when known, which object and
/// where in it (`Component/web`, `spec.parameters[0].fieldPaths[0]`).
struct Problem: Sendable, CustomStringConvertible {
    var object: String?
    var path: String?
    var message: String

    init(object: String? = nil, path: String?, message: String) {
        self.object = object
        self.path = path
        self.message = message
    }

    var description: String {
        [object, path].compactMap { $0 }.map { "\($0): " }.joined() + message
    }

    var json: JSONValue {
        var entry: JSONObject = ["message": .string(message)]
        if let object { entry["object"] = .string(object) }
        if let path { entry["fieldPath"] = .string(path) }
        return .object(entry)
    }
}

/// An object another owner controls.
struct OwnershipConflict: Error {
    var message: String
}

/// An object's type and name, for comparing rendered with owned objects.
struct ObjectRef: Hashable, CustomStringConvertible {
    var group: String
    var kind: String
    var name: String

    init(_ object: Resource) {
        group = GroupVersion(apiVersion: object.apiVersion).group
        kind = object.kind
        name = object.name
    }

    init(group: String, kind: String, name: String) {
        self.group = group
        self.kind = kind
        self.name = name
    }

    var description: String { "\(kind)/\(name)" }
}

