import Dispatch
import class Foundation.ProcessInfo
import OrderedCollections
import Synchronization
import Yams

/// Decodes multi-document YAML streams (JSON is YAML too) into ``Document``s.
///
/// Text in the subset of YAML that manifests are written in is read by a fast reader of its own;
/// anything else (and any malformed text) by Yams, with the same results, positions and errors.
///
/// Plain scalars are resolved as Kubernetes does (go-yaml v2, YAML 1.1 flavour): `yes`, `on` and
/// `y` are `true`, `012` is octal, `~` is null; quoted scalars are always strings. Keys are
/// strings, duplicate keys are errors, anchors, aliases and `<<` merge keys work. Empty
/// documents (a trailing `---`, only comments) are skipped.
///
/// ```swift
/// let documents = try DocumentDecoder.decode(text, file: "app.yaml")
/// documents[1].value["kind"]   // "ApplicationConfiguration"
/// ```
public enum DocumentDecoder {
    /// Decodes every document of `text`; any error in any document fails the whole stream.
    ///
    /// - Parameters:
    ///   - file: named in the source locations and errors.
    ///   - parallel: whether a large stream may be parsed on all cores (the result is the same).
    /// - Throws: ``DecodeError`` with the position of the first problem.
    public static func decode(_ text: String, file: String?, parallel: Bool = true) throws(DecodeError) -> [Document] {
        // Large streams are cut at document boundaries and parsed on all cores; each chunk goes
        // through the fast subset reader, or Yams when the reader declines it.
        let workers = parallel && text.utf8.count >= parallelThreshold ? ProcessInfoCores.count : 1
        let chunks = StreamSplitter.chunks(text, count: workers)
        guard chunks.count > 1 else { return try decodeChunk(text, file: file, lineOffset: 0) }

        let results = Mutex<[Result<[Document], DecodeError>?]>(Array(repeating: nil, count: chunks.count))
        DispatchQueue.concurrentPerform(iterations: chunks.count) { index in
            let chunk = chunks[index]
            let result = Result { () throws(DecodeError) -> [Document] in
                try decodeChunk(chunk.text, file: file, lineOffset: chunk.lineOffset)
            }
            results.withLock { $0[index] = result }
        }
        var documents: [Document] = []
        for result in results.withLock({ $0 }) {
            // The first failing chunk in stream order holds the first error.
            guard let result else { continue }
            for var document in try result.get() {
                document.index = documents.count
                documents.append(document)
            }
        }
        return documents
    }

    /// Streams smaller than this are parsed on the calling thread only.
    static let parallelThreshold = 64 * 1024

    private static func decodeChunk(_ text: String, file: String?, lineOffset: Int) throws(DecodeError) -> [Document] {
        // Most manifests stay inside the subset the fast reader knows; it gives exactly what the
        // Yams path gives, or nothing, and then Yams decides (and reports any error).
        if let documents = SubsetYAMLReader.read(text, file: file, lineOffset: lineOffset) {
            return documents
        }
        return try decodeChunkWithYams(text, file: file, lineOffset: lineOffset)
    }

    /// Decodes with Yams only; the reference the fast reader is tested against.
    static func decodeChunkWithYams(_ text: String, file: String?, lineOffset: Int) throws(DecodeError) -> [Document] {
        do {
            return try decodeWithYams(text, file: file, lineOffset: lineOffset)
        } catch let error as DecodeError {
            throw error
        } catch let error as YamlError {
            var translated = YamlErrorTranslator(text: text, file: file).translate(error)
            translated.location.line += lineOffset
            throw translated
        } catch {
            throw DecodeError(location: SourceLocation(file: file, line: lineOffset + 1, column: 1), message: "\(error)")
        }
    }

