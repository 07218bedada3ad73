import OrderedCollections
import Resources

/// What the Endpoints and EndpointSlice controllers read from a Service and its Pods, as
/// kube-controller-manager reads it: which Pods back a Service, the address and ports each
/// offers, and whether it is ready. Pure functions of the objects.
enum ServiceEndpoints {
    /// `endpoints.kubernetes.io/last-change-trigger-time`, on Endpoints and EndpointSlices.
    static let triggerTimeAnnotation = "endpoints.kubernetes.io/last-change-trigger-time"
    /// `service.kubernetes.io/headless`, on the endpoints of a Service without a cluster IP.
    static let headlessLabel = "service.kubernetes.io/headless"

    /// The Service's `spec.selector` as labels; `nil` when it has none (its endpoints are
    /// written by someone else), or when it is an ExternalName Service (it has none).
    static func selector(of service: Resource) -> [String: String]? {
        guard service.spec?["type"]?.stringValue != "ExternalName",
            let selector = service.spec?["selector"]?.objectValue
        else { return nil }
        return Dictionary(selector.compactMap { key, value in value.stringValue.map { (key, $0) } },
                          uniquingKeysWith: { _, last in last })
    }

    /// Whether `labels` carry every label of `selector` (a Service's selector is a plain map;
    /// an empty one selects every Pod of the namespace, as in kube).
    static func matches(_ selector: [String: String], labels: OrderedDictionary<String, String>) -> Bool {
        selector.allSatisfy { labels[$0.key] == $0.value }
    }

    /// The Pods of `pods` that back `service`.
    static func pods(of service: Resource, among pods: [Resource]) -> [Resource] {
        guard let selector = selector(of: service) else { return [] }
        return pods.filter { $0.namespace == service.namespace && matches(selector, labels: $0.labels) }
    }

    /// Whether `pod` is listed at all: it has an IP, has not finished, and (unless
    /// `includeTerminating`) is not being deleted — kube's `ShouldPodBeInEndpoints`.
    static func isListed(_ pod: Resource, includeTerminating: Bool) -> Bool {
        let phase = Pods.phase(of: pod)
        if phase == "Succeeded" || phase == "Failed" { return false }
        if ip(of: pod, service: nil) == nil { return false }
        if !includeTerminating, pod.isBeingDeleted { return false }
        return true
    }

    /// The Pod's IP of the Service's first IP family (IPv4 unless it says IPv6).
    static func ip(of pod: Resource, service: Resource?) -> String? {
        var candidates = pod.valueIfPresent(at: "status.podIPs")?.arrayValue?.compactMap { $0["ip"]?.stringValue } ?? []
        if candidates.isEmpty, let ip = pod.valueIfPresent(at: "status.podIP")?.stringValue, !ip.isEmpty {
            candidates = [ip]
        }
        guard let service else { return candidates.first }
        let wantsIPv6 = addressType(of: service) == "IPv6"
        return candidates.first { $0.contains(":") == wantsIPv6 }
    }

    /// `IPv4` or `IPv6`: the Service's first IP family.
    static func addressType(of service: Resource) -> String {
        if let family = service.spec?["ipFamilies"]?.arrayValue?.first?.stringValue { return family }
        if let clusterIP = service.spec?["clusterIP"]?.stringValue, clusterIP.contains(":") { return "IPv6" }
        return "IPv4"
    }

    /// Whether the Service has no cluster IP (headless).
    static func isHeadless(_ service: Resource) -> Bool {
        let clusterIP = service.spec?["clusterIP"]?.stringValue ?? ""
        return clusterIP.isEmpty || clusterIP == "None"
    }

    /// The hostname the Pod gets in the Service's endpoints: its `spec.hostname` when its
    /// `spec.subdomain` names the Service.
    static func hostname(of pod: Resource, service: Resource) -> String? {
        guard let hostname = pod.spec?["hostname"]?.stringValue, !hostname.isEmpty,
            pod.spec?["subdomain"]?.stringValue == service.name, pod.namespace == service.namespace
        else { return nil }
        return hostname
    }

    /// The reference to the Pod an address is of.
    static func targetRef(of pod: Resource) -> JSONValue {
        ["kind": "Pod", "namespace": .string(pod.namespace ?? ""), "name": .string(pod.name), "uid": .string(pod.uid ?? "")]
    }

    /// One port of a Service, resolved for one Pod.
    struct Port: Hashable, Comparable {
        var name: String
        var port: Int64
        var `protocol`: String
        var appProtocol: String?

        var json: JSONValue {
            var members: JSONObject = ["name": .string(name), "port": .int(port), "protocol": .string(`protocol`)]
            if let appProtocol { members["appProtocol"] = .string(appProtocol) }
            return .object(members)
        }

        /// As a `v1` Endpoints port: Go's `omitempty` drops an empty name there (an
        /// EndpointSlice port's name is a pointer, written even when empty).
        var endpointsJSON: JSONValue {
            var members = json.objectValue ?? [:]
            if name.isEmpty { members["name"] = nil }
            return .object(members)
        }

        static func < (lhs: Port, rhs: Port) -> Bool {
            (lhs.name, lhs.port, lhs.protocol) < (rhs.name, rhs.port, rhs.protocol)
        }
    }

    /// The Service's ports as `pod` serves them: a numeric `targetPort` as it is, a named one
    /// looked up among the Pod's container ports of the same protocol; ports the Pod does not
    /// have are left out (kube's `FindPort`).
    static func ports(of service: Resource, for pod: Resource) -> [Port] {
        var ports: [Port] = []
        for servicePort in service.spec?["ports"]?.arrayValue ?? [] {
            let proto = servicePort["protocol"]?.stringValue ?? "TCP"
            let number: Int64?
            switch servicePort["targetPort"] {
            case .int(let value)?: number = value
            case .string(let name)?:
                if let value = Int64(name) {
                    number = value
                } else {
                    number = containerPort(named: name, protocol: proto, in: pod)
                }
            default: number = servicePort["port"]?.intValue
            }
            guard let number else { continue }
            ports.append(Port(
                name: servicePort["name"]?.stringValue ?? "", port: number, protocol: proto,
                appProtocol: servicePort["appProtocol"]?.stringValue))
        }
        return ports
    }

    private static func containerPort(named name: String, protocol proto: String, in pod: Resource) -> Int64? {
        let containers = (pod.spec?["containers"]?.arrayValue ?? [])
            + (pod.spec?["initContainers"]?.arrayValue ?? []).filter { $0["restartPolicy"]?.stringValue == "Always" }
        for container in containers {
            for port in container["ports"]?.arrayValue ?? []
            where port["name"]?.stringValue == name && (port["protocol"]?.stringValue ?? "TCP") == proto {
                return port["containerPort"]?.intValue
            }
        }
        return nil
    }

    /// The labels the controllers give a Service's Endpoints or EndpointSlices: the Service's
    /// own (without the reserved `keys`), the headless marker when it has no cluster IP, and `extra`.
    static func labels(for service: Resource, reserved keys: Set<String>, extra: [(String, String)]) -> JSONValue {
        var labels: JSONObject = [:]
        for (key, value) in service.labels where !keys.contains(key) { labels[key] = .string(value) }
        if isHeadless(service) { labels[headlessLabel] = "" } else { labels[headlessLabel] = nil }
        for (key, value) in extra { labels[key] = .string(value) }
        return .object(labels)
    }
}
