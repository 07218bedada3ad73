import Foundation
import KubeClient
import OAM
import OrderedCollections
import Resources

extension ApplicationConfigurationReconciler {
    // MARK: Apply

    /// Applies `object` unless the live object (`known`, when the caller has read it already)
    /// already is what it should be; returns whether it wrote.
    func apply(_ object: Resource, ownerUID: String, live known: Resource?) async throws -> Bool {
        let desired = AppliedState.stamped(object)
        let informer = manager.informer(for: object.groupVersionKind)
        if let live = known ?? informer.cache.get(namespace: object.namespace, name: object.name) {
            if let owner = live.controllerReference, owner.uid != ownerUID {
                throw OwnershipConflict(
                    message: "\(object.kind)/\(object.name) is controlled by \(owner.kind)/\(owner.name); "
                        + "two owners cannot claim one object: give this one another name (a metadata.name "
                        + "parameter) or remove it from the other")
            }
            if options.applyOnceOnly, Self.isSameGenerationAndRevision(live, object) { return false }
            if AppliedState.isCurrent(live, desired: desired) { return false }
        }
        _ = try await client.apply(desired, fieldManager: Controllers.fieldManager, force: true)
        return true
    }

    /// Whether `live` was rendered from the same AppConfig generation and component revision as
    /// `desired` (the apply-once-only test of §4.11).
    static func isSameGenerationAndRevision(_ live: Resource, _ desired: Resource) -> Bool {
        live.annotations[OAM.Annotation.generation] == desired.annotations[OAM.Annotation.generation]
            && [OAM.Label.revision, OAM.Label.component, OAM.Label.appName].allSatisfy {
                live.labels[$0] == desired.labels[$0]
            }
    }
}

/// An object another owner controls.
struct OwnershipConflict: Error {
    var message: String
}
