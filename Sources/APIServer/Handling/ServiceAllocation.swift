import Foundation
import APIMachinery
import OrderedCollections
import Resources
import Store
import Synchronization

/// The addresses kube-apiserver's Service registry hands out: a cluster IP from the service range
/// and node ports from the node port range, unique among the plane's Services.
///
/// What is taken is what the stored Services hold (``ServiceAddressIndex``, kept from the store's
/// history). Two creates running at once would both look before either is written, so each
/// address handed out is also held in ``reservations`` until the index has seen the Service
/// stored (or deleted), and for a minute at most (a create that failed, a dry run).
enum ServiceAllocation {
    /// `10.96.0.0/12`, as kubeadm sets `--service-cluster-ip-range`.
    static let serviceRange = (base: UInt32(0x0A60_0000), prefix: 12)
    static let serviceRangeText = "10.96.0.0/12"
    static let nodePorts: ClosedRange<Int64> = 30_000...32_767
    /// The first address, kept for the `kubernetes` Service as kube-apiserver keeps it.
    static let kubernetesServiceIP = "10.96.0.1"

    static var rangeSize: UInt32 { 1 << (32 - UInt32(serviceRange.prefix)) }

    /// Addresses handed out lately, by store and address (an IP address, or `port:<number>`):
    /// to which Service (`namespace/name`) and when. A Service asking again for what it was given
    /// (a retried create) gets it again.
    static let reservations = Mutex<[Reservation: (owner: String, at: ContinuousClock.Instant)]>([:])
    static let reservationLifetime = Duration.seconds(60)

    struct Reservation: Hashable {
        /// The store's identity: each plane allocates for itself.
        var store: ObjectIdentifier
        var address: String
    }

    /// Reserves for `owner` the first of `candidates` that is neither taken nor reserved for
    /// another Service; `nil` when none is.
    static func reserve(
        _ candidates: some Sequence<String>, taken: (String) -> Bool, store: ObjectIdentifier, owner: String
    ) -> String? {
        reservations.withLock { held in
            let now = ContinuousClock.now
            held = held.filter { now - $0.value.at < reservationLifetime }
            for candidate in candidates where !taken(candidate) {
                let key = Reservation(store: store, address: candidate)
                if let holder = held[key], holder.owner != owner { continue }
                held[key] = (owner, now)
                return candidate
            }
            return nil
        }
    }

    /// Drops what is reserved for `owner` in `store` of `addresses`, once the stored Services say
    /// it: a Service stored holding its address needs no reservation, and a deleted one's
    /// addresses are free again at once, as in kube-apiserver.
    static func release(owner: String, store: ObjectIdentifier, addresses: Set<String>) {
        reservations.withLock { held in
            for address in addresses {
                let key = Reservation(store: store, address: address)
                if held[key]?.owner == owner { held[key] = nil }
            }
        }
    }

    /// Reserves `address` for `owner` unless it is taken or reserved for another Service.
    static func claim(_ address: String, taken: (String) -> Bool, store: ObjectIdentifier, owner: String) -> Bool {
        reserve([address], taken: taken, store: store, owner: owner) != nil
    }

    // MARK: Addresses as numbers

    static func parseIPv4(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard let octet = UInt8(part), String(octet) == part else { return nil }
            value = value << 8 | UInt32(octet)
        }
        return value
    }

    static func format(_ address: UInt32) -> String {
        "\(address >> 24).\(address >> 16 & 0xFF).\(address >> 8 & 0xFF).\(address & 0xFF)"
    }

    /// Whether `address` may be handed out: inside the range, neither its network nor its
    /// broadcast address.
    static func isAllocatable(_ address: UInt32) -> Bool {
        address > serviceRange.base && address < serviceRange.base + rangeSize - 1
    }

    /// Dynamic addresses come from above the first 256 of the range (kept for addresses asked for
    /// by name, as kube-apiserver keeps a lower band), starting at a random place.
    static func dynamicCandidates() -> some Sequence<String> {
        let low = serviceRange.base + 256
        let count = rangeSize - 256 - 1
        let start = UInt32.random(in: 0..<count)
        return (0..<count).lazy.map { format(low + (start + $0) % count) }
    }

    static func nodePortCandidates() -> some Sequence<String> {
        let count = nodePorts.upperBound - nodePorts.lowerBound + 1
        let start = Int64.random(in: 0..<count)
        return (0..<count).lazy.map { "port:\(nodePorts.lowerBound + (start + $0) % count)" }
    }
}

