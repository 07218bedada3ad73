import ControllerRuntime
import Foundation
import KubeClient
import Logging
import OrderedCollections
import Resources

/// One reconcile of one Deployment, in the order kube's `syncDeployment` takes: claim the
/// ReplicaSets, note pauses, then scale (a scaling event or a paused Deployment) or roll out
/// (rolling update or recreate), and write the status.
///
/// `deployment` and `replicaSets` always hold the latest state known — the cache's at first,
/// then what each write returned — so that one step's write is the next step's input.
struct DeploymentSync {
    let reconciler: DeploymentReconciler
    var deployment: Resource
    let facts: DeploymentFacts
    let now: Date
    let nowText: String
    /// The ReplicaSets this Deployment controls (after adoption and release).
    var replicaSets: [DeploymentReplicaSet] = []

    init(reconciler: DeploymentReconciler, deployment: Resource, now: Date) {
        self.reconciler = reconciler
        self.deployment = deployment
        self.facts = DeploymentFacts(deployment)
        self.now = now
        self.nowText = KubernetesTime.time(now)
    }

    var client: KubernetesClient { reconciler.client }
    var status: DeploymentStatus { DeploymentStatus(deployment.status) }
    var writeOptions: WriteOptions { WriteOptions(fieldManager: ClusterControllers.fieldManager) }
    static let replicaSetKind = GroupVersionKind(group: "apps", version: "v1", kind: "ReplicaSet")

    mutating func run() async throws -> ReconcileResult {
        replicaSets = try await claimReplicaSets()
        if deployment.isBeingDeleted {
            let (new, old) = try await newAndOld(create: false)
            try await writeStatus(DeploymentRollout.status(
                of: facts, current: status, all: current(old + [new].compactMap { $0 }), new: new, now: nowText))
            return .done
        }
        try await notePause()
        if facts.paused {
            try await sync()
            return .done
        }
        if let revision = deployment.annotations[DeploymentAnnotations.rollbackTo].flatMap({ Int64($0) }) {
            try await rollBack(to: revision)
            return .done
        }
        if try await isScalingEvent() {
            try await sync()
            return .done
        }
        return facts.strategyType == DeploymentFacts.recreate ? try await recreate() : try await rollingUpdate()
    }

    // MARK: ReplicaSets

    /// The ReplicaSets of the namespace this Deployment controls and selects: orphans it
    /// selects are adopted, those it controls but no longer selects released.
    private mutating func claimReplicaSets() async throws -> [DeploymentReplicaSet] {
        let selector = try LabelSelector(json: facts.selector)
        var claimed: [DeploymentReplicaSet] = []
        let cache = reconciler.replicaSets.cache
        let owned = cache.objects(index: Indexes.controllerOwner, value: deployment.uid ?? "")
            .filter { $0.namespace == deployment.namespace }
        let orphans = reconciler.orphanReplicaSets.objects(in: deployment.namespace, from: cache)
            .filter { $0.controllerReference == nil }
        for replicaSet in owned + orphans {
            let matches = selector.matches(Self.plain(replicaSet.labels))
            if let reference = replicaSet.controllerReference {
                guard reference.uid == deployment.uid else { continue }
                if matches {
                    claimed.append(DeploymentReplicaSet(replicaSet))
                } else if !deployment.isBeingDeleted {
                    var released = replicaSet
                    released.ownerReferences = replicaSet.ownerReferences.filter { $0.uid != deployment.uid }
                    _ = try await ignoringGone { try await client.update(released, options: writeOptions) }
                }
            } else if matches, !deployment.isBeingDeleted, !replicaSet.isBeingDeleted {
                var adopted = replicaSet
                adopted.ownerReferences = replicaSet.ownerReferences + [
                    OwnerReference(json: ControllerReferences.reference(to: deployment, kind: DeploymentReconciler.kind))!,
                ]
                if let updated = try await ignoringGone({ try await client.update(adopted, options: writeOptions) }) {
                    claimed.append(DeploymentReplicaSet(updated))
                }
            }
        }
        return claimed
    }

