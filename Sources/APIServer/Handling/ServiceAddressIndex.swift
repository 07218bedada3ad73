import APIMachinery
import Resources
import Store
import Synchronization

/// The addresses the stored Services hold — cluster IPs and `port:<number>` for node ports — so
/// that allocating one for a new Service does not read every Service of the plane.
///
/// kube-apiserver keeps an allocation bitmap and repairs it from the stored Services in the
/// background. Here the index is built from one list at first use and then brought up to date
/// before each allocation from the store's history of Services since the resourceVersion it
/// reflects: the work of an allocation is what changed since the last one, not the number of
/// Services (reading them all made creating N Services quadratic). Deletions of any origin —
/// the API, garbage collection, a namespace going away — are in that history like every other
/// write. When the history no longer reaches back that far (compacted), the index lists again.
///
/// Two allocations running at once can both miss the other's Service, which is stored only
/// after; ``ServiceAllocation/reservations`` covers that window, and a refresh releases the
/// reservations the stored Services have made needless (stored, or deleted).
final class ServiceAddressIndex: Sendable {
    private struct State {
        /// The resourceVersion the index reflects; `nil` before the first list.
        var resourceVersion: Int64?
        /// The addresses of each Service, by `namespace/name`.
        var held: [String: [String]] = [:]
        /// How many Services hold each address.
        var holders: [String: Int] = [:]

        mutating func record(_ key: String, holding addresses: [String]) {
            for address in held[key] ?? [] {
                let count = (holders[address] ?? 1) - 1
                holders[address] = count > 0 ? count : nil
            }
            held[key] = addresses.isEmpty ? nil : addresses
            for address in addresses { holders[address, default: 0] += 1 }
        }
    }

    private let state = Mutex(State())

    /// The key of a Service in the index.
    static func key(namespace: String?, name: String) -> String { "\(namespace ?? "")/\(name)" }

    /// What `service` holds: its cluster IPs (not `None`) and its node ports as `port:<number>`.
    static func addresses(of service: Resource) -> [String] {
        var addresses: Set<String> = []
        let spec = service.spec
        let ips = [spec?["clusterIP"]] + (spec?["clusterIPs"]?.arrayValue ?? []).map(Optional.some)
        for case let ip? in ips.map({ $0?.stringValue }) where !ip.isEmpty && ip != "None" {
            addresses.insert(ip)
        }
        for port in spec?["ports"]?.arrayValue ?? [] {
            if let number = port["nodePort"]?.intValue, number != 0 { addresses.insert("port:\(number)") }
        }
        return addresses.sorted()
    }

    /// Brings the index up to the latest write of `store` (known to reservations as `storeID`):
    /// the Services' changes since the resourceVersion it reflects, or one list the first time
    /// and after a compaction.
    func refresh(from store: any ObjectStore, storeID: ObjectIdentifier) async throws {
        let type = BuiltinTypes.services.type
        if let since = state.withLock({ $0.resourceVersion }) {
            do {
                let changes = try await store.changes(type, after: since)
                // What each event makes needless to reserve: a stored Service's addresses, and a
                // deleted one's (not all of its owner's: a create of the same name may be under way).
                var settled: [(owner: String, addresses: Set<String>)] = []
                state.withLock { state in
                    // Another allocation may have brought the index further meanwhile.
                    let reached = state.resourceVersion ?? 0
                    for event in changes.events {
                        guard let object = event.object,
                            let version = object.resourceVersion.flatMap(Int64.init), version > reached
                        else { continue }
                        let key = Self.key(namespace: object.namespace, name: object.name)
                        let addresses = Self.addresses(of: object)
                        if case .deleted = event {
                            state.record(key, holding: [])
                        } else {
                            state.record(key, holding: addresses)
                        }
                        settled.append((key, Set(addresses)))
                    }
                    state.resourceVersion = max(reached, changes.resourceVersion)
                }
                for (owner, addresses) in settled where !addresses.isEmpty {
                    ServiceAllocation.release(owner: owner, store: storeID, addresses: addresses)
                }
                return
            } catch let error as APIError where error.reason == .expired || error.reason == .gone {
                // The history was compacted past the index: read the Services again.
            }
        }
        let list = try await store.list(type, namespace: nil, options: ListOptions())
        state.withLock { state in
            guard list.resourceVersion > (state.resourceVersion ?? -1) else { return }
            var fresh = State()
            for service in list.items {
                fresh.record(Self.key(namespace: service.namespace, name: service.name), holding: Self.addresses(of: service))
            }
            fresh.resourceVersion = list.resourceVersion
            state = fresh
        }
    }

    /// Whether a Service other than the one at `key` holds `address`, as of the last refresh.
    func isTaken(_ address: String, byOtherThan key: String) -> Bool {
        state.withLock { state in
            let holders = state.holders[address] ?? 0
            let own = state.held[key]?.contains(address) == true ? 1 : 0
            return holders - own > 0
        }
    }
}
