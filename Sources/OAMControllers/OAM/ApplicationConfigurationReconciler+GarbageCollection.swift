import Foundation
import KubeClient
import OAM
import OrderedCollections
import Resources
import Synchronization
import ControllerRuntime

extension ApplicationConfigurationReconciler {
    // MARK: Garbage collection

    /// Deletes the objects this AppConfig controls that it no longer renders — by ownership, not
    /// by name (§12.8) — keeping the earlier revisions' workloads of components with a
    /// revisionEnabled trait (their trait rolls out between them). Returns what it deleted and
    /// the deletes that failed. `kinds` are the kinds in use; every kind the controller watches
    /// is looked at too, so that an object whose kind no entry names any more is still found.
    ///
    /// While an entry of `spec.components` does not render, what that entry stood for is not
    /// known (a typo in its componentName or a dataOutputName must never delete a running
    /// workload): only the objects of components that rendered and that no failed entry names
    /// (by their `app.oam.dev/component` label) are collected then — a trait removed from a
    /// healthy entry still goes; everything else stays until the entry renders again or is
    /// removed. The reference runtime stops at a render error before collecting anything.
    func collectGarbage(
        of appConfig: ApplicationConfiguration, rendered: RenderedApplication, kinds: Set<GroupVersionKind>
    ) async -> (deleted: [ObjectRef], problems: [Problem]) {
        guard let uid = appConfig.resource.uid else { return ([], []) }
        let collectable = Self.collectableComponents(of: appConfig, rendered: rendered)
        // Data stores are kept too: named or not, they live as long as the AppConfig (spec §6.6).
        let keep = Set(rendered.objects.map { ObjectRef($0.object) } + rendered.stores.map { ObjectRef(reference: $0.reference) })
        let revisionEnabled = Set(rendered.components.filter(\.isRevisionEnabled).map(\.componentName))
        var deleted: [ObjectRef] = []
        var problems: [Problem] = []
        for kind in kinds.union(watchedKinds.withLock { $0 }).sorted(by: { $0.description < $1.description }) {
            guard let informer = manager.existingInformer(for: kind) else { continue }
            // Keys first: only what is not kept is parsed out of the cache.
            for key in informer.cache.keys(index: Indexes.controllerOwner, value: uid) {
                guard !keep.contains(ObjectRef(group: kind.group, kind: kind.kind, name: key.name)),
                    let object = informer.cache.get(key)
                else { continue }
                let ref = ObjectRef(object)
                guard !keep.contains(ref), !object.isBeingDeleted, !RenderedStore.isStore(object) else { continue }
                if let collectable, !collectable.contains(object.labels[OAM.Label.component] ?? "") { continue }
                if object.labels[OAM.Label.resourceType] == "WORKLOAD",
                    let component = object.labels[OAM.Label.component], revisionEnabled.contains(component)
                {
                    continue
                }
                do {
                    try await client.delete(kind, name: object.name, namespace: object.namespace,
                                            propagationPolicy: .background)
                } catch let error as APIError where error.reason == .notFound {
                } catch {
                    problems.append(Problem(
                        .garbageCollection, path: nil,
                        message: "cannot garbage collect \(ref), which the AppConfig no longer renders: \(Self.describe(error))"))
                    continue
                }
                deleted.append(ref)
            }
        }
        return (deleted, problems)
    }

    /// The components whose objects may be collected while some entries do not render: those a
    /// rendered entry names and no failed entry names; `nil` (all) when every entry rendered.
    static func collectableComponents(
        of appConfig: ApplicationConfiguration, rendered: RenderedApplication
    ) -> Set<String>? {
        guard !rendered.failedEntries.isEmpty else { return nil }
        let entries = appConfig.spec.components
        let failing = Set(rendered.failedEntries.compactMap { $0 < entries.count ? componentName(of: entries[$0]) : nil })
        return Set(rendered.components.map(\.componentName)).subtracting(failing)
    }
}
