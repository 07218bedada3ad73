import KubeClient
import Logging
import OAM
import OrderedCollections
import Resources
import Synchronization
import ControllerRuntime

/// Reconciles HealthScopes (spec §9 with the fixes of §12.18): evaluates every workload of
/// `spec.workloadRefs` from the caches, writes `status.scopeHealthCondition` and
/// `status.healthConditions` (sorted by reference, so the status does not churn), and looks again
/// after `spec.probe-interval` seconds (10 by default) — and whenever a referenced workload, or
/// an object it owns, changes.
///
/// How a workload is judged:
/// - `core.oam.dev` ContainerizedWorkload: its Deployment and Service from `status.resources`,
///   healthy when every one is (a Service when it exists);
/// - `apps` Deployment and StatefulSet: `status.readyReplicas == spec.replicas` (an unset
///   `spec.replicas` is the API default, 1);
/// - `apps` DaemonSet: its controller has reported on it (`status.observedGeneration`), no Pod
///   is unavailable and `status.numberReady` reaches `desiredNumberScheduled` — the reference
///   looks at `numberUnavailable` only, which a DaemonSet nobody reported on yet lacks, so it
///   read as HEALTHY before a single Pod existed;
/// - `standard.oam.dev` PodSpecWorkload: as a ContainerizedWorkload, through the Deployment and
///   Service of its `status.resources`;
/// - `batch` Job: HEALTHY once complete; UNHEALTHY when failed (with the `Failed` condition's
///   reason and message), while still running (as `kubectl wait --for=condition=complete`
///   would still wait: a Job is done when it is complete, not before) and while suspended;
/// - `batch` CronJob: HEALTHY unless the latest of its Jobs that finished failed — also when
///   none ran yet, or it is suspended (said in the diagnosis: suspending is the operator's
///   choice, not a fault of the application);
/// - any other kind: UNKNOWN, with its status in `workloadStatus`;
/// - a workload that does not exist: UNHEALTHY.
///
/// **Version peers** (spec §9 step 3): a workload labelled with `app.oam.dev/component` and
/// `app.oam.dev/name` is judged together with the other objects of its kind in its namespace
/// that carry the same two labels — the workloads of earlier revisions of a revisionEnabled
/// component. Any unhealthy peer makes it UNHEALTHY, and its diagnosis then lists
/// `<name>:<diagnosis>` for it and its peers, by revision number (after the last `v` of the name)
/// descending, leaving out peers scaled to nothing (`Ready:0/0`) after the first entry. Peers are
/// not counted in the totals. A change of a peer queues the scopes whose workloads it is a peer
/// of (``PeerGroups``), as a change of a listed workload does.
///
/// **probe-timeout**: the checks read the controller's caches, so one takes as long as the cache
/// of the workload's kind needs to fill. A check still waiting after `spec.probe-timeout` seconds
/// (10 by default) is reported UNHEALTHY with a diagnosis saying so, and the scope is written.
final class HealthScopeReconciler: Reconciler {
    /// Scope index: the ``ReferenceKey`` of each workload a scope lists.
    static let workloadIndex = "workload-references"
    static let defaultInterval: Duration = .seconds(10)
    static let defaultTimeout: Duration = .seconds(10)
    /// How often a scope waiting for a cache looks again.
    static let syncPoll: Duration = .milliseconds(500)

    let client: KubernetesClient
    let scopes: Informer
    let references: ReferenceWatch
    let logger: Logger
    /// Since when each scope has been waiting for a cache to sync.
    let deadlines = Mutex(ProbeDeadlines())
    /// The version-peer groups each scope's workloads belong to, to queue it when a peer changes.
    let peerGroups = Mutex(PeerGroups())
    private let controller = Mutex<Controller?>(nil)
    private let peerWatched = Mutex<Set<GroupVersionKind>>([])

    init(scopes: Informer, references: ReferenceWatch, client: KubernetesClient, logger: Logger) {
        self.client = client
        self.scopes = scopes
        self.references = references
        self.logger = logger
    }

    enum HealthStatus: String {
        case healthy = "HEALTHY"
        case unhealthy = "UNHEALTHY"
        case unknown = "UNKNOWN"
    }

    /// The health of one referenced workload.
    struct WorkloadHealth {
        var reference: TypedReference
        var status: HealthStatus
        var diagnosis: String?
        var componentName: String?
        var workloadStatus: String?

        var json: JSONValue {
            var members: JSONObject = [:]
            if let componentName { members["componentName"] = .string(componentName) }
            members["targetWorkload"] = reference.json
            members["healthStatus"] = .string(status.rawValue)
            if let diagnosis, !diagnosis.isEmpty { members["diagnosis"] = .string(diagnosis) }
            if let workloadStatus { members["workloadStatus"] = .string(workloadStatus) }
            return .object(members)
        }
    }

