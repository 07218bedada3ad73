import ControllerRuntime
import Foundation
import OrderedCollections
import KubeClient
import Logging
import Resources

/// Reconciles StatefulSets as kube-controller-manager's statefulset controller does, to the level
/// a user observes:
///
/// - ControllerRevisions `name-<hash>` of the pod template (``ControllerRevisionHistory``), a
///   rollback (`kubectl rollout undo`) reusing the matching revision with a new number, and at
///   most `revisionHistoryLimit` revisions no Pod uses kept;
/// - Pods `name-0…name-(N-1)` (from `spec.ordinals.start`), each labelled with its name, index
///   and revision, its hostname its name and its subdomain the `serviceName`; with
///   `OrderedReady` the next is created only when every earlier one is Running, Ready and
///   available, and scale-down removes the highest ordinal first, one at a time; `Parallel`
///   does all at once;
/// - `RollingUpdate` deletes, from the highest ordinal down to `partition`, the one Pod not at
///   the update revision (recreated at it), waiting for each to be available again; `OnDelete`
///   replaces only Pods someone deleted; failed or succeeded Pods are replaced;
/// - the status counts and revisions, and Events `SuccessfulCreate` / `SuccessfulDelete` /
///   `FailedCreate` with kube's messages.
///
/// `maxUnavailable` is ignored, as by kube 1.36 (its feature gate is off by default). The
/// embedded plane serves no PersistentVolumeClaims: a Pod of a set with volumeClaimTemplates
/// is created with its claim volumes all the same, and a Warning Event `FailedCreate` on the
/// set says that the claim could not be created and why.
final class StatefulSetReconciler: Reconciler {
    let client: KubernetesClient
    let sets: Informer
    let pods: Informer
    let revisions: Informer
    let events: any EventSink
    let expectations = PodExpectations()
    let logger: Logger

    static let claimKind = GroupVersionKind(group: "", version: "v1", kind: "PersistentVolumeClaim")

    init(manager: Manager, events: any EventSink, logger: Logger) {
        self.client = manager.client
        self.sets = manager.informer(for: StatefulSetPods.kind)
        self.pods = manager.informer(for: Pods.kind)
        self.revisions = manager.informer(for: ControllerRevisionHistory.kind)
        self.events = events
        self.logger = logger
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let set = sets.cache.get(key) else {
            expectations.forget(key)
            return .done
        }
        guard !set.isBeingDeleted, let uid = set.uid else { return .done }
        // The cache shows every Pod write of the last reconcile before this one acts on it.
        guard expectations.satisfied(key, pods: pods.cache) else { return .requeue(after: .seconds(1)) }

        // A selector that does not parse is the user's to fix; kube does not retry it either.
        guard let selector = try? LabelSelector(json: set.spec?["selector"] ?? .null) else { return .done }
        let ownership = Ownership(client: client)
        let orphanRevisions = revisions.cache.list(namespace: set.namespace, selector: selector)
            .filter { $0.controllerReference == nil }
        let adopted = try await ownership.claim(
            controlled: [], orphans: orphanRevisions, owner: set, ownerKind: StatefulSetPods.kind,
            objectKind: ControllerRevisionHistory.kind, matches: { _ in true }).objects
        let history = try await revisions(of: set, uid: uid, adopted: adopted)
        let controlled = pods.cache.objects(index: Indexes.controllerOwner, value: uid)
        // Orphans are looked up by the names the set's ordinals give (not by reading every Pod of
        // the namespace on every reconcile).
        let start = StatefulSetPods.startOrdinal(of: set)
        let owned = Set(controlled.map(\.name))
        let orphans = (start..<start + StatefulSetPods.replicas(of: set)).compactMap { ordinal -> Resource? in
            let name = "\(set.name)-\(ordinal)"
            guard !owned.contains(name), let pod = pods.cache.get(namespace: set.namespace, name: name),
                pod.controllerReference == nil
            else { return nil }
            return pod
        }
        let members = try await ownership.claim(
            controlled: controlled, orphans: orphans,
            owner: set, ownerKind: StatefulSetPods.kind, objectKind: Pods.kind,
            matches: { pod in
                selector.matches(Ownership.labels(of: pod)) && StatefulSetPods.ordinal(of: pod, in: set) != nil
            }).objects
        let now = Date()
        var run = Run(set: set, key: key, history: history, now: now)
        run.status = run.counts(members)
        try await update(&run, members: members)
        Self.completeRollingUpdate(set: set, status: &run.status)

        try await writeStatus(run, of: set)
        try await truncateHistory(of: set, history: history, current: run.status.currentRevision, members: members)
        return Self.availabilityCheck(set: set, status: run.status, members: members, now: now)
    }

