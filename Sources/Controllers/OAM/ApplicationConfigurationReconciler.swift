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
    func kindsInUse(by appConfig: ApplicationConfiguration) -> Set<GroupVersionKind> {
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

