import OAM
import Resources
import Synchronization
import ControllerRuntime

/// Names an object by namespace, API group, kind and name — not version, so that a reference
/// written at another version of the kind still names the same object. Used as the value of
/// the indexes that find the traits and scopes referring to an object.
enum ReferenceKey {
    static func of(namespace: String?, apiVersion: String, kind: String, name: String) -> String {
        "\(namespace ?? "")/\(GroupVersion(apiVersion: apiVersion).group)/\(kind)/\(name)"
    }

    /// The key of `object`.
    static func of(_ object: Resource) -> String {
        of(namespace: object.namespace, apiVersion: object.apiVersion, kind: object.kind, name: object.name)
    }

    /// The key of the object `reference` names, in `namespace`.
    static func of(_ reference: TypedReference, namespace: String?) -> String {
        of(namespace: namespace, apiVersion: reference.apiVersion, kind: reference.kind, name: reference.name)
    }

    /// The key of `object`, of kind `kind`, and those of its owners (in its namespace).
    static func selfAndOwners(_ object: Resource, kind: GroupVersionKind) -> [String] {
        [of(namespace: object.namespace, apiVersion: kind.apiVersion, kind: kind.kind, name: object.name)]
            + object.ownerReferences.map {
            of(namespace: object.namespace, apiVersion: $0.apiVersion, kind: $0.kind, name: $0.name)
        }
    }

    /// An index function over the references at `path` of an object: a single reference
    /// (`spec.workloadRef`) or a list of them (`spec.workloadRefs`).
    static func index(at path: FieldPath) -> IndexFunction {
        { object in
            let references: [JSONValue]
            switch object.valueIfPresent(at: path) {
            case .array(let elements)?: references = elements
            case .object(let members)?: references = [.object(members)]
            default: references = []
            }
            return references.compactMap { reference in
                guard let apiVersion = reference["apiVersion"]?.stringValue, let kind = reference["kind"]?.stringValue,
                    let name = reference["name"]?.stringValue
                else { return nil }
                return of(namespace: object.namespace, apiVersion: apiVersion, kind: kind, name: name)
            }
        }
    }
}

/// Watches the kinds a controller's objects refer to (a trait's workload, a scope's members)
/// and queues the referring objects again when a referenced object — or an object it owns,
/// such as the Deployment of a ContainerizedWorkload — changes.
///
/// Kinds are learnt while reconciling: ``watch(_:)`` adds the handler to a kind's shared
/// informer once, creating the informer if nobody watched the kind yet.
final class ReferenceWatch: Sendable {
    private let manager: Manager
    private let referrers: Informer
    private let index: String
    private let isRelevant: @Sendable (InformerEvent) -> Bool
    private let controller = Mutex<Controller?>(nil)
    private let watched = Mutex<Set<GroupVersionKind>>([])

    /// - Parameters:
    ///   - referrers: the informer of the referring kind, with an index `index` of
    ///     ``ReferenceKey`` values of the objects each one refers to.
    ///   - isRelevant: which changes of referenced objects matter.
    init(manager: Manager, referrers: Informer, index: String,
         isRelevant: @escaping @Sendable (InformerEvent) -> Bool) {
        self.manager = manager
        self.referrers = referrers
        self.index = index
        self.isRelevant = isRelevant
    }

    /// Sets the controller that referring objects are queued on.
    func attach(_ controller: Controller) {
        self.controller.withLock { $0 = controller }
    }

    /// The informer of `kind`, whose changes queue the objects referring to them from now on.
    @discardableResult
    func watch(_ kind: GroupVersionKind) -> Informer {
        let informer = manager.informer(for: kind)
        guard watched.withLock({ $0.insert(kind).inserted }) else { return informer }
        informer.addHandler { [weak self] event in await self?.changed(event, kind: kind) }
        return informer
    }

    private func changed(_ event: InformerEvent, kind: GroupVersionKind) async {
        guard isRelevant(event), let controller = controller.withLock({ $0 }) else { return }
        var keys: Set<ObjectKey> = []
        for value in ReferenceKey.selfAndOwners(event.object, kind: kind) {
            keys.formUnion(referrers.cache.keys(index: index, value: value))
        }
        for key in keys.sorted() { await controller.enqueue(key) }
    }
}