    /// The latest state of each of `sets`.
    func current(_ sets: [DeploymentReplicaSet]) -> [DeploymentReplicaSet] {
        sets.map { set in replicaSets.first { $0.uid == set.uid } ?? set }
    }

    private mutating func remember(_ object: Resource) -> DeploymentReplicaSet {
        let replicaSet = DeploymentReplicaSet(object)
        if let index = replicaSets.firstIndex(where: { $0.uid == replicaSet.uid }) {
            replicaSets[index] = replicaSet
        } else {
            replicaSets.append(replicaSet)
        }
        return replicaSet
    }

    /// The new ReplicaSet (its template is the Deployment's; created when `create` and
    /// missing) and the old ones; revisions and their annotations brought up to date.
    mutating func newAndOld(create: Bool) async throws -> (new: DeploymentReplicaSet?, old: [DeploymentReplicaSet]) {
        let existing = replicaSets.sorted(by: DeploymentReplicaSet.byCreation).first {
            DeploymentRollout.equalIgnoringHash($0.template, facts.template)
        }
        let old = replicaSets.filter { $0.uid != existing?.uid }
        let new = try await newReplicaSet(existing: existing, old: old, create: create)
        return (new, old)
    }

    private mutating func newReplicaSet(
        existing: DeploymentReplicaSet?, old: [DeploymentReplicaSet], create: Bool
    ) async throws -> DeploymentReplicaSet? {
        let newRevision = DeploymentRollout.maxRevision(old) + 1
        if var replicaSet = existing {
            let annotationsChanged = setNewReplicaSetAnnotations(&replicaSet.object, revision: newRevision, exists: true)
            if annotationsChanged || replicaSet.minReadySeconds != facts.minReadySeconds {
                replicaSet.object.spec = Self.setting("minReadySeconds", facts.minReadySeconds, in: replicaSet.object.spec)
                let updated = try await client.update(replicaSet.object, options: writeOptions)
                return remember(updated)
            }
            var status = self.status
            if facts.progressDeadlineSeconds != nil, status.condition(DeploymentCondition.progressing) == nil {
                status.set(DeploymentCondition(
                    type: DeploymentCondition.progressing, status: "True",
                    reason: DeploymentCondition.Reason.foundNewReplicaSet,
                    message: "Found new replica set \"\(replicaSet.name)\"", now: nowText))
            }
            try await writeStatus(status, revision: replicaSet.object.annotations[DeploymentAnnotations.revision] ?? "")
            return replicaSet
        }
        guard create else { return nil }

        let hash = DeploymentPodTemplateHash.hash(of: facts.template, collisionCount: status.collisionCount)
        let name = DeploymentPodTemplateHash.replicaSetName(deployment: deployment.name, hash: hash)
        var labels = facts.template["metadata"]?["labels"]?.objectValue ?? [:]
        labels[DeploymentAnnotations.podTemplateHash] = .string(hash)
        labels.sort { $0.key < $1.key }
        var template = facts.template.objectValue ?? [:]
        var templateMetadata = template["metadata"]?.objectValue ?? [:]
        templateMetadata["labels"] = .object(labels)
        template["metadata"] = .object(templateMetadata)
        var selector = facts.selector.objectValue ?? [:]
        var matchLabels = selector["matchLabels"]?.objectValue ?? [:]
        matchLabels[DeploymentAnnotations.podTemplateHash] = .string(hash)
        matchLabels.sort { $0.key < $1.key }
        selector["matchLabels"] = .object(matchLabels)

        var object = Resource(apiVersion: "apps/v1", kind: "ReplicaSet", name: name, namespace: deployment.namespace)
        object.withMetadata { metadata in
            metadata["labels"] = .object(labels)
            metadata["ownerReferences"] = [ControllerReferences.reference(to: deployment, kind: DeploymentReconciler.kind)]
        }
        var spec: JSONObject = ["replicas": 0]
        if facts.minReadySeconds != 0 { spec["minReadySeconds"] = .int(Int64(facts.minReadySeconds)) }
        spec["selector"] = .object(selector)
        spec["template"] = .object(template)
        object.spec = .object(spec)
        var newSet = DeploymentReplicaSet(object)
        let replicas = DeploymentRollout.newReplicaSetReplicas(facts, all: old + [newSet], new: newSet)
        newSet.replicas = replicas
        _ = setNewReplicaSetAnnotations(&newSet.object, revision: newRevision, exists: false)

        let created: Resource
        var alreadyExisted = false
        do {
            created = try await client.create(newSet.object, options: writeOptions)
        } catch let error as APIError where error.reason == .alreadyExists {
            // Ours already (a cache behind its creation), or a hash collision with another template.
            let found = try await client.get(Self.replicaSetKind, name: name, namespace: deployment.namespace)
            if found.controllerReference?.uid == deployment.uid,
                DeploymentRollout.equalIgnoringHash(found.spec?["template"] ?? .null, facts.template)
            {
                created = found
                alreadyExisted = true
            } else {
                var status = self.status
                status.collisionCount = (status.collisionCount ?? 0) + 1
                try await writeStatus(status)
                throw error
            }
        } catch let error as APIError {
            let message = "Failed to create new replica set \"\(name)\": \(error.message)"
            if facts.progressDeadlineSeconds != nil {
                var status = self.status
                status.set(DeploymentCondition(
                    type: DeploymentCondition.progressing, status: "False",
                    reason: DeploymentCondition.Reason.replicaSetCreateError, message: message, now: nowText))
                try? await writeStatus(status)
            }
            await reconciler.events.record(
                on: deployment, type: .warning, reason: DeploymentCondition.Reason.replicaSetCreateError, message: message)
            throw error
        }
        let result = remember(created)
        if !alreadyExisted && replicas > 0 {
            await reconciler.events.record(
                on: deployment, type: .normal, reason: "ScalingReplicaSet",
                message: "Scaled up replica set \(created.name) from 0 to \(replicas)")
        }
        var status = self.status
        if !alreadyExisted && facts.progressDeadlineSeconds != nil {
            status.set(DeploymentCondition(
                type: DeploymentCondition.progressing, status: "True",
                reason: DeploymentCondition.Reason.newReplicaSetCreated,
                message: "Created new replica set \"\(created.name)\"", now: nowText))
        }
        try await writeStatus(status, revision: String(newRevision))
        return result
    }

