/// Where each node of a decoded value started in its source text.
///
/// The map is a tree parallel to the value: every object member and array element has an entry.
/// It is stored flat (one array of entries, the children of each container side by side) so that
/// building it costs a few integers per node.
///
/// ```swift
/// let document = try DocumentDecoder.decode(text, file: "app.yaml")[0]
/// document.sourceMap.location(of: "spec.components[1].name")   // app.yaml:12:13
/// ```
public struct SourceMap: Sendable {
    /// One node: where it starts and where its children are.
    struct Entry: Sendable {
        enum Kind: UInt8, Sendable { case scalar, array, object }
        var line: Int32
        var column: Int32
        /// Index of the first child in `entries`.
        var firstChild: Int32
        var childCount: Int32
        var kind: Kind

        static func scalar(line: Int, column: Int) -> Entry {
            Entry(line: Int32(truncatingIfNeeded: line), column: Int32(truncatingIfNeeded: column),
                  firstChild: 0, childCount: 0, kind: .scalar)
        }
    }

    /// The file the text came from.
    public var file: String?
    var root: Entry
    /// Children of all containers; each container's children are contiguous.
    var entries: [Entry]
    /// The member name of each entry that is an object member, `nil` for array elements.
    var keys: [String?]

    init(file: String?, root: Entry, entries: [Entry], keys: [String?]) {
        self.file = file
        self.root = root
        self.entries = entries
        self.keys = keys
    }

    /// A map with only a root location, for values that were not read from text.
    public init(file: String?, location: SourceLocation) {
        self.init(file: file, root: .scalar(line: location.line, column: location.column), entries: [], keys: [])
    }

    /// Where the node at `path` starts; when the path leaves the value, where the deepest
    /// existing node along it starts (a missing field points at the object that lacks it).
    public func location(of path: FieldPath) -> SourceLocation? {
        var node = root
        for segment in path.segments {
            guard let child = child(of: node, segment) else { break }
            node = child
        }
        return SourceLocation(file: file, line: Int(node.line), column: Int(node.column))
    }

    /// The location of the whole value.
    public var rootLocation: SourceLocation {
        SourceLocation(file: file, line: Int(root.line), column: Int(root.column))
    }

    private func child(of node: Entry, _ segment: FieldPath.Segment) -> Entry? {
        let first = Int(node.firstChild)
        let count = Int(node.childCount)
        switch segment {
        case .field(let name):
            guard node.kind == .object else { return nil }
            for i in first..<(first + count) where keys[i] == name { return entries[i] }
            return nil
        case .index(let index):
            guard node.kind == .array, index >= 0, index < count else { return nil }
            return entries[first + index]
        }
    }
}

/// Builds a ``SourceMap`` while a value is converted, depth first.
///
/// Children are pushed on a stack while their container is open and moved to `entries` in one
/// block when it closes, which keeps siblings contiguous without a per-container allocation.
struct SourceMapBuilder {
    private(set) var entries: [SourceMap.Entry] = []
    private(set) var keys: [String?] = []
    private var stack: [SourceMap.Entry] = []
    private var stackKeys: [String?] = []

    /// Opens a container; pass the result to `close`.
    func open() -> Int { stack.count }

    /// Adds a child to the innermost open container.
    mutating func push(_ entry: SourceMap.Entry, key: String?) {
        stack.append(entry)
        stackKeys.append(key)
    }

    /// Replaces the child at `offset` of the container opened at `mark`.
    mutating func replace(at mark: Int, offset: Int, with entry: SourceMap.Entry) {
        stack[mark + offset] = entry
    }

    /// The child `offset` of an already closed container.
    func child(of container: SourceMap.Entry, at offset: Int) -> SourceMap.Entry {
        entries[Int(container.firstChild) + offset]
    }

    /// Closes the container opened at `mark` and returns its entry.
    mutating func close(
        _ mark: Int, line: Int, column: Int, kind: SourceMap.Entry.Kind
    ) -> SourceMap.Entry {
        let first = entries.count
        let count = stack.count - mark
        entries.append(contentsOf: stack[mark...])
        keys.append(contentsOf: stackKeys[mark...])
        stack.removeSubrange(mark...)
        stackKeys.removeSubrange(mark...)
        return SourceMap.Entry(
            line: Int32(truncatingIfNeeded: line), column: Int32(truncatingIfNeeded: column),
            firstChild: Int32(first), childCount: Int32(count), kind: kind)
    }

    func build(file: String?, root: SourceMap.Entry) -> SourceMap {
        SourceMap(file: file, root: root, entries: entries, keys: keys)
    }
}