    /// A kind whose cache has not synced yet.
    private struct NotSynced: Error {
        var kind: GroupVersionKind
    }

    /// Sets the controller that scopes are queued on when a version peer changes.
    func attach(_ controller: Controller) {
        self.controller.withLock { $0 = controller }
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let object = scopes.cache.get(key), !object.isBeingDeleted else {
            deadlines.withLock { $0.finished(key) }
            peerGroups.withLock { $0.set([], for: key) }
            return .done
        }
        let scope: HealthScope
        do {
            scope = try HealthScope(object)
        } catch {
            logger.warning("healthscope.invalid", metadata: ["healthscope": "\(key)", "error": "\(error)"])
            return .done
        }
        let interval = (scope.spec.probeInterval ?? 0) > 0
            ? Duration.seconds(Int64(scope.spec.probeInterval ?? 0)) : Self.defaultInterval
        let timeout = (scope.spec.probeTimeout ?? 0) > 0
            ? Duration.seconds(Int64(scope.spec.probeTimeout ?? 0)) : Self.defaultTimeout

        var results: [WorkloadHealth] = []
        var waiting: [(reference: TypedReference, kind: GroupVersionKind)] = []
        var groups: Set<String> = []
        for reference in scope.spec.workloadRefs {
            do {
                results.append(try evaluate(reference, namespace: object.namespace, groups: &groups))
            } catch let notSynced as NotSynced {
                waiting.append((reference, notSynced.kind))
            }
        }
        peerGroups.withLock { $0.set(groups, for: key) }
        if waiting.isEmpty {
            deadlines.withLock { $0.finished(key) }
        } else {
            let remaining = deadlines.withLock { $0.remaining(key, timeout: timeout, now: .now) }
            if remaining > .zero { return .requeue(after: min(Self.syncPoll, remaining)) }
            for (reference, kind) in waiting {
                results.append(WorkloadHealth(
                    reference: TypedReference(apiVersion: reference.apiVersion, kind: reference.kind, name: reference.name),
                    status: .unhealthy,
                    diagnosis: "the health check did not finish within probe-timeout (\(timeout.components.seconds)s): "
                        + "the objects of \(kind.apiVersion) \(kind.kind) could not be read yet"))
            }
        }
        results.sort { Self.order($0.reference).lexicographicallyPrecedes(Self.order($1.reference)) }

        var status = object.status?.objectValue ?? [:]
        status["scopeHealthCondition"] = Self.scopeCondition(results)
        status["healthConditions"] = .array(results.map(\.json))
        try await StatusWriter.write(.object(status), of: object, kind: WorkloadKinds.healthScope, client: client,
            fieldManager: Controllers.fieldManager)
        // Past probe-timeout a cache that has not filled is probed again at the interval, not
        // every syncPoll for ever; its objects' arrival queues the scopes listing them meanwhile.
        return .requeue(after: interval)
    }

    /// `{healthStatus, total, healthyWorkloads, unhealthyWorkloads, unknownWorkloads}`, the counts
    /// left out when 0: UNHEALTHY when any workload is not HEALTHY.
    static func scopeCondition(_ results: [WorkloadHealth]) -> JSONValue {
        let healthy = results.filter { $0.status == .healthy }.count
        let unhealthy = results.filter { $0.status == .unhealthy }.count
        let unknown = results.filter { $0.status == .unknown }.count
        var members: JSONObject = [
            "healthStatus": .string((healthy == results.count ? HealthStatus.healthy : .unhealthy).rawValue),
        ]
        for (name, count) in [("total", results.count), ("healthyWorkloads", healthy),
                              ("unhealthyWorkloads", unhealthy), ("unknownWorkloads", unknown)] where count > 0 {
            members[name] = .int(Int64(count))
        }
        return .object(members)
    }

    private static func order(_ reference: TypedReference) -> [String] {
        [reference.apiVersion, reference.kind, reference.name]
    }

    // MARK: Evaluation

