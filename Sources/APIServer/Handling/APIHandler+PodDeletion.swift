import APIMachinery
import Foundation
import OrderedCollections
import Resources
import Store

/// Graceful deletion of Pods, as kube-apiserver's pod strategy decides it: a Pod bound to a
/// node and not finished gets `deletionTimestamp` its grace period ahead (the delete's
/// `gracePeriodSeconds`, else `spec.terminationGracePeriodSeconds`, else 30) and stays —
/// `Terminating` — until its kubelet has stopped it and deletes it with grace 0; a Pod not
/// bound to a node, or finished, goes at once, as does any Pod deleted with grace 0
/// (`kubectl delete --grace-period=0 --force`). A negative grace period counts as 1 second.
///
/// The delete answers `200` with the marked Pod, as kube-apiserver does.
extension APIHandler {
    /// The grace period a delete of `name` of `served` gets; `nil` for every kind but Pods.
    func gracePeriodForDeleting(_ served: ServedResource, namespace: String?, name: String, _ request: APIRequest)
        async throws -> Int?
    {
        guard served.type.group.isEmpty, served.type.resource == "pods" else { return nil }
        var requested = request.query["gracePeriodSeconds"].flatMap { Int($0) }
        if !request.body.isEmpty, let value = try Self.decodeBody(request)["gracePeriodSeconds"]?.intValue {
            requested = Int(value)
        }
        guard let pod = try? await store.get(served.type, namespace: namespace, name: name) else { return nil }
        let node = pod.spec?["nodeName"]?.stringValue ?? ""
        let phase = pod.status?["phase"]?.stringValue ?? ""
        if node.isEmpty || phase == "Succeeded" || phase == "Failed" { return 0 }
        let grace = requested ?? pod.spec?["terminationGracePeriodSeconds"]?.intValue.map { Int($0) } ?? 30
        return grace < 0 ? 1 : grace
    }

    /// Whether `object`, as a delete left it, waits for its grace period to end.
    static func isGracefullyDeleting(_ object: Resource) -> Bool {
        object.deletionTimestamp != nil && (object.metadata["deletionGracePeriodSeconds"]?.intValue ?? 0) > 0
    }
}
