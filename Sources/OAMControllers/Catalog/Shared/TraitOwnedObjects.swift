import KubeClient
import OAM
import Resources
import ControllerRuntime

/// Writes the objects a catalog trait makes (an Ingress, a Service, a ServiceMonitor): each is
/// server-side applied under the trait's own field manager only when the cached object is not
/// what was last applied to it (``AppliedState``), and objects the trait controls but no longer
/// renders are deleted. Every write is told as a ``Change`` for the trait's Normal Events.
struct TraitOwnedObjects: Sendable {
    let client: KubernetesClient
    /// `mizzen-<entry>`.
    let fieldManager: String

    /// A write, told as a Normal Event on the AppConfig: reason `<Kind> created|updated|deleted`.
    struct Change: Sendable, Equatable {
        var reason: String
        var message: String

        init(_ verb: String, kind: String, name: String, trait: Resource) {
            reason = "\(kind) \(verb)"
            message = "Trait `\(trait.name)` \(verb) \(kind) `\(name)`"
        }
    }

    /// A write that failed, with the message the trait's `Synced` condition shows.
    struct Failure: Error {
        var message: String
    }

    /// Applies `object` unless `live` (the cached object of that name) already is it; returns
    /// the object as it is now.
    ///
    /// - Throws: ``Failure`` when an object of that name belongs to another controller, or the
    ///   server refuses the apply.
    func apply(_ object: Resource, live: Resource?, trait: Resource, changes: inout [Change]) async throws(Failure)
        -> Resource
    {
        let desired = AppliedState.stamped(object)
        if let live {
            if let owner = live.controllerReference, owner.uid != trait.uid {
                throw Failure(
                    message: "cannot apply \(object.kind) \(object.name): it is controlled by \(owner.kind) \(owner.name)")
            }
            if live.controllerReference == nil {
                throw Failure(
                    message: "cannot apply \(object.kind) \(object.name): an object of that name exists and no "
                        + "controller owns it; rename the trait or remove the object")
            }
            if AppliedState.isCurrent(live, desired: desired) { return live }
        }
        do {
            let applied = try await client.apply(desired, fieldManager: fieldManager, force: true)
            changes.append(Change(live == nil ? "created" : "updated", kind: object.kind, name: object.name, trait: trait))
            return applied
        } catch let error as APIError {
            throw Failure(message: "cannot apply \(object.kind) \(object.name): \(error.message)")
        } catch {
            throw Failure(message: "cannot apply \(object.kind) \(object.name): \(error)")
        }
    }

    /// Deletes the objects of `informer` that `trait` controls and that are not named in `keep`.
    func deleteOthers(
        in informer: Informer, keep: Set<String>, trait: Resource, changes: inout [Change]
    ) async throws(Failure) {
        guard let uid = trait.uid else { return }
        for stale in informer.cache.objects(index: Indexes.controllerOwner, value: uid)
        where !keep.contains(stale.name) && !stale.isBeingDeleted {
            do {
                try await client.delete(informer.kind, name: stale.name, namespace: stale.namespace)
                changes.append(Change("deleted", kind: informer.kind.kind, name: stale.name, trait: trait))
            } catch let error as APIError where error.reason == .notFound {
                continue
            } catch let error as APIError {
                throw Failure(message: "cannot delete \(informer.kind.kind) \(stale.name): \(error.message)")
            } catch {
                throw Failure(message: "cannot delete \(informer.kind.kind) \(stale.name): \(error)")
            }
        }
    }

    /// The trait `object` belongs to, when its controller is a trait of `kind`: how a change of
    /// a made object queues its trait again.
    static func owningTrait(of object: Resource, kind: GroupVersionKind) -> ObjectKey? {
        guard let owner = object.controllerReference, owner.kind == kind.kind,
            GroupVersion(apiVersion: owner.apiVersion).group == kind.group
        else { return nil }
        return ObjectKey(namespace: object.namespace, name: owner.name)
    }
}
