import OrderedCollections
import Resources

/// The walks structured-merge-diff does over an object and its schema: the set of fields a
/// value sets, the comparison of two values, the merge of an applied configuration and the
/// removal of fields an applier gave up.
enum TypedValue {
    struct ListItemError: Error {
        var path: [PathElement]
        var message: String
        var description: String { "\(FieldSet.describe(path)): \(message)" }
    }

    /// The identity of `item` in a list with list type `.map` or `.set`.
    static func pathElement(of item: JSONValue, in node: PatchSchema.Node) -> Result<PathElement, ListItemError> {
        func failure(_ message: String) -> Result<PathElement, ListItemError> {
            .failure(ListItemError(path: [], message: message))
        }
        switch node.list {
        case .map(let keys)?:
            guard case .object(let members) = item else {
                return failure(item.isNull
                    ? "associative list with keys may not have a null element"
                    : "associative list with keys may not have non-map elements")
            }
            var fields: [PathElement.KeyField] = []
            for key in keys {
                if let value = members[key] ?? node.keyDefaults[key] {
                    fields.append(PathElement.KeyField(name: key, value: value))
                }
            }
            if !keys.isEmpty && fields.isEmpty {
                let names = "[" + keys.map { "\"\($0)\"" }.joined(separator: " ") + "]"
                return failure(
                    "associative list with keys has an element that omits all key fields \(names) "
                        + "(and doesn't have default values for any key fields)")
            }
            return .success(.key(fields.sorted { $0.name < $1.name }))
        default:
            switch item {
            case .object: return failure("associative list without keys has an element that's a map type")
            case .array: return failure("not supported: associative list with lists as elements")
            case .null: return failure("associative list without keys has an element that's an explicit null")
            default: return .success(.value(item))
            }
        }
    }

    static func isGranularObject(_ value: JSONValue?, _ node: PatchSchema.Node) -> Bool {
        if case .object? = value { return !node.isAtomicObject }
        return false
    }

    static func isGranularList(_ value: JSONValue?, _ node: PatchSchema.Node) -> Bool {
        if case .array? = value { return node.isAssociativeList }
        return false
    }

    private static func isEmptyContainer(_ value: JSONValue?) -> Bool {
        switch value {
        case nil, .null?: return true
        case .object(let members)?: return members.isEmpty
        case .array(let elements)?: return elements.isEmpty
        default: return false
        }
    }

    /// The elements of a granular list with their identities; an element whose identity cannot
    /// be made gets its index, so that it stays where it is.
    private static func identified(_ elements: [JSONValue], _ node: PatchSchema.Node) -> [(PathElement, JSONValue)] {
        elements.enumerated().map { index, element in
            switch pathElement(of: element, in: node) {
            case .success(let element2): return (element2, element)
            case .failure: return (.index(index), element)
            }
        }
    }

    // MARK: Validation

    /// Checks that every element of every granular list has an identity, and that none repeats.
    static func validate(_ value: JSONValue, _ node: PatchSchema.Node, path: [PathElement] = []) throws(ListItemError) {
        switch value {
        case .object(let members) where !node.isAtomicObject:
            for (key, member) in members {
                try validate(member, node.field(key), path: path + [.field(key)])
            }
        case .array(let elements) where node.isAssociativeList:
            var seen = Set<PathElement>()
            for element in elements {
                switch pathElement(of: element, in: node) {
                case .failure(var error):
                    error.path = path
                    throw error
                case .success(let identity):
                    guard seen.insert(identity).inserted else {
                        throw ListItemError(path: path, message: "duplicate entries for key \(identity)")
                    }
                    try validate(element, node.element, path: path + [identity])
                }
            }
        default:
            break
        }
    }

    // MARK: Field sets

    /// The fields `value` sets; `nil` when the value is a leaf (a scalar, an atomic list or map).
    static func fieldSet(_ value: JSONValue, _ node: PatchSchema.Node) -> FieldSet? {
        switch value {
        case .object(let members) where !node.isAtomicObject:
            var set = FieldSet()
            for (key, member) in members {
                let element = PathElement.field(key)
                let child = fieldSet(member, node.field(key))
                if let child, !child.isEmpty { set.children[element] = child }
                if child == nil || member.isNull || member == .emptyObject || !node.isStructField(key) {
                    set.members.insert(element)
                }
            }
            return set
        case .array(let elements) where node.isAssociativeList:
            var set = FieldSet()
            var seen = Set<PathElement>()
            var duplicates = Set<PathElement>()
            let items = identified(elements, node)
            for (identity, _) in items where !seen.insert(identity).inserted {
                duplicates.insert(identity)
            }
            for (identity, element) in items {
                set.members.insert(identity)
                // Repeated elements are owned as a whole.
                if duplicates.contains(identity) { continue }
                if let child = fieldSet(element, node.element), !child.isEmpty { set.children[identity] = child }
            }
            return set
        default:
            return nil
        }
    }

