import ControllerRuntime
import Foundation
import KubeClient
import Logging
import OrderedCollections
import Resources

/// Keeps each ReplicaSet's Pods at `spec.replicas`, as kube-controller-manager's replicaset
/// controller does: it adopts orphan Pods its selector matches and releases those it no longer
/// matches, creates Pods from its template (in batches of 1, 2, 4…, stopping at the first
/// failure) or deletes the least useful ones first, and writes `status` (replicas,
/// fullyLabeledReplicas, readyReplicas, availableReplicas after `minReadySeconds`,
/// terminatingReplicas, observedGeneration, and `ReplicaFailure` while creating or deleting
/// fails). Events `SuccessfulCreate`/`SuccessfulDelete` (`FailedCreate`/`FailedDelete`)
/// come from `replicaset-controller`.
final class ReplicaSetReconciler: Reconciler {
    static let kind = GroupVersionKind(group: "apps", version: "v1", kind: "ReplicaSet")
    /// The most Pods created or deleted in one reconcile, as kube's `burstReplicas`.
    static let burstReplicas = 500

    let replicaSets: Informer
    let pods: Informer
    let client: KubernetesClient
    let events: any EventSink
    let expectations = ReplicaSetExpectations()
    /// The Pods without a controller, which a ReplicaSet may adopt.
    let orphanPods: ReplicaSetOrphans
    let logger: Logger

    init(replicaSets: Informer, pods: Informer, client: KubernetesClient, events: any EventSink, logger: Logger) {
        self.replicaSets = replicaSets
        self.pods = pods
        self.orphanPods = ReplicaSetOrphans(following: pods)
        self.client = client
        self.events = events
        self.logger = logger
    }

    private var writeOptions: WriteOptions { WriteOptions(fieldManager: ClusterControllers.fieldManager) }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let replicaSet = replicaSets.cache.get(key) else {
            expectations.forget(key)
            return .done
        }
        guard let selector = try? LabelSelector(json: replicaSet.spec?["selector"] ?? .null) else { return .done }
        // Its own Pods and the orphans of its namespace, through indexes rather than every Pod.
        let owned = pods.cache.objects(index: Indexes.controllerOwner, value: replicaSet.uid ?? "")
            .filter { $0.namespace == replicaSet.namespace }
        let inNamespace = owned + orphanPods.objects(in: replicaSet.namespace, from: pods.cache)
            .filter { $0.controllerReference == nil }
        let active = try await claim(inNamespace.filter(Pods.isActive), for: replicaSet, selector: selector)
        let terminating = inNamespace.filter { pod in
            ControllerReferences.isControlled(pod, by: replicaSet) && pod.isBeingDeleted
                && !["Succeeded", "Failed"].contains(Pods.phase(of: pod))
                && selector.matches(DeploymentSync.plain(pod.labels))
        }

        let settled = expectations.isSatisfied(
            key,
            exists: { pods.cache.get($0) != nil },
            goneOrGoing: { pods.cache.get($0)?.isBeingDeleted ?? true })
        var failure: APIError?
        if settled && !replicaSet.isBeingDeleted {
            do {
                try await manage(active, of: replicaSet, key: key)
            } catch let error as APIError {
                failure = error
            }
        }

