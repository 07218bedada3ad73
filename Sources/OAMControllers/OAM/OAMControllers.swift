import OrderedCollections
public import Logging
import OAM
import Resources
import Synchronization
import ControllerRuntime

/// The OAM controllers, registered on a ``Manager``.
public enum OAMControllers {
    /// Settings of every OAM controller.
    public struct Options: Sendable {
        public var workers = 4
        public var appConfig = ApplicationConfigurationOptions()
        /// Unused revisions kept per component.
        public var revisionLimit = 50
        /// Run the ContainerizedWorkload, ManualScalerTrait and HealthScope controllers.
        public var workloadControllers = true
        /// Run the Deployment-level ``NodeSimulator``, which reports Deployments and StatefulSets
        /// as available by writing their status (the old mode, for a plane where nothing runs
        /// Pods); never where a controller owns that status (a real cluster, or the embedded
        /// plane running its own controllers).
        public var nodeSimulator = false

        public init() {}
    }

    /// Registers the ApplicationConfiguration and Component controllers on `manager`, and —
    /// as `options` say — the workload, trait and scope controllers and the node simulator.
    public static func register(
        on manager: Manager, options: Options = Options(), events: any EventSink = DiscardingEventSink(),
        logger: Logger = Logger(label: "mizzen.controllers")
    ) {
        let appConfigs = manager.informer(for: OAMKinds.applicationConfiguration, indexes: [
            ApplicationConfigurationReconciler.componentIndex: appConfigComponents,
            ApplicationConfigurationReconciler.scopeIndex: appConfigScopes,
            ApplicationConfigurationReconciler.storeIndex: ApplicationConfigurationReconciler.appConfigStores,
        ])
        let components = manager.informer(for: OAMKinds.component)
        let revisions = manager.informer(for: OAMKinds.controllerRevision, indexes: [
            ComponentRevisions.componentIndex: Indexes.label(OAM.Label.controllerRevisionComponent),
        ])
        let definitions = DefinitionCatalog(manager: manager, logger: logger)
        let componentRevisions = ComponentRevisions(
            client: manager.client, revisions: revisions, appConfigs: appConfigs, limit: options.revisionLimit,
            logger: logger)

        let reconciler = ApplicationConfigurationReconciler(
            manager: manager, definitions: definitions, componentRevisions: componentRevisions,
            options: options.appConfig, events: events, logger: logger)
        let appConfigController = Controller(
            name: "applicationconfiguration", reconciler: reconciler, primary: appConfigs, workers: options.workers, logger: logger)
        reconciler.controller.withLock { $0 = appConfigController }
        manager.add(appConfigController)

        appConfigs.addHandler { event in
            if case .updated(let old, let new) = event, !changedBeyondStatus(old, new) { return }
            await appConfigController.enqueue(ObjectKey(event.object))
        }
        let componentController = Controller(
            name: "component", reconciler: ComponentReconciler(components: components, revisions: componentRevisions),
            primary: components, workers: max(1, options.workers / 2), logger: logger)
        manager.add(componentController)
        components.addHandler { event in
            let component = event.object
            if case .updated(let old, let new) = event, old.object["spec"] != new.object["spec"] {
                await componentController.enqueue(ObjectKey(component))
            } else if case .added = event {
                await componentController.enqueue(ObjectKey(component))
            }
            // The AppConfigs using it render again when its revision moves or it goes away.
            if case .updated(let old, let new) = event,
                old.valueIfPresent(at: "status.latestRevision") == new.valueIfPresent(at: "status.latestRevision")
            {
                return
            }
            for appConfig in appConfigs.cache.keys(
                index: ApplicationConfigurationReconciler.componentIndex,
                value: "\(component.namespace ?? "")/\(component.name)")
            {
                await appConfigController.enqueue(appConfig)
            }
        }
        if options.workloadControllers {
            manager.add(WorkloadControllers.containerizedWorkloadController(
                manager: manager, workers: options.workers, events: events, logger: logger))
            manager.add(WorkloadControllers.manualScalerTraitController(
                manager: manager, workers: options.workers, events: events, definitions: definitions, logger: logger))
            manager.add(WorkloadControllers.healthScopeController(manager: manager, workers: options.workers, logger: logger))
            CatalogControllers.register(CatalogControllers.Context(
                manager: manager, workers: max(1, options.workers / 2), events: events, definitions: definitions,
                logger: logger))
        }
        if options.nodeSimulator {
            for controller in WorkloadControllers.nodeSimulatorControllers(manager: manager, workers: 2, logger: logger) {
                manager.add(controller)
            }
        }
        // Scopes edited by others get their members back.
        for kind in [GroupVersionKind(group: OAM.group, version: OAM.version, kind: "HealthScope")] {
            manager.informer(for: kind).addHandler { event in
                let scope = event.object
                for appConfig in appConfigs.cache.keys(
                    index: ApplicationConfigurationReconciler.scopeIndex,
                    value: "\(scope.namespace ?? "")/\(scope.kind)/\(scope.name)")
                {
                    await appConfigController.enqueue(appConfig)
                }
            }
        }
        // A definition that changes can change every rendering.
        for kind in [OAMKinds.workloadDefinition, OAMKinds.traitDefinition, OAMKinds.scopeDefinition] {
            manager.informer(for: kind).addHandler { event in
                if case .added = event, !manager.informer(for: kind).hasSynced { return }
                for appConfig in appConfigs.cache.keys.sorted() { await appConfigController.enqueue(appConfig) }
            }
        }
    }

    /// Whether an AppConfig changed in more than its status (its own status writes come back as
    /// events and need no reconcile).
    static func changedBeyondStatus(_ old: Resource, _ new: Resource) -> Bool {
        old.generation != new.generation || old.object["spec"] != new.object["spec"]
            || old.labels != new.labels || old.annotations != new.annotations
            || old.finalizers != new.finalizers || old.deletionTimestamp != new.deletionTimestamp
    }

    /// `namespace/component` for every component an AppConfig uses (by name or revision).
    static let appConfigComponents: IndexFunction = { object in
        let namespace = object.namespace ?? ""
        return (object.valueIfPresent(at: "spec.components")?.arrayValue ?? []).compactMap { entry in
            if let revision = entry["revisionName"]?.stringValue, !revision.isEmpty {
                return "\(namespace)/\(Component.Revision.componentName(ofRevision: revision))"
            }
            return entry["componentName"]?.stringValue.map { "\(namespace)/\($0)" }
        }
    }

    /// `namespace/kind/name` for every scope an AppConfig uses.
    static let appConfigScopes: IndexFunction = { object in
        let namespace = object.namespace ?? ""
        return (object.valueIfPresent(at: "spec.components")?.arrayValue ?? []).flatMap { entry in
            (entry["scopes"]?.arrayValue ?? []).compactMap { scope -> String? in
                guard let kind = scope["scopeRef"]?["kind"]?.stringValue,
                    let name = scope["scopeRef"]?["name"]?.stringValue
                else { return nil }
                return "\(namespace)/\(kind)/\(name)"
            }
        }
    }
}