    // MARK: Comparison

    struct Comparison {
        var added = FieldSet()
        var removed = FieldSet()
        var modified = FieldSet()

        func filtered(_ transform: (FieldSet) -> FieldSet) -> Comparison {
            Comparison(added: transform(added), removed: transform(removed), modified: transform(modified))
        }
    }

    /// The fields added, removed and changed from `old` to `new`.
    static func compare(_ old: JSONValue?, _ new: JSONValue?, _ node: PatchSchema.Node) -> Comparison {
        var comparison = Comparison()
        compare(old, new, node, path: [], into: &comparison)
        return comparison
    }

    private static func compare(
        _ old: JSONValue?, _ new: JSONValue?, _ node: PatchSchema.Node, path: [PathElement],
        into comparison: inout Comparison
    ) {
        let objects = (old == nil || isGranularObject(old, node)) && (new == nil || isGranularObject(new, node))
        let lists = (old == nil || isGranularList(old, node)) && (new == nil || isGranularList(new, node))
        let bothEmpty = isEmptyContainer(old) && isEmptyContainer(new)
        if (objects || lists) && !bothEmpty {
            if objects {
                let oldMembers = old?.objectValue ?? [:]
                let newMembers = new?.objectValue ?? [:]
                for (key, value) in oldMembers {
                    compare(value, newMembers[key], node.field(key), path: path + [.field(key)], into: &comparison)
                }
                for (key, value) in newMembers where oldMembers[key] == nil {
                    compare(nil, value, node.field(key), path: path + [.field(key)], into: &comparison)
                }
            } else {
                compareLists(old?.arrayValue ?? [], new?.arrayValue ?? [], node, path: path, into: &comparison)
            }
            if !path.isEmpty && !node.isAlwaysPresent {
                if old == nil { comparison.added.insert(path) }
                if new == nil { comparison.removed.insert(path) }
            }
            return
        }
        guard !path.isEmpty else { return }
        if old == nil {
            comparison.added.insert(path)
        } else if new == nil {
            comparison.removed.insert(path)
        } else if old != new {
            comparison.modified.insert(path)
        }
    }

    private static func compareLists(
        _ old: [JSONValue], _ new: [JSONValue], _ node: PatchSchema.Node, path: [PathElement],
        into comparison: inout Comparison
    ) {
        var oldItems: OrderedDictionary<PathElement, [JSONValue]> = [:]
        for (identity, element) in identified(old, node) { oldItems[identity, default: []].append(element) }
        var newItems: OrderedDictionary<PathElement, [JSONValue]> = [:]
        for (identity, element) in identified(new, node) { newItems[identity, default: []].append(element) }
        var all = OrderedSet(oldItems.keys)
        all.append(contentsOf: newItems.keys)
        for identity in all {
            let before = oldItems[identity] ?? []
            let after = newItems[identity] ?? []
            let itemPath = path + [identity]
            switch (before.count, after.count) {
            case (0...1, 0...1):
                compare(before.first, after.first, node.element, path: itemPath, into: &comparison)
            case (2..., 2...):
                if before != after { comparison.modified.insert(itemPath) }
            case (2..., _):
                if let first = after.first { compare(nil, first, node.element, path: itemPath, into: &comparison) }
                comparison.removed.insert(itemPath)
            default:
                if let first = before.first { compare(first, nil, node.element, path: itemPath, into: &comparison) }
                comparison.added.insert(itemPath)
            }
        }
    }

    // MARK: Merge