    private func evaluate(_ reference: TypedReference, namespace: String?, groups: inout Set<String>) throws
        -> WorkloadHealth
    {
        let kind = GroupVersionKind(apiVersion: reference.apiVersion, kind: reference.kind)
        let informer = references.watch(kind)
        watchPeers(informer)
        guard informer.hasSynced else { throw NotSynced(kind: informer.kind) }
        var target = TypedReference(apiVersion: reference.apiVersion, kind: reference.kind, name: reference.name)
        guard let workload = informer.cache.get(namespace: namespace, name: reference.name) else {
            return WorkloadHealth(
                reference: target, status: .unhealthy,
                diagnosis: "error occurs in health check: \(reference.apiVersion) \(reference.kind) \(reference.name) "
                    + "does not exist in namespace \(namespace ?? "")")
        }
        target.uid = workload.uid
        if let group = PeerGroups.key(of: workload, kind: kind) { groups.insert(group) }
        var health = try check(workload, apiVersion: reference.apiVersion, kind: reference.kind)
        let peers = Self.peers(of: workload, among: informer.cache.list(namespace: namespace))
        if !peers.isEmpty {
            var entries = [(name: workload.name, health: health)]
            for peer in peers {
                entries.append((peer.name, try check(peer, apiVersion: reference.apiVersion, kind: reference.kind)))
            }
            if entries.dropFirst().contains(where: { $0.health.status == .unhealthy }) { health.status = .unhealthy }
            health.diagnosis = Self.peerDiagnosis(entries.map { ($0.name, $0.health.diagnosis ?? "") })
        }
        health.reference = target
        health.componentName = workload.labels[OAM.Label.component]
        return health
    }

    /// Queues, from now on, the scopes whose workloads an object of `informer`'s kind is a
    /// version peer of, when it appears, goes, or changes beyond its bookkeeping.
    private func watchPeers(_ informer: Informer) {
        guard peerWatched.withLock({ $0.insert(informer.kind).inserted }) else { return }
        let kind = informer.kind
        informer.addHandler { [weak self] event in
            guard let self, let controller = self.controller.withLock({ $0 }) else { return }
            var objects = [event.object]
            if case .updated(let old, let new) = event {
                guard old.status != new.status || old.spec != new.spec || old.labels != new.labels else { return }
                objects.append(old)
            }
            let keys = objects.compactMap { PeerGroups.key(of: $0, kind: kind) }
            guard !keys.isEmpty else { return }
            let scopes = self.peerGroups.withLock { groups in keys.reduce(into: Set<ObjectKey>()) { $0.formUnion(groups.scopes(in: $1)) } }
            for scope in scopes.sorted() { await controller.enqueue(scope) }
        }
    }

    /// The other objects of `workload`'s kind (`candidates`, from its namespace) with its
    /// `app.oam.dev/component` and `app.oam.dev/name` labels: the workloads of the component's
    /// other revisions. None when `workload` lacks either label.
    static func peers(of workload: Resource, among candidates: [Resource]) -> [Resource] {
        guard let component = workload.labels[OAM.Label.component], let app = workload.labels[OAM.Label.appName]
        else { return [] }
        return candidates.filter {
            $0.name != workload.name && $0.namespace == workload.namespace && !$0.isBeingDeleted
                && $0.labels[OAM.Label.component] == component && $0.labels[OAM.Label.appName] == app
        }
    }

    /// `<name>:<diagnosis>` of a workload and its peers, by revision number descending (ties by
    /// name), without the entries of workloads scaled to nothing (`Ready:0/0`) after the first.
    static func peerDiagnosis(_ entries: [(name: String, diagnosis: String)]) -> String {
        let sorted = entries.sorted {
            let (left, right) = (revisionNumber($0.name), revisionNumber($1.name))
            return left != right ? left > right : $0.name < $1.name
        }
        return sorted.enumerated()
            .filter { $0.offset == 0 || $0.element.diagnosis != "Ready:0/0" }
            .map { "\($0.element.name):\($0.element.diagnosis)" }
            .joined(separator: " ")
    }

    /// The number after the last `v` of a revision's name (`web-v3` → 3); 0 when there is none.
    static func revisionNumber(_ name: String) -> Int {
        guard let v = name.lastIndex(of: "v") else { return 0 }
        return Int(name[name.index(after: v)...]) ?? 0
    }

    /// The health of `workload` by the rule of its kind.
    private func check(_ workload: Resource, apiVersion: String, kind: String) throws -> WorkloadHealth {
        var health: WorkloadHealth
        let group = GroupVersion(apiVersion: apiVersion).group
        switch (group, kind) {
        case (OAM.group, ContainerizedWorkload.kind), (StandardCatalog.group, PodSpecWorkload.kind):
            health = try containerizedWorkloadHealth(workload)
        case ("apps", "Deployment"), ("apps", "StatefulSet"):
            health = Self.replicasHealth(workload)
        case ("apps", "DaemonSet"):
            health = Self.daemonSetHealth(workload)
        case ("batch", "Job"):
            health = Self.jobHealth(workload)
        case ("batch", "CronJob"):
            health = try cronJobHealth(workload)
        default:
            health = WorkloadHealth(
                reference: TypedReference(to: workload), status: .unknown,
                diagnosis: "APIVersion \(apiVersion) Kind \(kind) workload is unknown for HealthScope",
                workloadStatus: (workload.status ?? .null).jsonString())
        }
        return health
    }