    // MARK: Revisions

    /// The revisions of one reconcile.
    struct History {
        var all: [Resource]
        var current: Resource
        var update: Resource
        var collisionCount: Int64
    }

    /// The set's revisions, creating the one of its current template (or renumbering an
    /// earlier one with the same template: a rollback) as kube does.
    private func revisions(of set: Resource, uid: String, adopted: [Resource]) async throws -> History {
        let controlled = revisions.cache.objects(index: Indexes.controllerOwner, value: uid)
        let names = Set(controlled.map(\.name))
        var all = ControllerRevisionHistory.sorted(controlled + adopted.filter { !names.contains($0.name) })
        var collisionCount = set.status?["collisionCount"]?.intValue ?? 0
        let data = ControllerRevisionHistory.data(of: set)
        let next = (all.last.map(ControllerRevisionHistory.number) ?? 0) + 1
        let equal = all.filter { ControllerRevisionHistory.sameData($0.object["data"], data) }

        let update: Resource
        if let last = equal.last, last.name == all.last?.name {
            update = last
        } else if let last = equal.last {
            update = try await client.patch(
                ControllerRevisionHistory.kind, name: last.name, namespace: set.namespace,
                patch: ["revision": .int(next)], type: .merge,
                options: WriteOptions(fieldManager: ClusterControllers.fieldManager))
            if let index = all.firstIndex(where: { $0.name == last.name }) { all[index] = update }
        } else {
            var labels = set.spec?["template"]?["metadata"]?["labels"]?.objectValue ?? [:]
            let annotations = set.object["metadata"]?["annotations"]?.objectValue ?? [:]
            var created: Resource?
            while created == nil {
                let hash = ControllerRevisionHistory.hash(of: data, collisionCount: collisionCount)
                labels[ControllerRevisionHistory.hashLabel] = .string(hash)
                let revision = ControllerRevisionHistory.revision(
                    of: set, kind: StatefulSetPods.kind, name: ControllerRevisionHistory.name(prefix: set.name, hash: hash),
                    labels: labels, annotations: annotations, data: data, number: next)
                do {
                    created = try await client.create(
                        revision, options: WriteOptions(fieldManager: ClusterControllers.fieldManager))
                } catch let error as APIError where error.reason == .alreadyExists {
                    let existing = try await client.get(
                        ControllerRevisionHistory.kind, name: revision.name, namespace: set.namespace)
                    if ControllerRevisionHistory.sameData(existing.object["data"], data) {
                        created = existing
                    } else {
                        collisionCount += 1
                    }
                }
            }
            update = created!
        }
        let currentName = set.status?["currentRevision"]?.stringValue
        let current = all.first { $0.name == currentName } ?? update
        return History(all: all, current: current, update: update, collisionCount: collisionCount)
    }

    /// Deletes the oldest revisions no Pod, nor the current or update revision, uses, beyond
    /// `revisionHistoryLimit`. `current` is the current revision the status now gives (kube
    /// reaches the same on the resync its own status write causes).
    private func truncateHistory(of set: Resource, history: History, current: String, members: [Resource]) async throws {
        var live: Set<String> = [current, history.update.name]
        for pod in members { live.insert(StatefulSetPods.revision(of: pod)) }
        let old = history.all.filter { !live.contains($0.name) }
        let limit = Int(set.spec?["revisionHistoryLimit"]?.intValue ?? 10)
        guard limit >= 0, old.count > limit else { return }
        for revision in old.prefix(old.count - limit) {
            do {
                _ = try await client.delete(ControllerRevisionHistory.kind, name: revision.name, namespace: set.namespace)
            } catch let error as APIError where error.reason == .notFound {}
        }
    }

    // MARK: Pods

    /// One reconcile's view of a set: its revisions, the templates they restore, and the status
    /// being computed.
    struct Run {
        let set: Resource
        let key: ObjectKey
        let history: History
        let now: Date
        let minReadySeconds: Int
        var status = Counts()

        init(set: Resource, key: ObjectKey, history: History, now: Date) {
            self.set = set
            self.key = key
            self.history = history
            self.now = now
            self.minReadySeconds = StatefulSetPods.minReadySeconds(of: set)
        }

        /// The counts of the status.
        struct Counts: Equatable {
            var replicas = 0
            var ready = 0
            var available = 0
            var current = 0
            var updated = 0
            var currentRevision = ""
            var updateRevision = ""
        }

