import OrderedCollections
import KubeClient
import Logging
import OAM
import Resources
import Synchronization
import ControllerRuntime

/// The catalog of definitions (built-in, installed Workload/Trait/ScopeDefinitions and the kinds
/// of installed CRDs) as the informers see them, rebuilt only when one of them changes: every
/// reconcile starts from this value and adds its own components and objects.
final class DefinitionCatalog: Sendable {
    private let informers: [Informer]
    /// The catalog and the number of changes it reflects; a change bumps the number and drops the catalog.
    private let cached = Mutex<(changes: Int, catalog: Catalog?)>((0, nil))
    let logger: Logger

    init(manager: Manager, logger: Logger) {
        self.informers = [
            manager.informer(for: OAMKinds.workloadDefinition),
            manager.informer(for: OAMKinds.traitDefinition),
            manager.informer(for: OAMKinds.scopeDefinition),
            manager.informer(for: OAMKinds.customResourceDefinition),
        ]
        self.logger = logger
        for informer in informers {
            informer.addHandler { [weak self] _ in self?.invalidate() }
        }
    }

    /// Forgets the catalog; the next ``catalog`` rebuilds it.
    func invalidate() {
        cached.withLock { $0 = ($0.changes + 1, nil) }
    }

    /// The definitions now.
    var catalog: Catalog {
        let (changes, existing) = cached.withLock { ($0.changes, $0.catalog) }
        if let existing { return existing }
        var catalog = Catalog()
        for informer in informers {
            for object in informer.cache.list() {
                if object.kind == "CustomResourceDefinition" {
                    catalog.add(object: object)
                    continue
                }
                do {
                    try catalog.add(definition: object)
                } catch {
                    logger.warning("definition.invalid", metadata: [
                        "definition": "\(object.kind)/\(object.name)", "error": "\(error)",
                    ])
                }
            }
        }
        // A change seen while building makes this one stale: keep it only if none came.
        cached.withLock { if $0.changes == changes { $0.catalog = catalog } }
        return catalog
    }
}
