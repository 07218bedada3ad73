import OAM
import Resources
import ControllerRuntime

/// The PodDisruptionBudgetTrait controller: a `policy/v1` PodDisruptionBudget
/// (``OAM/PodDisruptionBudgetTrait/budget(for:selector:)``) over the workload's Pods
/// (``WorkloadPods``), whose counts the trait's status mirrors.
enum PodDisruptionBudgetTraitController {
    static let entry = ProducingTrait(
        name: "poddisruptionbudgettrait", traitKind: PodDisruptionBudgetTrait.traitKind,
        producedKind: PodDisruptionBudgetTrait.budgetKind, fieldManager: "mizzen-poddisruptionbudgettrait",
        render: render,
        status: { budget in (PodDisruptionBudgetTrait.statusFields(of: budget), []) },
        isRelevant: WorkloadPods.isRelevant)

    static func register(_ context: CatalogControllers.Context) {
        context.manager.add(ProducingTraitReconciler.controller(for: entry, context: context))
    }

    /// The budget of `trait` over the Pods of its workload.
    static func render(_ trait: Resource, _ resolved: TraitWorkload) throws(ProducingTrait.Problem) -> Resource {
        guard let pods = WorkloadPods.of(resolved) else { throw WorkloadPods.unknown(resolved, for: "protect") }
        do throws(CatalogFieldError) {
            return try PodDisruptionBudgetTrait.budget(for: trait, selector: pods.selector)
        } catch {
            throw .failure(error.description, retry: false)
        }
    }
}
