public import Resources
import OrderedCollections

/// One step of a path in a ``FieldSet``: a field, a list element by key or value, or an index.
public enum PathElement: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// A member of an object (`f:name` in `fieldsV1`).
    case field(String)
    /// An element of a list map, by its key fields sorted by name (`k:{"name":"web"}`).
    case key([KeyField])
    /// An element of a set (`v:"a"`).
    case value(JSONValue)
    /// An element of an atomic list, by position (`i:0`).
    case index(Int)

    /// One key field of a list-map element.
    public struct KeyField: Sendable, Hashable {
        public var name: String
        public var value: JSONValue
        public init(name: String, value: JSONValue) {
            self.name = name
            self.value = value
        }
    }

    /// As structured-merge-diff prints it: `.spec`, `[name="web"]`, `[="a"]`, `[0]`.
    public var description: String {
        switch self {
        case .field(let name): return ".\(name)"
        case .key(let fields): return "[" + fields.map { "\($0.name)=\($0.value.jsonString())" }.joined(separator: ",") + "]"
        case .value(let value): return "[=\(value.jsonString())]"
        case .index(let index): return "[\(index)]"
        }
    }

    /// The key in `fieldsV1`.
    public var fieldsV1Key: String {
        switch self {
        case .field(let name): return "f:\(name)"
        case .key(let fields):
            var members = JSONObject(minimumCapacity: fields.count)
            for field in fields { members[field.name] = field.value }
            return "k:" + JSONValue.object(members).jsonString()
        case .value(let value): return "v:" + value.jsonString()
        case .index(let index): return "i:\(index)"
        }
    }

    /// Reads a `fieldsV1` key; `nil` when it is not one.
    public init?(fieldsV1Key key: String) {
        guard key.count >= 2, key.dropFirst().first == ":" else { return nil }
        let body = String(key.dropFirst(2))
        switch key.first {
        case "f":
            self = .field(body)
        case "k":
            guard case .object(let members)? = try? JSONValue(parsingJSON: body) else { return nil }
            self = .key(members.map { KeyField(name: $0.key, value: $0.value) }.sorted { $0.name < $1.name })
        case "v":
            guard let value = try? JSONValue(parsingJSON: body) else { return nil }
            self = .value(value)
        case "i":
            guard let index = Int(body) else { return nil }
            self = .index(index)
        default:
            return nil
        }
    }

    private var rank: Int {
        switch self {
        case .field: 0
        case .key: 1
        case .value: 2
        case .index: 3
        }
    }

    /// Fields, then keys, then values, then indices, as structured-merge-diff sorts them.
    public static func < (lhs: PathElement, rhs: PathElement) -> Bool {
        switch (lhs, rhs) {
        case (.field(let a), .field(let b)): return Array(a.utf8).lexicographicallyPrecedes(b.utf8)
        case (.key(let a), .key(let b)):
            for (x, y) in zip(a, b) {
                if x.name != y.name { return Array(x.name.utf8).lexicographicallyPrecedes(y.name.utf8) }
                let order = JSONOrder.compare(x.value, y.value)
                if order != 0 { return order < 0 }
            }
            return a.count < b.count
        case (.value(let a), .value(let b)): return JSONOrder.compare(a, b) < 0
        case (.index(let a), .index(let b)): return a < b
        default: return lhs.rank < rhs.rank
        }
    }
}

/// A total order of JSON values, for sorting keys and set elements.
enum JSONOrder {
    static func compare(_ a: JSONValue, _ b: JSONValue) -> Int {
        func rank(_ value: JSONValue) -> Int {
            switch value {
            case .null: 0
            case .bool: 1
            case .int, .double: 2
            case .string: 3
            case .array: 4
            case .object: 5
            }
        }
        switch (a, b) {
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (x ? 1 : -1)
        case (.string(let x), .string(let y)): return x == y ? 0 : (Array(x.utf8).lexicographicallyPrecedes(y.utf8) ? -1 : 1)
        case (.int, .int), (.int, .double), (.double, .int), (.double, .double):
            let x = a.doubleValue ?? 0
            let y = b.doubleValue ?? 0
            return x == y ? 0 : (x < y ? -1 : 1)
        case (.array(let x), .array(let y)):
            for (l, r) in zip(x, y) {
                let order = compare(l, r)
                if order != 0 { return order }
            }
            return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
        default:
            let (x, y) = (rank(a), rank(b))
            if x != y { return x < y ? -1 : 1 }
            return a == b ? 0 : (a.jsonString(sortedKeys: true) < b.jsonString(sortedKeys: true) ? -1 : 1)
        }
    }
}