        func counts(_ pods: [Resource]) -> Counts {
            var counts = Counts(
                currentRevision: history.current.name, updateRevision: history.update.name)
            for pod in pods {
                let created = StatefulSetPods.isCreated(pod)
                if created { counts.replicas += 1 }
                if StatefulSetPods.isRunningAndReady(pod) {
                    counts.ready += 1
                    if Pods.isAvailable(pod, minReadySeconds: minReadySeconds, now: now) { counts.available += 1 }
                }
                if created && !pod.isBeingDeleted {
                    let revision = StatefulSetPods.revision(of: pod)
                    if revision == history.current.name { counts.current += 1 }
                    if revision == history.update.name { counts.updated += 1 }
                }
            }
            return counts
        }

        var isMonotonic: Bool { self.set.spec?["podManagementPolicy"]?.stringValue != "Parallel" }
        var strategy: String { self.set.spec?["updateStrategy"]?["type"]?.stringValue ?? "RollingUpdate" }
        var rollingUpdate: JSONValue? { self.set.spec?["updateStrategy"]?["rollingUpdate"].presentValue }
        var partition: Int { Int(rollingUpdate?["partition"]?.intValue ?? 0) }

        /// The revision (and its template) a new Pod of `ordinal` is made at: the current one
        /// below the partition, the update one from it on.
        func revision(forNew ordinal: Int) -> Resource {
            let start = StatefulSetPods.startOrdinal(of: set)
            let currentReplicas = Int(set.status?["currentReplicas"]?.intValue ?? 0)
            let atCurrent = (strategy == "RollingUpdate" && rollingUpdate == nil && ordinal < start + currentReplicas)
                || (rollingUpdate != nil && ordinal < start + partition)
            return atCurrent ? history.current : history.update
        }
    }

    /// A slot of the ordinal range: the Pod there, or none yet.
    private enum Slot {
        case pod(Resource)
        case missing(ordinal: Int)

        var pod: Resource? {
            if case .pod(let pod) = self { return pod }
            return nil
        }
    }

    /// Creates, deletes and relabels Pods as kube's `updateStatefulSet` does; returns when a Pod
    /// must first become ready (OrderedReady) or after one step of an update.
    private func update(_ run: inout Run, members: [Resource]) async throws {
        let set = run.set
        let start = StatefulSetPods.startOrdinal(of: set)
        let count = StatefulSetPods.replicas(of: set)
        var slots: [Slot] = (0..<count).map { .missing(ordinal: start + $0) }
        var condemned: [(ordinal: Int, pod: Resource)] = []
        for pod in members {
            guard let ordinal = StatefulSetPods.ordinal(of: pod, in: set) else { continue }
            if ordinal >= start && ordinal < start + count {
                slots[ordinal - start] = .pod(pod)
            } else {
                condemned.append((ordinal, pod))
            }
        }
        condemned.sort { $0.ordinal > $1.ordinal }

        func unavailable(_ slot: Slot) -> Bool {
            guard let pod = slot.pod else { return true }
            return StatefulSetPods.isUnavailable(pod, minReadySeconds: run.minReadySeconds, now: run.now)
        }
        let firstUnavailable: String? = slots.first(where: unavailable).map { slot in
            switch slot {
            case .pod(let pod): pod.name
            case .missing(let ordinal): "\(set.name)-\(ordinal)"
            }
        } ?? condemned.reversed().first { StatefulSetPods.isUnavailable($0.pod, minReadySeconds: run.minReadySeconds, now: run.now) }?.pod.name

        let monotonic = run.isMonotonic
        // Living replicas, in ordinal order.
        for slot in slots {
            switch slot {
            case .missing(let ordinal):
                try await create(ordinal: ordinal, run: run)
                if monotonic { return }
            case .pod(let pod):
                let phase = Pods.phase(of: pod)
                if phase == "Failed" || phase == "Succeeded" {
                    if !pod.isBeingDeleted { try await delete(pod, run: run) }
                    if monotonic { return }
                    continue
                }
                if monotonic {
                    if pod.isBeingDeleted || !StatefulSetPods.isRunningAndReady(pod)
                        || !Pods.isAvailable(pod, minReadySeconds: run.minReadySeconds, now: run.now)
                    {
                        return
                    }
                }
                if !StatefulSetPods.identityMatches(pod, set: set) { try await relabel(pod, run: run) }
            }
        }

        // Condemned Pods, highest ordinal first; one at a time when ordered.
        for (_, pod) in condemned {
            if pod.isBeingDeleted {
                if monotonic { return }
                continue
            }
            if monotonic && pod.name != firstUnavailable
                && (!StatefulSetPods.isRunningAndReady(pod)
                    || !Pods.isAvailable(pod, minReadySeconds: run.minReadySeconds, now: run.now))
            {
                return
            }
            try await delete(pod, run: run)
            if monotonic { return }
        }

        guard run.strategy == "RollingUpdate" else { return }
        // The highest Pod not at the update revision goes (and comes back at it), down to the partition.
        var target = slots.count - 1
        while target >= run.partition && target >= 0 {
            guard let pod = slots[target].pod else { return }
            if StatefulSetPods.revision(of: pod) != run.history.update.name && !pod.isBeingDeleted {
                try await delete(pod, run: run)
                run.status.current -= 1
                return
            }
            if unavailable(slots[target]) { return }
            target -= 1
        }
    }