    private static func decodeWithYams(_ text: String, file: String?, lineOffset: Int) throws -> [Document] {
        // Resolver.basic: Yams must not run its regular expressions; NodeConverter resolves plain
        // scalars itself. Iterate nextRoot(): compose_all/load_all drop errors silently.
        let parser = try Parser(yaml: text, resolver: .basic, constructor: .default, encoding: .utf8)
        var documents: [Document] = []
        while let root = try parser.nextRoot() {
            if isEmptyDocument(root) { continue }
            var converter = NodeConverter(file: file, lineOffset: lineOffset)
            let (value, entry) = try converter.convert(root)
            let sourceMap = converter.builder.build(file: file, root: entry)
            documents.append(
                Document(
                    value: value, sourceMap: sourceMap, location: sourceMap.rootLocation,
                    index: documents.count))
        }
        return documents
    }

    /// A document with no content is an empty plain scalar without a tag.
    private static func isEmptyDocument(_ root: Node) -> Bool {
        guard case .scalar(let scalar) = root else { return false }
        return scalar.string.isEmpty && scalar.style == .plain && scalar.tag.rawValue.isEmpty
    }
}

/// Turns a Yams node tree into a ``JSONValue`` and its ``SourceMap``.
struct NodeConverter {
    let file: String?
    /// Lines of the stream before the text being converted.
    let lineOffset: Int
    var builder = SourceMapBuilder()

    init(file: String?, lineOffset: Int = 0) {
        self.file = file
        self.lineOffset = lineOffset
    }

    private static let strTag = Tag.Name.str.rawValue
    private static let mapTag = Tag.Name.map.rawValue
    private static let seqTag = Tag.Name.seq.rawValue
    private static let mergeTag = Tag.Name.merge.rawValue

    func error(_ message: String, at mark: Mark?) -> DecodeError {
        DecodeError(
            location: SourceLocation(file: file, line: (mark?.line ?? 1) + lineOffset, column: mark?.column ?? 1),
            message: message)
    }

    mutating func convert(_ node: Node) throws(DecodeError) -> (JSONValue, SourceMap.Entry) {
        switch node {
        case .scalar(let scalar):
            let value = try convert(scalar)
            return (value, .scalar(line: (scalar.mark?.line ?? 0) + lineOffset, column: scalar.mark?.column ?? 0))
        case .sequence(let sequence):
            try checkContainerTag(sequence.tag.rawValue, expected: Self.seqTag, kind: "a sequence", at: sequence.mark)
            let mark = builder.open()
            var elements: [JSONValue] = []
            elements.reserveCapacity(sequence.count)
            for element in sequence {
                let (value, entry) = try convert(element)
                elements.append(value)
                builder.push(entry, key: nil)
            }
            let entry = builder.close(
                mark, line: (sequence.mark?.line ?? 0) + lineOffset, column: sequence.mark?.column ?? 0, kind: .array)
            return (.array(elements), entry)
        case .mapping(let mapping):
            return try convert(mapping)
        case .alias(let alias):
            throw error("unresolved alias", at: alias.mark)
        }
    }

    private func checkContainerTag(
        _ tag: String, expected: String, kind: String, at mark: Mark?
    ) throws(DecodeError) {
        if tag.isEmpty { return }
        if let explicit = ScalarResolver.ExplicitTag(rawValue: tag) {
            throw error("cannot decode \(kind) as \(explicit.shortName)", at: mark)
        }
        if tag == Self.mapTag || tag == Self.seqTag, tag != expected {
            throw error("cannot decode \(kind) as \(tag == Self.mapTag ? "!!map" : "!!seq")", at: mark)
        }
    }

    private func convert(_ scalar: Node.Scalar) throws(DecodeError) -> JSONValue {
        let tag = scalar.tag.rawValue
        if tag.isEmpty {
            return scalar.style == .plain ? ScalarResolver.resolvePlain(scalar.string) : .string(scalar.string)
        }
        if tag == Self.strTag { return .string(scalar.string) }
        if tag == Self.mapTag || tag == Self.seqTag {
            throw error("cannot decode a scalar as \(tag == Self.mapTag ? "!!map" : "!!seq")", at: scalar.mark)
        }
        guard let explicit = ScalarResolver.ExplicitTag(rawValue: tag) else {
            // Other tags (!!timestamp, !!binary, application tags): keep the text.
            return .string(scalar.string)
        }
        guard let value = ScalarResolver.resolve(scalar.string, tag: explicit) else {
            throw error("cannot decode \(quoted(scalar.string)) as \(explicit.shortName)", at: scalar.mark)
        }
        return value
    }

