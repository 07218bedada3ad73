import ControllerRuntime
import KubeClient
import Logging
import OrderedCollections
import Resources

/// Keeps the `discovery.k8s.io/v1` EndpointSlices of every Service with a selector, as
/// kube-controller-manager's endpointslice controller: one slice per distinct set of ports
/// (at most 100 endpoints each), named `<service>-<5 random>`, owned by the Service, labelled
/// `kubernetes.io/service-name` and `endpointslice.kubernetes.io/managed-by:
/// endpointslice-controller.k8s.io` with the Service's own labels; each endpoint with its
/// `ready`/`serving`/`terminating` conditions, node, hostname and target reference. A Service
/// no Pod backs gets one empty placeholder slice. Slices are updated in place and not written
/// when they already say it; the garbage collector deletes them with their Service.
final class EndpointSliceReconciler: Reconciler {
    static let kind = GroupVersionKind(group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice")
    static let serviceNameLabel = "kubernetes.io/service-name"
    static let managedByLabel = "endpointslice.kubernetes.io/managed-by"
    static let managerName = "endpointslice-controller.k8s.io"
    static let controllerName = "endpointslice-controller"
    /// kube's default `--max-endpoints-per-slice`.
    static let maxEndpointsPerSlice = 100
    static let serviceKind = GroupVersionKind(group: "", version: "v1", kind: "Service")
    /// The index of slices by `namespace/service-name`.
    static let serviceIndex = "service-name"

    let client: KubernetesClient
    let services: Informer
    let pods: Informer
    /// The Pods' labels, to find a Service's Pods without parsing the namespace's.
    let podLabels: LabelTracker
    let slices: Informer
    let events: any EventSink
    let triggerTimes = TriggerTimes()
    let expectations = SliceExpectations()

    init(context: ClusterContext, services: Informer, pods: Informer, podLabels: LabelTracker, slices: Informer) {
        self.podLabels = podLabels
        self.client = context.client
        self.services = services
        self.pods = pods
        self.slices = slices
        self.events = context.events(of: Self.controllerName)
    }

    /// The desired content of one slice.
    struct Slice: Equatable {
        var addressType: String
        /// `nil` for a placeholder.
        var ports: [ServiceEndpoints.Port]?
        var endpoints: [JSONValue]
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let service = services.cache.get(key) else {
            triggerTimes.forget(key)
            expectations.forget(key)
            return .done
        }
        guard ServiceEndpoints.selector(of: service) != nil, !service.isBeingDeleted else { return .done }
        let cached = slices.cache.objects(index: Self.serviceIndex, value: "\(key.namespace)/\(key.name)")
        // The cache has not seen this controller's last writes yet: their events queue the Service again.
        guard expectations.isSatisfied(by: cached, for: key) else { return .requeue(after: .milliseconds(100)) }
        let backing = ServiceEndpoints.pods(of: service, labels: podLabels, pods: pods)
        let (triggerTime, seenBefore) = triggerTimes.change(for: service, pods: backing)
        let desired = Self.slices(of: service, pods: backing)
        let labels = ServiceEndpoints.labels(
            for: service, reserved: [Self.serviceNameLabel, Self.managedByLabel, ServiceEndpoints.headlessLabel],
            extra: [(Self.serviceNameLabel, service.name), (Self.managedByLabel, Self.managerName)])
        let existing = cached
            .filter { $0.labels[Self.managedByLabel] == Self.managerName }
            .filter { $0.controllerReference.map { $0.uid == service.uid } ?? true }
        var unused = existing.sorted { $0.name < $1.name }
        var writes: [(current: Resource?, slice: Slice)] = []
        var unmatched: [Slice] = []
        // A slice already saying what one desired slice says stays; so does one with the same ports.
        for slice in desired {
            if let index = unused.firstIndex(where: { Self.content(of: $0) == slice }) {
                let current = unused.remove(at: index)
                if current.metadata["labels"] != labels { writes.append((current, slice)) }
            } else {
                unmatched.append(slice)
            }
        }
        for slice in unmatched {
            if let index = unused.firstIndex(where: {
                Self.content(of: $0).ports == slice.ports && Self.content(of: $0).addressType == slice.addressType
            }) {
                writes.append((unused.remove(at: index), slice))
            } else if let index = unused.firstIndex(where: { Self.content(of: $0).addressType == slice.addressType }) {
                writes.append((unused.remove(at: index), slice))
            } else {
                writes.append((nil, slice))
            }
        }
        var written: [String: String?] = [:]
        defer {
            expectations.expect(written, for: key)
            // A failed write is retried: the retry must report the same change.
            if written.count < writes.count + unused.count { triggerTimes.restore(seenBefore, for: service) }
        }
        do {
            for (current, slice) in writes {
                let object = Self.object(slice, for: service, labels: labels, triggerTime: triggerTime, current: current)
                let options = WriteOptions(fieldManager: ClusterControllers.fieldManager)
                let stored = current == nil
                    ? try await client.create(object, options: options) : try await client.update(object, options: options)
                written[stored.name] = .some(stored.resourceVersion)
            }
            for slice in unused {
                do {
                    try await client.delete(Self.kind, name: slice.name, namespace: slice.namespace)
                } catch let error as APIError where error.reason == .notFound {}
                written[slice.name] = .some(nil)
            }
        } catch let error as APIError where error.reason != .conflict && error.reason != .alreadyExists {
            await events.record(
                on: service, type: .warning, reason: "FailedToUpdateEndpointSlices",
                message: "Error updating Endpoint Slices for Service \(key.namespace)/\(key.name): \(error.message)")
            throw error
        }
        return .done
    }

    /// The slices `service` should have for `pods`.
    static func slices(of service: Resource, pods: [Resource]) -> [Slice] {
        let addressType = ServiceEndpoints.addressType(of: service)
        let publishNotReady = service.spec?["publishNotReadyAddresses"]?.boolValue ?? false
        var byPorts: OrderedDictionary<[ServiceEndpoints.Port], [JSONValue]> = [:]
        for pod in pods.sorted(by: { $0.name < $1.name }) where ServiceEndpoints.isListed(pod, includeTerminating: true) {
            guard let ip = ServiceEndpoints.ip(of: pod, service: service) else { continue }
            let ports = (service.spec?["ports"]?.arrayValue ?? []).isEmpty && ServiceEndpoints.isHeadless(service)
                ? [] : ServiceEndpoints.ports(of: service, for: pod)
            let serving = Pods.isReady(pod)
            let terminating = pod.isBeingDeleted
            var endpoint: JSONObject = [
                "addresses": [.string(ip)],
                "conditions": [
                    "ready": .bool(publishNotReady || (serving && !terminating)),
                    "serving": .bool(serving), "terminating": .bool(terminating),
                ],
            ]
            if let hostname = ServiceEndpoints.hostname(of: pod, service: service) { endpoint["hostname"] = .string(hostname) }
            if let node = pod.spec?["nodeName"]?.stringValue, !node.isEmpty { endpoint["nodeName"] = .string(node) }
            endpoint["targetRef"] = ServiceEndpoints.targetRef(of: pod)
            byPorts[ports, default: []].append(.object(endpoint))
        }
        guard !byPorts.isEmpty else { return [Slice(addressType: addressType, ports: nil, endpoints: [])] }
        var slices: [Slice] = []
        for (ports, endpoints) in byPorts.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            for start in stride(from: 0, to: endpoints.count, by: maxEndpointsPerSlice) {
                let chunk = Array(endpoints[start..<min(start + maxEndpointsPerSlice, endpoints.count)])
                slices.append(Slice(addressType: addressType, ports: ports.isEmpty ? nil : ports, endpoints: chunk))
            }
        }
        return slices
    }