    private func create(ordinal: Int, run: Run) async throws {
        let set = run.set
        let revision = run.revision(forNew: ordinal)
        let template = ControllerRevisionHistory.template(of: revision) ?? set.spec?["template"] ?? .object([:])
        let pod = StatefulSetPods.pod(for: set, template: template, revision: revision.name, ordinal: ordinal)
        await createClaims(for: pod, ordinal: ordinal, set: set)
        do {
            _ = try await client.create(pod, options: WriteOptions(fieldManager: ClusterControllers.fieldManager))
        } catch let error as APIError where error.reason == .alreadyExists {
            // The cache is behind: the Pod is there.
            expectations.created(pod.name, by: run.key)
            return
        } catch let error as APIError {
            await events.record(
                on: set, type: .warning, reason: "FailedCreate",
                message: "Create Pod \(pod.name) in StatefulSet \(set.name) failed error: \(error.message)")
            throw error
        }
        expectations.created(pod.name, by: run.key)
        await events.record(
            on: set, type: .normal, reason: "SuccessfulCreate",
            message: "Create Pod \(pod.name) in StatefulSet \(set.name) successful")
    }

    /// Creates the Pod's claims of the volumeClaimTemplates that do not exist; where the server
    /// serves no PersistentVolumeClaims (the embedded plane), says so in a Warning Event.
    private func createClaims(for pod: Resource, ordinal: Int, set: Resource) async {
        let templates = set.spec?["volumeClaimTemplates"]?.arrayValue ?? []
        guard !templates.isEmpty else { return }
        let served: Bool
        do {
            _ = try await client.mapper.mapping(for: Self.claimKind)
            served = true
        } catch {
            served = false
        }
        for template in templates {
            guard let name = template["metadata"]?["name"]?.stringValue else { continue }
            let claimName = "\(name)-\(set.name)-\(ordinal)"
            guard served else {
                await events.record(
                    on: set, type: .warning, reason: "FailedCreate",
                    message: "Create Claim \(claimName) for Pod \(pod.name) in StatefulSet \(set.name) failed error: "
                        + "the embedded plane serves no PersistentVolumeClaims (it has no storage); "
                        + "Pod \(pod.name) is created without claim \(claimName) and its volume \(name) is not backed")
                continue
            }
            var claim = Resource(apiVersion: "v1", kind: "PersistentVolumeClaim", name: claimName, namespace: set.namespace)
            var labels = template["metadata"]?["labels"]?.objectValue ?? [:]
            for (key, value) in set.spec?["selector"]?["matchLabels"]?.objectValue ?? [:] { labels[key] = value }
            if !labels.isEmpty { claim.withMetadata { $0["labels"] = .object(labels) } }
            claim.spec = template["spec"]
            do {
                _ = try await client.create(claim, options: WriteOptions(fieldManager: ClusterControllers.fieldManager))
                await events.record(
                    on: set, type: .normal, reason: "SuccessfulCreate",
                    message: "Create Claim \(claimName) Pod \(pod.name) in StatefulSet \(set.name) success")
            } catch let error as APIError where error.reason == .alreadyExists {
            } catch {
                await events.record(
                    on: set, type: .warning, reason: "FailedCreate",
                    message: "Create Claim \(claimName) for Pod \(pod.name) in StatefulSet \(set.name) failed error: \(error)")
            }
        }
    }

