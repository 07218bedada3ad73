import OrderedCollections
import PropertyBased
@testable import Resources
import Testing

// The fast YAML reader must give exactly what the Yams path gives — values, key order, every
// source position — or decline. These tests compare the two on generated and hand-picked texts.

// MARK: - Comparison

/// Why two decodings differ, or `nil` when they are the same.
private func difference(_ fast: [Document], _ reference: [Document]) -> String? {
    guard fast.count == reference.count else { return "\(fast.count) documents, expected \(reference.count)" }
    for (a, b) in zip(fast, reference) {
        if let problem = valueDifference(a.value, b.value, at: "") { return "document \(b.index): \(problem)" }
        if a.index != b.index { return "document \(b.index): index \(a.index)" }
        if a.location != b.location { return "document \(b.index): location \(a.location), expected \(b.location)" }
        if let problem = sourceMapDifference(a.sourceMap, b.sourceMap) { return "document \(b.index): \(problem)" }
    }
    return nil
}

/// Differences including object member order and the exact number type.
private func valueDifference(_ a: JSONValue, _ b: JSONValue, at path: String) -> String? {
    switch (a, b) {
    case (.null, .null): return nil
    case (.bool(let x), .bool(let y)) where x == y: return nil
    case (.int(let x), .int(let y)) where x == y: return nil
    case (.double(let x), .double(let y)) where x == y || (x.isNaN && y.isNaN): return nil
    case (.string(let x), .string(let y)) where x == y && Array(x.utf8) == Array(y.utf8): return nil
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

private func sourceMapDifference(_ a: SourceMap, _ b: SourceMap) -> String? {
    if a.file != b.file { return "file \(a.file ?? "nil")" }
    if !same(a.root, b.root) { return "root entry \(a.root), expected \(b.root)" }
    if a.keys != b.keys { return "keys \(a.keys), expected \(b.keys)" }
    guard a.entries.count == b.entries.count else { return "\(a.entries.count) entries, expected \(b.entries.count)" }
    for (index, (p, q)) in zip(a.entries, b.entries).enumerated() where !same(p, q) {
        return "entry \(index) (\(b.keys[index] ?? "element")): \(p), expected \(q)"
    }
    return nil
}

private func same(_ a: SourceMap.Entry, _ b: SourceMap.Entry) -> Bool {
    a.line == b.line && a.column == b.column && a.firstChild == b.firstChild && a.childCount == b.childCount
        && a.kind == b.kind
}

/// How a text fared: whether the fast reader took it, and the problem if the paths disagree.
private struct Verdict {
    var accepted: Bool
    var problem: String?
}

/// Compares the fast reader with Yams on `text`, and checks that ``DocumentDecoder`` gives what
/// Yams gives, errors included.
private func compare(_ text: String, lineOffset: Int = 0) -> Verdict {
    let reference = Result { () throws(DecodeError) -> [Document] in
        try DocumentDecoder.decodeChunkWithYams(text, file: "f.yaml", lineOffset: lineOffset)
    }
    let fast = SubsetYAMLReader.read(text, file: "f.yaml", lineOffset: lineOffset)
    if let fast {
        switch reference {
        case .failure(let error):
            return Verdict(accepted: true, problem: "the fast reader accepted a text Yams rejects: \(error)")
        case .success(let documents):
            if let problem = difference(fast, documents) { return Verdict(accepted: true, problem: problem) }
        }
    }
    if lineOffset == 0 {
        let decoded = Result { () throws(DecodeError) -> [Document] in
            try DocumentDecoder.decode(text, file: "f.yaml", parallel: false)
        }
        switch (decoded, reference) {
        case (.failure(let a), .failure(let b)) where a != b:
            return Verdict(accepted: fast != nil, problem: "error \(a), expected \(b)")
        case (.success, .failure(let b)):
            return Verdict(accepted: fast != nil, problem: "decoded a text Yams rejects: \(b)")
        case (.failure(let a), .success):
            return Verdict(accepted: fast != nil, problem: "failed where Yams decodes: \(a)")
        default:
            break
        }
    }
    return Verdict(accepted: fast != nil, problem: nil)
}

// MARK: - Generated YAML

/// Random YAML texts in the style of Kubernetes manifests, with the corners of the subset:
/// indentless and nested sequences, flow collections over several lines, every scalar style,
/// block scalars with indicators, comments, blank lines and document markers.
private struct YAMLTextGenerator {
    var rng: any SeededRandomNumberGenerator
    /// Whether to also write what the fast reader leaves to Yams (anchors, tags, merge keys…).
    var wild: Bool

    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &rng) < percent }
    mutating func pick<T>(_ items: [T]) -> T { items.randomElement(using: &rng)! }
    mutating func count(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    func spaces(_ n: Int) -> String { String(repeating: " ", count: max(0, n)) }

    static let unsupported = ["@x", "`x", "%x", "!tag x", "&a x", "*a", "- x", "<<", "? x", "&anchor k", "\"bad\\q\"",
                              "\"\\uD800\"", "\"unterminated", "'unterminated", "a:", "a :b", "[notflow", "{notflow"]

    mutating func pick(_ items: [String]) -> String {
        var item = items.randomElement(using: &rng)!
        while !wild, Self.unsupported.contains(item) { item = items.randomElement(using: &rng)! }
        return item
    }

    static var plainWords: [String] {
        ["web", "nginx:1.25", "registry.example.com/shop/web:1.2", "a b c", "a#b", "x:y", "http://x/y?z=1",
         "500m", "256Mi", "-dash", "?q", ":c", "é", "日本語", "a,b", "[notflow", "a]", "{notflow", "trailing  ",
         "0", "12", "-7", "+3", "0x1F", "0o17", "017", "0b101", "1_000", "3.25", "1e3", "-1.5E-2", ".5", ".inf",
         "-.Inf", ".NaN", "1e400", "99999999999999999999", "true", "False", "yes", "No", "on", "OFF", "y", "n",
         "~", "null", "NULL", "Null", "2026-01-02", "0.0.0.0", "@x", "`x", "%x", "!tag x", "&a x", "*a", "- x"]
    }

    static var keyTexts: [String] {
        ["apiVersion", "kind", "metadata", "name", "app.kubernetes.io/name", "spec", "a", "b", "c", "key with spaces",
         "\"quoted key\"", "'single key'", "\"a\\tb\"", "1", "true", "~", "-k", "x:y", "é", "<<", "? x", "&anchor k",
         "\"\"", "'it''s'"]
    }

    static var quoted: [String] {
        ["\"\"", "''", "\"plain\"", "'it''s'", "'a \"b\"'", "\"a\\\"b\"", "\"tab\\there\"", "\"\\x41\\u00e9\\U0001F600\"",
         "\"\\0\\a\\b\\e\\f\\v\\r\\n\"", "\"\\N\\_\\L\\P\\/\\\\\"", "\"\\ \"", "\"bad\\q\"", "\"\\uD800\"", "\"# not a comment\"",
         "'# not either'", "\"a: b\"", "\"12\"", "'true'", "\"é\"", "\"unterminated", "'unterminated"]
    }

    mutating func key() -> String { pick(Self.keyTexts) }

    mutating func comment() -> String { chance(20) ? pick([" # note", " #", "  # a: b"]) : "" }

    mutating func scalar() -> String {
        switch count(0...9) {
        case 0...4: return pick(Self.plainWords)
        case 5...7: return pick(Self.quoted)
        default: return pick(["w\(count(0...99))", "\(count(-5...5000))", "v-\(count(0...9)).\(count(0...9))"])
        }
    }

    mutating func flowScalar() -> String {
        pick(["a", "b c", "1", "2.5", "true", "null", "~", "\"q\"", "'s'", "x:y", "http://h:80/p", "-1", "a?b", "é",
              "\"a,b\"", "'[x]'", "a:", "a :b"])
    }

    /// A flow collection; with `lines`, entries may start on new lines indented by `indent`.
    mutating func flow(depth: Int, indent: Int, lines: Bool) -> String {
        let isMapping = chance(50)
        let n = count(0...3)
        var items: [String] = []
        var keys = ["a", "b", "\"k\"", "'k2'", "c", "x y"].shuffled(using: &rng)
        for _ in 0..<n {
            let value = depth > 0 && chance(25) ? flow(depth: depth - 1, indent: indent, lines: lines) : flowScalar()
            guard isMapping else {
                items.append(value)
                continue
            }
            let key = wild ? pick(keys) : keys.removeLast()
            // Only a quoted key may be followed by `:` without a space.
            let gap = key.hasPrefix("\"") || key.hasPrefix("'") || wild ? pick([" ", "  ", ""]) : pick([" ", "  "])
            items.append("\(key):\(gap)\(value)")
        }
        let separator = lines && chance(30) ? ",\n" + spaces(indent + count(0...2)) : pick([", ", ",", " , "])
        var body = items.joined(separator: separator)
        if chance(10), !items.isEmpty { body += "," }
        if chance(10) { body = " " + body + " " }
        return isMapping ? "{" + body + "}" : "[" + body + "]"
    }

    mutating func blockScalar(parentIndent: Int) -> String {
        var header = pick(["|", ">"])
        let indicator = count(1...3)
        switch count(0...5) {
        case 0: header += "-"
        case 1: header += "+"
        case 2: header += "\(indicator)"
        case 3: header += pick(["\(indicator)-", "+\(indicator)"])
        default: break
        }
        var text = header + comment() + "\n"
        let base = parentIndent + (header.contains(where: \.isNumber) ? indicator : count(1...3))
        if chance(20) { text += spaces(count(0...(wild ? base + 2 : base))) + "\n" }
        for line in 0..<count(0...4) {
            switch line == 0 && !wild ? 9 : count(0...9) {
            case 0: text += "\n"
            case 1: text += spaces(base + count(1...3)) + "indented more\n"
            case 2: text += spaces(base) + "# not a comment\n"
            case 3: text += spaces(count(0...base)) + "\n"
            default: text += spaces(base) + pick(["line", "two words", "a: b", "- x", "end  "]) + "\n"
            }
        }
        if chance(20) { text += "\n" }
        return text
    }

    /// What follows `key:`: the rest of the line and any lines of the value.
    mutating func mappingValue(indent: Int, depth: Int) -> String {
        switch count(0...11) {
        case 0...4: return " " + scalar() + comment() + "\n"
        case 5: return " " + flow(depth: 2, indent: indent + 1, lines: chance(20)) + comment() + "\n"
        case 6: return " " + blockScalar(parentIndent: indent)
        case 7 where depth > 0, 8 where depth > 0:
            return comment() + "\n" + commentLines(indent) + blockMapping(indent: indent + count(1...4), depth: depth - 1, inline: false)
        case 9 where depth > 0:
            return "\n" + blockSequence(indent: indent + (chance(50) ? 0 : count(1...3)), depth: depth - 1, inline: false)
        default: return comment() + "\n"
        }
    }

    mutating func commentLines(_ indent: Int) -> String {
        chance(15) ? spaces(count(0...indent + 2)) + "# comment\n" + (chance(30) ? "\n" : "") : ""
    }

    mutating func blockMapping(indent: Int, depth: Int, inline: Bool) -> String {
        var text = ""
        var used: Set<String> = []
        for index in 0..<count(1...4) {
            var key = key()
            // Mostly distinct keys; a duplicate now and then.
            while used.contains(key), !wild || !chance(5) { key = self.key() }
            used.insert(key)
            if !(index == 0 && inline) { text += commentLines(indent) + spaces(indent) }
            text += key + ":" + mappingValue(indent: indent, depth: depth)
        }
        return text
    }

    mutating func blockSequence(indent: Int, depth: Int, inline: Bool) -> String {
        var text = ""
        for index in 0..<count(1...4) {
            if !(index == 0 && inline) { text += commentLines(indent) + spaces(indent) }
            text += "-"
            let gap = count(1...3)
            switch count(0...9) {
            case 0...2: text += spaces(gap) + scalar() + comment() + "\n"
            case 3: text += " " + flow(depth: 2, indent: indent + 1, lines: chance(20)) + "\n"
            case 4 where depth > 0, 5 where depth > 0:
                text += spaces(gap) + blockMapping(indent: indent + 1 + gap, depth: depth - 1, inline: true)
            case 6 where depth > 0:
                text += spaces(gap) + blockSequence(indent: indent + 1 + gap, depth: depth - 1, inline: true)
            case 7 where depth > 0:
                text += "\n" + blockMapping(indent: indent + count(1...3), depth: depth - 1, inline: false)
            case 8: text += " " + blockScalar(parentIndent: indent)
            default: text += comment() + "\n"
            }
        }
        return text
    }

    mutating func document() -> String {
        switch count(0...9) {
        case 0: return blockSequence(indent: count(0...1), depth: 3, inline: false)
        case 1: return flow(depth: 3, indent: 1, lines: true) + "\n"
        case 2: return scalar() + "\n"
        default: return blockMapping(indent: chance(90) ? 0 : 2, depth: 3, inline: false)
        }
    }

    mutating func stream() -> String {
        var text = chance(20) ? "# header\n" : ""
        if chance(30) { text += "---\n" }
        for index in 0..<count(1...3) {
            if index > 0 { text += pick(["---\n", "--- # next\n", "...\n---\n", "---\n---\n"]) }
            text += document()
        }
        if chance(15) { text += pick(["---\n", "...\n", "\n\n", "# end"]) }
        return text
    }

    /// `text` with a few random edits, mostly making it malformed.
    mutating func mutate(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars)
        for _ in 0..<count(1...3) where !scalars.isEmpty {
            let at = Int.random(in: 0..<scalars.count, using: &rng)
            switch count(0...3) {
            case 0: scalars.remove(at: at)
            case 1: scalars[at] = pick([" ", "\n", ":", "-", "#", "'", "\"", "[", "]", "{", "}", ",", "|", ">", "a", "\\", "\t", "&"])
            default:
                let inserted: String = pick([" ", "\n", ":", "-", "#", "'", "\"", "[", "]", "{", "}", ",", "|", ">", "a", "  ", "\u{85}"])
                scalars.insert(contentsOf: inserted.unicodeScalars, at: at)
            }
        }
        var out = ""
        out.unicodeScalars.append(contentsOf: scalars)
        return out
    }
}

