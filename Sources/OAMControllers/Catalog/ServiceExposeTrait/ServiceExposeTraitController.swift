import OAM
import Resources
import ControllerRuntime

/// The ServiceExposeTrait controller: a Service (``OAM/ServiceExposeTrait/service(for:selector:)``)
/// named after the trait, selecting the workload's Pods (``WorkloadPods``); the trait's status
/// shows its name, type, cluster IP and node ports.
enum ServiceExposeTraitController {
    static let entry = ProducingTrait(
        name: "serviceexposetrait", traitKind: ServiceExposeTrait.traitKind,
        producedKind: ServiceExposeTrait.serviceKind, fieldManager: "mizzen-serviceexposetrait",
        render: render,
        status: { service in (ServiceExposeTrait.statusFields(of: service), []) },
        isRelevant: WorkloadPods.isRelevant)

    static func register(_ context: CatalogControllers.Context) {
        context.manager.add(ProducingTraitReconciler.controller(for: entry, context: context))
    }

    /// The Service of `trait` in front of the Pods of its workload.
    static func render(_ trait: Resource, _ resolved: TraitWorkload) throws(ProducingTrait.Problem) -> Resource {
        guard let pods = WorkloadPods.of(resolved), let selector = pods.serviceSelector else {
            throw WorkloadPods.unknown(resolved, for: "expose")
        }
        do throws(CatalogFieldError) {
            return try ServiceExposeTrait.service(for: trait, selector: selector)
        } catch {
            throw .failure(error.description, retry: false)
        }
    }
}
