public import Resources
import OrderedCollections

/// How the lists, maps and structs of one kind merge: the part of a kind's schema that strategic
/// merge patch and server-side apply need.
///
/// Built-in kinds come from a table of the `patchStrategy`, `patchMergeKey`, `listType` and
/// `listMapKey` tags of `k8s.io/api` (``builtin(group:kind:)``); custom resources from the
/// OpenAPI v3 schema of a CRD version (``init(openAPIV3Schema:)``). Anything the schema does not
/// describe is a plain struct field, and lists it does not describe are atomic, as in Kubernetes.
///
/// ```swift
/// let schema = PatchSchema.builtin(group: "apps", kind: "Deployment")!
/// schema.root.field("spec").field("template").field("spec").field("containers").list
/// // .map(keys: ["name"])
/// ```
public struct PatchSchema: Sendable, Hashable {
    /// The schema of the whole object.
    public var root: Node

    public init(root: Node) {
        self.root = root
    }

    /// A schema that knows nothing: every list is atomic and every object a struct.
    public static let empty = PatchSchema(root: Node())
}

extension PatchSchema {
    /// How a list merges under server-side apply (`x-kubernetes-list-type`).
    public enum ListType: Sendable, Hashable {
        /// Replaced as a whole.
        case atomic
        /// A set of scalars, merged by value.
        case set
        /// A list of objects identified by the values of `keys`.
        case map(keys: [String])
    }

    /// How a list or object merges under a strategic merge patch (`patchStrategy`).
    public enum PatchStrategy: Sendable, Hashable {
        /// Lists are merged: objects by `mergeKey`, scalars as a set (key `nil`).
        case merge(mergeKey: String?)
        /// Replaced as a whole (the default for lists).
        case replace
    }

    /// The schema of one value in an object.
    public struct Node: Sendable, Hashable {
        /// Server-side apply list semantics; `nil` for a value that is not a list.
        public var list: ListType?
        /// Strategic-merge-patch semantics; `nil` means replace for lists and merge for objects.
        public var patchStrategy: PatchStrategy?
        /// Whether the client is told to send `$retainKeys` for this object (`retainKeys` strategy).
        public var retainKeys: Bool
        /// An object replaced as a whole by apply (`x-kubernetes-map-type: atomic`,
        /// `+structType=atomic`).
        public var isAtomicObject: Bool
        /// An object whose members are map entries (labels, `additionalProperties`,
        /// `x-kubernetes-preserve-unknown-fields`) rather than struct fields. Map entries are
        /// owned on their own by server-side apply (`.` in `fieldsV1`).
        public var isMap: Bool
        /// A struct or list that a Go object always carries, even when empty (`spec`,
        /// `template`, `containers`): an update that fills it in does not own it on its own.
        public var isAlwaysPresent: Bool
        /// Defaults of list-map key fields that an element may omit (`protocol: TCP`).
        public var keyDefaults: [String: JSONValue]
        var children: [Child: Node]

        enum Child: Hashable, Sendable {
            case field(String)
            case element
            case mapValue
        }

        public init(
            list: ListType? = nil, patchStrategy: PatchStrategy? = nil, retainKeys: Bool = false,
            isAtomicObject: Bool = false, isMap: Bool = false, isAlwaysPresent: Bool = false,
            keyDefaults: [String: JSONValue] = [:]
        ) {
            self.list = list
            self.patchStrategy = patchStrategy
            self.retainKeys = retainKeys
            self.isAtomicObject = isAtomicObject
            self.isMap = isMap
            self.isAlwaysPresent = isAlwaysPresent
            self.keyDefaults = keyDefaults
            self.children = [:]
        }

        /// The schema of member `name` of an object: a struct field, or a map entry's value.
        public func field(_ name: String) -> Node {
            if let node = children[.field(name)] { return node }
            if let node = children[.mapValue] { return node }
            return isMap ? Node(isMap: true) : Node()
        }

        /// Whether `name` is a struct field rather than a map entry.
        public func isStructField(_ name: String) -> Bool {
            children[.field(name)] != nil || !isMap
        }

        /// The schema of the elements of a list.
        public var element: Node {
            if let node = children[.element] { return node }
            return isMap ? Node(isMap: true) : Node()
        }