    /// A ContainerizedWorkload (or PodSpecWorkload) is healthy when the children its status lists are.
    private func containerizedWorkloadHealth(_ workload: Resource) throws -> WorkloadHealth {
        let reference = TypedReference(to: workload)
        let children = (workload.status?["resources"]?.arrayValue ?? []).compactMap {
            try? JSONValueDecoder().decode(TypedReference.self, from: $0)
        }
        guard children.contains(where: { $0.kind == "Deployment" }) else {
            return WorkloadHealth(
                reference: reference, status: .unhealthy,
                diagnosis: "cannot get child resource references of workload \(workload.name)")
        }
        var healthy = true
        var diagnoses: [String] = []
        for child in children {
            let informer = references.watch(GroupVersionKind(apiVersion: child.apiVersion, kind: child.kind))
            guard informer.hasSynced else { throw NotSynced(kind: informer.kind) }
            guard let object = informer.cache.get(namespace: workload.namespace, name: child.name),
                child.uid == nil || object.uid == child.uid
            else {
                healthy = false
                diagnoses.append("\(child.kind) \(child.name) does not exist")
                continue
            }
            switch child.kind {
            case "Deployment", "StatefulSet":
                let health = Self.replicasHealth(object)
                if health.status != .healthy { healthy = false }
                diagnoses.append(health.diagnosis ?? "")
            default:
                break  // a Service (or another child) is healthy when it exists
            }
        }
        return WorkloadHealth(
            reference: reference, status: healthy ? .healthy : .unhealthy,
            diagnosis: diagnoses.filter { !$0.isEmpty }.joined(separator: " "))
    }

    /// Deployments and StatefulSets: all wanted replicas ready.
    static func replicasHealth(_ object: Resource) -> WorkloadHealth {
        let wanted = object.spec?["replicas"]?.intValue ?? 1
        let ready = object.status?["readyReplicas"]?.intValue ?? 0
        return WorkloadHealth(
            reference: TypedReference(to: object), status: ready == wanted ? .healthy : .unhealthy,
            diagnosis: "Ready:\(ready)/\(wanted)")
    }

    /// DaemonSets: reported on by their controller, every Pod they should run ready, none
    /// unavailable.
    static func daemonSetHealth(_ object: Resource) -> WorkloadHealth {
        let reported = object.status?["observedGeneration"]?.intValue != nil
        let unavailable = object.status?["numberUnavailable"]?.intValue ?? 0
        let ready = object.status?["numberReady"]?.intValue ?? 0
        let desired = object.status?["desiredNumberScheduled"]?.intValue ?? 0
        let healthy = reported && unavailable == 0 && ready >= desired
        return WorkloadHealth(
            reference: TypedReference(to: object), status: healthy ? .healthy : .unhealthy,
            diagnosis: "Ready:\(ready)/\(desired)")
    }
}

extension HealthScopeReconciler {
    /// How a Job stands, from its conditions: finished (`Complete` or `Failed` true), or not.
    enum JobState: Equatable {
        case complete
        case failed(reason: String, message: String)
        case suspended
        case running
    }

    /// The state of `job` (a `batch/v1` Job).
    static func jobState(_ job: Resource) -> JobState {
        let conditions = job.status?["conditions"]?.arrayValue ?? []
        func holds(_ type: String) -> JSONValue? {
            conditions.first { $0["type"]?.stringValue == type && $0["status"]?.stringValue == "True" }
        }
        if holds("Complete") != nil { return .complete }
        if let failed = holds("Failed") {
            return .failed(reason: failed["reason"]?.stringValue ?? "", message: failed["message"]?.stringValue ?? "")
        }
        if holds("Suspended") != nil || job.spec?["suspend"]?.boolValue == true { return .suspended }
        return .running
    }

