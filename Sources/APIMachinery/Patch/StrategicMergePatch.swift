public import Resources
import OrderedCollections

/// Strategic merge patch, the `application/strategic-merge-patch+json` patch type that
/// `kubectl apply` (client-side), `kubectl patch` and `kubectl edit` send for built-in kinds.
///
/// Objects merge member by member and `null` deletes a member, as in a JSON merge patch; lists
/// merge as the schema says: objects by their merge key (`containers` by `name`), scalars as a
/// set (`finalizers`), others are replaced. The patch may carry the directives the kubectl
/// client writes:
///
/// - `"$patch": "replace"` in an object replaces it; `"$patch": "delete"` deletes it; in a list
///   element, `{"name": "x", "$patch": "delete"}` deletes the element `x` and
///   `{"$patch": "replace"}` replaces the whole list with the other elements;
/// - `"$deleteFromPrimitiveList/finalizers": ["a"]` removes values from a list of scalars;
/// - `"$setElementOrder/containers": [{"name": "b"}, {"name": "a"}]` orders a merged list;
/// - `"$retainKeys": ["type", "rollingUpdate"]` drops the object's other members.
///
/// ```swift
/// let schema = try StrategicMergePatch.schema(group: "apps", kind: "Deployment")
/// let patched = try StrategicMergePatch.apply(patch, to: live, schema: schema)
/// ```
public enum StrategicMergePatch {
    /// The target with `patch` merged in, as kube-apiserver merges it.
    ///
    /// - Throws: ``APIError`` 400 for a malformed patch or directive, 422 for a list of lists or
    ///   content not matching `$retainKeys`.
    public static func apply(_ patch: JSONValue, to target: JSONValue, schema: PatchSchema) throws(APIError)
        -> JSONValue
    {
        guard case .object(let patchMembers) = patch else {
            throw .badRequest(
                "json: cannot unmarshal \(patch.typeName == "array" ? "array" : patch.typeName) into Go value of type map[string]interface {}"
            )
        }
        var merger = Merger()
        do {
            return .object(try merger.mergeObject(target.objectValue ?? [:], patchMembers, schema.root))
        } catch let failure {
            throw failure.apiError
        }
    }

    /// The media types kube-apiserver accepts for patches of custom resources.
    public static let customResourcePatchTypes = [
        "application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml",
    ]

    /// The 415 error kube-apiserver answers a strategic merge patch of a custom resource with.
    ///
    /// kubectl recognises it and falls back to a JSON merge patch where it can.
    public static func unsupportedMediaTypeError() -> APIError {
        APIError(
            code: 415, reason: .unsupportedMediaType,
            message: "the body of the request was in an unknown format - accepted media types include: "
                + customResourcePatchTypes.joined(separator: ", "))
    }

    /// The schema of a kind that accepts strategic merge patches.
    ///
    /// - Throws: ``unsupportedMediaTypeError()`` for kinds that are not built in.
    public static func schema(group: String, kind: String) throws(APIError) -> PatchSchema {
        guard let schema = PatchSchema.builtin(group: group, kind: kind) else { throw unsupportedMediaTypeError() }
        return schema
    }
}

// MARK: - The merge

enum Directive {
    static let marker = "$patch"
    static let retainKeys = "$retainKeys"
    static let deleteFromPrimitiveList = "$deleteFromPrimitiveList/"
    static let setElementOrder = "$setElementOrder/"

    static func isDirectiveKey(_ key: String) -> Bool {
        key == marker || key == retainKeys || key.hasPrefix(deleteFromPrimitiveList) || key.hasPrefix(setElementOrder)
    }
}

struct PatchFailure: Error {
    var code: Int
    var message: String

    static func bad(_ message: String) -> PatchFailure { PatchFailure(code: 400, message: message) }
    static func unprocessable(_ message: String) -> PatchFailure { PatchFailure(code: 422, message: message) }

