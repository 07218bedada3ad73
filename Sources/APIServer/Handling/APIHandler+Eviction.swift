import APIMachinery
import Foundation
import OrderedCollections
import Resources
import Store

/// `POST pods/<name>/eviction`, as kube-apiserver's eviction subresource: a `policy/v1`
/// `Eviction` deletes the Pod unless a PodDisruptionBudget selecting it forbids it.
///
/// - A Pod that is Pending, finished or already being deleted is deleted at once.
/// - With one budget selecting it, the eviction needs the budget's status to be current
///   (`observedGeneration`) and to allow a disruption; it then takes one
///   (`disruptionsAllowed` decremented, the Pod recorded in `disruptedPods`, which the
///   disruption controller keeps) before the delete. Otherwise `429 TooManyRequests`,
///   "Cannot evict pod as it would violate the pod's disruption budget.", with a
///   `DisruptionBudget` cause saying why — what `kubectl drain` retries on.
/// - A Pod that is not ready does not count against a budget whose healthy pods suffice, or
///   whose `unhealthyPodEvictionPolicy` is `AlwaysAllow`.
/// - More than one budget: `500`, as kube-apiserver answers.
///
/// The Pod gets the `DisruptionTarget` condition (`EvictionByEvictionAPI`) before it is deleted.
extension APIHandler {
    /// The message of every refusal by a budget.
    static let evictionRefused = "Cannot evict pod as it would violate the pod's disruption budget."
    /// More disrupted pods than this in a budget's status means the controller is not keeping up.
    static let maximumDisruptedPods = 2000

    /// A refusal of an eviction: an answer, not an error of the server.
    private struct EvictionRefusal: Error {
        var response: APIResponse
    }

    func evictRespectingBudgets(_ served: ServedResource, namespace: String, name: String, _ request: APIRequest)
        async throws -> APIResponse
    {
        let eviction = try Self.decodeBody(request)
        guard (eviction["metadata"]?["name"]?.stringValue ?? "") == name else {
            throw APIError.badRequest("name in URL does not match name in Eviction object")
        }
        var options = DeleteOptions()
        options.dryRun = request.isDryRun
        if let deleteOptions = eviction["deleteOptions"] {
            if let uid = deleteOptions["preconditions"]?["uid"]?.stringValue { options.preconditionUID = uid }
            if let version = deleteOptions["preconditions"]?["resourceVersion"]?.stringValue {
                options.preconditionResourceVersion = version
            }
            if deleteOptions["dryRun"]?.arrayValue?.contains("All") == true { options.dryRun = true }
        }
        let versionUnset = options.preconditionResourceVersion == nil
        let pod = try await store.get(served.type, namespace: namespace, name: name)
        options.gracePeriodSeconds = Self.evictionGracePeriod(
            of: pod, requested: eviction["deleteOptions"]?["gracePeriodSeconds"]?.intValue.map { Int($0) })
        do {
            if Self.evictionIgnoresBudgets(pod) {
                var deleteOptions = options
                let phase = pod.status?["phase"]?.stringValue ?? ""
                // A running pod must not change between the read and the delete.
                if versionUnset, phase != "Succeeded", phase != "Failed", pod.deletionTimestamp == nil {
                    deleteOptions.preconditionResourceVersion = pod.resourceVersion
                }
                try await markAndDelete(served, namespace: namespace, name: name, options: deleteOptions)
                return Self.evicted
            }
            let (deleteOptions, budget) = try await takeDisruption(of: pod, options: options)
            do {
                try await markAndDelete(served, namespace: namespace, name: name, options: deleteOptions)
            } catch let error as APIError
                where error.reason == .conflict && versionUnset && deleteOptions.preconditionResourceVersion != nil
            {
                throw EvictionRefusal(response: Self.budgetStillProcessing(budget ?? ""))
            }
            return Self.evicted
        } catch let refusal as EvictionRefusal {
            return refusal.response
        }
    }