    private func delete(_ pod: Resource, run: Run) async throws {
        do {
            _ = try await client.delete(Pods.kind, name: pod.name, namespace: pod.namespace)
        } catch let error as APIError where error.reason == .notFound {
        } catch let error as APIError {
            await events.record(
                on: run.set, type: .warning, reason: "FailedDelete",
                message: "Delete Pod \(pod.name) in StatefulSet \(run.set.name) failed error: \(error.message)")
            throw error
        }
        expectations.deleted(pod, by: run.key)
        await events.record(
            on: run.set, type: .normal, reason: "SuccessfulDelete",
            message: "Delete Pod \(pod.name) in StatefulSet \(run.set.name) successful")
    }

    /// Puts back the identity labels of a Pod that lost them.
    private func relabel(_ pod: Resource, run: Run) async throws {
        guard let ordinal = StatefulSetPods.ordinal(of: pod, in: run.set) else { return }
        let patch: JSONValue = ["metadata": ["labels": [
            StatefulSetPods.podNameLabel: .string(pod.name), StatefulSetPods.podIndexLabel: .string(String(ordinal)),
        ]]]
        do {
            _ = try await client.patch(
                Pods.kind, name: pod.name, namespace: pod.namespace, patch: patch, type: .merge,
                options: WriteOptions(fieldManager: ClusterControllers.fieldManager))
        } catch let error as APIError where error.reason == .notFound {
            return
        } catch let error as APIError {
            await events.record(
                on: run.set, type: .warning, reason: "FailedUpdate",
                message: "Update Pod \(pod.name) in StatefulSet \(run.set.name) failed error: \(error.message)")
            throw error
        }
        await events.record(
            on: run.set, type: .normal, reason: "SuccessfulUpdate",
            message: "Update Pod \(pod.name) in StatefulSet \(run.set.name) successful")
    }

    // MARK: Status

    /// A rolling update whose Pods are all updated and ready makes the update revision current.
    static func completeRollingUpdate(set: Resource, status: inout Run.Counts) {
        let replicas = StatefulSetPods.replicas(of: set)
        let strategy = set.spec?["updateStrategy"]?["type"]?.stringValue ?? "RollingUpdate"
        guard strategy == "RollingUpdate", status.updated == replicas, status.ready == replicas,
            status.replicas == replicas
        else { return }
        status.current = status.updated
        status.currentRevision = status.updateRevision
    }

    /// The status as kube writes it (zero counts left out where its JSON omits them).
    static func status(_ counts: Run.Counts, collisionCount: Int64, of set: Resource) -> JSONValue {
        var status = set.status?.objectValue ?? [:]
        func put(_ key: String, _ value: Int, omitZero: Bool) {
            status[key] = omitZero && value == 0 ? nil : .int(Int64(value))
        }
        status["observedGeneration"] = set.generation.map(JSONValue.int)
        put("replicas", counts.replicas, omitZero: false)
        put("readyReplicas", counts.ready, omitZero: true)
        put("currentReplicas", counts.current, omitZero: true)
        put("updatedReplicas", counts.updated, omitZero: true)
        status["currentRevision"] = counts.currentRevision.isEmpty ? nil : .string(counts.currentRevision)
        status["updateRevision"] = counts.updateRevision.isEmpty ? nil : .string(counts.updateRevision)
        status["collisionCount"] = .int(collisionCount)
        put("availableReplicas", counts.available, omitZero: false)
        return .object(status)
    }

    private func writeStatus(_ run: Run, of set: Resource) async throws {
        let status = Self.status(run.status, collisionCount: run.history.collisionCount, of: set)
        do {
            try await StatusWriter.write(
                status, of: set, kind: StatefulSetPods.kind, client: client, fieldManager: ClusterControllers.fieldManager)
        } catch let error as APIError where error.reason == .notFound {}
    }

    /// With `minReadySeconds`, a look again when the next ready Pod becomes available.
    static func availabilityCheck(set: Resource, status: Run.Counts, members: [Resource], now: Date) -> ReconcileResult {
        let minReady = StatefulSetPods.minReadySeconds(of: set)
        guard minReady > 0, status.ready != status.available else { return .done }
        var soonest = TimeInterval(minReady)
        for pod in members where Pods.isReady(pod) {
            guard let since = Pods.readyCondition(of: pod)?["lastTransitionTime"]?.stringValue.flatMap(KubernetesTime.parse)
            else { continue }
            let remaining = since.addingTimeInterval(TimeInterval(minReady)).timeIntervalSince(now)
            if remaining > 0 { soonest = min(soonest, remaining) }
        }
        return .requeue(after: .milliseconds(Int64((soonest * 1000).rounded(.up)) + 50))
    }
}
