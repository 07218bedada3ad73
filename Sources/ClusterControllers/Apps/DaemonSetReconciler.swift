import ControllerRuntime
import Foundation
import OrderedCollections
import KubeClient
import Logging
import Resources
import Synchronization

/// Reconciles DaemonSets as kube-controller-manager's daemonset controller does, to the level a
/// user observes:
///
/// - a ControllerRevision `name-<hash>` per template (renumbered when a rollback returns to
///   it), at most `revisionHistoryLimit` old ones no Pod uses kept;
/// - one Pod per Node that should run it (``DaemonSetNodes/placement(of:on:)``), made with a
///   required node affinity naming the Node (the scheduler binds it) and kube's daemon
///   tolerations; Pods on Nodes that should not run them, failed and succeeded Pods, and extra
///   Pods on a Node, are deleted;
/// - `RollingUpdate` replaces old Pods within `maxUnavailable` (deleting first) or `maxSurge`
///   (creating first, deleting the old Pod once the new one is available); `OnDelete` only
///   replaces Pods someone deleted;
/// - the status counts, and Events `SuccessfulCreate` ("Created pod: NAME"), `SuccessfulDelete`,
///   `FailedDaemonPod`, `SucceededDaemonPod`, `SelectingAll`.
///
/// Revision and Pod hashes have kube's form but not kube's values (kube hashes the Go structure
/// of the template; this hashes its JSON).
final class DaemonSetReconciler: Reconciler {
    let client: KubernetesClient
    let daemonSets: Informer
    let pods: Informer
    let revisions: Informer
    let nodes: Informer
    let events: any EventSink
    let expectations = PodExpectations()
    let logger: Logger
    /// When a failed Pod on a node may next be deleted, and the delay after that (kube backs off
    /// so as not to fight a kubelet that rejects the Pod).
    private let failedBackoff = Mutex<[String: (next: Date, delay: TimeInterval)]>([:])

    init(manager: Manager, events: any EventSink, logger: Logger) {
        self.client = manager.client
        self.daemonSets = manager.informer(for: DaemonSetNodes.kind)
        self.pods = manager.informer(for: Pods.kind)
        self.revisions = manager.informer(for: ControllerRevisionHistory.kind)
        self.nodes = manager.informer(for: GroupVersionKind(group: "", version: "v1", kind: "Node"))
        self.events = events
        self.logger = logger
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let daemonSet = daemonSets.cache.get(key) else {
            expectations.forget(key)
            return .done
        }
        guard !daemonSet.isBeingDeleted, let uid = daemonSet.uid else { return .done }
        if let selector = daemonSet.spec?["selector"], selector == .object([:]) {
            await events.record(
                on: daemonSet, type: .warning, reason: "SelectingAll",
                message: "This daemon set is selecting all pods. A non-empty selector is required.")
            return .done
        }
        guard let selector = try? LabelSelector(json: daemonSet.spec?["selector"] ?? .null) else { return .done }
        // Orphans the selector matches are adopted, Pods and revisions it no longer matches
        // released; their informer events bring the DaemonSet back with the cache up to date.
        // Orphan Pods are looked for only while a node lacks its Pod (reading every Pod of the
        // namespace on every reconcile would cost what the set's own Pods do not).
        let ownership = Ownership(client: client)
        let nodeList = nodes.cache.list()
        let byNode = podsByNode(uid: uid)
        let lacking = nodeList.contains { byNode[$0.name] == nil && DaemonSetNodes.placement(of: daemonSet, on: $0).shouldRun }
        var claimsChanged = false
        for (informer, kind) in [(pods, Pods.kind), (revisions, ControllerRevisionHistory.kind)] {
            let orphans = informer === pods && !lacking
                ? [] : informer.cache.list(namespace: daemonSet.namespace).filter { $0.controllerReference == nil }
            claimsChanged = try await ownership.claim(
                controlled: informer.cache.objects(index: Indexes.controllerOwner, value: uid),
                orphans: orphans,
                owner: daemonSet, ownerKind: DaemonSetNodes.kind, objectKind: kind,
                matches: { selector.matches(Ownership.labels(of: $0)) }
            ).changed || claimsChanged
        }
        if claimsChanged { return .requeue(after: .milliseconds(200)) }
        let (current, old) = try await history(of: daemonSet, uid: uid)
        let hash = current.labels[DaemonSetNodes.hashLabel] ?? ""
        let now = Date()

        guard expectations.satisfied(key, pods: pods.cache) else {
            try await writeStatus(of: daemonSet, uid: uid, nodes: nodeList, hash: hash, observed: false, now: now)
            return .requeue(after: .seconds(1))
        }
        var result = ReconcileResult.done
        let acted = try await manage(daemonSet, key: key, uid: uid, nodes: nodeList, hash: hash, now: now, result: &result)
        if !acted, daemonSet.spec?["updateStrategy"]?["type"]?.stringValue ?? "RollingUpdate" == "RollingUpdate" {
            try await rollingUpdate(daemonSet, key: key, uid: uid, nodes: nodeList, hash: hash, now: now)
        }
        try await cleanupHistory(of: daemonSet, uid: uid, old: old)
        let status = try await writeStatus(of: daemonSet, uid: uid, nodes: nodeList, hash: hash, observed: true, now: now)
        let minReady = Int(daemonSet.spec?["minReadySeconds"]?.intValue ?? 0)
        if minReady > 0, status.ready != status.available {
            result = .requeue(after: .seconds(Int64(minReady)))
        }
        return result
    }

