import ControllerRuntime
import Foundation
import KubeClient
import Logging
import OrderedCollections
import Resources
import Synchronization

/// kube-controller-manager's horizontal-pod-autoscaler controller, on a plane that serves no
/// metrics API: every `sync period` (15 seconds, kube's default) it reads the target's scale,
/// keeps its replicas within `[minReplicas, maxReplicas]` through the `scale` subresource, and
/// says in its status and Events — as kube does without metrics-server — that no metric can be
/// read, so that nothing else scales.
///
/// Status (`autoscaling/v2`): `currentReplicas`, `desiredReplicas`, `lastScaleTime`,
/// `currentMetrics` (one empty entry per metric that failed, as kube keeps them) and the
/// conditions `AbleToScale` (`SucceededGetScale`, `SucceededRescale`, `FailedGetScale`,
/// `FailedUpdateScale`) and `ScalingActive` (`FailedGetResourceMetric` and the other metric
/// failures, `InvalidSelector`, `AmbiguousSelector`, `ScalingDisabled`). Events from
/// `horizontal-pod-autoscaler`: `SuccessfulRescale` ("New size: N; reason: …"), `FailedRescale`,
/// `FailedGetScale`, one failure per metric and `FailedComputeMetricsReplicas`, rate-limited
/// per HPA as client-go's spam filter does.
final class HorizontalPodAutoscalerReconciler: Reconciler {
    static let kind = GroupVersionKind(group: "autoscaling", version: "v2", kind: "HorizontalPodAutoscaler")
    /// The Event source.
    static let component = "horizontal-pod-autoscaler"

    let client: KubernetesClient
    let autoscalers: Informer
    let pods: Informer
    let scales: ScaleReader
    let events: any EventSink
    let limiter = HorizontalPodAutoscalerEventLimiter()
    let syncPeriod: Duration
    /// The pod selector of each HPA's target, once read (for `AmbiguousSelector`).
    private let selectors = Mutex<[ObjectKey: LabelSelector]>([:])

    init(context: ClusterContext) {
        client = context.client
        autoscalers = context.manager.informer(for: Self.kind)
        pods = context.manager.informer(for: Pods.kind)
        scales = ScaleReader(manager: context.manager)
        events = context.events(of: Self.component)
        syncPeriod = context.options.horizontalPodAutoscaler.syncPeriod
    }

    /// One sync's changes to the HPA, and its Events.
    private struct Sync {
        var hpa: Resource
        var conditions: [JSONValue]
        var events: [(EventSeverity, String, String)] = []
        let now: String

        mutating func set(_ type: String, _ status: String, _ reason: String, _ message: String) {
            conditions = HorizontalPodAutoscalerStatus.setting(
                type, status: status, reason: reason, message: message, in: conditions, now: now)
        }

        mutating func event(_ type: EventSeverity, _ reason: String, _ message: String) {
            events.append((type, reason, message))
        }
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let hpa = autoscalers.cache.get(key), !hpa.isBeingDeleted else {
            forget(key)
            return .done
        }
        var sync = Sync(hpa: hpa, conditions: hpa.status?["conditions"]?.arrayValue ?? [], now: KubernetesTime.now)
        let status = await self.sync(&sync)
        // One budget per HPA and Event type, as client-go's spam key (source, object, type).
        for (type, reason, message) in sync.events where limiter.allow("\(hpa.uid ?? key.description)/\(type.rawValue)") {
            await events.record(on: hpa, type: type, reason: reason, message: message)
        }
        if !HorizontalPodAutoscalerStatus.same(hpa.status, status) {
            do {
                try await StatusWriter.write(
                    status, of: hpa, kind: Self.kind, client: client, fieldManager: ClusterControllers.fieldManager)
            } catch let error as APIError where error.reason == .notFound {
                return .done
            }
        }
        return .requeue(after: syncPeriod)
    }