    /// Copies the Deployment's annotations to the new ReplicaSet `object`, moves its revision
    /// up to `revision` (the old one into `revision-history`) and, for a ReplicaSet being
    /// created, sets the replica annotations; whether anything changed.
    private func setNewReplicaSetAnnotations(_ object: inout Resource, revision: Int64, exists: Bool) -> Bool {
        var changed = false
        var annotations = object.annotations
        for (key, value) in deployment.annotations
        where !DeploymentAnnotations.notCopied.contains(key) && annotations[key] != value {
            annotations[key] = value
            changed = true
        }
        let oldText = annotations[DeploymentAnnotations.revision]
        let oldRevision: Int64
        if let oldText, !oldText.isEmpty {
            guard let parsed = Int64(oldText) else { return false }
            oldRevision = parsed
        } else {
            oldRevision = 0
        }
        if oldRevision < revision {
            annotations[DeploymentAnnotations.revision] = String(revision)
            changed = true
        }
        if let oldText, oldRevision < revision {
            let history = annotations[DeploymentAnnotations.revisionHistory] ?? ""
            var revisions = history.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if revisions.first?.isEmpty ?? true {
                annotations[DeploymentAnnotations.revisionHistory] = oldText
            } else {
                var length = history.count + oldText.count + 1
                var start = 0
                while length > DeploymentAnnotations.revisionHistoryLimitInChars && start < revisions.count {
                    length -= revisions[start].count + 1
                    start += 1
                }
                if length <= DeploymentAnnotations.revisionHistoryLimitInChars {
                    revisions = Array(revisions[start...]) + [oldText]
                    annotations[DeploymentAnnotations.revisionHistory] = revisions.joined(separator: ",")
                }
            }
        }
        object.annotations = annotations
        if !exists, Self.setReplicasAnnotations(&object, desired: facts.replicas, max: facts.replicas + facts.maxSurge) {
            changed = true
        }
        return changed
    }

