import Logging
import OAM
import ControllerRuntime

/// The reconcilers of the catalog's kinds (``OAM/StandardCatalog``), one folder per entry under
/// `Catalog/`. Each entry's `register` creates the informers its controller needs on the manager
/// and adds its controller; they run wherever the OAM workload controllers run.
enum CatalogControllers {
    /// What every catalog controller is given.
    struct Context: Sendable {
        var manager: Manager
        var workers: Int
        var events: any EventSink
        /// The definitions as the AppConfig controller sees them (childResourceKinds, workloadRefPath…).
        var definitions: DefinitionCatalog
        var logger: Logger
    }

    /// Registers every catalog controller; one line per entry.
    static func register(_ context: Context) {
        HorizontalPodAutoscalerTraitController.register(context)
        PodDisruptionBudgetTraitController.register(context)
        ServiceExposeTraitController.register(context)
        PodSpecWorkloadReconciler.register(context)
        RouteTraitReconciler.register(context)
        MetricsTraitReconciler.register(context)
        RolloutTraitController.register(context)
        PodTemplatePatchControllers.register(context)
    }
}