    /// What an existing slice says, in the terms of ``Slice``.
    static func content(of slice: Resource) -> Slice {
        let ports = slice.object["ports"]?.arrayValue?.map { port in
            ServiceEndpoints.Port(
                name: port["name"]?.stringValue ?? "", port: port["port"]?.intValue ?? 0,
                protocol: port["protocol"]?.stringValue ?? "TCP", appProtocol: port["appProtocol"]?.stringValue)
        }
        return Slice(
            addressType: slice.object["addressType"]?.stringValue ?? "",
            ports: ports.flatMap { $0.isEmpty ? nil : $0 },
            endpoints: slice.object["endpoints"]?.arrayValue ?? [])
    }

    /// The slice object to write: `current` (or a new one) saying `slice`.
    static func object(_ slice: Slice, for service: Resource, labels: JSONValue, triggerTime: String?, current: Resource?)
        -> Resource
    {
        var object = current ?? Resource(apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", namespace: service.namespace)
        object.withMetadata { metadata in
            if current == nil {
                metadata["generateName"] = .string("\(service.name)-")
                metadata["ownerReferences"] = [ControllerReferences.reference(to: service, kind: serviceKind)]
            }
            metadata["labels"] = labels
            var annotations = metadata["annotations"]?.objectValue ?? [:]
            annotations[ServiceEndpoints.triggerTimeAnnotation] = triggerTime.map { .string($0) }
            metadata["annotations"] = annotations.isEmpty ? nil : .object(annotations)
        }
        object.object["addressType"] = .string(slice.addressType)
        object.object["endpoints"] = .array(slice.endpoints)
        object.object["ports"] = slice.ports.map { .array($0.map(\.json)) } ?? .array([])
        return object
    }
}