        let now = Date()
        var updated = replicaSet
        updated.status = ReplicaSetPods.status(
            of: replicaSet, active: active, terminating: terminating.count, failure: failure?.message, now: now)
        if updated.status != replicaSet.status {
            do {
                updated = try await client.updateStatus(updated, options: writeOptions)
            } catch let error as APIError where error.reason == .notFound {
                return .done
            }
        }
        if let failure { throw failure }
        let minReadySeconds = Int(replicaSet.spec?["minReadySeconds"]?.intValue ?? 0)
        if minReadySeconds > 0, updated.status?["readyReplicas"] != updated.status?["availableReplicas"] {
            let wait = ReplicaSetPods.nextAvailabilityCheck(active: active, minReadySeconds: minReadySeconds, now: now)
                ?? TimeInterval(minReadySeconds)
            return .requeue(after: .milliseconds(Int64(wait * 1000) + 10))
        }
        return .done
    }

    // MARK: Adoption

    /// The Pods of `candidates` (active, controlled by `replicaSet` or orphans) that it keeps:
    /// its own that it selects, and orphans it selects, adopted. Its own it no longer selects
    /// are released.
    private func claim(_ candidates: [Resource], for replicaSet: Resource, selector: LabelSelector) async throws
        -> [Resource]
    {
        var claimed: [Resource] = []
        for pod in candidates {
            let matches = selector.matches(DeploymentSync.plain(pod.labels))
            if ControllerReferences.isControlled(pod, by: replicaSet) {
                if matches {
                    claimed.append(pod)
                } else if !replicaSet.isBeingDeleted {
                    var released = pod
                    released.ownerReferences = pod.ownerReferences.filter { $0.uid != replicaSet.uid }
                    _ = try await ignoringGone { try await client.update(released, options: writeOptions) }
                }
            } else if pod.controllerReference == nil, matches, !replicaSet.isBeingDeleted, !pod.isBeingDeleted {
                var adopted = pod
                adopted.ownerReferences = pod.ownerReferences + [
                    OwnerReference(json: ControllerReferences.reference(to: replicaSet, kind: Self.kind))!,
                ]
                if let updated = try await ignoringGone({ try await client.update(adopted, options: writeOptions) }) {
                    claimed.append(updated)
                }
            }
        }
        return claimed
    }

    // MARK: Creating and deleting

    /// Creates or deletes Pods so that `active` reaches `spec.replicas`.
    private func manage(_ active: [Resource], of replicaSet: Resource, key: ObjectKey) async throws {
        let replicas = Int(replicaSet.spec?["replicas"]?.intValue ?? 1)
        let difference = active.count - replicas
        if difference < 0 {
            try await create(min(-difference, Self.burstReplicas), for: replicaSet, key: key)
        } else if difference > 0 {
            let count = min(difference, Self.burstReplicas)
            let order = ReplicaSetPods.deletionOrder(active, related: relatedPods(of: replicaSet), now: Date())
            try await delete(Array(order.prefix(count)), of: replicaSet, key: key)
        }
    }

    /// Creates `count` Pods in batches of 1, 2, 4… and stops after a batch with a failure.
    private func create(_ count: Int, for replicaSet: Resource, key: ObjectKey) async throws {
        let template = replicaSet.spec?["template"] ?? .object([:])
        var remaining = count
        var batch = 1
        while remaining > 0 {
            let size = min(batch, remaining)
            let results = await withTaskGroup(of: Result<Resource, any Error>.self) { group in
                for _ in 0..<size {
                    group.addTask {
                        let pod = Pods.pod(from: template, owner: replicaSet, kind: Self.kind)
                        do {
                            return .success(try await self.client.create(pod, options: self.writeOptions))
                        } catch {
                            return .failure(error)
                        }
                    }
                }
                var results: [Result<Resource, any Error>] = []
                for await result in group { results.append(result) }
                return results
            }
            var firstFailure: (any Error)?
            var created: [ObjectKey] = []
            for result in results {
                switch result {
                case .success(let pod):
                    created.append(ObjectKey(pod))
                    await events.record(on: replicaSet, type: .normal, reason: "SuccessfulCreate", message: "Created pod: \(pod.name)")
                case .failure(let error):
                    let message = (error as? APIError)?.message ?? "\(error)"
                    await events.record(on: replicaSet, type: .warning, reason: "FailedCreate", message: "Error creating: \(message)")
                    firstFailure = firstFailure ?? error
                }
            }
            expectations.expect(key, creations: created)
            if let firstFailure { throw firstFailure }
            remaining -= size
            batch *= 2
        }
    }

    /// Deletes `victims`, all at once.
    private func delete(_ victims: [Resource], of replicaSet: Resource, key: ObjectKey) async throws {
        expectations.expect(key, deletions: victims.map(ObjectKey.init))
        let failures = await withTaskGroup(of: (any Error)?.self) { group in
            for pod in victims {
                group.addTask {
                    do {
                        _ = try await self.client.delete(Pods.kind, name: pod.name, namespace: pod.namespace)
                        await self.events.record(
                            on: replicaSet, type: .normal, reason: "SuccessfulDelete", message: "Deleted pod: \(pod.name)")
                        return nil
                    } catch let error as APIError where error.reason == .notFound {
                        self.expectations.observeDeletion(of: ObjectKey(pod))
                        return nil
                    } catch {
                        self.expectations.observeDeletion(of: ObjectKey(pod))
                        let message = (error as? APIError)?.message ?? "\(error)"
                        await self.events.record(
                            on: replicaSet, type: .warning, reason: "FailedDelete", message: "Error deleting: \(message)")
                        return error
                    }
                }
            }
            var failures: [any Error] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures
        }
        if let first = failures.first { throw first }
    }

    /// The active Pods of every ReplicaSet with the same controller as `replicaSet` (itself
    /// only when it has none), for placing deletions.
    private func relatedPods(of replicaSet: Resource) -> [Resource] {
        let siblings: [Resource]
        if let owner = replicaSet.controllerReference {
            siblings = replicaSets.cache.objects(index: Indexes.controllerOwner, value: owner.uid)
        } else {
            siblings = [replicaSet]
        }
        return siblings.flatMap { pods.cache.objects(index: Indexes.controllerOwner, value: $0.uid ?? "") }
    }

    // MARK: Queueing

    /// The ReplicaSets to look at again when `pod` changes: its controller, or, for an orphan,
    /// every ReplicaSet of its namespace whose selector takes it.
    func replicaSets(for pod: Resource) -> [ObjectKey] {
        if let reference = pod.controllerReference {
            guard reference.kind == Self.kind.kind,
                let owner = replicaSets.cache.get(namespace: pod.namespace, name: reference.name),
                owner.uid == reference.uid
            else { return [] }
            return [ObjectKey(owner)]
        }
        guard !pod.labels.isEmpty, !pod.isBeingDeleted else { return [] }
        let labels = DeploymentSync.plain(pod.labels)
        return replicaSets.cache.list(namespace: pod.namespace).filter { replicaSet in
            guard let selector = try? LabelSelector(json: replicaSet.spec?["selector"] ?? .null), !selector.isEmpty
            else { return false }
            return selector.matches(labels)
        }.map(ObjectKey.init)
    }

    private func ignoringGone<T>(_ body: () async throws -> T) async throws -> T? {
        do {
            return try await body()
        } catch let error as APIError where error.reason == .notFound {
            return nil
        }
    }
}