    static let badPrimitiveList = bad("invalid patch format of primitive list")
    static let badRetainKeys = bad("invalid patch format of retainKeys")
    static let badSetElementOrder = bad("invalid patch format of setElementOrder list")

    static func noMergeKey(_ element: JSONValue, _ key: String) -> PatchFailure {
        bad("map: \(element.jsonString()) does not contain declared merge key: \(key)")
    }

    var apiError: APIError {
        code == 422
            ? APIError(code: 422, reason: .invalid, message: message)
            : .badRequest(message)
    }
}

/// The kind of a list's elements, as the merge tells them apart.
enum ElementKind: Equatable {
    case object, scalar
}

struct Merger {
    // MARK: Objects

    mutating func mergeObject(_ original: JSONObject, _ patch: JSONObject, _ node: PatchSchema.Node)
        throws(PatchFailure) -> JSONObject
    {
        if let directive = patch[Directive.marker] {
            switch directive.stringValue {
            case "replace":
                var replacement = patch
                replacement.removeValue(forKey: Directive.marker)
                return Self.removingDirectives(replacement)
            case "delete":
                return [:]
            case "merge":
                // kube-apiserver rejects this; it means what merging does anyway.
                var rest = patch
                rest.removeValue(forKey: Directive.marker)
                return try mergeObject(original, rest, node)
            default:
                throw .bad("unknown patch type: \(directive.stringValue ?? directive.jsonString()) in map: \(JSONValue.object(patch).jsonString())")
            }
        }
        var original = original
        var patch = patch
        try applyRetainKeys(&original, &patch)
        try applySetElementOrder(&original, &patch, node)

        for (key, patchValue) in patch {
            var key = key
            var isDeleteList = false
            if key.hasPrefix(Directive.deleteFromPrimitiveList) {
                key = String(key.dropFirst(Directive.deleteFromPrimitiveList.count))
                isDeleteList = true
            } else if key.hasPrefix("$deleteFromPrimitiveList") {
                throw .badPrimitiveList
            }
            if patchValue.isNull {
                original.removeValue(forKey: key)
                continue
            }
            guard let originalValue = original[key] else {
                if !isDeleteList { original[key] = Self.cleaned(patchValue) }
                continue
            }
            let childNode = node.field(key)
            switch (originalValue, patchValue) {
            case (.object(let originalMembers), .object(let patchMembers)):
                original[key] = .null
                if childNode.patchStrategy == .replace {
                    original[key] = .object(Self.removingDirectives(patchMembers))
                } else {
                    original[key] = .object(try mergeObject(originalMembers, patchMembers, childNode))
                }
            case (.array(let originalElements), .array(let patchElements)):
                if childNode.mergesUnderPatch || isDeleteList {
                    original[key] = .null
                    original[key] = .array(
                        try mergeList(originalElements, patchElements, childNode, isDeleteList: isDeleteList))
                } else {
                    original[key] = patchValue
                }
            default:
                if !isDeleteList {
                    if Self.sameType(originalValue, patchValue) {
                        original[key] = patchValue
                    } else {
                        original[key] = Self.cleaned(patchValue)
                    }
                }
            }
        }
        return original
    }

    private static func sameType(_ a: JSONValue, _ b: JSONValue) -> Bool {
        a.typeName == b.typeName
    }

    /// `$retainKeys`: drops the original's members that the list does not name.
    private func applyRetainKeys(_ original: inout JSONObject, _ patch: inout JSONObject) throws(PatchFailure) {
        guard let retain = patch.removeValue(forKey: Directive.retainKeys) else { return }
        guard case .array(let names) = retain else { throw .badRetainKeys }
        let kept = Set(names.compactMap(\.stringValue))
        for (key, value) in patch where !value.isNull && !Directive.isDirectiveKey(key) && !kept.contains(key) {
            throw .badRetainKeys
        }
        for key in original.keys where !kept.contains(key) {
            original.removeValue(forKey: key)
        }
    }

