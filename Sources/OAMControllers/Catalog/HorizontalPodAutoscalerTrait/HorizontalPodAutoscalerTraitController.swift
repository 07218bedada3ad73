import OAM
import Resources
import ControllerRuntime

/// The HorizontalPodAutoscalerTrait controller: an `autoscaling/v2` HorizontalPodAutoscaler
/// (``OAM/HorizontalPodAutoscalerTrait/autoscaler(for:target:)``) on the workload's scalable
/// object, its replicas and conditions (`AbleToScale`, `ScalingActive`, `ScalingLimited`) shown
/// in the trait's status beside `Synced`.
enum HorizontalPodAutoscalerTraitController {
    static let entry = ProducingTrait(
        name: "horizontalpodautoscalertrait", traitKind: HorizontalPodAutoscalerTrait.traitKind,
        producedKind: HorizontalPodAutoscalerTrait.autoscalerKind, fieldManager: "mizzen-horizontalpodautoscalertrait",
        render: render,
        status: { autoscaler in
            (HorizontalPodAutoscalerTrait.statusFields(of: autoscaler),
             HorizontalPodAutoscalerTrait.conditions(of: autoscaler))
        },
        isRelevant: isRelevant)

    static func register(_ context: CatalogControllers.Context) {
        context.manager.add(ProducingTraitReconciler.controller(for: entry, context: context))
    }

    /// The autoscaler of `trait`, scaling the workload when it is of a scalable kind, else its
    /// one child of such a kind.
    static func render(_ trait: Resource, _ resolved: TraitWorkload) throws(ProducingTrait.Problem) -> Resource {
        let workload = resolved.workload
        let targets = HorizontalPodAutoscalerTrait.isScalable(workload)
            ? [workload] : resolved.children.filter(HorizontalPodAutoscalerTrait.isScalable)
        guard let target = targets.first else {
            let names = ([workload] + resolved.children).map { "\($0.kind)/\($0.name)" }
            throw .nothingToActOn(
                "cannot autoscale: none of \(names.joined(separator: ", ")) is a Deployment, StatefulSet or ReplicaSet")
        }
        guard targets.count == 1 else {
            let names = targets.map { "\($0.kind)/\($0.name)" }.sorted()
            throw .failure(
                "cannot autoscale: the workload runs several scalable objects (\(names.joined(separator: ", "))) "
                    + "and an autoscaler scales one", retry: true)
        }
        do throws(CatalogFieldError) {
            return try HorizontalPodAutoscalerTrait.autoscaler(
                for: trait, target: TypedReference(apiVersion: target.apiVersion, kind: target.kind, name: target.name))
        } catch {
            throw .failure(error.description, retry: false)
        }
    }

    /// A change of the workload or a child matters when it appears, goes, or changes owners or labels.
    static let isRelevant: @Sendable (InformerEvent) -> Bool = { event in
        guard case .updated(let old, let new) = event else { return true }
        return old.ownerReferences != new.ownerReferences || old.labels != new.labels || old.uid != new.uid
    }
}
