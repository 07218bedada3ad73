import OrderedCollections
import PropertyBased
import Resources
import Testing

// MARK: - Generators

/// Generators of field paths and JSON values.
enum FieldPathGen {
    /// Characters of generated field names: letters, digits and every character with a meaning
    /// in the path syntax.
    static let nameCharacters: [Character] = Array("ab09./-_[]'\" ")

    /// Names from a small pool, so that generated paths often meet existing members.
    static let poolNames = ["a", "b", "c", "0", "x.y", "app.oam.dev/name"]

    /// Any field name the syntax can write; a name holding both `"]` and `']` cannot be written.
    static func anyName(using rng: inout some RandomNumberGenerator) -> String {
        while true {
            let name = String((0..<Int.random(in: 0...7, using: &rng)).map { _ in nameCharacters.randomElement(using: &rng)! })
            if !(name.contains("\"]") && name.contains("']")) { return name }
        }
    }

    static func poolName(using rng: inout some RandomNumberGenerator) -> String {
        poolNames.randomElement(using: &rng)!
    }

    /// Paths of any names and any 32-bit indexes.
    static let anyPath = Generator<FieldPath, Shrink.None<FieldPath>> { rng in
        FieldPath((0..<Int.random(in: 1...6, using: &rng)).map { _ in
            Bool.random(using: &rng)
                ? .field(anyName(using: &rng)) : .index(Int.random(in: 0...4_294_967_295, using: &rng))
        })
    }

    /// Paths over the small name pool and small indexes.
    static let poolPath = Generator<FieldPath, Shrink.None<FieldPath>> { rng in
        poolPath(using: &rng)
    }

    /// Pool paths that start with a field, as paths into an object must.
    static let objectPath = Generator<FieldPath, Shrink.None<FieldPath>> { rng in
        FieldPath([.field(poolName(using: &rng))]).appending(poolPath(using: &rng))
    }

    /// A field name from the pool.
    static let name = Generator<String, Shrink.None<String>> { rng in poolName(using: &rng) }

    private static func poolPath(using rng: inout some RandomNumberGenerator) -> FieldPath {
        FieldPath((0..<Int.random(in: 1...5, using: &rng)).map { _ in
            Int.random(in: 0..<10, using: &rng) < 7
                ? .field(poolName(using: &rng)) : .index(Int.random(in: 0...3, using: &rng))
        })
    }

    /// JSON objects up to three levels deep over the pool names.
    static let object = Generator<JSONValue, Shrink.None<JSONValue>> { rng in
        randomObject(depth: 3, using: &rng)
    }

    /// Any JSON value up to two levels deep.
    static let value = Generator<JSONValue, Shrink.None<JSONValue>> { rng in
        randomValue(depth: 2, using: &rng)
    }

    private static func randomObject(depth: Int, using rng: inout some RandomNumberGenerator) -> JSONValue {
        var members: JSONObject = [:]
        for _ in 0..<Int.random(in: 0...3, using: &rng) {
            members[poolNames.randomElement(using: &rng)!] = randomValue(depth: depth - 1, using: &rng)
        }
        return .object(members)
    }

    private static func randomValue(depth: Int, using rng: inout some RandomNumberGenerator) -> JSONValue {
        switch Int.random(in: 0..<(depth > 0 ? 8 : 6), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .int(Int64.random(in: -1000...1000, using: &rng))
        case 3: return .double(Double(Int.random(in: -100...100, using: &rng)) / 4)
        case 4: return .string(poolNames.randomElement(using: &rng)!)
        case 5: return .string("")
        case 6: return randomObject(depth: depth, using: &rng)
        default:
            return .array((0..<Int.random(in: 0...3, using: &rng)).map { _ in randomValue(depth: depth - 1, using: &rng) })
        }
    }
}

/// Where writing at `path` into `root` must fail: the first value on the way that is neither
/// missing nor `null` nor of the type the next segment needs.
private func expectedSetFailure(_ root: JSONValue, _ path: FieldPath) -> FieldPath? {
    var current: JSONValue? = root
    for (offset, segment) in path.segments.enumerated() {
        guard let value = current, !value.isNull else { return nil }
        switch segment {
        case .field(let name):
            guard case .object(let members) = value else { return path.prefix(offset) }
            current = members[name]
        case .index(let index):
            guard case .array(let elements) = value else { return path.prefix(offset) }
            current = elements.indices.contains(index) ? elements[index] : nil
        }
    }
    return nil
}

