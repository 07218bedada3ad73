import Foundation
import Resources

/// What a robustness writer knows about each object it wrote: the last state the server
/// acknowledged, and the state of a write that got no answer (it may or may not have happened).
struct WriteLedger: Sendable {
    /// A ConfigMap's state as the writer made it.
    enum State: Sendable, Equatable, CustomStringConvertible {
        /// Stored with `data.n = value` at `resourceVersion`.
        case present(resourceVersion: Int64, value: Int)
        /// Deleted (or never created).
        case absent

        var description: String {
            switch self {
            case .present(let version, let value): "present (n=\(value), resourceVersion \(version))"
            case .absent: "absent"
            }
        }
    }

    struct Entry: Sendable {
        var acknowledged: State = .absent
        /// An unanswered write: the object is then left alone for the rest of the run.
        var unanswered: State?
    }

    var entries: [String: Entry] = [:]
    /// Acknowledged resourceVersions, by the plane's start they were made in.
    var versionsByStart: [Int: [Int64]] = [:]
    var acknowledgedWrites = 0
    var unansweredWrites = 0
    /// Writes refused with an error answer (not counted as acknowledged; nothing changed).
    var refusedWrites = 0
    var violations: [String] = []

    mutating func merge(_ other: WriteLedger) {
        entries.merge(other.entries) { first, _ in first }
        versionsByStart.merge(other.versionsByStart) { $0 + $1 }
        acknowledgedWrites += other.acknowledgedWrites
        unansweredWrites += other.unansweredWrites
        refusedWrites += other.refusedWrites
        violations += other.violations
        acknowledgedVersions.merge(other.acknowledgedVersions) { first, _ in first }
    }

    /// Every acknowledged create and update, by resourceVersion (for the watchers' coverage).
    var acknowledgedVersions: [Int64: String] = [:]

    /// The invariants against what the plane lists at the end: each object is in its acknowledged
    /// state, or in the state of its unanswered write; nothing is there that no writer wrote;
    /// and every start's acknowledged resourceVersions are above every earlier start's.
    func verify(listed: [String: WriteLedger.State]) -> [String] {
        var problems: [String] = []
        for (name, entry) in entries.sorted(by: { $0.key < $1.key }) {
            let found = listed[name] ?? .absent
            if found == entry.acknowledged { continue }
            if let unanswered = entry.unanswered, Self.matches(found, unanswered) { continue }
            problems.append("\(name): acknowledged \(entry.acknowledged)"
                + (entry.unanswered.map { ", then unanswered \($0)" } ?? "") + ", but the plane has it \(found)")
        }
        for name in listed.keys.sorted() where entries[name] == nil {
            problems.append("\(name) is stored but no writer wrote it")
        }
        let starts = versionsByStart.keys.sorted()
        for (earlier, later) in zip(starts, starts.dropFirst()) {
            if let high = versionsByStart[earlier]?.max(), let low = versionsByStart[later]?.min(), low <= high {
                problems.append("start \(later) acknowledged resourceVersion \(low), not above start \(earlier)'s \(high)")
            }
        }
        return problems
    }

    /// An unanswered create or update is matched by its value (its resourceVersion was never told).
    private static func matches(_ found: State, _ unanswered: State) -> Bool {
        switch (found, unanswered) {
        case (.absent, .absent): true
        case (.present(_, let a), .present(_, let b)): a == b
        default: false
        }
    }
}

/// One writer of a robustness run: creates, updates and deletes its own ConfigMaps in
/// `namespace` until the run stops, and records what was acknowledged.
struct RobustnessWriter: Sendable {
    let index: Int
    let namespace: String
    let plane: RobustnessPlane
    let stopped: RobustnessFlag
    /// Extra bytes in each object, to fill a disk faster.
    var padding = 0