        /// Sets the schema of struct field `name`.
        public mutating func setField(_ name: String, _ node: Node) {
            children[.field(name)] = node
        }

        /// Sets the schema of list elements.
        public mutating func setElement(_ node: Node) {
            children[.element] = node
        }

        /// Sets the schema of the values of a map.
        public mutating func setMapValue(_ node: Node) {
            children[.mapValue] = node
        }

        /// The merge key strategic merge patch uses for this list, if it merges.
        var mergeKey: String? {
            if case .merge(let key) = patchStrategy { return key }
            return nil
        }

        var mergesUnderPatch: Bool {
            if case .merge = patchStrategy { return true }
            return false
        }

        /// The keys server-side apply identifies elements by; empty for sets.
        var isAssociativeList: Bool {
            switch list {
            case .set, .map: return true
            case .atomic, nil: return false
            }
        }
    }
}

// MARK: - Building from a table of paths

extension PatchSchema {
    /// One fact about the value at a path of the table ``init(rules:)`` reads.
    public enum Rule: Sendable, Hashable {
        /// A list merged by `keys` under apply and by `mergeKey` (default: the first key) under
        /// strategic merge patch.
        case listMap(keys: [String], mergeKey: String? = nil, defaults: [String: JSONValue] = [:])
        /// A list of scalars merged as a set by both.
        case set
        /// An atomic list that strategic merge patch nevertheless merges by `mergeKey`.
        case atomicListMergedBy(String)
        /// A list or object replaced as a whole by both.
        case atomic
        /// A map of entries (`map[string]T`).
        case map
        /// An object for which clients send `$retainKeys`.
        case retainKeys
        /// A struct or list always present in Go objects.
        case alwaysPresent
    }

    /// A schema from a table: keys are dotted paths, `[]` steps into list elements and `*` into
    /// the values of a map.
    ///
    /// ```swift
    /// PatchSchema(rules: [
    ///     "spec.template.spec.containers": [.listMap(keys: ["name"])],
    ///     "spec.template.spec.containers[].env": [.listMap(keys: ["name"])],
    /// ])
    /// ```
    public init(rules: [String: [Rule]]) {
        var root = Node()
        // Shorter paths first, so that a rule for a parent never overwrites a child's.
        for path in rules.keys.sorted(by: { $0.count < $1.count || ($0.count == $1.count && $0 < $1) }) {
            Self.apply(rules[path] ?? [], at: Self.steps(path)[...], to: &root)
        }
        self.root = root
    }

    private static func steps(_ path: String) -> [Node.Child] {
        var result: [Node.Child] = []
        for part in path.split(separator: ".") {
            var name = Substring(part)
            var elements = 0
            while name.hasSuffix("[]") {
                name = name.dropLast(2)
                elements += 1
            }
            if name == "*" {
                result.append(.mapValue)
            } else if !name.isEmpty {
                result.append(.field(String(name)))
            }
            result.append(contentsOf: repeatElement(.element, count: elements))
        }
        return result
    }

    private static func apply(_ rules: [Rule], at steps: ArraySlice<Node.Child>, to node: inout Node) {
        guard let first = steps.first else {
            for rule in rules { node.apply(rule) }
            return
        }
        var child = node.children[first] ?? Node()
        apply(rules, at: steps.dropFirst(), to: &child)
        node.children[first] = child
    }
}

extension PatchSchema.Node {
    mutating func apply(_ rule: PatchSchema.Rule) {
        switch rule {
        case .listMap(let keys, let mergeKey, let defaults):
            list = .map(keys: keys)
            patchStrategy = .merge(mergeKey: mergeKey ?? keys.first)
            keyDefaults = defaults
        case .set:
            list = .set
            patchStrategy = .merge(mergeKey: nil)
        case .atomicListMergedBy(let key):
            list = .atomic
            patchStrategy = .merge(mergeKey: key)
        case .atomic:
            // Atomic for apply only: strategic merge patch replaces lists anyway and merges
            // objects whatever their apply semantics.
            list = .atomic
            isAtomicObject = true
        case .map:
            isMap = true
        case .retainKeys:
            retainKeys = true
        case .alwaysPresent:
            isAlwaysPresent = true
        }
    }
}