    /// `$setElementOrder/<list>`: merges the list now and orders it by the directive.
    private mutating func applySetElementOrder(
        _ original: inout JSONObject, _ patch: inout JSONObject, _ node: PatchSchema.Node
    ) throws(PatchFailure) {
        let orderKeys = patch.keys.filter { $0.hasPrefix("$setElementOrder") }
        for orderKey in orderKeys {
            guard orderKey.hasPrefix(Directive.setElementOrder) else { throw .badSetElementOrder }
            let listKey = String(orderKey.dropFirst(Directive.setElementOrder.count))
            guard case .array(let order)? = patch.removeValue(forKey: orderKey) else {
                throw .bad("expected a []interface {}, but received a \(patch[orderKey]?.typeName ?? "nil")")
            }
            let childNode = node.field(listKey)
            let mergeKey = childNode.mergeKey
            let originalList = try Self.list(original[listKey])
            let patchList = try Self.list(patch[listKey])
            try Self.validate(patchList ?? [], against: order, mergeKey: mergeKey)

            var merged: [JSONValue]
            switch (originalList, patchList) {
            case (let originalElements?, nil):
                merged = originalElements
            case (nil, let patchElements?):
                merged = patchElements.compactMap(Self.removingDirectives)
            case (let originalElements?, let patchElements?):
                if childNode.mergesUnderPatch {
                    merged = try mergeList(originalElements, patchElements, childNode, isDeleteList: false)
                } else {
                    merged = patchElements
                }
            case (nil, nil):
                continue
            }
            let kind = try Self.elementKind(originalList ?? [], patchList ?? [])
            let (inPatch, serverOnly) = try Self.partition(merged, by: order, mergeKey: mergeKey, kind: kind)
            original[listKey] = .array(
                try Self.normalizeOrder(
                    patchItems: inPatch, serverOnly: serverOnly, patchOrder: order, serverOrder: originalList ?? [],
                    mergeKey: mergeKey, kind: kind))
            patch.removeValue(forKey: listKey)
        }
    }

    private static func list(_ value: JSONValue?) throws(PatchFailure) -> [JSONValue]? {
        switch value {
        case nil: return nil
        case .array(let elements)?: return elements
        case let other?: throw .bad("expected a []interface {}, but received a \(other.typeName)")
        }
    }

    /// The non-deleted elements of the patch list must appear in the order list, in its order.
    private static func validate(_ patchList: [JSONValue], against order: [JSONValue], mergeKey: String?)
        throws(PatchFailure)
    {
        if order.isEmpty || patchList.isEmpty { return }
        let elements = patchList.filter { $0[Directive.marker] == nil }
        var patchIndex = 0
        var orderIndex = 0
        while patchIndex < elements.count, orderIndex < order.count {
            if try sameElement(elements[patchIndex], order[orderIndex], mergeKey: mergeKey) { patchIndex += 1 }
            orderIndex += 1
        }
        if patchIndex < elements.count {
            throw .bad(
                "The order in patch list:\n\(JSONValue.array(patchList).jsonString())\n doesn't match "
                    + "$setElementOrder list:\n\(JSONValue.array(order).jsonString())\n")
        }
    }

    private static func sameElement(_ a: JSONValue, _ b: JSONValue, mergeKey: String?) throws(PatchFailure) -> Bool {
        guard let mergeKey else { return a == b }
        guard let left = a[mergeKey] else { throw .noMergeKey(a, mergeKey) }
        guard let right = b[mergeKey] else { throw .noMergeKey(b, mergeKey) }
        return left == right
    }

    // MARK: Lists