    private mutating func convert(_ mapping: Node.Mapping) throws(DecodeError) -> (JSONValue, SourceMap.Entry) {
        try checkContainerTag(mapping.tag.rawValue, expected: Self.mapTag, kind: "a mapping", at: mapping.mark)
        let mark = builder.open()
        var members = JSONObject(minimumCapacity: mapping.count)
        // Keys written in this mapping, tracked only once a merge has added others.
        var ownKeys: Set<String>? = nil
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let keyScalar) = keyNode else {
                let kind = if case .mapping = keyNode { "a mapping" } else { "a sequence" }
                throw error("a mapping key must be a scalar, found \(kind)", at: keyNode.mark)
            }
            if isMergeKey(keyScalar) {
                try merge(valueNode, into: &members, mark: mark, ownKeys: &ownKeys, at: keyScalar.mark)
                continue
            }
            let key = keyScalar.string
            let (value, entry) = try convert(valueNode)
            if ownKeys != nil {
                guard ownKeys!.insert(key).inserted else {
                    throw error("duplicate key \(quoted(key))", at: keyScalar.mark)
                }
                if let index = members.index(forKey: key) {
                    // Replaces a merged member in place: explicit keys win.
                    members.values[index] = value
                    builder.replace(at: mark, offset: index, with: entry)
                    continue
                }
                members[key] = value
            } else if members.updateValue(value, forKey: key) != nil {
                throw error("duplicate key \(quoted(key))", at: keyScalar.mark)
            }
            builder.push(entry, key: key)
        }
        let entry = builder.close(
            mark, line: (mapping.mark?.line ?? 0) + lineOffset, column: mapping.mark?.column ?? 0, kind: .object)
        return (.object(members), entry)
    }

    private func isMergeKey(_ scalar: Node.Scalar) -> Bool {
        guard scalar.style == .plain, scalar.string == "<<" else { return false }
        let tag = scalar.tag.rawValue
        // Yams' duplicate-key check resolves implicit key tags to !!str before we see them.
        return tag.isEmpty || tag == Self.strTag || tag == Self.mergeTag
    }

    /// `<<: *base` or `<<: [*a, *b]`: adds the members of the source mappings that are not set
    /// yet; earlier sources win over later ones, explicit keys over all.
    private mutating func merge(
        _ source: Node, into members: inout JSONObject, mark: Int, ownKeys: inout Set<String>?,
        at keyMark: Mark?
    ) throws(DecodeError) {
        if ownKeys == nil { ownKeys = Set(members.keys) }
        let sources: [Node]
        switch source {
        case .mapping: sources = [source]
        case .sequence(let sequence): sources = Array(sequence)
        default: sources = []
        }
        for node in sources {
            guard case .mapping = node else {
                throw error("the value of a merge key << must be a mapping or a sequence of mappings", at: node.mark)
            }
            let (value, entry) = try convert(node)
            guard case .object(let sourceMembers) = value else { continue }
            for (offset, (key, member)) in sourceMembers.enumerated() where members[key] == nil {
                members[key] = member
                builder.push(builder.child(of: entry, at: offset), key: key)
            }
        }
        if sources.isEmpty {
            throw error("the value of a merge key << must be a mapping or a sequence of mappings", at: source.mark ?? keyMark)
        }
    }
}

/// `"text"` with quotes and backslashes escaped, for messages.
func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 { out += "\\u{\(String(scalar.value, radix: 16))}" } else { out.unicodeScalars.append(scalar) }
        }
    }
    return out + "\""
}

/// The number of cores to parse on.
enum ProcessInfoCores {
    static let count = max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))
}