    /// What the budget of `pod` says: the delete options to evict it with (a resourceVersion
    /// precondition when an unready pod is let go), after taking a disruption from its budget;
    /// and the budget's name.
    private func takeDisruption(of pod: Resource, options: DeleteOptions) async throws
        -> (DeleteOptions, String?)
    {
        let type = BuiltinTypes.podDisruptionBudgets.type
        let namespace = pod.namespace ?? ""
        let labels = Dictionary(uniqueKeysWithValues: pod.labels.map { ($0.key, $0.value) })
        let budgets = try await store.list(type, namespace: namespace, options: ListOptions()).items.filter { pdb in
            guard let json = pdb.spec?["selector"], !json.isNull, let selector = try? LabelSelector(json: json)
            else { return false }
            return selector.matches(labels)
        }
        if budgets.count > 1 {
            throw EvictionRefusal(response: .json(status: 500, body: [
                "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
                "message": "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
                "code": 500,
            ], contentType: "application/json"))
        }
        guard var pdb = budgets.first else { return (options, nil) }
        let status = pdb.status ?? .emptyObject
        if !Self.isReady(pod) {
            let alwaysAllow = pdb.spec?["unhealthyPodEvictionPolicy"]?.stringValue == "AlwaysAllow"
            let desired = status["desiredHealthy"]?.intValue ?? 0
            if alwaysAllow || ((status["currentHealthy"]?.intValue ?? 0) >= desired && desired > 0) {
                var options = options
                options.preconditionResourceVersion = pod.resourceVersion
                return (options, pdb.name)
            }
        }
        for attempt in 0..<5 {
            if attempt > 0 { pdb = try await store.get(type, namespace: namespace, name: pdb.name) }
            let taken = try Self.takingDisruption(from: pdb, pod: pod.name, now: timestamp)
            guard !options.dryRun else { return (options, pdb.name) }
            do {
                _ = try await store.update(taken, as: type, subresource: .status, dryRun: false)
                return (options, pdb.name)
            } catch let error as APIError where error.reason == .conflict {
                continue
            }
        }
        throw APIError(code: 504, reason: .timeout,
                       message: "couldn't update PodDisruptionBudget \"\(pdb.name)\" due to conflicts",
                       retryAfterSeconds: 10)
    }

    /// `pdb` with one disruption taken for `pod` (recorded in `disruptedPods` at `now`); a
    /// refusal when its status is stale or allows none.
    static func takingDisruption(from pdb: Resource, pod: String, now: String) throws -> Resource {
        let status = pdb.status ?? .emptyObject
        if (status["observedGeneration"]?.intValue ?? 0) < (pdb.generation ?? 0) {
            throw EvictionRefusal(response: budgetStillProcessing(pdb.name))
        }
        let allowed = status["disruptionsAllowed"]?.intValue ?? 0
        if allowed < 0 {
            throw APIError(code: 403, reason: .forbidden,
                           message: "poddisruptionbudgets.policy \"\(pdb.name)\" is forbidden: pdb disruptions allowed is negative",
                           kind: "poddisruptionbudgets", name: pdb.name, group: "policy")
        }
        if (status["disruptedPods"]?.objectValue?.count ?? 0) > maximumDisruptedPods {
            throw APIError(code: 403, reason: .forbidden,
                           message: "poddisruptionbudgets.policy \"\(pdb.name)\" is forbidden: DisruptedPods map too big - "
                               + "too many evictions not confirmed by PDB controller",
                           kind: "poddisruptionbudgets", name: pdb.name, group: "policy")
        }
        if allowed == 0 {
            throw EvictionRefusal(response: tooManyRequests(cause: refusalCause(pdb), retryAfter: nil))
        }
        var taken = pdb
        var members = status.objectValue ?? [:]
        members["disruptionsAllowed"] = .int(allowed - 1)
        if allowed - 1 == 0 {
            var conditions = members["conditions"]?.arrayValue ?? []
            let observed = members["observedGeneration"]?.intValue ?? 0
            var condition: JSONValue = ["type": "DisruptionAllowed", "status": "False", "reason": "InsufficientPods",
                                        "message": ""]
            if observed != 0 { condition["observedGeneration"] = .int(observed) }
            if let index = conditions.firstIndex(where: { $0["type"] == "DisruptionAllowed" }) {
                let old = conditions[index]
                condition["lastTransitionTime"] = old["status"] == "False" ? old["lastTransitionTime"] ?? .string(now) : .string(now)
                conditions[index] = condition
            } else {
                condition["lastTransitionTime"] = .string(now)
                conditions.append(condition)
            }
            members["conditions"] = .array(conditions)
        }
        var disrupted = members["disruptedPods"]?.objectValue ?? [:]
        disrupted[pod] = .string(now)
        members["disruptedPods"] = .object(disrupted)
        taken.status = .object(members)
        return taken
    }

    /// Why a budget allows no disruption, as kube-apiserver words the cause.
    static func refusalCause(_ pdb: Resource) -> String {
        let status = pdb.status ?? .emptyObject
        let condition = status["conditions"]?.arrayValue?.first { $0["type"] == "DisruptionAllowed" }
        let failed = condition?["status"] == "False" && !(condition?["message"]?.stringValue ?? "").isEmpty
        let current = status["currentHealthy"]?.intValue ?? 0
        let desired = status["desiredHealthy"]?.intValue ?? 0
        let reason = condition?["reason"]?.stringValue ?? ""
        let message = condition?["message"]?.stringValue ?? ""
        if failed, reason == "SyncFailed" {
            return "The disruption budget \(pdb.name) does not allow evicting pods currently because it failed sync: \(message)"
        }
        if current <= desired {
            return "The disruption budget \(pdb.name) needs \(desired) healthy pods and has \(current) currently"
        }
        if failed {
            return "The disruption budget \(pdb.name) does not allow evicting pods currently (\(reason)): \(message)"
        }
        return "The disruption budget \(pdb.name) does not allow evicting pods currently"
    }