    /// Jobs: HEALTHY once complete; UNHEALTHY when failed, suspended or still running.
    static func jobHealth(_ job: Resource) -> WorkloadHealth {
        let succeeded = job.status?["succeeded"]?.intValue ?? 0
        let completions = job.spec?["completions"]?.intValue ?? 1
        let progress = "Succeeded:\(succeeded)/\(completions)"
        let (status, diagnosis): (HealthStatus, String)
        switch jobState(job) {
        case .complete:
            (status, diagnosis) = (.healthy, "Complete \(progress)")
        case .failed(let reason, let message):
            let why = [reason, message].filter { !$0.isEmpty }.joined(separator: ": ")
            (status, diagnosis) = (.unhealthy, "Failed \(progress)" + (why.isEmpty ? "" : " (\(why))"))
        case .suspended:
            (status, diagnosis) = (.unhealthy, "Suspended \(progress)")
        case .running:
            let active = job.status?["active"]?.intValue ?? 0
            (status, diagnosis) = (.unhealthy, "Running active:\(active) \(progress)")
        }
        return WorkloadHealth(reference: TypedReference(to: job), status: status, diagnosis: diagnosis)
    }

    /// CronJobs: UNHEALTHY when the latest of the Jobs it owns that finished failed.
    func cronJobHealth(_ cronJob: Resource) throws -> WorkloadHealth {
        let informer = references.watch(GroupVersionKind(group: "batch", version: "v1", kind: "Job"))
        guard informer.hasSynced else { throw NotSynced(kind: informer.kind) }
        let jobs = cronJob.uid.map { informer.cache.objects(index: Indexes.owner, value: $0) } ?? []
        return Self.cronJobHealth(cronJob, jobs: jobs)
    }

    /// The health of `cronJob` given the Jobs it owns.
    static func cronJobHealth(_ cronJob: Resource, jobs: [Resource]) -> WorkloadHealth {
        let finished = jobs.filter { jobState($0) != .running && jobState($0) != .suspended }
            .sorted { ($0.creationTimestamp ?? "", $0.name) < ($1.creationTimestamp ?? "", $1.name) }
        let active = cronJob.status?["active"]?.arrayValue?.count ?? 0
        var notes: [String] = []
        if cronJob.spec?["suspend"]?.boolValue == true { notes.append("Suspended") }
        notes.append("Active:\(active)")
        var status = HealthStatus.healthy
        if let last = finished.last {
            if case .failed(let reason, _) = jobState(last) {
                status = .unhealthy
                notes.append("last Job \(last.name) failed" + (reason.isEmpty ? "" : " (\(reason))"))
            } else {
                notes.append("last Job \(last.name) complete")
            }
        } else {
            notes.append("no Job finished yet")
        }
        return WorkloadHealth(reference: TypedReference(to: cronJob), status: status,
                              diagnosis: notes.joined(separator: " "))
    }
}

/// Since when each scope has waited for a check that cannot run yet (a cache that has not
/// synced), so that it gives up after its probe-timeout: pure bookkeeping over a clock value.
struct ProbeDeadlines: Sendable {
    private var since: [ObjectKey: ContinuousClock.Instant] = [:]

    /// How long the scope `key` may still wait, starting its wait at `now` if it was not waiting.
    mutating func remaining(_ key: ObjectKey, timeout: Duration, now: ContinuousClock.Instant) -> Duration {
        let start = since[key] ?? now
        since[key] = start
        return timeout - (now - start)
    }

    /// The scope `key` waits no more (all its checks ran, or it is gone).
    mutating func finished(_ key: ObjectKey) {
        since[key] = nil
    }
}

/// Which scopes look at which version-peer groups — objects of one kind in one namespace with
/// the same `app.oam.dev/component` and `app.oam.dev/name` labels — so that a change of any
/// member queues them.
struct PeerGroups: Sendable {
    private var groupsOfScope: [ObjectKey: Set<String>] = [:]
    private var scopesOfGroup: [String: Set<ObjectKey>] = [:]

    /// The group of `object` (of `kind`), or `nil` when it lacks either label.
    static func key(of object: Resource, kind: GroupVersionKind) -> String? {
        guard let component = object.labels[OAM.Label.component], let app = object.labels[OAM.Label.appName] else {
            return nil
        }
        return "\(object.namespace ?? "")/\(kind.group)/\(kind.kind)/\(component)/\(app)"
    }

    /// Records that the scope `scope` now looks at `groups` (and no others).
    mutating func set(_ groups: Set<String>, for scope: ObjectKey) {
        for group in groupsOfScope[scope] ?? [] where !groups.contains(group) {
            scopesOfGroup[group]?.remove(scope)
            if scopesOfGroup[group]?.isEmpty == true { scopesOfGroup[group] = nil }
        }
        for group in groups { scopesOfGroup[group, default: []].insert(scope) }
        groupsOfScope[scope] = groups.isEmpty ? nil : groups
    }

    /// The scopes looking at `group`.
    func scopes(in group: String) -> Set<ObjectKey> {
        scopesOfGroup[group] ?? []
    }
}