    // MARK: Pods by node

    /// The DaemonSet's Pods by the node they are for; terminal Pods being deleted left out.
    private func podsByNode(uid: String) -> [String: [Resource]] {
        var byNode: [String: [Resource]] = [:]
        for pod in pods.cache.objects(index: Indexes.controllerOwner, value: uid) {
            let phase = Pods.phase(of: pod)
            if (phase == "Succeeded" || phase == "Failed") && pod.isBeingDeleted { continue }
            guard let node = DaemonSetNodes.targetNode(of: pod) else { continue }
            byNode[node, default: []].append(pod)
        }
        return byNode
    }

    /// Scheduled Pods first, then the oldest, then by name (kube's order).
    private static func ordered(_ pods: [Resource]) -> [Resource] {
        pods.sorted { lhs, rhs in
            let (ls, rs) = (lhs.spec?["nodeName"]?.stringValue ?? "", rhs.spec?["nodeName"]?.stringValue ?? "")
            if ls.isEmpty != rs.isEmpty { return !ls.isEmpty }
            let (lt, rt) = (lhs.creationTimestamp ?? "", rhs.creationTimestamp ?? "")
            if lt != rt { return lt < rt }
            return lhs.name < rhs.name
        }
    }

    private func available(_ pod: Resource, _ daemonSet: Resource, now: Date) -> Bool {
        Pods.isAvailable(pod, minReadySeconds: Int(daemonSet.spec?["minReadySeconds"]?.intValue ?? 0), now: now)
    }