/// A set of paths into an object: the fields a manager owns, as structured-merge-diff's
/// `fieldpath.Set`.
///
/// Each level holds the path elements that are members of the set and the children under
/// elements whose descendants are. In `fieldsV1`, a member is `"f:x": {}`, a child is
/// `"f:x": {...}` and an element that is both is `"k:{...}": {".": {}, ...}`.
public struct FieldSet: Sendable, Hashable {
    public var members: Set<PathElement>
    public var children: [PathElement: FieldSet]

    public init(members: Set<PathElement> = [], children: [PathElement: FieldSet] = [:]) {
        self.members = members
        self.children = children
    }

    public var isEmpty: Bool { members.isEmpty && children.isEmpty }

    /// Inserts the path `elements` as a member.
    public mutating func insert(_ elements: some Collection<PathElement>) {
        guard let first = elements.first else { return }
        if elements.count == 1 {
            members.insert(first)
        } else {
            children[first, default: FieldSet()].insert(elements.dropFirst())
        }
    }

    /// Whether the path `elements` is a member.
    public func contains(_ elements: some Collection<PathElement>) -> Bool {
        guard let first = elements.first else { return false }
        if elements.count == 1 { return members.contains(first) }
        return children[first]?.contains(elements.dropFirst()) ?? false
    }

    public func union(_ other: FieldSet) -> FieldSet {
        var result = self
        result.members.formUnion(other.members)
        for (element, child) in other.children {
            result.children[element] = result.children[element].map { $0.union(child) } ?? child
        }
        return result
    }

    /// The members of this set that are not members of `other`, level by level.
    public func subtracting(_ other: FieldSet) -> FieldSet {
        var result = FieldSet(members: members.subtracting(other.members))
        for (element, child) in children {
            let remaining = other.children[element].map { child.subtracting($0) } ?? child
            if !remaining.isEmpty { result.children[element] = remaining }
        }
        return result
    }

    /// Removes every path that has a member of `other` as a prefix, and the members of `other`.
    public func subtractingRecursively(_ other: FieldSet) -> FieldSet {
        var result = FieldSet(members: members.subtracting(other.members))
        for (element, child) in children where !other.members.contains(element) {
            let remaining = other.children[element].map { child.subtractingRecursively($0) } ?? child
            if !remaining.isEmpty { result.children[element] = remaining }
        }
        return result
    }

    public func intersection(_ other: FieldSet) -> FieldSet {
        var result = FieldSet(members: members.intersection(other.members))
        for (element, child) in children {
            guard let otherChild = other.children[element] else { continue }
            let common = child.intersection(otherChild)
            if !common.isEmpty { result.children[element] = common }
        }
        return result
    }

    /// Every member path, members of a level before its children, each level sorted.
    public var paths: [[PathElement]] {
        var result: [[PathElement]] = []
        collect(prefix: [], into: &result)
        return result
    }

    private func collect(prefix: [PathElement], into result: inout [[PathElement]]) {
        for member in members.sorted() { result.append(prefix + [member]) }
        for element in children.keys.sorted() {
            children[element]!.collect(prefix: prefix + [element], into: &result)
        }
    }

    /// A path as structured-merge-diff prints it: `.spec.template.spec.containers[name="web"].image`.
    public static func describe(_ path: [PathElement]) -> String {
        path.map(\.description).joined()
    }
}

// MARK: - fieldsV1

extension FieldSet {
    /// The set in the `fieldsV1` format of `metadata.managedFields`, keys sorted as
    /// structured-merge-diff writes them.
    public var fieldsV1: JSONValue { .object(fieldsV1Members(includingSelf: false)) }

    private func fieldsV1Members(includingSelf: Bool) -> JSONObject {
        var out = JSONObject()
        if includingSelf { out["."] = .emptyObject }
        for element in Set(members).union(children.keys).sorted() {
            if let child = children[element] {
                out[element.fieldsV1Key] = .object(child.fieldsV1Members(includingSelf: members.contains(element)))
            } else {
                out[element.fieldsV1Key] = .emptyObject
            }
        }
        return out
    }

    /// Reads `fieldsV1`; `nil` when it is malformed.
    public init?(fieldsV1 value: JSONValue) {
        guard case .object(let members) = value else { return nil }
        self.init()
        for (key, child) in members where key != "." {
            guard let element = PathElement(fieldsV1Key: key), case .object(let inner) = child else { return nil }
            if inner.isEmpty {
                self.members.insert(element)
                continue
            }
            if inner["."] != nil { self.members.insert(element) }
            guard let childSet = FieldSet(fieldsV1: child) else { return nil }
            if !childSet.isEmpty { children[element] = childSet }
        }
    }
}
