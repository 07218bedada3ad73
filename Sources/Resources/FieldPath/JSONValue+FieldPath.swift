import OrderedCollections

/// Why a field path could not be read, written or deleted.
public struct FieldPathError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The path leads to a field or element that does not exist.
        case notFound
        /// A segment needs an object or an array and found another type.
        case typeMismatch
        /// An index lies too far past the end of an array to pad it (``JSONValue/maximumArrayPadding``).
        case indexTooLarge
    }

    /// What went wrong.
    public var kind: Kind
    /// The path up to and including the failing segment.
    public var path: FieldPath
    /// The message, without the path.
    public var reason: String

    /// `<path>: <reason>`, or the reason alone when the failing value is the root.
    public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }

    public init(kind: Kind, path: FieldPath, reason: String) {
        self.kind = kind
        self.path = path
        self.reason = reason
    }

    /// Whether the path is missing rather than malformed for the value.
    public var isNotFound: Bool { kind == .notFound }
}

extension JSONValue {
    /// The value at `path`.
    ///
    /// - Throws: ``FieldPathError`` naming the first segment that is missing (`"status: no such
    ///   field"`) or that meets a value of the wrong type.
    public func value(at path: FieldPath) throws(FieldPathError) -> JSONValue {
        var current = self
        for (offset, segment) in path.segments.enumerated() {
            let here = path.prefix(offset + 1)
            switch segment {
            case .field(let name):
                guard case .object(let members) = current else {
                    if current.isNull { throw FieldPathError(kind: .notFound, path: here, reason: "no such field") }
                    throw FieldPathError(
                        kind: .typeMismatch, path: path.prefix(offset),
                        reason: "expected an object to read field \"\(name)\", found \(current.typeName)")
                }
                guard let next = members[name] else {
                    throw FieldPathError(kind: .notFound, path: here, reason: "no such field")
                }
                current = next
            case .index(let index):
                guard case .array(let elements) = current else {
                    if current.isNull { throw FieldPathError(kind: .notFound, path: here, reason: "no such field") }
                    throw FieldPathError(
                        kind: .typeMismatch, path: path.prefix(offset),
                        reason: "expected an array to read index \(index), found \(current.typeName)")
                }
                guard elements.indices.contains(index) else {
                    throw FieldPathError(
                        kind: .notFound, path: here, reason: "index out of range (the array has \(elements.count))")
                }
                current = elements[index]
            }
        }
        return current
    }

    /// The value at `path`, or `nil` when any segment is missing or of the wrong type.
    public func valueIfPresent(at path: FieldPath) -> JSONValue? {
        try? value(at: path)
    }

    /// Writes `newValue` at `path`, creating missing objects and arrays on the way.
    ///
    /// An array shorter than an index is padded with `null`, as the reference runtime does, by
    /// fewer than ``maximumArrayPadding`` elements.
    /// - Throws: ``FieldPathError`` when a segment meets a value that is neither missing nor of the
    ///   type the segment needs (`"spec.image: is not an object (found string)"`), or an index
    ///   too far past the end of its array (`spec.containers[4000000000]`, which would otherwise
    ///   allocate billions of nulls).
    public mutating func setValue(_ newValue: JSONValue, at path: FieldPath) throws(FieldPathError) {
        try set(newValue, segments: path.segments[...], path: path, depth: 0)
    }

    /// How far past the end of an array ``setValue(_:at:)`` pads it. Padding further (over half a
    /// megabyte of `null`s) is never what a field path means, and an index can be up to 2³²−1,
    /// which would allocate gigabytes.
    public static let maximumArrayPadding = 100_000

    private mutating func set(
        _ newValue: JSONValue, segments: ArraySlice<FieldPath.Segment>, path: FieldPath, depth: Int
    ) throws(FieldPathError) {
        guard let segment = segments.first else {
            self = newValue
            return
        }
        let rest = segments.dropFirst()
        switch segment {
        case .field(let name):
            let wasNull = isNull
            if wasNull { self = .object([:]) }
            guard case .object(var members) = self else {
                throw FieldPathError(
                    kind: .typeMismatch, path: path.prefix(depth),
                    reason: "is not an object (found \(typeName)), cannot set field \"\(name)\"")
            }
            // Move the members and the child out so that each is uniquely referenced while it
            // changes (no copy of the subtree). A failed set leaves everything as it was: each
            // level restores itself before rethrowing.
            self = .null
            let index = members.index(forKey: name)
            var child = JSONValue.null
            if let index { swap(&child, &members.values[index]) }
            do {
                try child.set(newValue, segments: rest, path: path, depth: depth + 1)
            } catch {
                if let index { members.values[index] = child }
                self = wasNull ? .null : .object(members)
                throw error
            }
            if let index { members.values[index] = child } else { members[name] = child }
            self = .object(members)
        case .index(let index):
            let wasNull = isNull
            if wasNull { self = .array([]) }
            guard case .array(var elements) = self else {
                throw FieldPathError(
                    kind: .typeMismatch, path: path.prefix(depth),
                    reason: "is not an array (found \(typeName)), cannot set index \(index)")
            }
            guard index - elements.count < Self.maximumArrayPadding else {
                if wasNull { self = .null }
                throw FieldPathError(
                    kind: .indexTooLarge, path: path.prefix(depth + 1),
                    reason: "index \(index) is more than \(Self.maximumArrayPadding) past the end of the array (length \(elements.count))")
            }
            self = .null
            let originalCount = elements.count
            while elements.count <= index { elements.append(.null) }
            do {
                try elements[index].set(newValue, segments: rest, path: path, depth: depth + 1)
            } catch {
                elements.removeSubrange(originalCount...)
                self = wasNull ? .null : .array(elements)
                throw error
            }
            self = .array(elements)
        }
    }

    /// Removes the field or array element at `path`. Nothing happens when it does not exist.
    ///
    /// - Throws: ``FieldPathError`` when a segment meets a value of the wrong type.
    public mutating func removeValue(at path: FieldPath) throws(FieldPathError) {
        guard !path.isEmpty else {
            self = .null
            return
        }
        try remove(segments: path.segments[...], path: path, depth: 0)
    }

    private mutating func remove(
        segments: ArraySlice<FieldPath.Segment>, path: FieldPath, depth: Int
    ) throws(FieldPathError) {
        guard let segment = segments.first else { return }
        let rest = segments.dropFirst()
        switch segment {
        case .field(let name):
            if isNull { return }
            guard case .object(var members) = self else {
                throw FieldPathError(
                    kind: .typeMismatch, path: path.prefix(depth),
                    reason: "is not an object (found \(typeName)), cannot remove field \"\(name)\"")
            }
            if rest.isEmpty {
                members.removeValue(forKey: name)
            } else if var child = members[name] {
                try child.remove(segments: rest, path: path, depth: depth + 1)
                members[name] = child
            }
            self = .object(members)
        case .index(let index):
            if isNull { return }
            guard case .array(var elements) = self else {
                throw FieldPathError(
                    kind: .typeMismatch, path: path.prefix(depth),
                    reason: "is not an array (found \(typeName)), cannot remove index \(index)")
            }
            guard elements.indices.contains(index) else { return }
            if rest.isEmpty {
                elements.remove(at: index)
            } else {
                try elements[index].remove(segments: rest, path: path, depth: depth + 1)
            }
            self = .array(elements)
        }
    }
}