    func run() async -> WriteLedger {
        var ledger = WriteLedger()
        var live: [String] = []
        var serial = 0
        var lastVersion: Int64 = 0
        var generator = SystemRandomNumberGenerator()
        while let endpoint = await plane.endpoint(unless: stopped) {
            let roll = Int.random(in: 0..<10, using: &generator)
            let answer: RobustnessHTTP.Answer?
            let name: String
            let intended: WriteLedger.State
            let base = "/api/v1/namespaces/\(namespace)/configmaps"
            if live.isEmpty || roll < 3 {
                serial += 1
                name = "w\(index)-\(serial)"
                intended = .present(resourceVersion: 0, value: 1)
                answer = await RobustnessHTTP.send("POST", base, body: Self.body(name, value: 1, padding: padding), to: endpoint)
            } else if roll < 8 {
                name = live.randomElement(using: &generator)!
                guard case .present(let version, let value) = ledger.entries[name]?.acknowledged else { continue }
                intended = .present(resourceVersion: 0, value: value + 1)
                answer = await RobustnessHTTP.send(
                    "PUT", "\(base)/\(name)",
                    body: Self.body(name, value: value + 1, resourceVersion: version, padding: padding), to: endpoint)
            } else {
                name = live.randomElement(using: &generator)!
                intended = .absent
                answer = await RobustnessHTTP.send("DELETE", "\(base)/\(name)", to: endpoint)
            }
            guard let answer, answer.status < 500 || answer.status == 507 else {
                // No answer (or the server failed mid-request): the write may have happened.
                // The object is left alone from now on, its state one of the two.
                ledger.entries[name, default: .init()].unanswered = intended
                ledger.unansweredWrites += 1
                live.removeAll { $0 == name }
                if stopped.isSet { break }
                continue
            }
            guard (200..<300).contains(answer.status) else {
                // A refusal (a full disk answers 507) changed nothing; anything else is a bug.
                ledger.refusedWrites += 1
                if answer.status != 507 {
                    ledger.violations.append("writer \(index): \(name) refused with \(answer.status): \(answer.text.prefix(300))")
                }
                continue
            }
            ledger.acknowledgedWrites += 1
            if intended == .absent {
                ledger.entries[name, default: .init()].acknowledged = .absent
                live.removeAll { $0 == name }
                continue
            }
            guard let version = RobustnessHTTP.resourceVersion(answer.body),
                case .present(_, let value) = intended
            else {
                ledger.violations.append("writer \(index): \(name) acknowledged without a resourceVersion")
                continue
            }
            if version <= lastVersion {
                ledger.violations.append("writer \(index): \(name) acknowledged at \(version) after \(lastVersion)")
            }
            lastVersion = max(lastVersion, version)
            ledger.entries[name, default: .init()].acknowledged = .present(resourceVersion: version, value: value)
            ledger.versionsByStart[endpoint.generation, default: []].append(version)
            ledger.acknowledgedVersions[version] = name
            if !live.contains(name) { live.append(name) }
        }
        return ledger
    }

    static func body(_ name: String, value: Int, resourceVersion: Int64? = nil, padding: Int) -> String {
        let version = resourceVersion.map { #","resourceVersion":"\#($0)""# } ?? ""
        let pad = padding > 0 ? #","pad":"\#(String(repeating: "x", count: padding))""# : ""
        return #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"\#(name)"\#(version)},"data":{"n":"\#(value)"\#(pad)}}"#
    }

    /// The ConfigMaps of `namespace` as the plane lists them, in ledger terms.
    static func listed(namespace: String, prefix: String = "w", on endpoint: RobustnessPlane.Endpoint) async throws
        -> [String: WriteLedger.State]
    {
        guard let answer = await RobustnessHTTP.send("GET", "/api/v1/namespaces/\(namespace)/configmaps", to: endpoint),
            answer.status == 200, let items = answer.body?["items"]?.arrayValue
        else { throw RobustnessFailure("cannot list the ConfigMaps of \(namespace)") }
        var listed: [String: WriteLedger.State] = [:]
        for item in items {
            guard let name = item["metadata"]?["name"]?.stringValue, name.hasPrefix(prefix),
                let version = RobustnessHTTP.resourceVersion(item),
                let value = item["data"]?["n"]?.stringValue.flatMap({ Int($0) })
            else { continue }
            listed[name] = .present(resourceVersion: version, value: value)
        }
        return listed
    }
}
