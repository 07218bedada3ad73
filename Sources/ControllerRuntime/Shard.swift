/// One shard of N: which namespaces a controller process owns when N processes split a
/// cluster's applications.
///
/// A namespace belongs to shard `fnv1a32(namespace) % count`, where `fnv1a32` is the 32-bit
/// FNV-1a hash of the namespace name's UTF-8 bytes (offset basis 2166136261, prime 16777619).
/// The hash is fixed and documented so that the assignment is the same in every process, on
/// every platform and in every release, and so that an operator can compute it by hand. All of
/// an application — its AppConfig, Components, revisions, scopes and everything they render —
/// lives in one namespace, so it stays in one shard.
///
/// ```swift
/// let shard = try Shard(parsing: "1/3")      // the second of three (indexes start at 0)
/// shard.owns(namespace: "shop")               // Shard.index(of: "shop", count: 3) == 1
/// ```
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    /// This shard's number, `0..<count`.
    public let index: Int
    /// How many shards split the cluster.
    public let count: Int

    /// - Throws: ``ShardError`` unless `0 <= index < count`.
    public init(index: Int, count: Int) throws {
        guard count >= 1 else { throw ShardError("the shard count must be at least 1, not \(count)") }
        guard (0..<count).contains(index) else {
            throw ShardError("shard \(index) of \(count) does not exist: shards are numbered 0 to \(count - 1)")
        }
        self.index = index
        self.count = count
    }

    /// Parses `I/N` (`0/2`, `1/2`).
    ///
    /// - Throws: ``ShardError`` naming what is wrong with `text`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw ShardError("\"\(text)\" is not a shard: write I/N, e.g. 0/2 for the first of two shards")
        }
        try self.init(index: index, count: count)
    }

    /// `I/N`.
    public var description: String { "\(index)/\(count)" }

    /// Whether `namespace` belongs to this shard.
    public func owns(namespace: String) -> Bool {
        Self.index(of: namespace, count: count) == index
    }

    /// The shard of `namespace` among `count`.
    public static func index(of namespace: String, count: Int) -> Int {
        Int(fnv1a32(namespace) % UInt32(max(1, count)))
    }

    /// The 32-bit FNV-1a hash of `text`'s UTF-8 bytes.
    public static func fnv1a32(_ text: String) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return hash
    }
}

/// A shard that cannot exist, or a shard specification that does not parse.
public struct ShardError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
