import ControllerRuntime
import OrderedCollections
import Resources
import Synchronization

/// What the scheduler and the kubelet need of every Pod — where it is bound, whether it still
/// holds resources, its address, and the parts of its spec that ask for resources and ports —
/// kept from the Pod informer's events.
///
/// Both used to read every Pod of the cache (parsing each again) for each Pod they placed or
/// gave an address: quadratic in the Pods of the node, which at 1,000 applications (3,000 Pods)
/// was most of the plane's CPU. kube-scheduler keeps the same kind of per-node summary in its cache.
final class NodePodTracker: Sendable {
    /// One Pod as the tracker keeps it.
    struct Entry: Sendable, Equatable {
        var nodeName: String
        /// Succeeded or Failed: it holds no resources and no address any more.
        var finished: Bool
        var hostNetwork: Bool
        var podIP: String?
        /// The Pod reduced to what ``PodFit`` reads of a bound Pod: its containers' and init
        /// containers' `resources` and `ports`, and its `overhead`.
        var fitView: Resource
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// Follows `pods`; create it before any controller adds its own handlers to them, so that
    /// the tracker has seen a change before a reconcile it queues runs.
    init(pods: Informer) {
        pods.addHandler { [weak self] event in self?.apply(event) }
    }

    func apply(_ event: InformerEvent) {
        let pod = event.object
        guard let uid = pod.uid else { return }
        if case .deleted = event {
            entries.withLock { _ = $0.removeValue(forKey: uid) }
            return
        }
        let entry = Self.entry(of: pod)
        entries.withLock { $0[uid] = entry }
    }

    /// The Pods bound to `node` that hold resources, by uid, as ``PodFit`` reads them.
    func activePods(on node: String) -> [String: Resource] {
        entries.withLock { entries in
            entries.filter { $0.value.nodeName == node && !$0.value.finished }.mapValues(\.fitView)
        }
    }

    /// The uids of the Pods not bound to any node.
    var unboundUIDs: Set<String> {
        entries.withLock { entries in Set(entries.filter { $0.value.nodeName.isEmpty }.keys) }
    }

    /// The addresses held by the live Pods of `node` that have their own network, and the uids
    /// of those Pods.
    func addresses(on node: String) -> (inUse: Set<String>, live: Set<String>) {
        entries.withLock { entries in
            var inUse: Set<String> = []
            var live: Set<String> = []
            for (uid, entry) in entries where entry.nodeName == node && !entry.hostNetwork && !entry.finished {
                live.insert(uid)
                if let ip = entry.podIP, !ip.isEmpty { inUse.insert(ip) }
            }
            return (inUse, live)
        }
    }

    static func entry(of pod: Resource) -> Entry {
        let spec = pod.spec ?? .emptyObject
        func reduced(_ containers: JSONValue?) -> JSONValue? {
            guard let containers = containers?.arrayValue else { return nil }
            return .array(containers.map { container in
                var kept: JSONObject = [:]
                if let resources = container["resources"] { kept["resources"] = resources }
                if let ports = container["ports"] { kept["ports"] = ports }
                return .object(kept)
            })
        }
        var fitSpec: JSONObject = [:]
        if let containers = reduced(spec["containers"]) { fitSpec["containers"] = containers }
        if let containers = reduced(spec["initContainers"]) { fitSpec["initContainers"] = containers }
        if let overhead = spec["overhead"] { fitSpec["overhead"] = overhead }
        var fitView = Resource(apiVersion: "v1", kind: "Pod", name: pod.name, namespace: pod.namespace)
        fitView.spec = .object(fitSpec)
        let phase = Pods.phase(of: pod)
        return Entry(
            nodeName: spec["nodeName"]?.stringValue ?? "", finished: phase == "Succeeded" || phase == "Failed",
            hostNetwork: spec["hostNetwork"]?.boolValue == true, podIP: pod.status?["podIP"]?.stringValue,
            fitView: fitView)
    }
}