    /// kube's `reconcileAutoscaler`: the status to write, the Events in `sync`.
    private func sync(_ sync: inout Sync) async -> JSONValue {
        let hpa = sync.hpa
        let spec = hpa.spec ?? .emptyObject
        let old = hpa.status ?? .emptyObject
        let namespace = hpa.namespace ?? ""
        let reference = spec["scaleTargetRef"] ?? .emptyObject
        let targetName = reference["name"]?.stringValue ?? ""
        let targetKind = GroupVersionKind(
            apiVersion: reference["apiVersion"]?.stringValue ?? "", kind: reference["kind"]?.stringValue ?? "")
        let lastScaleTime = old["lastScaleTime"]
        let oldDesired = old["desiredReplicas"]?.intValue ?? 0
        let metricSpecs = spec["metrics"]?.arrayValue ?? []

        let scale: WorkloadScale
        do {
            scale = try await scales.scale(of: targetKind, name: targetName, namespace: namespace)
        } catch {
            var message = (error as? ScaleReader.Failure)?.message ?? "\(error)"
            // kube's scale client asks for the subresource, which such a kind does not serve.
            if (error as? ScaleReader.Failure)?.hasNoScale == true { message = "the server could not find the requested resource" }
            sync.event(.warning, "FailedGetScale", message)
            sync.set("AbleToScale", "False", "FailedGetScale",
                     "the HPA controller was unable to get the target's current scale: \(message)")
            var status = old.objectValue ?? [:]
            status["conditions"] = .array(sync.conditions)
            if status["desiredReplicas"] == nil { status["desiredReplicas"] = 0 }
            if status["currentMetrics"] == nil { status["currentMetrics"] = .null }
            return .object(status)
        }
        sync.set("AbleToScale", "True", "SucceededGetScale", "the HPA controller was able to get the target's current scale")
        let current = scale.replicas
        let minReplicas = spec["minReplicas"]?.intValue ?? 1
        let maxReplicas = spec["maxReplicas"]?.intValue ?? minReplicas

        var desired: Int64 = 0
        var reason = ""
        var metrics: JSONValue = .null
        if current == 0 {
            sync.set("ScalingActive", "False", "ScalingDisabled", "scaling is disabled since the replica count of the target is zero")
        } else if let bounded = HorizontalPodAutoscalerStatus.boundedReplicas(current: current, min: minReplicas, max: maxReplicas) {
            (desired, reason) = bounded
        } else {
            // Within bounds: only metrics could move the count, and none can be read.
            let failure: String
            if let selectorFailure = validateSelector(scale.selector, of: hpa, &sync) {
                failure = selectorFailure
            } else {
                failure = failMetrics(metricSpecs, namespace: namespace, &sync)
                metrics = HorizontalPodAutoscalerStatus.emptyMetrics(count: metricSpecs.count)
            }
            sync.event(.warning, "FailedComputeMetricsReplicas", failure)
            return HorizontalPodAutoscalerStatus.status(
                currentReplicas: current, desiredReplicas: oldDesired, currentMetrics: metrics,
                lastScaleTime: lastScaleTime, conditions: sync.conditions)
        }

        guard current != 0, desired != current else {
            return HorizontalPodAutoscalerStatus.status(
                currentReplicas: current, desiredReplicas: current, currentMetrics: metrics,
                lastScaleTime: lastScaleTime, conditions: sync.conditions)
        }
        do {
            try await scales.setReplicas(
                desired, of: targetKind, name: targetName, namespace: namespace, fieldManager: ClusterControllers.fieldManager)
        } catch {
            let message = (error as? APIError)?.message ?? "\(error)"
            sync.event(.warning, "FailedRescale", "New size: \(desired); reason: \(reason); error: \(message)")
            sync.set("AbleToScale", "False", "FailedUpdateScale",
                     "the HPA controller was unable to update the target scale: \(message)")
            return HorizontalPodAutoscalerStatus.status(
                currentReplicas: current, desiredReplicas: oldDesired, currentMetrics: metrics,
                lastScaleTime: lastScaleTime, conditions: sync.conditions)
        }
        sync.set("AbleToScale", "True", "SucceededRescale", "the HPA controller was able to update the target scale to \(desired)")
        sync.conditions.removeAll { $0["type"]?.stringValue == "ScaledToZero" }
        sync.event(.normal, "SuccessfulRescale", "New size: \(desired); reason: \(reason)")
        return HorizontalPodAutoscalerStatus.status(
            currentReplicas: current, desiredReplicas: desired, currentMetrics: metrics,
            lastScaleTime: .string(sync.now), conditions: sync.conditions)
    }

    /// The failure of the target's pod selector, if any: missing, not parsable, or selecting
    /// pods another HPA's target selects too.
    private func validateSelector(_ text: String, of hpa: Resource, _ sync: inout Sync) -> String? {
        guard !text.isEmpty else {
            sync.event(.warning, "SelectorRequired", "selector is required")
            sync.set("ScalingActive", "False", "InvalidSelector", "the HPA target's scale is missing a selector")
            return "selector is required"
        }
        let selector: LabelSelector
        do {
            selector = try LabelSelector(parsing: text)
        } catch {
            let message = "couldn't convert selector into a corresponding internal selector object: \(error)"
            sync.event(.warning, "InvalidSelector", message)
            sync.set("ScalingActive", "False", "InvalidSelector", message)
            return message
        }
        let key = ObjectKey(hpa)
        let known = selectors.withLock { selectors in
            selectors[key] = selector
            return selectors
        }
        var controlling = Set<ObjectKey>()
        for pod in pods.cache.list(namespace: hpa.namespace, selector: selector) {
            let labels = Dictionary(uniqueKeysWithValues: pod.labels.map { ($0.key, $0.value) })
            for (other, otherSelector) in known where other.namespace == key.namespace && otherSelector.matches(labels) {
                controlling.insert(other)
            }
        }
        guard controlling.count > 1 else { return nil }
        let names = controlling.sorted().map(\.description).joined(separator: " ")
        let message = "pods by selector \(text) are controlled by multiple HPAs: [\(names)]"
        sync.event(.warning, "AmbiguousSelector", message)
        sync.set("ScalingActive", "False", "AmbiguousSelector", message)
        return message
    }

    /// Records the failure of every metric (no metrics API is served) and returns the
    /// `FailedComputeMetricsReplicas` message; `ScalingActive` says why the first one failed.
    private func failMetrics(_ specs: [JSONValue], namespace: String, _ sync: inout Sync) -> String {
        let failures = specs.map { HorizontalPodAutoscalerMetrics.failure(of: $0, namespace: namespace) }
        for failure in failures { sync.event(.warning, failure.reason, failure.message) }
        if let first = failures.first {
            sync.set("ScalingActive", "False", first.reason, "the HPA was unable to compute the replica count: \(first.message)")
        }
        return HorizontalPodAutoscalerMetrics.computeMessage(failures)
    }

    /// Drops what is remembered of a deleted HPA.
    func forget(_ key: ObjectKey) {
        _ = selectors.withLock { $0.removeValue(forKey: key) }
    }

    /// Drops the Event budget of a deleted HPA.
    func forget(_ hpa: Resource) {
        forget(ObjectKey(hpa))
        for type in [EventSeverity.normal, .warning] {
            limiter.forget("\(hpa.uid ?? ObjectKey(hpa).description)/\(type.rawValue)")
        }
    }
}
