import ControllerRuntime
import Foundation
import Resources
import Synchronization

/// When the change that a Service's endpoints follow happened, for their
/// `endpoints.kubernetes.io/last-change-trigger-time` annotation, as kube's trigger-time
/// tracker reckons it: the Service's creation the first time it is seen, later the earliest
/// Ready transition of a Pod (or the Service's creation) that changed since the last look.
final class TriggerTimes: Sendable {
    /// What was seen of one Service, to put back when the write it led to failed.
    struct Seen: Sendable {
        var podTimes: [String: Date] = [:]
        var serviceTime: Date?
    }

    private let state = Mutex<[ObjectKey: Seen]>([:])

    /// The trigger time of this look at `service` with `pods`, or `nil` when nothing changed;
    /// remembers what it saw, and returns what it saw before (for ``restore(_:for:)``).
    func change(for service: Resource, pods: [Resource]) -> (time: String?, previous: Seen?) {
        let key = ObjectKey(service)
        let created = service.creationTimestamp.flatMap(KubernetesTime.parse)
        var podTimes: [String: Date] = [:]
        for pod in pods {
            if let time = Pods.readyCondition(of: pod)?["lastTransitionTime"]?.stringValue.flatMap(KubernetesTime.parse) {
                podTimes[pod.name] = time
            }
        }
        let before = state.withLock { state -> Seen? in
            defer { state[key] = Seen(podTimes: podTimes, serviceTime: created) }
            return state[key]
        }
        guard let previous = before else { return (created.map(KubernetesTime.time), nil) }
        var earliest: Date?
        for (name, time) in podTimes where previous.podTimes[name].map({ time > $0 }) ?? true {
            earliest = min(earliest ?? time, time)
        }
        if let created, previous.serviceTime.map({ created > $0 }) ?? true {
            earliest = min(earliest ?? created, created)
        }
        return (earliest.map(KubernetesTime.time), previous)
    }

    /// Puts back what was seen of `service` before a look whose write failed, so that the
    /// retry reports the same change.
    func restore(_ previous: Seen?, for service: Resource) {
        state.withLock { $0[ObjectKey(service)] = previous }
    }

    /// Forgets a deleted Service.
    func forget(_ key: ObjectKey) {
        _ = state.withLock { $0.removeValue(forKey: key) }
    }
}
