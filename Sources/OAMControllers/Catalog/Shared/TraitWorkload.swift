import Foundation
import OAM
import OrderedCollections
import Resources
import ControllerRuntime

/// The workload a trait names at `spec.workloadRef`, with the children its WorkloadDefinition's
/// `childResourceKinds` name that it owns — what ManualScalerTrait scales and what the catalog's
/// traits (autoscaler, budget, service, route, sidecar, patches, rollout) act on.
struct TraitWorkload: Sendable {
    /// The referenced workload, as the cache has it.
    var workload: Resource
    /// Its children (owned by it, of its definition's child kinds, matching their selectors).
    var children: [Resource]

    /// The children when there are some, the workload itself otherwise: the objects that run Pods.
    var targets: [Resource] { children.isEmpty ? [workload] : children }

    /// Why a trait's workload cannot be acted on now.
    enum Problem: Error, Equatable {
        /// An informer the lookup needs has not synced yet: look again soon.
        case notSynced
        /// Something the user must see in the trait's `Synced` condition; `retry` when it may
        /// mend itself (a workload that does not exist yet).
        case failure(String, retry: Bool)
    }

    /// Looks up the workload `trait` names at `spec.workloadRef` and its children.
    ///
    /// `references` watches the workload's and children's kinds (started on first use);
    /// `definitions` gives their WorkloadDefinition.
    static func resolve(
        _ trait: Resource, references: ReferenceWatch, definitions: DefinitionCatalog
    ) throws(Problem) -> TraitWorkload {
        let reference = trait.valueIfPresent(at: "spec.workloadRef")
        let apiVersion = reference?["apiVersion"]?.stringValue ?? ""
        let kind = reference?["kind"]?.stringValue ?? ""
        let name = reference?["name"]?.stringValue ?? ""
        guard !apiVersion.isEmpty, !kind.isEmpty, !name.isEmpty else {
            throw .failure("no workload reference: spec.workloadRef needs apiVersion, kind and name", retry: false)
        }
        let workloads = references.watch(GroupVersionKind(apiVersion: apiVersion, kind: kind))
        guard workloads.hasSynced else { throw .notSynced }
        guard let workload = workloads.cache.get(namespace: trait.namespace, name: name) else {
            throw .failure(
                "cannot find the workload that the trait is referencing to: \(kind) \(name) does not exist in "
                    + "namespace \(trait.namespace ?? "")", retry: true)
        }
        guard let children = children(of: workload, references: references, definitions: definitions) else {
            throw .notSynced
        }
        return TraitWorkload(workload: workload, children: children)
    }

    /// The children of `workload` its WorkloadDefinition names, that it owns; `nil` while the
    /// cache of one of their kinds has not synced.
    static func children(of workload: Resource, references: ReferenceWatch, definitions: DefinitionCatalog)
        -> [Resource]?
    {
        let (_, definition) = definitions.catalog.workloadDefinition(for: workload.value)
        guard let uid = workload.uid, let kinds = definition?.spec.childResourceKinds else { return [] }
        var children: [Resource] = []
        for childKind in kinds {
            let informer = references.watch(GroupVersionKind(apiVersion: childKind.apiVersion, kind: childKind.kind))
            guard informer.hasSynced else { return nil }
            for child in informer.cache.objects(index: Indexes.owner, value: uid)
            where child.namespace == workload.namespace && !child.isBeingDeleted {
                if let selector = childKind.selector, !selector.allSatisfy({ child.labels[$0.key] == $0.value }) {
                    continue
                }
                children.append(child)
            }
        }
        return children
    }

    /// Whether `workload` is of a kind that runs children (its definition names child kinds),
    /// its controller has not reported on it yet (it has no status) and it was created less than
    /// `patience` before `now`: its children may simply not exist yet.
    static func awaitsChildren(
        _ workload: Resource, definitions: DefinitionCatalog, now: Date, patience: Duration
    ) -> Bool {
        guard workload.status?.objectValue?.isEmpty ?? true,
            let text = workload.valueIfPresent(at: "metadata.creationTimestamp")?.stringValue,
            let created = KubernetesTime.parse(text),
            now.timeIntervalSince(created) < Double(patience.components.seconds)
        else { return false }
        let (_, definition) = definitions.catalog.workloadDefinition(for: workload.value)
        return !(definition?.spec.childResourceKinds ?? []).isEmpty
    }
}