private let generatedStream = Generator<String, Shrink.None<String>> { rng in
    var generator = YAMLTextGenerator(rng: rng, wild: true)
    defer { rng = generator.rng }
    return generator.stream()
}

private let supportedStream = Generator<String, Shrink.None<String>> { rng in
    var generator = YAMLTextGenerator(rng: rng, wild: false)
    defer { rng = generator.rng }
    return generator.stream()
}

private let mutatedStream = Generator<String, Shrink.None<String>> { rng in
    var generator = YAMLTextGenerator(rng: rng, wild: true)
    defer { rng = generator.rng }
    return generator.mutate(generator.stream())
}

@Suite("The fast YAML reader agrees with Yams")
struct SubsetYAMLReaderTests {
    @Test("on generated manifests it gives the same values and positions, or declines")
    func generated() async {
        await propertyCheck(count: 3000, input: generatedStream) { text throws in
            let verdict = compare(text)
            #expect(verdict.problem == nil, "\(verdict.problem ?? "")\n--- text ---\n\(text)")
        }
    }

    @Test("on generated manifests inside the subset it takes nearly all, with the same values and positions")
    func generatedInsideSubset() async {
        var declined: [String] = []
        var total = 0
        await propertyCheck(count: 3000, input: supportedStream) { text throws in
            let verdict = compare(text)
            total += 1
            if !verdict.accepted { declined.append(text) }
            #expect(verdict.problem == nil, "\(verdict.problem ?? "")\n--- text ---\n\(text)")
        }
        #expect(declined.count * 20 < total, "declined \(declined.count) of \(total), e.g.\n\(declined.prefix(5).joined(separator: "\n=====\n"))")
    }

