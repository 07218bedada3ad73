import ControllerRuntime
import Foundation
import Testing

/// The pure rules of sharding: parsing `I/N`, the FNV-1a namespace hash, and when shards agree.
@Suite("sharding rules")
struct ShardTests {
    @Test("I/N parses; a shard that cannot exist is refused with a sentence saying why")
    func parsing() throws {
        let shard = try Shard(parsing: "1/3")
        #expect(shard.index == 1 && shard.count == 3 && shard.description == "1/3")
        for (text, message) in [
            ("2/2", "shard 2 of 2 does not exist: shards are numbered 0 to 1"),
            ("0/0", "the shard count must be at least 1, not 0"),
            ("one/two", "\"one/two\" is not a shard: write I/N, e.g. 0/2 for the first of two shards"),
            ("1", "\"1\" is not a shard: write I/N, e.g. 0/2 for the first of two shards"),
            ("-1/2", "shard -1 of 2 does not exist: shards are numbered 0 to 1"),
        ] {
            #expect(throws: ShardError(message)) { try Shard(parsing: text) }
        }
    }

    @Test("the namespace hash is 32-bit FNV-1a of the UTF-8 name, as published")
    func fnv1a() {
        // The FNV reference values.
        #expect(Shard.fnv1a32("") == 0x811c_9dc5)
        #expect(Shard.fnv1a32("a") == 0xe40c_292c)
        #expect(Shard.fnv1a32("foobar") == 0xbf9c_f968)
        #expect(Shard.index(of: "foobar", count: 2) == Int(0xbf9c_f968 % 2))
    }

    @Test("every namespace belongs to exactly one shard, and a single shard owns them all")
    func partition() throws {
        let namespaces = (0..<1_000).map { "team-\($0)" }
        for count in [1, 2, 3, 5] {
            let shards = try (0..<count).map { try Shard(index: $0, count: count) }
            var sizes = Array(repeating: 0, count: count)
            for namespace in namespaces {
                let owners = shards.filter { $0.owns(namespace: namespace) }
                #expect(owners.count == 1, "\(namespace) has owners \(owners) among \(count)")
                if let owner = owners.first { sizes[owner.index] += 1 }
            }
            // Spread evenly enough: no shard holds more than twice its share.
            #expect(sizes.allSatisfy { $0 > 0 && $0 < 2 * namespaces.count / count }, "\(sizes)")
        }
    }

    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func peer(_ index: Int, holder: String? = "h", renewed: TimeInterval = -1, recorded: String?) -> ShardAgreement.Peer {
        ShardAgreement.Peer(
            index: index, name: "mc-shard-\(index)",
            record: LeaseRecord(
                holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: now.addingTimeInterval(renewed),
                renewTime: now.addingTimeInterval(renewed), leaseTransitions: 0),
            recorded: recorded)
    }

    @Test("shards agree when every live Lease records the same count; released, expired and absent ones do not count")
    func agreement() throws {
        let shard = try Shard(parsing: "0/3")
        #expect(ShardAgreement.evaluate(shard: shard, peers: [Self.peer(1, recorded: "1/3"), Self.peer(2, recorded: "2/3")], now: Self.now)
            == .agreed(missing: []))
        // Shard 2 was never started; shard 1 was stopped (released): both are unheld, still agreed.
        #expect(ShardAgreement.evaluate(shard: shard, peers: [Self.peer(1, holder: nil, recorded: "1/3")], now: Self.now)
            == .agreed(missing: [1, 2]))
        // Leftovers of two shards: shard 1 of 2 released, shard 1 of 2 killed 20 s ago (expired).
        #expect(ShardAgreement.evaluate(shard: shard, peers: [
            Self.peer(1, holder: nil, recorded: "1/2"), Self.peer(2, renewed: -20, recorded: "2/4"),
        ], now: Self.now) == .agreed(missing: [1, 2]))
    }

    @Test("a live Lease of another shard count, or of none, is a disagreement named in a sentence")
    func disagreement() throws {
        let shard = try Shard(parsing: "0/3")
        #expect(ShardAgreement.evaluate(shard: shard, peers: [Self.peer(1, recorded: "1/2"), Self.peer(2, recorded: "2/3")], now: Self.now)
            == .disagreed(["Lease mc-shard-1 is held by h as shard 1/2, not of 3 shards"]))
        #expect(ShardAgreement.evaluate(shard: shard, peers: [Self.peer(3, recorded: "3/4")], now: Self.now)
            == .disagreed(["Lease mc-shard-3 is held by h as shard 3/4, not of 3 shards"]))
        #expect(ShardAgreement.evaluate(shard: shard, peers: [Self.peer(1, recorded: nil)], now: Self.now)
            == .disagreed(["Lease mc-shard-1 is held by h and records no shard (annotation mizzen.dev/shard)"]))
        // Our own Lease is not a peer.
        #expect(ShardAgreement.evaluate(shard: shard, peers: [Self.peer(0, recorded: "0/2")], now: Self.now)
            == .agreed(missing: [1, 2]))
    }
}