    /// Sets `desired-replicas` and `max-replicas`; whether they changed.
    static func setReplicasAnnotations(_ object: inout Resource, desired: Int, max: Int) -> Bool {
        var annotations = object.annotations
        var changed = false
        for (key, value) in [(DeploymentAnnotations.desiredReplicas, desired), (DeploymentAnnotations.maxReplicas, max)]
        where annotations[key] != String(value) {
            annotations[key] = String(value)
            changed = true
        }
        object.annotations = annotations
        return changed
    }

    /// Scales `replicaSet` to `replicas` (and refreshes its replica annotations; with `force`
    /// even when its size is right), with a `ScalingReplicaSet` Event when its size changed.
    @discardableResult
    mutating func scale(_ replicaSet: DeploymentReplicaSet, to replicas: Int, force: Bool = false) async throws
        -> (scaled: Bool, replicaSet: DeploymentReplicaSet)
    {
        if !force && replicaSet.replicas == replicas { return (false, replicaSet) }
        let sizeChanges = replicaSet.replicas != replicas
        var copy = replicaSet
        copy.replicas = replicas
        let annotationsChange = Self.setReplicasAnnotations(
            &copy.object, desired: facts.replicas, max: facts.replicas + facts.maxSurge)
        guard sizeChanges || annotationsChange else { return (false, replicaSet) }
        let updated = remember(try await client.update(copy.object, options: writeOptions))
        guard sizeChanges else { return (false, updated) }
        let direction = replicaSet.replicas < replicas ? "up" : "down"
        await reconciler.events.record(
            on: deployment, type: .normal, reason: "ScalingReplicaSet",
            message: "Scaled \(direction) replica set \(updated.name) from \(replicaSet.replicas) to \(replicas)")
        return (true, updated)
    }

    // MARK: Deployment writes

    /// Writes `status` (and `revision` as the Deployment's `deployment.kubernetes.io/revision`)
    /// unless the Deployment already has them.
    ///
    /// kube writes the revision with the status, through `/status`, which lets a Deployment's
    /// annotations through without bumping its generation. Where `/status` keeps metadata as
    /// stored (the embedded plane), the revision goes on the object itself, which bumps the
    /// generation as any annotation change of a Deployment does.
    mutating func writeStatus(_ status: DeploymentStatus, revision: String? = nil) async throws {
        let key = DeploymentAnnotations.revision
        let newRevision = revision.flatMap { deployment.annotations[key] == $0 ? nil : $0 }
        guard status.json != (deployment.status ?? .object([:])) || newRevision != nil else { return }
        var object = deployment
        object.status = status.json
        if let newRevision { object.setAnnotation(key, newRevision) }
        deployment = try await client.updateStatus(object, options: writeOptions)
        if let newRevision, deployment.annotations[key] != newRevision { try await setRevision(newRevision) }
    }

    /// Sets the Deployment's `deployment.kubernetes.io/revision` on the object itself.
    private mutating func setRevision(_ revision: String) async throws {
        guard deployment.annotations[DeploymentAnnotations.revision] != revision else { return }
        let patch: JSONValue = ["metadata": ["annotations": [DeploymentAnnotations.revision: .string(revision)]]]
        deployment = try await client.patch(
            DeploymentReconciler.kind, name: deployment.name, namespace: deployment.namespace, patch: patch,
            type: .merge, options: writeOptions)
    }