// MARK: - Properties

@Suite("Field path properties")
struct FieldPathPropertyTests {
    @Test("parsing a printed path gives the path back")
    func parsePrintRoundTrip() async {
        await propertyCheck(count: 500, input: FieldPathGen.anyPath) { path throws in
            let printed = path.description
            #expect(try FieldPath(parsing: printed) == path)
        }
    }

    @Test("printing is stable: a printed path prints the same after parsing")
    func printIsCanonical() async {
        await propertyCheck(count: 200, input: FieldPathGen.anyPath) { path throws in
            let reparsed = try FieldPath(parsing: path.description)
            #expect(reparsed.description == path.description)
        }
    }

    @Test("after a set succeeds, get returns the value; it fails exactly where a value has the wrong type")
    func setThenGet() async {
        await propertyCheck(count: 500, input: FieldPathGen.object, FieldPathGen.poolPath, FieldPathGen.value) {
            object, path, value throws in
            var changed = object
            let failure = expectedSetFailure(object, path)
            do throws(FieldPathError) {
                try changed.setValue(value, at: path)
                #expect(failure == nil)
                #expect(changed.valueIfPresent(at: path) == value)
            } catch {
                #expect(error.kind == .typeMismatch)
                #expect(error.path == failure)
                #expect(changed == object)
            }
        }
    }

    @Test("a set on an empty object creates the objects and null-padded arrays on the way")
    func setCreatesIntermediates() async {
        await propertyCheck(count: 300, input: FieldPathGen.objectPath, FieldPathGen.value) { path, value throws in
            var object = JSONValue.emptyObject
            try object.setValue(value, at: path)
            #expect(try object.value(at: path) == value)
            for (offset, segment) in path.segments.enumerated() {
                let container = try object.value(at: path.prefix(offset))
                switch segment {
                case .field(let name):
                    #expect(Array(container.objectValue?.keys ?? []) == [name])
                case .index(let index):
                    let elements = try #require(container.arrayValue)
                    #expect(elements.count == index + 1)
                    #expect(elements.dropLast().allSatisfy { $0.isNull })
                }
            }
        }
    }

    @Test("after a set then a delete of a field, get reports it not found")
    func deleteThenGet() async {
        await propertyCheck(
            count: 500, input: FieldPathGen.object, FieldPathGen.poolPath, FieldPathGen.name, FieldPathGen.value
        ) { object, parent, name, value throws in
            let path = parent.appending(name)
            var changed = object
            guard (try? changed.setValue(value, at: path)) != nil else { return }
            try changed.removeValue(at: path)
            let error = #expect(throws: FieldPathError.self) { try changed.value(at: path) }
            #expect(error?.isNotFound == true)
            #expect(error?.path == path)
        }
    }

    @Test("a set-then-get on a Resource returns the value")
    func resourceSetThenGet() async {
        await propertyCheck(count: 200, input: FieldPathGen.objectPath, FieldPathGen.value) { path, value throws in
            var resource = Resource(apiVersion: "v1", kind: "ConfigMap", name: "c")
            try resource.setValue(value, at: path)
            #expect(try resource.value(at: path) == value)
        }
    }
}

// MARK: - Tables

@Suite("Field path tables")
struct FieldPathTableTests {
    struct ParseCase: Sendable, CustomTestStringConvertible {
        var text: String
        var segments: [FieldPath.Segment]
        /// How the path prints, when that differs from `text`.
        var printed: String?
        var testDescription: String { text }
    }