    @Test("on mutated, mostly malformed texts it never accepts what Yams rejects, and errors are Yams' own")
    func mutated() async {
        await propertyCheck(count: 3000, input: mutatedStream) { text throws in
            let verdict = compare(text)
            #expect(verdict.problem == nil, "\(verdict.problem ?? "")\n--- text ---\n\(text)")
        }
    }

    @Test("positions count from the line offset of a chunk")
    func lineOffset() {
        let text = "a: 1\nb:\n  - x\n  - {c: [1, 2]}\n"
        #expect(compare(text, lineOffset: 41).problem == nil)
        let documents = SubsetYAMLReader.read(text, file: nil, lineOffset: 41)
        #expect(documents?[0].sourceMap.location(of: "b[1].c[1]")?.description == "45:13")
    }

    static let accepted: [String] = [
        "a: 1\n",
        "a: 1",
        "apiVersion: v1\nkind: List\nitems:\n- a: 1\n  b: 2\n-   c: 3\n    d:\n    - x\n    -\n    - y\n",
        "a:\n  b:\n    c: d\n  e: f\ng: h\n",
        "a:\nb:\n  # comment\nc: ~\n",
        "- - a\n  - b\n- - c\n",
        "-\n  a: 1\n- \n-\n",
        "key with spaces  : value with  spaces   # comment\n",
        "a: x:y\nb: http://h/p?q=1#frag\nc: a#b\n",
        "\"a\": 1\n'b': 2\n\"c d\" : 3\n'it''s': '''quoted'''\n",
        "a: \"\\x41\\u00e9\\U0001F600\\t\\n\\\\\\\"\\/\\N\\_\\L\\P\\0\"\n",
        "a: |\n  line 1\n\n  line 2\n    indented\nb: >\n  folded\n  text\n\n  para\n   more\n  back\n",
        "a: |-\n  x\n\n\nb: |+\n  y\n\n\nc: >2\n   lead\n  x\n",
        "a: |\nb: >-\n\nc: 1\n",
        "a: |\n  text\n # a comment below the scalar\nb: 1\n",
        "a: |\n  # content, not a comment\n",
        "- |\n  in a sequence\n- >\n  folded\n  in a sequence\n",
        "a:\n- |\n x\n",
        "labels: {app: web, tier: backend}\nargs: [\"--a\", '--b', c]\nports: [{containerPort: 80, protocol: TCP}]\n",
        "a: [1,\n  2, # two\n  3]\nb: {x: 1,\n  y: [a,\n    b]}\n",
        "{\n  \"a\": [1, 2.5, \"x\", null, true],\n  \"b\": {}\n}\n",
        "[a, b, ]\n",
        "{image: nginx:1.25, url: http://x:80/}\n",
        "---\na: 1\n---\n# empty\n---\nb: 2\n...\n---\nc: 3\n",
        "# only a comment\n",
        "",
        "---\n",
        "---\nnull\n---\n~\n---\n\"\"\n---\n- x\n",
        "a: é\nb: 日本\nc: [é, x]\nd: {é: 1, ü: [x]}\n",
        "é: 1\nü:\n  - x\n",
        "a: 1\nb: 0x1f\nc: 017\nd: 1_000\ne: .5\nf: 1e3\ng: yes\nh: Off\ni: ~\nj: 99999999999999999999\nk: .inf\nl: -.NaN\n",
        "  a: 1\n  b: 2\n",
        "a: ---\nb: ...\n---x: 1\n",
    ]