    /// `Progressing` says `DeploymentPaused` while paused and `DeploymentResumed` once resumed
    /// (unless the deadline already passed).
    private mutating func notePause() async throws {
        guard facts.progressDeadlineSeconds != nil else { return }
        let condition = status.condition(DeploymentCondition.progressing)
        if condition?.reason == DeploymentCondition.Reason.progressDeadlineExceeded { return }
        let pausedNoted = condition?.reason == DeploymentCondition.Reason.deploymentPaused
        var status = self.status
        if facts.paused && !pausedNoted {
            status.set(DeploymentCondition(
                type: DeploymentCondition.progressing, status: "Unknown",
                reason: DeploymentCondition.Reason.deploymentPaused, message: "Deployment is paused", now: nowText))
        } else if !facts.paused && pausedNoted {
            status.set(DeploymentCondition(
                type: DeploymentCondition.progressing, status: "Unknown",
                reason: DeploymentCondition.Reason.deploymentResumed, message: "Deployment is resumed", now: nowText))
        } else {
            return
        }
        try await writeStatus(status)
    }

    // MARK: Scaling

    /// Whether the replicas changed since the ReplicaSets were last sized for the Deployment.
    private mutating func isScalingEvent() async throws -> Bool {
        let (new, old) = try await newAndOld(create: false)
        for replicaSet in current(old + [new].compactMap { $0 }) where replicaSet.replicas > 0 {
            guard let desired = replicaSet.object.annotations[DeploymentAnnotations.desiredReplicas]
                .flatMap({ UInt32($0) })
            else { continue }
            if Int(desired) != facts.replicas { return true }
        }
        return false
    }

    /// Scales without rolling out (a paused Deployment, a change of replicas), then writes the status.
    private mutating func sync() async throws {
        let (new, old) = try await newAndOld(create: false)
        try await scale(new: new, old: old)
        if facts.paused { try await cleanUp(old: current(old)) }
        try await writeStatus(DeploymentRollout.status(
            of: facts, current: status, all: current(old + [new].compactMap { $0 }),
            new: new.map { current([$0])[0] }, now: nowText))
    }

    /// Brings the ReplicaSets to the Deployment's replicas: the one active ReplicaSet directly;
    /// during a rolling update, each in proportion to its size.
    private mutating func scale(new: DeploymentReplicaSet?, old: [DeploymentReplicaSet]) async throws {
        if let active = DeploymentRollout.activeOrLatest(new: new, old: old) {
            if active.replicas != facts.replicas { try await scale(active, to: facts.replicas) }
            return
        }
        if DeploymentRollout.isSaturated(facts, new) {
            for replicaSet in old where replicaSet.replicas > 0 { try await scale(replicaSet, to: 0) }
            return
        }
        guard facts.isRollingUpdate else { return }
        var active = (old + [new].compactMap { $0 }).filter { $0.replicas > 0 }
        let allowed = facts.replicas > 0 ? facts.replicas + facts.maxSurge : 0
        let toAdd = allowed - active.reduce(0) { $0 + $1.replicas }
        if toAdd > 0 { active.sort(by: DeploymentReplicaSet.bySizeNewer) }
        if toAdd < 0 { active.sort(by: DeploymentReplicaSet.bySizeOlder) }
        var added = 0
        var sizes: [String: Int] = [:]
        for replicaSet in active {
            guard toAdd != 0 else {
                sizes[replicaSet.name] = replicaSet.replicas
                continue
            }
            let share = DeploymentRollout.proportion(
                of: replicaSet, facts, statusReplicas: status.replicas, toAdd: toAdd, added: added)
            sizes[replicaSet.name] = replicaSet.replicas + share
            added += share
        }
        for (index, replicaSet) in active.enumerated() {
            var size = sizes[replicaSet.name] ?? replicaSet.replicas
            if index == 0 && toAdd != 0 { size = max(0, size + toAdd - added) }
            try await scale(replicaSet, to: size, force: true)
        }
    }