    /// Creates the Pods nodes miss and deletes those that must go; returns whether it wrote.
    private func manage(
        _ daemonSet: Resource, key: ObjectKey, uid: String, nodes: [Resource], hash: String, now: Date,
        result: inout ReconcileResult
    ) async throws -> Bool {
        let byNode = podsByNode(uid: uid)
        let surge = Self.allowsSurge(daemonSet)
        var create: [String] = []
        var delete: [Resource] = []
        for node in nodes {
            let (shouldRun, shouldContinue) = DaemonSetNodes.placement(of: daemonSet, on: node)
            let daemonPods = byNode[node.name] ?? []
            if shouldRun && daemonPods.isEmpty {
                create.append(node.name)
            } else if shouldContinue {
                var running: [Resource] = []
                for pod in daemonPods where !pod.isBeingDeleted {
                    switch Pods.phase(of: pod) {
                    case "Failed":
                        let backoffKey = "\(uid)/\(daemonSet.status?["observedGeneration"]?.intValue ?? 0)/\(node.name)"
                        if let wait = inBackoff(backoffKey, now: now) {
                            result = .requeue(after: .milliseconds(Int64(wait * 1000) + 50))
                            continue
                        }
                        await events.record(
                            on: daemonSet, type: .warning, reason: "FailedDaemonPod",
                            message: "Found failed daemon pod \(pod.namespace ?? "")/\(pod.name) on node \(node.name), will try to kill it")
                        delete.append(pod)
                    case "Succeeded":
                        await events.record(
                            on: daemonSet, type: .normal, reason: "SucceededDaemonPod",
                            message: "Found succeeded daemon pod \(pod.namespace ?? "")/\(pod.name) on node \(node.name), will try to delete it")
                        delete.append(pod)
                    default:
                        running.append(pod)
                    }
                }
                let ordered = Self.ordered(running)
                if !surge {
                    // More than one running Pod: all but the oldest go.
                    delete.append(contentsOf: ordered.dropFirst())
                    continue
                }
                if ordered.isEmpty {
                    if shouldRun { create.append(node.name) }
                    continue
                }
                guard ordered.count > 1 else { continue }
                // Surging: an old and a new Pod may both stay while the new one is not available.
                var oldestNew: Resource?
                var oldestOld: Resource?
                for pod in ordered {
                    if pod.labels[DaemonSetNodes.hashLabel] == hash {
                        if oldestNew == nil { oldestNew = pod; continue }
                    } else if oldestOld == nil {
                        oldestOld = pod
                        continue
                    }
                    delete.append(pod)
                }
                if let oldestNew, let oldestOld {
                    if !Pods.isReady(oldestOld) || available(oldestNew, daemonSet, now: now) { delete.append(oldestOld) }
                }
            } else {
                delete.append(contentsOf: daemonPods.filter { !$0.isBeingDeleted })
            }
        }
        // Unscheduled Pods for nodes that no longer exist.
        let names = Set(nodes.map(\.name))
        for (node, daemonPods) in byNode where !names.contains(node) {
            delete.append(contentsOf: daemonPods.filter { ($0.spec?["nodeName"]?.stringValue ?? "").isEmpty })
        }
        try await sync(daemonSet, key: key, delete: delete, create: create, hash: hash)
        return !delete.isEmpty || !create.isEmpty
    }

    /// The remaining backoff before a failed Pod of this key may be deleted again; `nil` when it
    /// may be now (and the next delay is set).
    private func inBackoff(_ key: String, now: Date) -> TimeInterval? {
        failedBackoff.withLock { state in
            if let entry = state[key], entry.next > now { return entry.next.timeIntervalSince(now) }
            let delay = min((state[key]?.delay ?? 0.5) * 2, 900)
            state[key] = (now.addingTimeInterval(delay), delay)
            return nil
        }
    }

    /// Deletes `delete` and creates a Pod on each node of `create`.
    private func sync(_ daemonSet: Resource, key: ObjectKey, delete: [Resource], create: [String], hash: String) async throws {
        var failure: (any Error)?
        for node in create {
            let pod = DaemonSetNodes.pod(for: daemonSet, node: node, hash: hash)
            do {
                let created = try await client.create(pod, options: WriteOptions(fieldManager: ClusterControllers.fieldManager))
                expectations.created(created.name, by: key)
                await events.record(
                    on: daemonSet, type: .normal, reason: "SuccessfulCreate", message: "Created pod: \(created.name)")
            } catch let error as APIError {
                await events.record(
                    on: daemonSet, type: .warning, reason: "FailedCreate", message: "Error creating: \(error.message)")
                failure = error
            }
        }
        for pod in delete {
            do {
                _ = try await client.delete(Pods.kind, name: pod.name, namespace: pod.namespace)
                expectations.deleted(pod, by: key)
                await events.record(
                    on: daemonSet, type: .normal, reason: "SuccessfulDelete", message: "Deleted pod: \(pod.name)")
            } catch let error as APIError where error.reason == .notFound {
            } catch let error as APIError {
                await events.record(
                    on: daemonSet, type: .warning, reason: "FailedDelete", message: "Error deleting: \(error.message)")
                failure = error
            }
        }
        if let failure { throw failure }
    }