    mutating func mergeList(
        _ original: [JSONValue], _ patch: [JSONValue], _ node: PatchSchema.Node, isDeleteList: Bool
    ) throws(PatchFailure) -> [JSONValue] {
        if original.isEmpty && patch.isEmpty { return original }
        let kind = try Self.elementKind(original, patch)
        let mergeKey = node.mergeKey
        var original = original
        var patch = patch
        var merged: [JSONValue]
        if kind == .scalar {
            if isDeleteList {
                let deleted = Set(patch)
                return original.filter { !deleted.contains($0) }
            }
            merged = Self.deduplicated(original + patch)
        } else {
            guard let mergeKey else {
                throw .bad("cannot merge lists without merge key")
            }
            try Self.applySpecialElements(&original, &patch, mergeKey: mergeKey)
            merged = original
            for element in patch {
                guard let keyValue = element[mergeKey] else { throw .noMergeKey(element, mergeKey) }
                if let index = try Self.firstIndex(in: merged, mergeKey: mergeKey, value: keyValue) {
                    let current = merged[index].objectValue ?? [:]
                    merged[index] = .null
                    merged[index] = .object(try mergeObject(current, element.objectValue ?? [:], node.element))
                } else if let cleaned = Self.removingDirectives(element) {
                    merged.append(Self.discardingNulls(cleaned))
                }
            }
        }
        let (inPatch, serverOnly) = try Self.partition(merged, by: patch, mergeKey: mergeKey, kind: kind)
        return try Self.normalizeOrder(
            patchItems: inPatch, serverOnly: serverOnly, patchOrder: patch, serverOrder: original, mergeKey: mergeKey,
            kind: kind)
    }

    /// Handles elements carrying `$patch`: `delete` removes matching original elements,
    /// `replace` makes the other patch elements the whole list.
    private static func applySpecialElements(_ original: inout [JSONValue], _ patch: inout [JSONValue], mergeKey: String)
        throws(PatchFailure)
    {
        var plain: [JSONValue] = []
        var replace = false
        for element in patch {
            guard let directive = element[Directive.marker] else {
                plain.append(element)
                continue
            }
            switch directive.stringValue {
            case "delete":
                guard let keyValue = element[mergeKey] else { throw .noMergeKey(element, mergeKey) }
                original.removeAll { $0[mergeKey] == keyValue }
            case "replace":
                replace = true
            case "merge":
                throw .bad("merging lists cannot yet be specified in the patch")
            default:
                throw .bad("unknown patch type: \(directive.stringValue ?? directive.jsonString()) in map: \(element.jsonString())")
            }
        }
        if replace {
            original = plain.compactMap(removingDirectives)
            patch = []
        } else {
            patch = plain
        }
    }

    private static func firstIndex(in list: [JSONValue], mergeKey: String, value: JSONValue) throws(PatchFailure) -> Int? {
        for (index, element) in list.enumerated() {
            guard case .object(let members) = element else { throw .bad("value for key \(index) is not a map") }
            if members[mergeKey] == value { return index }
        }
        return nil
    }

    static func elementKind(_ lists: [JSONValue]...) throws(PatchFailure) -> ElementKind {
        var seen: String?
        for list in lists {
            for element in list {
                if case .array = element { throw .unprocessable("lists of lists are not supported") }
                let type = element.typeName == "integer" ? "number" : element.typeName
                if let seen, seen != type {
                    throw .bad("list element types are not identical: \(lists.map { JSONValue.array($0).jsonString() })")
                }
                seen = type
            }
        }
        return seen == "object" ? .object : .scalar
    }

    private static func deduplicated(_ list: [JSONValue]) -> [JSONValue] {
        var seen = Set<JSONValue>()
        return list.filter { seen.insert($0).inserted }
    }

    // MARK: Order

    /// Splits `merged` into the elements present in `partitionBy` and the others.
    static func partition(_ merged: [JSONValue], by partitionBy: [JSONValue], mergeKey: String?, kind: ElementKind)
        throws(PatchFailure) -> (inPatch: [JSONValue], serverOnly: [JSONValue])
    {
        var inPatch: [JSONValue] = []
        var serverOnly: [JSONValue] = []
        if kind == .scalar || mergeKey == nil {
            let present = Set(partitionBy)
            for element in merged {
                if present.contains(element) { inPatch.append(element) } else { serverOnly.append(element) }
            }
            return (inPatch, serverOnly)
        }
        let key = mergeKey!
        let present = Set(partitionBy.compactMap { $0[key] })
        for element in merged {
            guard let value = element[key] else { throw .noMergeKey(element, key) }
            if present.contains(value) { inPatch.append(element) } else { serverOnly.append(element) }
        }
        return (inPatch, serverOnly)
    }