    /// Deletes the oldest ReplicaSets beyond `revisionHistoryLimit` that run nothing.
    private mutating func cleanUp(old: [DeploymentReplicaSet]) async throws {
        guard let limit = facts.revisionHistoryLimit else { return }
        let cleanable = old.filter { !$0.isBeingDeleted }
        let excess = cleanable.count - limit
        guard excess > 0 else { return }
        for replicaSet in cleanable.sorted(by: DeploymentReplicaSet.byRevision).prefix(excess) {
            if replicaSet.statusReplicas != 0 || replicaSet.replicas != 0
                || replicaSet.generation > replicaSet.observedGeneration || replicaSet.isBeingDeleted
            {
                continue
            }
            _ = try await ignoringGone {
                try await client.delete(Self.replicaSetKind, name: replicaSet.name, namespace: replicaSet.object.namespace)
            }
            replicaSets.removeAll { $0.uid == replicaSet.uid }
        }
    }

    // MARK: Rollback

    /// The `deprecated.deployment.rollback.to` annotation (what extensions/v1beta1's rollback
    /// subresource wrote; kubectl now patches the template itself): the template of that
    /// revision (0: the one before the latest) is put back and the annotation removed, with
    /// kube's Events.
    private mutating func rollBack(to requested: Int64) async throws {
        let (new, old) = try await newAndOld(create: true)
        let all = current(old + [new].compactMap { $0 })
        var revision = requested
        if revision == 0 {
            let revisions = all.compactMap(\.revision).sorted(by: >)
            revision = revisions.count > 1 ? revisions[1] : 0
        }
        var object = deployment
        object.annotations[DeploymentAnnotations.rollbackTo] = nil
        if revision == 0 || !all.contains(where: { $0.revision == revision }) {
            let message = revision == 0 ? "Unable to find last revision." : "Unable to find the revision to rollback to."
            await reconciler.events.record(
                on: deployment, type: .warning, reason: "DeploymentRollbackRevisionNotFound", message: message)
        } else if let target = all.first(where: { $0.revision == revision }),
            !DeploymentRollout.equalIgnoringHash(facts.template, target.template)
        {
            var spec = object.spec?.objectValue ?? [:]
            spec["template"] = DeploymentRollout.withoutHash(target.template)
            object.spec = .object(spec)
            var annotations = object.annotations.filter { DeploymentAnnotations.notCopied.contains($0.key) }
            for (key, value) in target.object.annotations where !DeploymentAnnotations.notCopied.contains(key) {
                annotations[key] = value
            }
            object.annotations = annotations
            deployment = try await client.update(object, options: writeOptions)
            await reconciler.events.record(
                on: deployment, type: .normal, reason: "DeploymentRollback",
                message: "Rolled back deployment \"\(deployment.name)\" to revision \(revision)")
            return
        } else {
            await reconciler.events.record(
                on: deployment, type: .warning, reason: "DeploymentRollbackTemplateUnchanged",
                message: "The rollback revision contains the same template as current deployment \"\(deployment.name)\"")
        }
        deployment = try await client.update(object, options: writeOptions)
    }

    // MARK: Rollouts

    /// A rolling update: the new ReplicaSet up by what the surge allows, the old ones down by
    /// what availability allows (unhealthy Pods first).
    private mutating func rollingUpdate() async throws -> ReconcileResult {
        let (created, old) = try await newAndOld(create: true)
        guard let new = created else { return .done }
        let all = old + [new]
        if try await reconcileNew(all: all, new: new) { return try await syncRolloutStatus(all: all, new: new) }
        if try await reconcileOld(all: all, old: old.filter { $0.replicas > 0 }, new: new) {
            return try await syncRolloutStatus(all: all, new: new)
        }
        if DeploymentRollout.isComplete(facts, status) { try await cleanUp(old: current(old)) }
        return try await syncRolloutStatus(all: all, new: new)
    }

    private mutating func reconcileNew(all: [DeploymentReplicaSet], new: DeploymentReplicaSet) async throws -> Bool {
        if new.replicas == facts.replicas { return false }
        if new.replicas > facts.replicas { return try await scale(new, to: facts.replicas).scaled }
        let replicas = DeploymentRollout.newReplicaSetReplicas(facts, all: all, new: new)
        return try await scale(new, to: replicas).scaled
    }