    /// The 429 of a budget whose status the controller has not caught up with.
    static func budgetStillProcessing(_ name: String) -> APIResponse {
        tooManyRequests(cause: "The disruption budget \(name) is still being processed by the server.", retryAfter: 10)
    }

    /// kube's 429 with one `DisruptionBudget` cause (a cause without a field, as Go omits it).
    static func tooManyRequests(cause: String, retryAfter: Int?) -> APIResponse {
        var details: JSONObject = ["causes": [["reason": "DisruptionBudget", "message": .string(cause)]]]
        if let retryAfter { details["retryAfterSeconds"] = .int(Int64(retryAfter)) }
        return .json(status: 429, body: [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": .string(evictionRefused), "reason": "TooManyRequests", "details": .object(details), "code": 429,
        ], contentType: "application/json")
    }

    /// The `201` Status of an eviction done.
    static let evicted = APIResponse.json(
        status: 201, body: ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "code": 201],
        contentType: "application/json")

    /// The grace period of an eviction's delete, as of any delete of a Pod: the eviction's own,
    /// else the Pod's `terminationGracePeriodSeconds`, else 30; none for a Pod not on a node or
    /// finished (it goes at once).
    static func evictionGracePeriod(of pod: Resource, requested: Int?) -> Int {
        let node = pod.spec?["nodeName"]?.stringValue ?? ""
        let phase = pod.status?["phase"]?.stringValue ?? ""
        if node.isEmpty || phase == "Succeeded" || phase == "Failed" { return 0 }
        let grace = requested ?? pod.spec?["terminationGracePeriodSeconds"]?.intValue.map { Int($0) } ?? 30
        return grace < 0 ? 1 : grace
    }

    /// Pending, finished and already deleted pods disrupt nothing.
    static func evictionIgnoresBudgets(_ pod: Resource) -> Bool {
        let phase = pod.status?["phase"]?.stringValue ?? "Pending"
        return ["Succeeded", "Failed", "Pending", ""].contains(phase) || pod.deletionTimestamp != nil
    }

    /// The `Ready` condition is `True`.
    static func isReady(_ pod: Resource) -> Bool {
        pod.status?["conditions"]?.arrayValue?.contains { $0["type"] == "Ready" && $0["status"] == "True" } ?? false
    }

    /// Adds the `DisruptionTarget` condition to the Pod (checking the delete's preconditions
    /// first), then deletes it.
    private func markAndDelete(_ served: ServedResource, namespace: String, name: String, options: DeleteOptions)
        async throws
    {
        var options = options
        if !options.dryRun {
            var pod = try await store.get(served.type, namespace: namespace, name: name)
            if let uid = options.preconditionUID, !uid.isEmpty, uid != pod.uid {
                throw APIError.conflict(resource: "Pod", name: name, reason: "the UID in the precondition (\(uid)) does "
                    + "not match the UID in record (\(pod.uid ?? "")). The object might have been deleted and then recreated")
            }
            if let version = options.preconditionResourceVersion, !version.isEmpty, version != pod.resourceVersion {
                throw APIError.conflict(resource: "Pod", name: name, reason: "the ResourceVersion in the precondition "
                    + "(\(version)) does not match the ResourceVersion in record (\(pod.resourceVersion ?? "")). "
                    + "The object might have been modified")
            }
            var conditions = pod.status?["conditions"]?.arrayValue ?? []
            let index = conditions.firstIndex { $0["type"] == "DisruptionTarget" }
            let unchanged = index.map { conditions[$0]["status"] == "True" } ?? false
            let condition: JSONValue = [
                "type": "DisruptionTarget", "status": "True", "lastProbeTime": .null,
                "lastTransitionTime": unchanged ? conditions[index!]["lastTransitionTime"] ?? .string(timestamp)
                    : .string(timestamp),
                "reason": "EvictionByEvictionAPI", "message": "Eviction API: evicting",
            ]
            if let index { conditions[index] = condition } else { conditions.append(condition) }
            var status = pod.status?.objectValue ?? [:]
            status["conditions"] = .array(conditions)
            pod.status = .object(status)
            let updated = try await store.update(pod, as: served.type, subresource: .status, dryRun: false)
            if options.preconditionResourceVersion != nil { options.preconditionResourceVersion = updated.resourceVersion }
        }
        let deleted = try await store.delete(served.type, namespace: namespace, name: name, options: options)
        try await afterWrite(deleted, served, dryRun: options.dryRun, deleted: true)
    }
}
