import Synchronization

/// Hands out Pod IPs from the node's pod CIDR, as a CNI's host-local IPAM does: the first
/// address is the bridge's, the last the broadcast; the others go round-robin, so an address
/// is not reused as soon as it is freed. An address is held while its Pod is alive (not
/// finished, not gone); Pods that already have an address in their status keep it.
final class PodIPAllocator: Sendable {
    private let first: UInt32
    private let last: UInt32
    private let state = Mutex(State())

    private struct State {
        var byUID: [String: UInt32] = [:]
        var cursor: UInt32 = 0
    }

    /// An allocator for `cidr` (`10.244.0.0/24`); an unreadable one falls back to that.
    init(cidr: String) {
        let (network, bits) = Self.parse(cidr) ?? Self.parse("10.244.0.0/24")!
        let size: UInt32 = bits >= 31 ? 4 : UInt32(1) << (32 - UInt32(bits))
        first = network + 2
        last = network + size - 2
    }

    /// The address of the Pod `uid`: the one it holds, else a free one — not among `inUse`
    /// (the addresses of the live Pods, as their statuses say) — or `nil` when all are taken.
    /// `live` are the uids of the live Pods: addresses held for any other are released.
    func address(for uid: String, inUse: Set<String>, live: Set<String>) -> String? {
        state.withLock { state in
            state.byUID = state.byUID.filter { live.contains($0.key) || $0.key == uid }
            if let held = state.byUID[uid] { return Self.format(held) }
            let taken = Set(state.byUID.values).union(inUse.compactMap(Self.parseAddress))
            let count = last - first + 1
            for offset in 0..<count {
                let candidate = first + (state.cursor + offset) % count
                if !taken.contains(candidate) {
                    state.byUID[uid] = candidate
                    state.cursor = (candidate - first + 1) % count
                    return Self.format(candidate)
                }
            }
            return nil
        }
    }

    static func parse(_ cidr: String) -> (network: UInt32, bits: Int)? {
        let parts = cidr.split(separator: "/")
        guard parts.count == 2, let bits = Int(parts[1]), (8...30).contains(bits),
            let address = parseAddress(String(parts[0]))
        else { return nil }
        let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << (32 - UInt32(bits))
        return (address & mask, bits)
    }

    static func parseAddress(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".").compactMap { UInt32($0) }
        guard octets.count == 4, octets.allSatisfy({ $0 < 256 }) else { return nil }
        return octets.reduce(0) { $0 << 8 | $1 }
    }

    static func format(_ address: UInt32) -> String {
        [24, 16, 8, 0].map { String((address >> UInt32($0)) & 0xff) }.joined(separator: ".")
    }
}