    // MARK: Rolling update

    static func allowsSurge(_ daemonSet: Resource) -> Bool {
        (try? count(daemonSet, "maxSurge", of: 1)) ?? 0 > 0
    }

    /// `maxSurge` or `maxUnavailable` of `total` (a percentage rounded up); 0 when not a rolling update.
    static func count(_ daemonSet: Resource, _ field: String, of total: Int) throws -> Int {
        guard daemonSet.spec?["updateStrategy"]?["type"]?.stringValue ?? "RollingUpdate" == "RollingUpdate",
            let value = daemonSet.spec?["updateStrategy"]?["rollingUpdate"]?[field].presentValue
        else { return 0 }
        if let number = value.intValue { return Int(number) }
        guard let text = value.stringValue, text.hasSuffix("%"), let percent = Int(text.dropLast()) else {
            struct InvalidValue: Error {}
            throw InvalidValue()
        }
        return Int((Double(percent) * Double(total) / 100).rounded(.up))
    }

    private func rollingUpdate(
        _ daemonSet: Resource, key: ObjectKey, uid: String, nodes: [Resource], hash: String, now: Date
    ) async throws {
        var byNode = podsByNode(uid: uid)
        var desired = 0
        var nodesByName: [String: Resource] = [:]
        for node in nodes {
            nodesByName[node.name] = node
            guard DaemonSetNodes.placement(of: daemonSet, on: node).shouldRun else { continue }
            desired += 1
            if byNode[node.name] == nil { byNode[node.name] = [] }
        }
        var maxUnavailable = (try? Self.count(daemonSet, "maxUnavailable", of: desired)) ?? 1
        let maxSurge = (try? Self.count(daemonSet, "maxSurge", of: desired)) ?? 0
        if desired > 0 && maxUnavailable == 0 && maxSurge == 0 { maxUnavailable = 1 }
        let generation = daemonSet.annotations[DaemonSetNodes.templateGenerationAnnotation]

        /// The one new and one old Pod on a node; `nil` when there are more.
        func split(_ daemonPods: [Resource]) -> (new: Resource?, old: Resource?)? {
            var new: Resource?
            var old: Resource?
            for pod in daemonPods where !pod.isBeingDeleted {
                if DaemonSetNodes.isUpdated(pod, hash: hash, generation: generation) {
                    if new != nil { return nil }
                    new = pod
                } else {
                    if old != nil { return nil }
                    old = pod
                }
            }
            return (new, old)
        }

        let entries = byNode.sorted { $0.key < $1.key }
        if maxSurge == 0 {
            var unavailable = 0
            var replacements: [Resource] = []
            var candidates: [Resource] = []
            for (_, daemonPods) in entries {
                guard let (new, old) = split(daemonPods) else {
                    unavailable += 1
                    continue
                }
                switch (new, old) {
                case (nil, nil), (.some, .some):
                    unavailable += 1
                case (.some(let new), nil):
                    if !available(new, daemonSet, now: now) { unavailable += 1 }
                case (nil, .some(let old)):
                    if !available(old, daemonSet, now: now) {
                        replacements.append(old)
                        unavailable += 1
                    } else if unavailable < maxUnavailable {
                        candidates.append(old)
                    }
                }
            }
            let remaining = max(0, min(maxUnavailable - unavailable, candidates.count))
            try await sync(daemonSet, key: key, delete: replacements + candidates.prefix(remaining), create: [], hash: hash)
            return
        }

        var deletions: [Resource] = []
        var notRunHere: [Resource] = []
        var candidateNodes: [String] = []
        var allowedNodes: [String] = []
        var surging = 0
        var availableCount = 0
        for (nodeName, daemonPods) in entries {
            guard let (new, old) = split(daemonPods) else {
                surging += 1
                continue
            }
            if let old {
                if available(old, daemonSet, now: now) { availableCount += 1 }
            } else if let new, available(new, daemonSet, now: now) {
                availableCount += 1
            }
            switch (new, old) {
            case (_, nil):
                break
            case (nil, .some(let old)):
                let shouldRun = nodesByName[nodeName].map { DaemonSetNodes.placement(of: daemonSet, on: $0).shouldRun } ?? false
                if !available(old, daemonSet, now: now) {
                    if shouldRun { allowedNodes.append(nodeName) } else { deletions.append(old) }
                } else if !shouldRun {
                    notRunHere.append(old)
                } else if surging < maxSurge {
                    candidateNodes.append(nodeName)
                }
            case (.some(let new), .some(let old)):
                if !available(new, daemonSet, now: now) {
                    surging += 1
                } else {
                    deletions.append(old)
                }
            }
        }
        let deletable = min(availableCount - desired, notRunHere.count)
        if deletable > 0 { deletions.append(contentsOf: notRunHere.prefix(deletable)) }
        let remaining = max(0, min(maxSurge - surging, candidateNodes.count))
        try await sync(daemonSet, key: key, delete: deletions, create: allowedNodes + candidateNodes.prefix(remaining), hash: hash)
    }

