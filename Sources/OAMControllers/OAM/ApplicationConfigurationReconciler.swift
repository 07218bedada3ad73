import Foundation
import KubeClient
import Logging
import OAM
import OrderedCollections
import Resources
import Synchronization
import ControllerRuntime

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
    let watchedKinds = Mutex<Set<GroupVersionKind>>([])
    /// The kinds of the data stores AppConfigs name, watched to re-render their readers.
    let storeWatches = StoreWatches()
    /// The AppConfigs whose last render met kinds the server does not serve, by the
    /// `group/kind` they wait for: a CustomResourceDefinition of one of them enqueues them at once.
    let waitingForKinds = Mutex<[String: Set<ObjectKey>]>([:])
    /// The problems last reported by an Event, per AppConfig, so that one that persists is
    /// reported once even when a reconcile reads a status older than its last write.
    let reportedProblems = Mutex<[ObjectKey: Set<String>]>([:])
    /// How many reconciles in a row of each AppConfig found a cache not synced yet.
    let cacheWaits = Mutex<[ObjectKey: Int]>([:])
    /// The schemas the cluster serves, to drop what they do not declare before applying.
    let servedSchemas: ServedSchemas
    /// What this reconciler applied that the caches have not handled yet.
    let recentWrites = RecentWrites()

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
        self.servedSchemas = ServedSchemas(
            client: manager.client, customResourceDefinitions: manager.informer(for: OAMKinds.customResourceDefinition),
            logger: logger)
        watchCustomResourceDefinitions()
        servedSchemas.onChange { [weak self] key in await self?.controller.withLock { $0 }?.enqueue(key) }
    }

    // MARK: Reconcile

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let object = appConfigs.cache.get(key) else {
            noteUnserved([], for: key)
            _ = reportedProblems.withLock { $0.removeValue(forKey: key) }
            _ = cacheWaits.withLock { $0.removeValue(forKey: key) }
            servedSchemas.forget(key)
            return .done
        }
        let appConfig: ApplicationConfiguration
        do {
            appConfig = try ApplicationConfiguration(object)
        } catch {
            // Admission and the CRD schema keep such objects out; one that got in is reported on itself.
            let failure = "the AppConfig does not decode: \(error)"
            if Self.condition(of: object)?["message"]?.stringValue != failure {
                await events.record(on: object, type: .warning, reason: Problem.Stage.render.eventReason, message: failure)
            }
            try await writeStatus(of: object, failure: failure, base: object.status)
            return .done
        }
        if object.isBeingDeleted {
            noteUnserved([], for: key)
            return try await finalize(appConfig)
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
            do {
                usedComponents[name] = try await componentRevisions.ensureLatestRevision(of: component)
            } catch let error as APIError where error.reason == .conflict {
                throw error
            } catch {
                // Retried with backoff; said on the AppConfig, which cannot render without it.
                let problem = Problem(
                    .render, object: "Component/\(name)", path: nil,
                    message: "cannot record the first revision of the component: \(Self.describe(error))")
                await recordNew([problem], on: current)
                try? await writeStatus(of: current.resource, failure: problem.description, base: current.resource.status,
                                       problems: [problem])
                throw error
            }
        }

        // Render against the catalog of what exists; a render that meets a kind not watched yet
        // watches it and renders again. Kinds the server does not serve (asked of discovery) are
        // not watched: the entries using them fail to render, naming them.
        let storeKinds = await watchStores(of: current)
        var kinds = kindsInUse(by: current)
        var unserved = await unservedKinds(among: kinds)
        kinds.subtract(unserved)
        watch(kinds)
        if let waiting = try await waitForCaches(of: kinds.union(storeKinds), for: current) { return waiting }
        var owned = ownedObjects(of: current, kinds: kinds)
        var rendered = render(current, components: usedComponents, owned: owned, unserved: unserved)
        let renderedKinds = Set(rendered.objects.map { $0.object.groupVersionKind })
        if !renderedKinds.isSubset(of: kinds) {
            let new = renderedKinds.subtracting(kinds)
            let newUnserved = await unservedKinds(among: new)
            unserved.formUnion(newUnserved)
            kinds.formUnion(new.subtracting(newUnserved))
            watch(kinds)
            if let waiting = try await waitForCaches(of: kinds, for: current) { return waiting }
            owned = ownedObjects(of: current, kinds: kinds)
            rendered = render(current, components: usedComponents, owned: owned, unserved: unserved)
        }
        // Every cache it needed had synced: a later wait counts from zero.
        _ = cacheWaits.withLock { $0.removeValue(forKey: key) }
        noteUnserved(unserved, for: key)
        // What render read, for apply to compare with instead of reading the caches again.
        let live = Dictionary(owned.map { (ObjectRef($0), $0) }, uniquingKeysWith: { first, _ in first })

        var problems = rendered.errors.map {
            Problem(.render, object: $0.object.map { "\($0.kind)/\($0.name)" }, path: $0.path?.description,
                    message: $0.message)
        }
        var wrote = 0

        // Apply what is ready, workloads before their traits. The traits of a workload that
        // could not be applied (another AppConfig owns it, the server refused it) are left
        // alone: they would act on a workload this AppConfig does not run. A workload another
        // owner controls is not this AppConfig's: its entry is left out of the status.
        var applied: Set<ObjectRef> = []
        var claimedElsewhere: Set<Int> = []
        var pruned: [ObjectRef: [String]] = [:]
        for component in rendered.components {
            for item in [component.workload] + component.traits where item.isReady {
                let ref = ObjectRef(item.object)
                do {
                    // Without the fields a trait of the component sets itself (a scaler's replicas).
                    let outcome = try await apply(item.objectToApply(live: live[ref]), for: current.resource,
                                                  live: live[ref], traitOwned: item.traitOwnedFields)
                    if outcome.wrote { wrote += 1 }
                    if !outcome.droppedFields.isEmpty { pruned[ref] = outcome.droppedFields }
                    applied.insert(ref)
                } catch let failure as OwnershipConflict {
                    problems.append(Problem(.apply, path: nil, message: failure.message))
                    if item.role == .workload {
                        claimedElsewhere.insert(component.entryIndex)
                        break
                    }
                } catch {
                    problems.append(Problem(.apply, path: nil, message: "cannot apply \(ref): \(Self.describe(error))"))
                    if item.role == .workload { break }
                }
            }
        }
        // The ready outputs' data stores, after the objects they read from (spec §6.6).
        let stores = try await writeStores(of: rendered, namespace: key.namespace ?? "default")
        wrote += stores.writes
        problems += stores.failures.map { Problem(.apply, path: $0.path, message: $0.message) }
        let carried = carriedWorkloads(of: current, rendered: rendered)

        // Collect what this AppConfig owns and no longer renders — while an entry does not render,
        // only objects of components that rendered and no failed entry names: its objects stay.
        let (collected, collectProblems) = await collectGarbage(of: current, rendered: rendered, kinds: kinds)
        problems += collectProblems
        wrote += collected.count
        for ref in collected {
            await events.record(on: current.resource, type: .normal, reason: "GarbageCollectedComponent",
                                message: "deleted \(ref), which the AppConfig no longer renders")
        }

        // Scope membership: the workloads of entries that did not render keep theirs, those
        // another owner controls get none.
        do {
            let excluded = Set(rendered.components.filter { claimedElsewhere.contains($0.entryIndex) }
                .map { Self.plain(TypedReference(to: $0.workload.object)) })
            var members = rendered.scopes.map { scope in
                (scope.reference, scope.members.filter { !excluded.contains(Self.plain($0)) })
            }
            for entry in carried.values {
                guard let workload = entry.workloadRef else { continue }
                for scope in entry.scopes ?? [] {
                    if let index = members.firstIndex(where: { Self.plain($0.0) == Self.plain(scope.scopeRef) }) {
                        members[index].1.append(workload)
                    } else {
                        members.append((scope.scopeRef, [workload]))
                    }
                }
            }
            wrote += try await updateScopes(of: current, members: members)
        } catch {
            problems.append(Problem(.apply, path: nil, message: "cannot update scopes: \(Self.describe(error))"))
        }

        if wrote > 0, problems.isEmpty {
            await events.record(on: current.resource, type: .normal, reason: "AppliedComponents",
                                message: "applied \(wrote) change\(wrote == 1 ? "" : "s")")
        }
        await recordNew(problems, on: current)
        try await writeStatus(
            current, rendered: rendered, carried: carried, claimedElsewhere: claimedElsewhere, problems: problems,
            pruned: pruned)

        // A kind whose CRD is there but not served yet (being established) is looked at again soon.
        if !unserved.isEmpty, unserved.contains(where: isBeingEstablished) { return .requeue(after: .seconds(2)) }
        if !problems.isEmpty { return .requeue(after: options.errorRetry) }
        // A CRD of a kind that had fields dropped just changed: look again once the server republished it.
        if !pruned.isEmpty, servedSchemas.isRepublishing { return .requeue(after: .seconds(2)) }
        if !rendered.unsatisfiedDependencies.isEmpty { return .requeue(after: options.dependencyRecheck) }
        return .done
    }

    // MARK: Rendering

    /// The objects of `kinds` the AppConfig controls.
    func ownedObjects(of appConfig: ApplicationConfiguration, kinds: Set<GroupVersionKind>) -> [Resource] {
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
    func render(
        _ appConfig: ApplicationConfiguration, components: [String: Component], owned: [Resource],
        unserved: Set<GroupVersionKind>
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
        addStores(of: appConfig, to: &catalog)
        return Renderer(catalog: catalog, unservedKinds: unserved).render(appConfig)
    }

    /// The status entries of the entries that did not render, by position in `spec.components`:
    /// the entry the last status had for the same component (the n-th of that component for its
    /// n-th entry), so that the status still names the live workload the entry keeps (and its
    /// scopes keep it). An entry whose component the last status does not have (a typo in its
    /// componentName) takes, in order, an entry of a component no entry names any more: garbage
    /// collection keeps that one's objects while the entry does not render, so the status says so.
    func carriedWorkloads(
        of appConfig: ApplicationConfiguration, rendered: RenderedApplication
    ) -> [Int: ApplicationConfiguration.WorkloadStatus] {
        guard !rendered.failedEntries.isEmpty, let old = appConfig.status?.workloads, !old.isEmpty else { return [:] }
        let entries = appConfig.spec.components
        let named = Set(entries.compactMap(Self.componentName(of:)))
        var orphans = old.filter { $0.workloadRef != nil && !named.contains($0.componentName ?? "") }[...]
        var carried: [Int: ApplicationConfiguration.WorkloadStatus] = [:]
        for index in rendered.failedEntries where index < entries.count {
            guard let name = Self.componentName(of: entries[index]) else { continue }
            let occurrence = entries[..<index].filter { Self.componentName(of: $0) == name }.count
            let previous = old.filter { $0.componentName == name && $0.workloadRef != nil }
            if occurrence < previous.count {
                carried[index] = previous[occurrence]
            } else if let orphan = orphans.popFirst() {
                carried[index] = orphan
            }
        }
        return carried
    }

    /// The component an entry names, directly or through its revision.
    static func componentName(of entry: ApplicationConfiguration.ComponentEntry) -> String? {
        if let revision = entry.revisionName, !revision.isEmpty {
            return Component.Revision.componentName(ofRevision: revision)
        }
        return entry.componentName.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The kinds of the workloads, traits and scopes the status lists and the spec names.
    func kindsInUse(by appConfig: ApplicationConfiguration) -> Set<GroupVersionKind> {
        var kinds: Set<GroupVersionKind> = []
        for workload in appConfig.status?.workloads ?? [] {
            if let ref = workload.workloadRef { kinds.insert(GroupVersionKind(reference: ref)) }
            for trait in workload.traits ?? [] { kinds.insert(GroupVersionKind(reference: trait.traitRef)) }
            for scope in workload.scopes ?? [] { kinds.insert(GroupVersionKind(reference: scope.scopeRef)) }
        }
        for entry in appConfig.spec.components {
            for trait in entry.traits ?? [] {
                if let apiVersion = trait.trait["apiVersion"]?.stringValue, let kind = trait.trait["kind"]?.stringValue {
                    kinds.insert(GroupVersionKind(apiVersion: apiVersion, kind: kind))
                }
            }
            // Scopes are read from their caches while rendering: they must have synced first.
            for scope in entry.scopes ?? [] { kinds.insert(GroupVersionKind(reference: scope.scopeRef)) }
        }
        return kinds
    }

    // MARK: Problems

    /// Records a Warning event for each problem the status does not list yet: a problem that
    /// persists is reported once, not on every retry (the status keeps saying it).
    func recordNew(_ problems: [Problem], on appConfig: ApplicationConfiguration) async {
        let key = ObjectKey(appConfig.resource)
        let current = Set(problems.map { Problem.identity(of: $0.json) })
        let reported = reportedProblems.withLock { reported in
            defer { reported[key] = current.isEmpty ? nil : current }
            return reported[key] ?? []
        }
        let known = reported.union((appConfig.resource.status?["errors"]?.arrayValue ?? []).map(Problem.identity(of:)))
        for problem in problems where !known.contains(Problem.identity(of: problem.json)) {
            await events.record(on: appConfig.resource, type: .warning, reason: problem.stage.eventReason,
                                message: problem.description)
        }
    }

    /// An error as one line: an API error's message, a client error's description.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as APIError: error.message
        case let error as OwnershipConflict: error.message
        default: "\(error)"
        }
    }

    /// Makes sure the informers of `kinds` exist and enqueue the owning AppConfig on changes.
    func watch(_ kinds: Set<GroupVersionKind>) {
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

    func enqueueOwner(of object: Resource) async {
        guard let owner = object.controllerReference, owner.kind == ApplicationConfiguration.kind,
            GroupVersion(apiVersion: owner.apiVersion).group == OAM.group
        else { return }
        await controller.withLock { $0 }?.enqueue(ObjectKey(namespace: object.namespace, name: owner.name))
    }
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

