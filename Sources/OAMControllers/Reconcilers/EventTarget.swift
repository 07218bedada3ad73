import OAM
import Resources
import ControllerRuntime

/// Where the workload and trait controllers record their Events (spec §7.1 step 2, §8 step 1):
/// on the ApplicationConfiguration that controls the object — where users look, with
/// `mizzen describe` or `kubectl describe` — or on the object itself when no AppConfig owns it.
///
/// The target is built from the owner reference alone (no read): an Event needs only the
/// involved object's apiVersion, kind, namespace, name and uid.
enum EventTarget {
    /// The AppConfig that owns `object` (its controller reference when that is an AppConfig,
    /// else its first AppConfig owner), or `object`.
    static func of(_ object: Resource) -> Resource {
        let owners = object.ownerReferences.filter(Self.isAppConfig)
        guard let owner = owners.first(where: { $0.controller == true }) ?? owners.first else { return object }
        var target = Resource(apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, namespace: object.namespace)
        target.uid = owner.uid
        return target
    }

    private static func isAppConfig(_ owner: OwnerReference) -> Bool {
        owner.kind == ApplicationConfiguration.kind && GroupVersion(apiVersion: owner.apiVersion).group == OAM.group
    }
}