    @Test("takes the constructs Kubernetes manifests use", arguments: accepted)
    func acceptedTexts(text: String) {
        let verdict = compare(text)
        #expect(verdict.accepted, "declined:\n\(text)")
        #expect(verdict.problem == nil, "\(verdict.problem ?? "")")
    }

    static let declined: [String] = [
        "a: &x 1\nb: *x\n",
        "a: !!int 3\n",
        "base: {a: 1}\nc:\n  <<: {b: 2}\n",
        "? complex\n: 1\n",
        "a: multi\n  line\n",
        "a: \"multi\n  line\"\n",
        "a:\n\tb: 1\n",
        "a: 1\r\nb: 2\r\n",
        "%YAML 1.1\n---\na: 1\n",
        "\u{FEFF}a: 1\n",
        "a: 1\na: 2\n",
        "a: {b}\n",
        "a: [b: c]\n",
        "a: {b: }\n",
        "a: b: c\n",
        "a:\n  b: 1\n c: 2\n",
        "a: 1\n...\nb: 2\n",
        "--- a: 1\n",
        "a: \"bad\\q\"\n",
        "a: 'x'y\n",
        "a: [1,\n2]\n",
        "a: |0\n  x\n",
        "a: 😀\n",
        "x: |\n     \n  text\n",
    ]

    @Test("leaves everything else to Yams, which decides", arguments: declined)
    func declinedTexts(text: String) {
        let verdict = compare(text)
        #expect(!verdict.accepted, "accepted:\n\(text)")
        #expect(verdict.problem == nil, "\(verdict.problem ?? "")")
    }

    @Test("very deep nesting is left to Yams")
    func deepNesting() {
        let flow = String(repeating: "[", count: 300) + String(repeating: "]", count: 300) + "\n"
        #expect(SubsetYAMLReader.read(flow, file: nil, lineOffset: 0) == nil)
        var block = ""
        for level in 0..<300 { block += String(repeating: " ", count: level) + "k:\n" }
        #expect(SubsetYAMLReader.read(block, file: nil, lineOffset: 0) == nil)
        let shallow = String(repeating: "[", count: 50) + String(repeating: "]", count: 50) + "\n"
        #expect(compare(shallow).accepted)
    }

    @Test("the benchmark's kind of stream goes through the fast reader")
    func largeStream() {
        let (text, _) = LargeStreamTests.stream(count: 20)
        #expect(compare(text).accepted)
        #expect(compare(text).problem == nil)
    }
}