extension APIHandler {
    /// Completes a Service as kube-apiserver's registry does before storing it: a cluster IP, IP
    /// families and node ports are allocated where needed (what an update left out was kept from
    /// the stored Service by defaulting), and a requested IP or node port that is outside its
    /// range or taken is refused (422).
    func allocateServiceAddresses(_ object: inout Resource, old: Resource?) async throws {
        var spec = object.spec?.objectValue ?? [:]
        let type = spec["type"]?.stringValue ?? "ClusterIP"
        guard type != "ExternalName" else {
            object.spec = .object(spec)
            return
        }
        // The one store is a class (SQLiteStore): its identity tells planes in one process apart.
        let storeID = ObjectIdentifier(store as AnyObject)
        let owner = object.name.isEmpty
            ? UUID().uuidString : ServiceAddressIndex.key(namespace: object.namespace, name: object.name)
        var causes: [APIError.Cause] = []

        var clusterIP = spec["clusterIP"]?.stringValue ?? ""
        let clusterIPs = (spec["clusterIPs"]?.arrayValue ?? []).compactMap(\.stringValue)
        if clusterIP.isEmpty, let first = clusterIPs.first { clusterIP = first }
        let previous = old?.spec?["clusterIP"]?.stringValue
        let wantsNodePorts = type == "NodePort"
            || (type == "LoadBalancer" && spec["allocateLoadBalancerNodePorts"]?.boolValue != false)
        // An update that keeps its cluster IP and has no node ports asks nothing of the index.
        if clusterIP.isEmpty || (clusterIP != "None" && clusterIP != previous) || wantsNodePorts {
            try await serviceAddresses.refresh(from: store, storeID: storeID)
        }
        let index = serviceAddresses
        let taken = { (address: String) in index.isTaken(address, byOtherThan: owner) }

        // Cluster IP.
        if clusterIP.isEmpty {
            guard let ip = ServiceAllocation.reserve(
                ServiceAllocation.dynamicCandidates(), taken: taken, store: storeID, owner: owner) else {
                throw APIError.internalError("failed to allocate a serviceIP: range is full")
            }
            clusterIP = ip
        } else if clusterIP != "None", clusterIP != previous, let address = ServiceAllocation.parseIPv4(clusterIP) {
            let value = JSONValue.array([.string(clusterIP)])
            if !ServiceAllocation.isAllocatable(address) {
                causes.append(FieldErrors.invalid(
                    "spec.clusterIPs", value: value,
                    "failed to allocate IP \(clusterIP): the provided network does not match the current range (\(ServiceAllocation.serviceRangeText))"))
            } else if !ServiceAllocation.claim(clusterIP, taken: taken, store: storeID, owner: owner) {
                causes.append(FieldErrors.invalid(
                    "spec.clusterIPs", value: value, "failed to allocate IP \(clusterIP): provided IP is already allocated"))
            }
        }
        // kube-apiserver allocates node ports only once the cluster IP is settled: a refused IP
        // is the one cause it reports, whatever the ports (checked against v1.36).
        if !causes.isEmpty {
            throw APIError.invalid(kind: "Service", name: object.name, causes: causes)
        }
        spec["clusterIP"] = .string(clusterIP)
        if clusterIPs.isEmpty { spec["clusterIPs"] = [.string(clusterIP)] }
        // A headless Service without a selector serves every family there is, as kube says.
        let everyFamily = clusterIP == "None" && (spec["selector"]?.objectValue ?? [:]).isEmpty
        if spec["ipFamilyPolicy"]?.stringValue?.isEmpty ?? true {
            spec["ipFamilyPolicy"] = everyFamily ? "RequireDualStack" : "SingleStack"
        }
        if (spec["ipFamilies"]?.arrayValue ?? []).isEmpty {
            spec["ipFamilies"] = everyFamily ? ["IPv4", "IPv6"] : ["IPv4"]
        }

        // Node ports.
        if wantsNodePorts, var ports = spec["ports"]?.arrayValue {
            // Ports this request has settled on are taken for its other ports.
            var settled: Set<String> = []
            let takenPort = { (port: String) in settled.contains(port) || taken(port) }
            let own = Set((old?.spec?["ports"]?.arrayValue ?? []).compactMap { $0["nodePort"]?.intValue })
            // Ports asked for by number first, then the others get free ones.
            for index in ports.indices {
                guard let requested = ports[index]["nodePort"], let number = requested.intValue, number != 0 else { continue }
                let field = "spec.ports[\(index)].nodePort"
                if !ServiceAllocation.nodePorts.contains(number) {
                    causes.append(FieldErrors.invalid(
                        field, value: requested,
                        "provided port is not in the valid range. The range of valid ports is 30000-32767"))
                } else if !own.contains(number), !ServiceAllocation.claim(
                    "port:\(number)", taken: takenPort, store: storeID, owner: owner) {
                    causes.append(FieldErrors.invalid(field, value: requested, "provided port is already allocated"))
                }
                settled.insert("port:\(number)")
            }
            for index in ports.indices where (ports[index]["nodePort"]?.intValue ?? 0) == 0 {
                guard let key = ServiceAllocation.reserve(
                    ServiceAllocation.nodePortCandidates(), taken: takenPort, store: storeID, owner: owner),
                    let number = Int64(key.dropFirst("port:".count))
                else { throw APIError.internalError("failed to allocate a nodePort: range is full") }
                settled.insert(key)
                ports[index]["nodePort"] = .int(number)
            }
            spec["ports"] = .array(ports)
        }
        if !causes.isEmpty {
            throw APIError.invalid(kind: "Service", name: object.name, causes: causes)
        }
        object.spec = .object(spec)
    }
}