    static let parseCases: [ParseCase] = [
        .init(text: "spec.containers[0].image", segments: [.field("spec"), .field("containers"), .index(0), .field("image")]),
        .init(text: "metadata.labels[app.oam.dev/name]", segments: [.field("metadata"), .field("labels"), .field("app.oam.dev/name")]),
        .init(
            text: "metadata.annotations[\"a.b/c\"]", segments: [.field("metadata"), .field("annotations"), .field("a.b/c")],
            printed: "metadata.annotations[a.b/c]"),
        .init(
            text: "metadata.annotations['a.b/c']", segments: [.field("metadata"), .field("annotations"), .field("a.b/c")],
            printed: "metadata.annotations[a.b/c]"),
        .init(text: "spec[\"weird.key\"]", segments: [.field("spec"), .field("weird.key")], printed: "spec[weird.key]"),
        .init(text: "data[.config.yml]", segments: [.field("data"), .field(".config.yml")]),
        .init(text: "[0][1]", segments: [.index(0), .index(1)]),
        .init(text: "a[4294967295]", segments: [.field("a"), .index(4_294_967_295)]),
        .init(text: "a[4294967296]", segments: [.field("a"), .field("4294967296")], printed: "a.4294967296"),
        .init(text: "a[\"0\"]", segments: [.field("a"), .field("0")], printed: "a.0"),
        .init(text: "a['0']", segments: [.field("a"), .field("0")], printed: "a.0"),
        .init(text: "[\"0\"]", segments: [.field("0")], printed: "0"),
        .init(text: "a[\"0\"][0]", segments: [.field("a"), .field("0"), .index(0)], printed: "a.0[0]"),
        .init(text: "a.0", segments: [.field("a"), .field("0")]),
        .init(text: "a[+5]", segments: [.field("a"), .field("+5")], printed: "a[+5]"),
        .init(text: "a[-1]", segments: [.field("a"), .field("-1")], printed: "a.-1"),
        .init(text: "a[\"\"]", segments: [.field("a"), .field("")]),
        .init(text: "a[\"x]y\"]", segments: [.field("a"), .field("x]y")]),
        .init(text: "a['x\"]y']", segments: [.field("a"), .field("x\"]y")]),
        .init(text: "a[\"'q'\"]", segments: [.field("a"), .field("'q'")]),
        .init(text: "a['\"q\"']", segments: [.field("a"), .field("\"q\"")], printed: "a[\"\"q\"\"]"),
        .init(text: "a.[0]", segments: [.field("a"), .index(0)], printed: "a[0]"),
    ]

    @Test("paths parse into segments and print back", arguments: parseCases)
    func parses(_ parseCase: ParseCase) throws {
        let path = try FieldPath(parsing: parseCase.text)
        #expect(path.segments == parseCase.segments)
        #expect(path.description == (parseCase.printed ?? parseCase.text))
        #expect(try FieldPath(parsing: path.description) == path)
    }

    @Test(
        "bracketed names reach the members they name",
        arguments: [
            ("metadata.labels[app.oam.dev/name]", "metadata", "labels", "app.oam.dev/name"),
            ("metadata.annotations[\"a.b/c\"]", "metadata", "annotations", "a.b/c"),
            ("metadata.annotations['a.b/c']", "metadata", "annotations", "a.b/c"),
            ("data.cm[.config.yml]", "data", "cm", ".config.yml"),
            ("spec.x[\"weird.key\"]", "spec", "x", "weird.key"),
        ])
    func bracketedNames(text: String, outer: String, inner: String, key: String) throws {
        let object: JSONValue = [outer: [inner: [key: "found", "other": "no"]]]
        let path = try FieldPath(parsing: text)
        #expect(try object.value(at: path) == "found")
        var changed = object
        try changed.setValue("set", at: path)
        #expect(changed[outer]?[inner] == [key: "set", "other": "no"])
        try changed.removeValue(at: path)
        #expect(changed[outer]?[inner] == ["other": "no"])
    }

    @Test("a set beyond an array's end pads it with null")
    func arrayPadding() throws {
        var object = JSONValue.emptyObject
        try object.setValue("v", at: "a[3]")
        #expect(object == ["a": [nil, nil, nil, "v"]])
        try object.setValue(1, at: "a[1]")
        #expect(object == ["a": [nil, 1, nil, "v"]])
        try object.setValue("w", at: "b[1].c")
        #expect(object["b"] == [nil, ["c": "w"]])
    }

    @Test("deleting an array element removes it; deleting what is missing does nothing")
    func deletes() throws {
        var object: JSONValue = ["a": [1, 2, 3], "b": ["c": 1]]
        try object.removeValue(at: "a[1]")
        #expect(object == ["a": [1, 3], "b": ["c": 1]])
        try object.removeValue(at: "a[7]")
        try object.removeValue(at: "b.d.e")
        try object.removeValue(at: "z[0]")
        #expect(object == ["a": [1, 3], "b": ["c": 1]])
    }

    struct SyntaxCase: Sendable, CustomTestStringConvertible {
        var text: String
        var message: String
        var testDescription: String { text.isEmpty ? "(empty)" : text }
    }

