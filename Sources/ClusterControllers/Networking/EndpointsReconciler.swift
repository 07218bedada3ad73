import ControllerRuntime
import KubeClient
import Logging
import OrderedCollections
import Resources

/// Keeps the `v1` Endpoints of every Service with a selector, as kube-controller-manager's
/// endpoints controller: one subset per distinct set of ports, ready Pods under `addresses`
/// and the others under `notReadyAddresses` (all under `addresses` with
/// `publishNotReadyAddresses`), each with its node, target reference and hostname; the
/// Service's labels plus `endpoints.kubernetes.io/managed-by: endpoint-controller`; the
/// Endpoints deleted with their Service. Services without a selector keep the Endpoints their
/// users write. Nothing is written when the Endpoints already say it.
final class EndpointsReconciler: Reconciler {
    static let kind = GroupVersionKind(group: "", version: "v1", kind: "Endpoints")
    static let managedByLabel = "endpoints.kubernetes.io/managed-by"
    static let controllerName = "endpoint-controller"

    let client: KubernetesClient
    let services: Informer
    let pods: Informer
    /// The Pods' labels, to find a Service's Pods without parsing the namespace's.
    let podLabels: LabelTracker
    let endpoints: Informer
    let events: any EventSink
    let triggerTimes = TriggerTimes()

    init(context: ClusterContext, services: Informer, pods: Informer, podLabels: LabelTracker, endpoints: Informer) {
        self.podLabels = podLabels
        self.client = context.client
        self.services = services
        self.pods = pods
        self.endpoints = endpoints
        self.events = context.events(of: Self.controllerName)
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        let current = endpoints.cache.get(key)
        guard let service = services.cache.get(key) else {
            triggerTimes.forget(key)
            // The Service is gone: so are the Endpoints this controller wrote for it.
            if let current, current.labels[Self.managedByLabel] == Self.controllerName {
                do {
                    try await client.delete(Self.kind, name: key.name, namespace: key.namespace)
                } catch let error as APIError where error.reason == .notFound {}
            }
            return .done
        }
        guard ServiceEndpoints.selector(of: service) != nil else { return .done }
        let backing = ServiceEndpoints.pods(of: service, labels: podLabels, pods: pods)
        let (triggerTime, seenBefore) = triggerTimes.change(for: service, pods: backing)
        let subsets = Self.subsets(of: service, pods: backing)
        let labels = ServiceEndpoints.labels(
            for: service, reserved: [], extra: [(Self.managedByLabel, Self.controllerName)])
        if let current, (current.object["subsets"] ?? .array([])) == subsets,
            current.metadata["labels"] ?? .object([:]) == labels
        {
            return .done
        }
        var desired = current ?? Resource(apiVersion: "v1", kind: "Endpoints", name: key.name, namespace: key.namespace)
        desired.object["subsets"] = subsets.arrayValue?.isEmpty == true ? nil : subsets
        desired.withMetadata { metadata in
            metadata["labels"] = labels
            var annotations = metadata["annotations"]?.objectValue ?? [:]
            annotations[ServiceEndpoints.triggerTimeAnnotation] = triggerTime.map { .string($0) }
            metadata["annotations"] = annotations.isEmpty ? nil : .object(annotations)
        }
        // A failed write is retried: the retry must report the same change.
        var written = false
        defer { if !written { triggerTimes.restore(seenBefore, for: service) } }
        do {
            if current == nil {
                _ = try await client.create(desired, options: WriteOptions(fieldManager: ClusterControllers.fieldManager))
            } else {
                _ = try await client.update(desired, options: WriteOptions(fieldManager: ClusterControllers.fieldManager))
            }
            written = true
        } catch let error as APIError where error.reason == .conflict || error.reason == .alreadyExists {
            // The cache is a moment behind: its next event queues the Service again.
            throw error
        } catch let error as APIError {
            let (reason, message) = current == nil
                ? ("FailedToCreateEndpoint", "Failed to create endpoint for service \(key.namespace)/\(key.name): \(error.message)")
                : ("FailedToUpdateEndpoint", "Failed to update endpoint \(key.namespace)/\(key.name): \(error.message)")
            await events.record(on: desired, type: .warning, reason: reason, message: message)
            throw error
        }
        return .done
    }

    /// The subsets of `service`'s Endpoints: each listed Pod's address under each port it
    /// serves, packed as kube's `RepackSubsets` packs them — ports served by the same
    /// addresses share one subset; addresses in IP order, ports and subsets in port order.
    static func subsets(of service: Resource, pods: [Resource]) -> JSONValue {
        let tolerateUnready = service.spec?["publishNotReadyAddresses"]?.boolValue ?? false
        let servicePorts = service.spec?["ports"]?.arrayValue ?? []
        struct Address: Hashable {
            var ip: String
            var uid: String
            var ready: Bool
            var json: JSONValue
        }
        // port → the addresses serving it; `nil` for a headless Service without ports.
        var addressesByPort: OrderedDictionary<ServiceEndpoints.Port?, Set<Address>> = [:]
        for pod in pods where ServiceEndpoints.isListed(pod, includeTerminating: tolerateUnready) {
            guard let ip = ServiceEndpoints.ip(of: pod, service: service) else { continue }
            var members: JSONObject = ["ip": .string(ip)]
            if let hostname = ServiceEndpoints.hostname(of: pod, service: service) { members["hostname"] = .string(hostname) }
            if let node = pod.spec?["nodeName"]?.stringValue, !node.isEmpty { members["nodeName"] = .string(node) }
            members["targetRef"] = ServiceEndpoints.targetRef(of: pod)
            let address = Address(
                ip: ip, uid: pod.uid ?? "", ready: tolerateUnready || Pods.isReady(pod), json: .object(members))
            if servicePorts.isEmpty {
                // A headless Service may have no ports: its Pods are listed without any.
                if ServiceEndpoints.isHeadless(service) { addressesByPort[nil, default: []].insert(address) }
                continue
            }
            for port in ServiceEndpoints.ports(of: service, for: pod) { addressesByPort[port, default: []].insert(address) }
        }
        // address set → the ports it serves
        var portsByAddresses: [[Address]: [ServiceEndpoints.Port]] = [:]
        for (port, addresses) in addressesByPort {
            let key = addresses.sorted { ($0.ip, $0.uid, $0.ready ? 1 : 0) < ($1.ip, $1.uid, $1.ready ? 1 : 0) }
            portsByAddresses[key, default: []].append(contentsOf: port.map { [$0] } ?? [])
        }
        let subsets = portsByAddresses.map { addresses, ports -> (ports: [ServiceEndpoints.Port], json: JSONValue) in
            var subset: JSONObject = [:]
            let ready = addresses.filter(\.ready).map(\.json)
            let notReady = addresses.filter { !$0.ready }.map(\.json)
            if !ready.isEmpty { subset["addresses"] = .array(ready) }
            if !notReady.isEmpty { subset["notReadyAddresses"] = .array(notReady) }
            let sortedPorts = ports.sorted()
            if !sortedPorts.isEmpty { subset["ports"] = .array(sortedPorts.map(\.endpointsJSON)) }
            return (sortedPorts, .object(subset))
        }
        return .array(subsets.sorted { $0.ports.lexicographicallyPrecedes($1.ports) }.map(\.json))
    }
}
