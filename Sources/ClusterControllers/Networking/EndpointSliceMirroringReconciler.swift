import ControllerRuntime
import KubeClient
import Logging
import OrderedCollections
import Resources

/// Mirrors the Endpoints users write for a Service without a selector into EndpointSlices, as
/// kube-controller-manager's endpointslicemirroring controller: slices named
/// `<service>-<5 random>`, owned by the Endpoints, with its labels (plus
/// `kubernetes.io/service-name` and `endpointslice.kubernetes.io/managed-by:
/// endpointslicemirroring-controller.k8s.io`) and annotations (but the last-applied
/// configuration and trigger time); one slice per port set and address family, each address
/// an endpoint whose `ready` says whether it was under `addresses` or `notReadyAddresses`.
/// Endpoints labelled `endpointslice.kubernetes.io/skip-mirror: "true"` are not mirrored, nor
/// those of a Service that has a selector or does not exist: their mirrored slices go.
final class EndpointSliceMirroringReconciler: Reconciler {
    static let managerName = "endpointslicemirroring-controller.k8s.io"
    static let controllerName = "endpointslicemirroring-controller"
    static let skipMirrorLabel = "endpointslice.kubernetes.io/skip-mirror"
    static let endpointsKind = GroupVersionKind(group: "", version: "v1", kind: "Endpoints")
    /// Annotations not copied to the slices.
    static let droppedAnnotations: Set<String> = [
        ServiceEndpoints.triggerTimeAnnotation, "kubectl.kubernetes.io/last-applied-configuration",
    ]

    let client: KubernetesClient
    let services: Informer
    let endpoints: Informer
    let slices: Informer
    let expectations = SliceExpectations()

    init(context: ClusterContext, services: Informer, endpoints: Informer, slices: Informer) {
        self.client = context.client
        self.services = services
        self.endpoints = endpoints
        self.slices = slices
    }

    /// The desired content of one mirrored slice.
    struct Slice: Equatable {
        var addressType: String
        var ports: [JSONValue]
        var endpoints: [JSONValue]
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        let cached = slices.cache.objects(index: EndpointSliceReconciler.serviceIndex, value: "\(key.namespace)/\(key.name)")
            .filter { $0.labels[EndpointSliceReconciler.managedByLabel] == Self.managerName }
        guard expectations.isSatisfied(by: cached, for: key) else { return .requeue(after: .milliseconds(100)) }
        var desired: [Slice] = []
        let source = endpoints.cache.get(key)
        if let source, source.labels[Self.skipMirrorLabel] != "true",
            source.annotations["control-plane.alpha.kubernetes.io/leader"] == nil,
            let service = services.cache.get(key), service.spec?["selector"] == nil
        {
            desired = Self.slices(mirroring: source)
        }
        let existing = cached.filter { slice in source.map { ControllerReferences.isControlled(slice, by: $0) } ?? true }
            .sorted { $0.name < $1.name }
        var unused = existing
        var writes: [(current: Resource?, slice: Slice)] = []
        var unmatched: [Slice] = []
        for slice in desired {
            if let index = unused.firstIndex(where: { Self.content(of: $0) == slice }) {
                let current = unused.remove(at: index)
                if let source, Self.metadataDiffers(current, from: source) { writes.append((current, slice)) }
            } else {
                unmatched.append(slice)
            }
        }
        for slice in unmatched {
            if let index = unused.firstIndex(where: { Self.content(of: $0).addressType == slice.addressType }) {
                writes.append((unused.remove(at: index), slice))
            } else {
                writes.append((nil, slice))
            }
        }
        var written: [String: String?] = [:]
        defer { expectations.expect(written, for: key) }
        let options = WriteOptions(fieldManager: ClusterControllers.fieldManager)
        if let source {
            for (current, slice) in writes {
                let object = Self.object(slice, mirroring: source, current: current)
                let stored = current == nil
                    ? try await client.create(object, options: options) : try await client.update(object, options: options)
                written[stored.name] = .some(stored.resourceVersion)
            }
        }
        for slice in unused {
            do {
                try await client.delete(EndpointSliceReconciler.kind, name: slice.name, namespace: slice.namespace)
            } catch let error as APIError where error.reason == .notFound {}
            written[slice.name] = .some(nil)
        }
        return .done
    }