    private mutating func reconcileOld(
        all: [DeploymentReplicaSet], old: [DeploymentReplicaSet], new: DeploymentReplicaSet
    ) async throws -> Bool {
        guard old.reduce(0, { $0 + $1.replicas }) > 0 else { return false }
        let allPods = all.reduce(0) { $0 + $1.replicas }
        let minAvailable = facts.replicas - facts.maxUnavailable
        let newUnavailable = new.replicas - new.availableReplicas
        let maxScaledDown = allPods - minAvailable - newUnavailable
        guard maxScaledDown > 0 else { return false }
        // kube carries on to the status when these writes fail; so does this.
        guard let (cleaned, cleanedCount) = try? await cleanUpUnhealthy(old: old, most: maxScaledDown) else { return false }
        guard let scaledDown = try? await scaleDownOld(all: cleaned + [new], old: cleaned) else { return false }
        return cleanedCount + scaledDown > 0
    }

    /// Scales old ReplicaSets down by their unavailable Pods, oldest first, at most `most` in all.
    private mutating func cleanUpUnhealthy(old: [DeploymentReplicaSet], most: Int) async throws
        -> ([DeploymentReplicaSet], Int)
    {
        var old = old.sorted(by: DeploymentReplicaSet.byCreation)
        var total = 0
        for index in old.indices {
            if total >= most { break }
            let replicaSet = old[index]
            if replicaSet.replicas == 0 || replicaSet.replicas == replicaSet.availableReplicas { continue }
            let count = min(most - total, replicaSet.replicas - replicaSet.availableReplicas)
            old[index] = try await scale(replicaSet, to: replicaSet.replicas - count).replicaSet
            total += count
        }
        return (old, total)
    }

    /// Scales old ReplicaSets down, oldest first, by as many Pods as are available beyond the minimum.
    private mutating func scaleDownOld(all: [DeploymentReplicaSet], old: [DeploymentReplicaSet]) async throws -> Int {
        let minAvailable = facts.replicas - facts.maxUnavailable
        let available = all.reduce(0) { $0 + $1.availableReplicas }
        guard available > minAvailable else { return 0 }
        let wanted = available - minAvailable
        var total = 0
        for replicaSet in old.sorted(by: DeploymentReplicaSet.byCreation) {
            if total >= wanted { break }
            if replicaSet.replicas == 0 { continue }
            let count = min(replicaSet.replicas, wanted - total)
            try await scale(replicaSet, to: replicaSet.replicas - count)
            total += count
        }
        return total
    }

    /// Recreate: every old ReplicaSet to 0, and the new one up only once their Pods are gone.
    private mutating func recreate() async throws -> ReconcileResult {
        var (new, old) = try await newAndOld(create: false)
        var scaledDown = false
        for replicaSet in old where replicaSet.replicas > 0 {
            if try await scale(replicaSet, to: 0).scaled { scaledDown = true }
        }
        if scaledDown || oldPodsRunning(new: new, old: current(old)) {
            return try await syncRolloutStatus(all: old + [new].compactMap { $0 }, new: new)
        }
        if new == nil { (new, old) = try await newAndOld(create: true) }
        if let current = new { new = try await scale(current, to: facts.replicas).replicaSet }
        if DeploymentRollout.isComplete(facts, status) { try await cleanUp(old: current(old)) }
        return try await syncRolloutStatus(all: old + [new].compactMap { $0 }, new: new)
    }

    /// Whether a Pod of an old ReplicaSet may still run.
    private func oldPodsRunning(new: DeploymentReplicaSet?, old: [DeploymentReplicaSet]) -> Bool {
        if old.reduce(0, { $0 + $1.statusReplicas }) > 0 { return true }
        for replicaSet in replicaSets where replicaSet.uid != new?.uid {
            for pod in reconciler.pods.cache.objects(index: Indexes.controllerOwner, value: replicaSet.uid) {
                let phase = Pods.phase(of: pod)
                if phase != "Failed" && phase != "Succeeded" { return true }
            }
        }
        return false
    }

