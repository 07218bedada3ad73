import FuzzSupport
@testable import Resources

/// The YAML reading manifests go through (``DocumentDecoder``), differential: the fast subset
/// reader must give exactly what the Yams path gives (values, key order, number types, every
/// source position) or decline, leaving the text (and any error) to Yams.
enum YAMLTarget {
    static func run(_ bytes: [UInt8]) {
        let text = utf8Text(bytes)
        let reference = Result { () throws(DecodeError) -> [Document] in
            try DocumentDecoder.decodeChunkWithYams(text, file: "f.yaml", lineOffset: 0)
        }
        if let fast = SubsetYAMLReader.read(text, file: "f.yaml", lineOffset: 0) {
            switch reference {
            case .failure(let error):
                broken("the subset reader accepted a text Yams rejects: \(error)")
            case .success(let documents):
                if let problem = difference(fast, documents) { broken("subset reader and Yams differ: \(problem)") }
            }
        }
        // DocumentDecoder reads a stream under 64 KiB in one chunk, subset reader first and Yams
        // when it declines, so the comparison above covers it.
    }

    /// Why two decodings differ, or `nil` when they are the same.
    static func difference(_ fast: [Document], _ reference: [Document]) -> String? {
        guard fast.count == reference.count else { return "\(fast.count) documents, expected \(reference.count)" }
        for (a, b) in zip(fast, reference) {
            if let problem = valueDifference(a.value, b.value, at: "") { return "document \(b.index): \(problem)" }
            if a.index != b.index { return "document \(b.index): index \(a.index)" }
            if a.location != b.location { return "document \(b.index): location \(a.location), expected \(b.location)" }
            let (p, q) = (a.sourceMap, b.sourceMap)
            if p.file != q.file || p.keys != q.keys || p.entries.count != q.entries.count || !same(p.root, q.root) {
                return "document \(b.index): source maps differ"
            }
            for (index, (x, y)) in zip(p.entries, q.entries).enumerated() where !same(x, y) {
                return "document \(b.index): source map entry \(index): \(x), expected \(y)"
            }
        }
        return nil
    }

    /// Differences including member order and the exact number type.
    static func valueDifference(_ a: JSONValue, _ b: JSONValue, at path: String) -> String? {
        switch (a, b) {
        case (.null, .null): return nil
        case (.bool(let x), .bool(let y)) where x == y: return nil
        case (.int(let x), .int(let y)) where x == y: return nil
        case (.double(let x), .double(let y)) where x == y || (x.isNaN && y.isNaN): return nil
        case (.string(let x), .string(let y)) where Array(x.utf8) == Array(y.utf8): return nil
        case (.array(let x), .array(let y)) where x.count == y.count:
            for (index, (p, q)) in zip(x, y).enumerated() {
                if let problem = valueDifference(p, q, at: "\(path)[\(index)]") { return problem }
            }
            return nil
        case (.object(let x), .object(let y)) where Array(x.keys) == Array(y.keys):
            for (key, p) in x {
                if let problem = valueDifference(p, y[key]!, at: "\(path).\(key)") { return problem }
            }
            return nil
        default:
            return "at \(path.isEmpty ? "the root" : path): \(a), expected \(b)"
        }
    }

    static func same(_ a: SourceMap.Entry, _ b: SourceMap.Entry) -> Bool {
        a.line == b.line && a.column == b.column && a.firstChild == b.firstChild && a.childCount == b.childCount
            && a.kind == b.kind
    }
}
