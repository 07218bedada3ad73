import APIMachinery
import Foundation
import OrderedCollections
import Resources
import Store

/// The subresources of a Pod besides `status`: `log`, `binding` and `eviction`.
///
/// - `GET pods/<name>/log`: a Pod not bound to a node has no logs yet, and kube-apiserver then
///   answers `204 No Content`; so does this server. A Pod bound to a node gets one line saying
///   that the embedded node runs no containers (there are no logs to show, but the request is
///   not an error: `kubectl logs` prints the line).
/// - `POST pods/<name>/binding`: a `Binding` sets `spec.nodeName` and the `PodScheduled`
///   condition, as the scheduler's binding does; a Pod already bound is a 409.
/// - `POST pods/<name>/eviction`: a `policy/v1` `Eviction` deletes the Pod unless its
///   PodDisruptionBudget forbids it (`APIHandler+Eviction.swift`).
extension APIHandler {
    /// The answer to a request for one of these subresources; `nil` for any other request.
    func podSubresource(_ served: ServedResource, _ target: ResourceTarget, _ request: APIRequest) async throws
        -> APIResponse?
    {
        let type = served.type
        guard type.group.isEmpty, type.resource == "pods", let name = target.name,
            let subresource = target.subresource, ["log", "binding", "eviction"].contains(subresource)
        else { return nil }
        let namespace = target.namespace ?? "default"
        switch (request.method.uppercased(), subresource) {
        case ("GET", "log"): return try await podLog(type, namespace: namespace, name: name, request)
        case ("POST", "binding"): return try await bindPod(served, namespace: namespace, name: name, request)
        case ("POST", "eviction"):
            return try await evictRespectingBudgets(served, namespace: namespace, name: name, request)
        default: throw Self.methodNotAllowed(request.method.uppercased())
        }
    }

    /// The line `kubectl logs` prints for a container of a Pod on the embedded node.
    static func noContainersLine(namespace: String, pod: String, container: String) -> String {
        "mizzen: the embedded node runs no containers, so container \(container) of pod \(namespace)/\(pod) has no logs\n"
    }

    private func podLog(_ type: ResourceType, namespace: String, name: String, _ request: APIRequest) async throws
        -> APIResponse
    {
        let pod = try await store.get(type, namespace: namespace, name: name)
        let spec = pod.spec ?? .emptyObject
        let names = ["containers", "initContainers", "ephemeralContainers"].flatMap { list in
            (spec[list]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        }
        let container: String
        if let asked = request.query["container"], !asked.isEmpty {
            guard names.contains(asked) else {
                throw APIError.badRequest("container \(asked) is not valid for pod \(name)")
            }
            container = asked
        } else {
            let regular = (spec["containers"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
            guard regular.count == 1, let only = regular.first else {
                throw APIError.badRequest(
                    "a container name must be specified for pod \(name), choose one of: [\(regular.joined(separator: " "))]")
            }
            container = only
        }
        guard let node = spec["nodeName"]?.stringValue, !node.isEmpty else {
            return .json(status: 204, body: "", contentType: "text/plain")
        }
        return .json(status: 200, body: .string(Self.noContainersLine(namespace: namespace, pod: name, container: container)),
                     contentType: "text/plain")
    }

    private func bindPod(_ served: ServedResource, namespace: String, name: String, _ request: APIRequest) async throws
        -> APIResponse
    {
        let binding = try Self.decodeBody(request)
        guard (binding["metadata"]?["name"]?.stringValue ?? "") == name else {
            throw APIError.badRequest("name in URL does not match name in Binding object")
        }
        let target = binding["target"] ?? .emptyObject
        var problems: [String] = []
        if let kind = target["kind"]?.stringValue, !kind.isEmpty, kind != "Node" {
            problems.append(#"target.kind: Unsupported value: "\#(kind)": supported values: "Node", "<empty>""#)
        }
        let node = target["name"]?.stringValue ?? ""
        if node.isEmpty { problems.append("target.name: Required value") }
        if !problems.isEmpty {
            // kube-apiserver reports these as an internal error, without a reason.
            throw APIError(code: 500, reason: APIError.Reason(rawValue: ""), message: "[\(problems.joined(separator: ", "))]")
        }
        var pod = try await store.get(served.type, namespace: namespace, name: name)
        if pod.deletionTimestamp != nil {
            throw APIError.conflict(resource: "pods/binding", name: name,
                                    reason: "pod \(name) is being deleted, cannot be assigned to a host")
        }
        if let assigned = pod.spec?["nodeName"]?.stringValue, !assigned.isEmpty {
            throw APIError.conflict(resource: "pods/binding", name: name,
                                    reason: "pod \(name) is already assigned to node \"\(assigned)\"")
        }
        let dryRun = request.isDryRun
        pod.spec?["nodeName"] = .string(node)
        for (key, value) in binding["metadata"]?["annotations"]?.objectValue ?? [:] {
            pod.setAnnotation(key, value.stringValue ?? "")
        }
        // kube-apiserver's binding sets the node without the update strategy: the Pod's
        // generation does not move.
        var untracked = served.type
        untracked.tracksGeneration = false
        var bound = try await store.update(pod, as: untracked, subresource: .main, dryRun: dryRun)
        var conditions = bound.status?["conditions"]?.arrayValue ?? []
        conditions.removeAll { $0["type"] == "PodScheduled" }
        conditions.append(["type": "PodScheduled", "status": "True", "lastProbeTime": .null,
                           "lastTransitionTime": .string(timestamp)])
        bound.status?["conditions"] = .array(conditions)
        let scheduled = try await store.update(bound, as: served.type, subresource: .status, dryRun: dryRun)
        try await afterWrite(scheduled, served, dryRun: dryRun)
        return .json(status: 201, body: ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success",
                                         "code": 201], contentType: "application/json")
    }
}