    /// Writes the status with the `Progressing` condition the rollout earned, and looks again
    /// when the progress deadline would pass.
    private mutating func syncRolloutStatus(all: [DeploymentReplicaSet], new: DeploymentReplicaSet?) async throws
        -> ReconcileResult
    {
        let old = status
        let all = current(all)
        let new = new.map { current([$0])[0] }
        var status = DeploymentRollout.status(of: facts, current: old, all: all, new: new, now: nowText)
        if facts.progressDeadlineSeconds == nil { status.remove(DeploymentCondition.progressing) }
        let progressing = old.condition(DeploymentCondition.progressing)
        let completeAlready = status.replicas == status.updatedReplicas
            && progressing?.reason == DeploymentCondition.Reason.newReplicaSetAvailable
        if facts.progressDeadlineSeconds != nil && !completeAlready {
            let subject = new.map { "ReplicaSet \"\($0.name)\"" } ?? "Deployment \"\(deployment.name)\""
            if DeploymentRollout.isComplete(facts, status) {
                status.set(DeploymentCondition(
                    type: DeploymentCondition.progressing, status: "True",
                    reason: DeploymentCondition.Reason.newReplicaSetAvailable,
                    message: "\(subject) has successfully progressed.", now: nowText))
            } else if DeploymentRollout.isProgressing(old: old, new: status) {
                var condition = DeploymentCondition(
                    type: DeploymentCondition.progressing, status: "True",
                    reason: DeploymentCondition.Reason.replicaSetUpdated,
                    message: "\(subject) is progressing.", now: nowText)
                if let progressing {
                    if progressing.status == "True" { condition.lastTransitionTime = progressing.lastTransitionTime }
                    status.remove(DeploymentCondition.progressing)
                }
                status.set(condition)
            } else if DeploymentRollout.hasTimedOut(facts, status, now: now) {
                status.set(DeploymentCondition(
                    type: DeploymentCondition.progressing, status: "False",
                    reason: DeploymentCondition.Reason.progressDeadlineExceeded,
                    message: "\(subject) has timed out progressing.", now: nowText))
            }
        }
        let failures = (new.map { [$0] } ?? []).flatMap(\.replicaFailures)
        let replicaFailure = (failures.isEmpty ? all.flatMap(\.replicaFailures) : failures).first
        if let replicaFailure {
            status.set(DeploymentCondition(replicaSetCondition: replicaFailure))
        } else {
            status.remove(DeploymentCondition.replicaFailure)
        }
        guard status.json == (deployment.status ?? .object([:])) else {
            try await writeStatus(status)
            return .done
        }
        return requeueForDeadline(status)
    }

    /// When to look again so that a stuck rollout is reported once its deadline passes.
    private func requeueForDeadline(_ status: DeploymentStatus) -> ReconcileResult {
        guard let deadline = facts.progressDeadlineSeconds,
            let condition = status.condition(DeploymentCondition.progressing),
            !DeploymentRollout.isComplete(facts, status),
            condition.reason != DeploymentCondition.Reason.progressDeadlineExceeded,
            let since = KubernetesTime.parse(condition.lastUpdateTime)
        else { return .done }
        let after = since.addingTimeInterval(TimeInterval(deadline)).timeIntervalSince(now)
        if after < 1 { return .requeue(after: .milliseconds(500)) }
        return .requeue(after: .milliseconds(Int64((after + 1) * 1000)))
    }

    // MARK: Helpers

    static func plain(_ labels: OrderedDictionary<String, String>) -> [String: String] {
        Dictionary(labels.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    static func setting(_ key: String, _ value: Int, in spec: JSONValue?) -> JSONValue {
        var members = spec?.objectValue ?? [:]
        // kube leaves zero out of the JSON it writes.
        members[key] = value == 0 ? nil : .int(Int64(value))
        return .object(members)
    }

    /// `body`'s result, or `nil` when the object is gone or no longer what was read.
    private func ignoringGone<T>(_ body: () async throws -> T) async throws -> T? {
        do {
            return try await body()
        } catch let error as APIError where error.reason == .notFound {
            return nil
        }
    }
}