    /// The slices mirroring `endpoints`: its subsets' addresses by port set and address family,
    /// at most 100 endpoints per slice.
    static func slices(mirroring endpoints: Resource) -> [Slice] {
        var grouped: OrderedDictionary<[JSONValue], OrderedDictionary<String, [JSONValue]>> = [:]
        for subset in endpoints.object["subsets"]?.arrayValue ?? [] {
            let ports = (subset["ports"]?.arrayValue ?? []).map { port -> JSONValue in
                var members: JSONObject = [
                    "name": port["name"] ?? "", "port": port["port"] ?? .int(0), "protocol": port["protocol"] ?? "TCP",
                ]
                if let appProtocol = port["appProtocol"], !appProtocol.isNull { members["appProtocol"] = appProtocol }
                return .object(members)
            }
            for (field, ready) in [("addresses", true), ("notReadyAddresses", false)] {
                for address in subset[field]?.arrayValue ?? [] {
                    guard let ip = address["ip"]?.stringValue else { continue }
                    var endpoint: JSONObject = ["addresses": [.string(ip)], "conditions": ["ready": .bool(ready)]]
                    if let hostname = address["hostname"]?.stringValue, !hostname.isEmpty { endpoint["hostname"] = .string(hostname) }
                    if let node = address["nodeName"]?.stringValue { endpoint["nodeName"] = .string(node) }
                    if let target = address["targetRef"], !target.isNull { endpoint["targetRef"] = target }
                    grouped[ports, default: [:]][ip.contains(":") ? "IPv6" : "IPv4", default: []].append(.object(endpoint))
                }
            }
        }
        var slices: [Slice] = []
        for (ports, byFamily) in grouped {
            for (family, endpoints) in byFamily {
                for start in stride(from: 0, to: endpoints.count, by: EndpointSliceReconciler.maxEndpointsPerSlice) {
                    let chunk = endpoints[start..<min(start + EndpointSliceReconciler.maxEndpointsPerSlice, endpoints.count)]
                    slices.append(Slice(addressType: family, ports: ports, endpoints: Array(chunk)))
                }
            }
        }
        return slices
    }

    static func content(of slice: Resource) -> Slice {
        Slice(
            addressType: slice.object["addressType"]?.stringValue ?? "",
            ports: slice.object["ports"]?.arrayValue ?? [], endpoints: slice.object["endpoints"]?.arrayValue ?? [])
    }

    /// The labels and annotations a slice mirroring `endpoints` carries.
    static func metadata(mirroring endpoints: Resource) -> (labels: JSONValue, annotations: JSONValue?) {
        var labels: JSONObject = [:]
        for (key, value) in endpoints.labels { labels[key] = .string(value) }
        labels[EndpointSliceReconciler.serviceNameLabel] = .string(endpoints.name)
        labels[EndpointSliceReconciler.managedByLabel] = .string(managerName)
        var annotations: JSONObject = [:]
        for (key, value) in endpoints.annotations where !droppedAnnotations.contains(key) { annotations[key] = .string(value) }
        return (.object(labels), annotations.isEmpty ? nil : .object(annotations))
    }

    static func metadataDiffers(_ slice: Resource, from endpoints: Resource) -> Bool {
        let (labels, annotations) = metadata(mirroring: endpoints)
        return slice.metadata["labels"] != labels || (slice.metadata["annotations"] ?? nil) != annotations
    }

    static func object(_ slice: Slice, mirroring endpoints: Resource, current: Resource?) -> Resource {
        var object = current ?? Resource(apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", namespace: endpoints.namespace)
        let (labels, annotations) = metadata(mirroring: endpoints)
        object.withMetadata { metadata in
            if current == nil {
                metadata["generateName"] = .string("\(endpoints.name)-")
                metadata["ownerReferences"] = [ControllerReferences.reference(to: endpoints, kind: endpointsKind)]
            }
            metadata["labels"] = labels
            metadata["annotations"] = annotations
        }
        object.object["addressType"] = .string(slice.addressType)
        object.object["endpoints"] = .array(slice.endpoints)
        object.object["ports"] = .array(slice.ports)
        return object
    }
}
