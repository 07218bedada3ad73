import APIMachinery
import BuiltinKinds
import OrderedCollections
import Resources
import Store

extension APIHandler {
    /// kube-apiserver's two built-in PriorityClasses, `system-cluster-critical` and
    /// `system-node-critical`, created at start when missing (as kube's scheduling bootstrap does:
    /// stored directly, without managed fields). Existing ones are left as they are.
    func ensureSystemPriorityClasses() async throws {
        let type = BuiltinTypes.priorityClasses.type
        let classes: [(name: String, value: Int64, description: String)] = [
            ("system-node-critical", 2_000_001_000,
             "Used for system critical pods that must not be moved from their current node."),
            ("system-cluster-critical", 2_000_000_000,
             "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."),
        ]
        for priorityClass in classes {
            do {
                _ = try await store.get(type, namespace: nil, name: priorityClass.name)
                continue
            } catch let error as APIError where error.reason == .notFound {}
            let object = Resource(object: [
                "apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
                "metadata": ["name": .string(priorityClass.name)],
                "value": .int(priorityClass.value),
                "description": .string(priorityClass.description),
                "preemptionPolicy": "PreemptLowerPriority",
            ])
            do {
                _ = try await store.create(object, as: type, dryRun: false)
            } catch let error as APIError where error.reason == .alreadyExists {
                // Another server on the same store created it first.
            }
        }
    }
}