    // MARK: Revisions

    /// The current revision (created, or renumbered, as needed) and the old ones.
    private func history(of daemonSet: Resource, uid: String) async throws -> (current: Resource, old: [Resource]) {
        let all = revisions.cache.objects(index: Indexes.controllerOwner, value: uid)
        let data = ControllerRevisionHistory.data(of: daemonSet)
        var currents: [Resource] = []
        var old: [Resource] = []
        for revision in all {
            if ControllerRevisionHistory.sameData(revision.object["data"], data) {
                currents.append(revision)
            } else {
                old.append(revision)
            }
        }
        let next = (old.map(ControllerRevisionHistory.number).max() ?? 0) + 1
        guard var current = currents.max(by: { ControllerRevisionHistory.number(of: $0) < ControllerRevisionHistory.number(of: $1) })
        else { return (try await snapshot(of: daemonSet, data: data, number: next), old) }
        for duplicate in currents where duplicate.name != current.name {
            do {
                _ = try await client.delete(ControllerRevisionHistory.kind, name: duplicate.name, namespace: daemonSet.namespace)
            } catch let error as APIError where error.reason == .notFound {}
        }
        if ControllerRevisionHistory.number(of: current) < next {
            current = try await client.patch(
                ControllerRevisionHistory.kind, name: current.name, namespace: daemonSet.namespace,
                patch: ["revision": .int(next)], type: .merge,
                options: WriteOptions(fieldManager: ClusterControllers.fieldManager))
        }
        return (current, old)
    }

    /// Creates the revision of the DaemonSet's template; on a name taken by another template,
    /// counts a collision in the status and fails (the retry takes the next name).
    private func snapshot(of daemonSet: Resource, data: JSONValue, number: Int64) async throws -> Resource {
        let collisionCount = daemonSet.status?["collisionCount"]?.intValue
        let template = daemonSet.spec?["template"] ?? .object([:])
        let hash = ControllerRevisionHistory.hash(of: template, collisionCount: collisionCount)
        var labels = template["metadata"]?["labels"]?.objectValue ?? [:]
        labels[DaemonSetNodes.hashLabel] = .string(hash)
        let revision = ControllerRevisionHistory.revision(
            of: daemonSet, kind: DaemonSetNodes.kind, name: "\(daemonSet.name)-\(hash)", labels: labels,
            annotations: daemonSet.object["metadata"]?["annotations"]?.objectValue ?? [:], data: data, number: number)
        do {
            return try await client.create(revision, options: WriteOptions(fieldManager: ClusterControllers.fieldManager))
        } catch let error as APIError where error.reason == .alreadyExists {
            let existing = try await client.get(ControllerRevisionHistory.kind, name: revision.name, namespace: daemonSet.namespace)
            if ControllerRevisionHistory.sameData(existing.object["data"], data) { return existing }
            var status = daemonSet.status?.objectValue ?? [:]
            status["collisionCount"] = .int((collisionCount ?? 0) + 1)
            try await StatusWriter.write(
                .object(status), of: daemonSet, kind: DaemonSetNodes.kind, client: client,
                fieldManager: ClusterControllers.fieldManager)
            throw error
        }
    }