    static let syntaxCases: [SyntaxCase] = [
        .init(text: "", message: "invalid field path \"\" at character 1: the path is empty"),
        .init(text: "a..b", message: "invalid field path \"a..b\" at character 3: expected a field name before '.'"),
        .init(text: ".a", message: "invalid field path \".a\" at character 1: expected a field name before '.'"),
        .init(text: "a.", message: "invalid field path \"a.\" at character 2: the path ends with '.'"),
        .init(text: "a[", message: "invalid field path \"a[\" at character 2: '[' is never closed"),
        .init(text: "a[0", message: "invalid field path \"a[0\" at character 2: '[' is never closed"),
        .init(text: "a[]", message: "invalid field path \"a[]\" at character 2: empty brackets"),
        .init(text: "a]", message: "invalid field path \"a]\" at character 2: unexpected ']'"),
        .init(text: "]", message: "invalid field path \"]\" at character 1: unexpected ']'"),
        .init(text: "a[0]b", message: "invalid field path \"a[0]b\" at character 5: expected '.' or '[' before 'b'"),
    ]

    @Test("syntax errors say where and what", arguments: syntaxCases)
    func syntaxErrors(_ syntaxCase: SyntaxCase) {
        let error = #expect(throws: FieldPathSyntaxError.self) { try FieldPath(parsing: syntaxCase.text) }
        #expect(error?.description == syntaxCase.message)
        #expect(error?.path == syntaxCase.text)
    }

    @Test("reading a missing field names the path up to the first missing segment")
    func notFound() throws {
        let empty = JSONValue.emptyObject
        let error = #expect(throws: FieldPathError.self) { try empty.value(at: "status.state") }
        #expect(error?.description == "status: no such field")
        #expect(error?.isNotFound == true)
        #expect(empty.valueIfPresent(at: "status.state") == nil)

        let object: JSONValue = ["a": [1], "n": nil]
        let outOfRange = #expect(throws: FieldPathError.self) { try object.value(at: "a[5].b") }
        #expect(outOfRange?.description == "a[5]: index out of range (the array has 1)")
        #expect(outOfRange?.isNotFound == true)
        let throughNull = #expect(throws: FieldPathError.self) { try object.value(at: "n.x") }
        #expect(throughNull?.description == "n.x: no such field")
        #expect(throughNull?.isNotFound == true)
    }

    struct MismatchCase: Sendable, CustomTestStringConvertible {
        enum Operation: Sendable { case get, set, remove }
        var operation: Operation
        var path: FieldPath
        var message: String
        var testDescription: String { "\(operation) \(path)" }
    }

    static let mismatchCases: [MismatchCase] = [
        .init(operation: .get, path: "spec.image.name", message: "spec.image: expected an object to read field \"name\", found string"),
        .init(operation: .get, path: "spec[0]", message: "spec: expected an array to read index 0, found object"),
        .init(operation: .get, path: "spec.ports.x", message: "spec.ports: expected an object to read field \"x\", found array"),
        .init(operation: .get, path: "spec.replicas[2]", message: "spec.replicas: expected an array to read index 2, found integer"),
        .init(operation: .get, path: "[0]", message: "expected an array to read index 0, found object"),
        .init(operation: .set, path: "spec.image.name", message: "spec.image: is not an object (found string), cannot set field \"name\""),
        .init(operation: .set, path: "spec.ports.x", message: "spec.ports: is not an object (found array), cannot set field \"x\""),
        .init(operation: .set, path: "spec[1]", message: "spec: is not an array (found object), cannot set index 1"),
        .init(operation: .set, path: "spec.ports[0][0]", message: "spec.ports[0]: is not an array (found object), cannot set index 0"),
        .init(operation: .remove, path: "spec.paused.x", message: "spec.paused: is not an object (found boolean), cannot remove field \"x\""),
        .init(operation: .remove, path: "spec.image[0]", message: "spec.image: is not an array (found string), cannot remove index 0"),
    ]

    @Test("a value of the wrong type is named with the type found", arguments: mismatchCases)
    func typeMismatch(_ mismatchCase: MismatchCase) {
        let object: JSONValue = [
            "spec": ["image": "nginx", "replicas": 2, "paused": false, "ports": [["containerPort": 80]]]
        ]
        var changed = object
        let error = #expect(throws: FieldPathError.self) {
            switch mismatchCase.operation {
            case .get: _ = try object.value(at: mismatchCase.path)
            case .set: try changed.setValue("v", at: mismatchCase.path)
            case .remove: try changed.removeValue(at: mismatchCase.path)
            }
        }
        #expect(error?.kind == .typeMismatch)
        #expect(error?.isNotFound == false)
        #expect(error?.description == mismatchCase.message)
        #expect(changed == object)
    }
}