    /// `applied` merged into `live`: granular objects member by member, granular lists element
    /// by element (the applied order wins for shared elements), everything else replaced.
    static func merge(_ live: JSONValue?, _ applied: JSONValue?, _ node: PatchSchema.Node) -> JSONValue? {
        guard let applied else { return live }
        if applied.isNull { return nil }
        guard let live else { return withoutNulls(applied) }
        if isGranularObject(live, node), isGranularObject(applied, node),
            case .object(var members) = live, case .object(let appliedMembers) = applied
        {
            for (key, value) in appliedMembers {
                let current = members[key]
                if current != nil { members[key] = .null }
                members[key] = merge(current, value, node.field(key))
            }
            return .object(members)
        }
        if isGranularList(live, node), isGranularList(applied, node),
            case .array(let liveElements) = live, case .array(let appliedElements) = applied
        {
            return .array(mergeLists(liveElements, appliedElements, node))
        }
        return withoutNulls(applied)
    }

    private static func withoutNulls(_ value: JSONValue) -> JSONValue {
        Merger.discardingNulls(value)
    }

    private static func mergeLists(_ live: [JSONValue], _ applied: [JSONValue], _ node: PatchSchema.Node) -> [JSONValue] {
        let lhs = identified(live, node)
        let rhs = identified(applied, node)
        var lhsIndex: [PathElement: JSONValue?] = [:]
        for (identity, element) in lhs {
            // A repeated element is not merged with the applied one: the applied one replaces them.
            lhsIndex[identity] = lhsIndex[identity] == nil ? .some(element) : .some(nil)
        }
        var rhsIndex: [PathElement: JSONValue] = [:]
        for (identity, element) in rhs { rhsIndex[identity] = element }

        var shared = rhs.map(\.0).filter { lhsIndex[$0] != nil }[...]
        var nextShared = shared.popFirst()
        var merged = Set<PathElement>()
        var out: [JSONValue] = []
        var l = 0
        var r = 0
        func mergeItem(_ identity: PathElement) {
            merged.insert(identity)
            let current = lhsIndex[identity] ?? nil
            if let value = merge(current, rhsIndex[identity], node.element) { out.append(value) }
        }
        while l < lhs.count || r < rhs.count {
            if l < lhs.count, r < rhs.count {
                let identity = lhs[l].0
                if identity == rhs[r].0 {
                    mergeItem(identity)
                    l += 1
                    r += 1
                    nextShared = shared.popFirst()
                    continue
                }
                if rhsIndex[identity] != nil, let next = nextShared, next != identity {
                    // A shared element, but not the next one in the applied order.
                    l += 1
                    continue
                }
            }
            if l < lhs.count {
                let identity = lhs[l].0
                if rhsIndex[identity] == nil {
                    out.append(lhs[l].1)
                    l += 1
                    continue
                } else if merged.contains(identity) {
                    l += 1
                }
            }
            if r < rhs.count {
                let identity = rhs[r].0
                mergeItem(identity)
                r += 1
                if nextShared == identity { nextShared = shared.popFirst() }
            }
        }
        return out
    }

    // MARK: Pruning

    /// Removes from `value` the fields that `last` owned and nothing in `managed` owns.
    static func prune(_ value: inout JSONValue, _ node: PatchSchema.Node, last: FieldSet, managed: FieldSet) {
        switch value {
        case .object(var members) where !node.isAtomicObject:
            value = .null
            defer { value = .object(members) }
            for key in members.keys {
                let element = PathElement.field(key)
                let named = node.isStructField(key)
                let inLast = last.members.contains(element) || (named && last.children[element] != nil)
                let owned = managed.members.contains(element) || (named && managed.children[element] != nil)
                if inLast && !owned {
                    members.removeValue(forKey: key)
                } else if let lastChild = last.children[element], var child = members[key] {
                    let wasEmpty = isEmptyContainer(child)
                    members[key] = .null
                    prune(&child, node.field(key), last: lastChild, managed: managed.children[element] ?? FieldSet())
                    if !wasEmpty && isEmptyContainer(child) && child != .null {
                        members.removeValue(forKey: key)
                    } else {
                        members[key] = child
                    }
                }
            }
        case .array(let elements) where node.isAssociativeList:
            var kept: [JSONValue] = []
            for (identity, element) in identified(elements, node) {
                let inLast = last.members.contains(identity)
                let owned = managed.members.contains(identity)
                if inLast && !owned { continue }
                if let lastChild = last.children[identity] {
                    var child = element
                    prune(&child, node.element, last: lastChild, managed: managed.children[identity] ?? FieldSet())
                    kept.append(child)
                } else {
                    kept.append(element)
                }
            }
            value = .array(kept)
        default:
            break
        }
    }
}