    /// Deletes the oldest revisions no Pod uses beyond `revisionHistoryLimit`.
    private func cleanupHistory(of daemonSet: Resource, uid: String, old: [Resource]) async throws {
        let limit = Int(daemonSet.spec?["revisionHistoryLimit"]?.intValue ?? 10)
        var excess = old.count - limit
        guard excess > 0 else { return }
        let live = Set(pods.cache.objects(index: Indexes.controllerOwner, value: uid).compactMap {
            $0.labels[DaemonSetNodes.hashLabel]
        })
        for revision in old.sorted(by: { ControllerRevisionHistory.number(of: $0) < ControllerRevisionHistory.number(of: $1) }) {
            guard excess > 0 else { break }
            if let hash = revision.labels[DaemonSetNodes.hashLabel], live.contains(hash) { continue }
            do {
                _ = try await client.delete(ControllerRevisionHistory.kind, name: revision.name, namespace: daemonSet.namespace)
            } catch let error as APIError where error.reason == .notFound {}
            excess -= 1
        }
    }

    // MARK: Status

    /// The counts of a DaemonSet's status.
    struct Counts: Equatable {
        var desired = 0
        var current = 0
        var misscheduled = 0
        var ready = 0
        var updated = 0
        var available = 0
    }

    @discardableResult
    private func writeStatus(
        of daemonSet: Resource, uid: String, nodes: [Resource], hash: String, observed: Bool, now: Date
    ) async throws -> Counts {
        let byNode = podsByNode(uid: uid)
        let generation = daemonSet.annotations[DaemonSetNodes.templateGenerationAnnotation]
        var counts = Counts()
        for node in nodes {
            let scheduled = !(byNode[node.name] ?? []).isEmpty
            guard DaemonSetNodes.placement(of: daemonSet, on: node).shouldRun else {
                if scheduled { counts.misscheduled += 1 }
                continue
            }
            counts.desired += 1
            guard scheduled, let pod = Self.ordered(byNode[node.name] ?? []).first else { continue }
            counts.current += 1
            if Pods.isReady(pod) {
                counts.ready += 1
                if available(pod, daemonSet, now: now) { counts.available += 1 }
            }
            if DaemonSetNodes.isUpdated(pod, hash: hash, generation: generation) { counts.updated += 1 }
        }
        let status = Self.status(counts, of: daemonSet, observed: observed)
        do {
            try await StatusWriter.write(
                status, of: daemonSet, kind: DaemonSetNodes.kind, client: client,
                fieldManager: ClusterControllers.fieldManager)
        } catch let error as APIError where error.reason == .notFound {}
        return counts
    }

    /// The status as kube writes it (zero counts its JSON omits left out).
    static func status(_ counts: Counts, of daemonSet: Resource, observed: Bool) -> JSONValue {
        var status = daemonSet.status?.objectValue ?? [:]
        func put(_ key: String, _ value: Int, omitZero: Bool) {
            status[key] = omitZero && value == 0 ? nil : .int(Int64(value))
        }
        put("currentNumberScheduled", counts.current, omitZero: false)
        put("numberMisscheduled", counts.misscheduled, omitZero: false)
        put("desiredNumberScheduled", counts.desired, omitZero: false)
        put("numberReady", counts.ready, omitZero: false)
        if observed, let generation = daemonSet.generation { status["observedGeneration"] = .int(generation) }
        put("updatedNumberScheduled", counts.updated, omitZero: true)
        put("numberAvailable", counts.available, omitZero: true)
        put("numberUnavailable", counts.desired - counts.available, omitZero: true)
        return .object(status)
    }
}
