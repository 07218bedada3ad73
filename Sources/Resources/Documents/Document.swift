/// One document of a YAML (or JSON) stream, with the positions of its nodes.
public struct Document: Sendable {
    /// The decoded value.
    public var value: JSONValue
    /// Where each node of `value` starts in the text.
    public var sourceMap: SourceMap
    /// Where the document's content starts.
    public var location: SourceLocation
    /// The 0-based position of the document among the non-empty documents of the stream.
    public var index: Int

    public init(value: JSONValue, sourceMap: SourceMap, location: SourceLocation, index: Int) {
        self.value = value
        self.sourceMap = sourceMap
        self.location = location
        self.index = index
    }

    /// Where the node at `path` starts, or its deepest existing ancestor.
    public func location(of path: FieldPath) -> SourceLocation {
        sourceMap.location(of: path) ?? location
    }
}