    /// Sorts the patch's elements by `patchOrder` and the server-only ones by `serverOrder`, then
    /// interleaves them keeping both relative orders, server-only elements going before a patch
    /// element that follows them in the server's list.
    static func normalizeOrder(
        patchItems: [JSONValue], serverOnly: [JSONValue], patchOrder: [JSONValue], serverOrder: [JSONValue],
        mergeKey: String?, kind: ElementKind
    ) throws(PatchFailure) -> [JSONValue] {
        func identity(_ element: JSONValue) -> JSONValue? {
            kind == .object ? element[mergeKey ?? ""] : element
        }
        func indexer(_ order: [JSONValue]) -> [JSONValue: Int] {
            var positions: [JSONValue: Int] = [:]
            for (position, element) in order.enumerated() {
                if let id = identity(element), positions[id] == nil { positions[id] = position }
            }
            return positions
        }
        func sorted(_ list: [JSONValue], by order: [JSONValue]) throws(PatchFailure) -> [JSONValue] {
            if kind == .object, let mergeKey {
                for element in list + order where element[mergeKey] == nil { throw .noMergeKey(element, mergeKey) }
            }
            let positions = indexer(order)
            let kept = list.filter { $0[Directive.marker]?.stringValue != "delete" }
            let deleted = list.filter { $0[Directive.marker]?.stringValue == "delete" }
            let found = kept.enumerated().filter { identity($0.element).flatMap { positions[$0] } != nil }
            let missing = kept.filter { identity($0).flatMap { positions[$0] } == nil }
            let ordered = found.sorted {
                let left = positions[identity($0.element)!]!
                let right = positions[identity($1.element)!]!
                return left != right ? left < right : $0.offset < $1.offset
            }.map(\.element)
            return ordered + missing + deleted
        }
        let left = try sorted(serverOnly, by: serverOrder)
        let right = try sorted(patchItems, by: patchOrder)
        let serverPositions = indexer(serverOrder)
        var result: [JSONValue] = []
        result.reserveCapacity(left.count + right.count)
        var i = 0
        var j = 0
        while i < left.count || j < right.count {
            if i >= left.count {
                result.append(right[j]); j += 1
            } else if j >= right.count {
                result.append(left[i]); i += 1
            } else if let l = identity(left[i]).flatMap({ serverPositions[$0] }),
                let r = identity(right[j]).flatMap({ serverPositions[$0] }), l < r
            {
                result.append(left[i]); i += 1
            } else {
                result.append(right[j]); j += 1
            }
        }
        return result
    }

    // MARK: Cleaning new content

    /// A value taken from the patch where the original has nothing: nulls and directives dropped.
    static func cleaned(_ value: JSONValue) -> JSONValue? {
        removingDirectives(value).map(discardingNulls)
    }

    /// `nil` for an object carrying `$patch`; otherwise the value without directive members.
    static func removingDirectives(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .object(let members):
            if members[Directive.marker] != nil { return nil }
            return .object(removingDirectives(members))
        case .array(let elements):
            return .array(elements.compactMap(removingDirectives))
        default:
            return value
        }
    }

    static func removingDirectives(_ members: JSONObject) -> JSONObject {
        var result = JSONObject(minimumCapacity: members.count)
        for (key, value) in members where !Directive.isDirectiveKey(key) {
            if let kept = removingDirectives(value) { result[key] = kept }
        }
        return result
    }

    static func discardingNulls(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            var result = JSONObject(minimumCapacity: members.count)
            for (key, member) in members where !member.isNull { result[key] = discardingNulls(member) }
            return .object(result)
        case .array(let elements):
            return .array(elements.map(discardingNulls))
        default:
            return value
        }
    }
}
