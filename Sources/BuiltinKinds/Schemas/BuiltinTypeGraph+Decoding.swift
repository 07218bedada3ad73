public import Resources
import OrderedCollections

/// A value Go's decoder would not put into its field; `message` is what kube-apiserver says
/// after `… cannot be handled as a Deployment: `.
public struct BuiltinTypeError: Error, Sendable, Equatable {
    public var message: String
}

/// An object as kube-apiserver's decoder leaves it: `null`s gone, fields the type does not have
/// dropped and listed.
public struct TypedObject: Sendable {
    /// The object without unknown fields and `null` members.
    public var value: JSONValue
    /// The paths of the unknown fields dropped, in document order: `spec.x`,
    /// `spec.template.spec.containers[0].y`.
    public var unknownFields: [String]
}

extension BuiltinTypeGraph {
    /// Decodes `object` as the Go type at `root`, as `sigs.k8s.io/json` and the types' own
    /// `UnmarshalJSON` do: the first value of the wrong type is an error; unknown fields are
    /// dropped and reported; `null` leaves a field absent (a map entry or list element gets
    /// its zero value).
    ///
    /// - Throws: ``BuiltinTypeError`` naming the field path and both types, as Go does:
    ///   `json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`.
    public func decode(_ object: JSONValue, root: Int) throws(BuiltinTypeError) -> TypedObject {
        var decoder = Decoder(graph: self, asApplyConfiguration: false)
        let value = try decoder.decode(object, node: root)
        return TypedObject(value: value ?? object, unknownFields: decoder.unknownFields)
    }

    /// Checks a server-side apply configuration as structured-merge-diff does before merging
    /// it: a field the type does not have, or a value of the wrong kind, is the first problem,
    /// named by its path (`.spec.template.spec.containers[name="web"].image`), whatever the
    /// field validation asked for. Quantities and int-or-strings take any scalar there.
    ///
    /// - Returns: `nil`, or the problem: `.spec.x: field not declared in schema`.
    public func applyConfigurationProblem(_ object: JSONValue, root: Int) -> String? {
        var decoder = Decoder(graph: self, asApplyConfiguration: true)
        do {
            _ = try decoder.decode(object, node: root)
        } catch {
            return error.message
        }
        return decoder.unknownFields.first.map { "\($0): field not declared in schema" }
    }

    private struct Decoder {
        let graph: BuiltinTypeGraph
        /// Checking as server-side apply does (structured-merge-diff): its paths and messages,
        /// and stopping at the first unknown field.
        let asApplyConfiguration: Bool
        var unknownFields: [String] = []
        /// JSON names of the struct fields entered, as Go's error context keeps them.
        var fieldStack: [String] = []
        /// The path with list indices and map keys, for unknown fields.
        var path: [String] = []
        /// The innermost struct being decoded.
        var structName = ""

        /// The decoded value, or `nil` when it is `value` unchanged.
        mutating func decode(_ value: JSONValue, node index: Int) throws(BuiltinTypeError) -> JSONValue? {
            let node = graph.nodes[index]
            if asApplyConfiguration {
                if let problem = Self.applyProblem(value, node.shape) {
                    throw BuiltinTypeError(message: "\(Self.applyPath(path)): \(problem)")
                }
                switch node.shape {
                case .structure, .map, .slice: break
                default: return nil   // its scalars are checked by kind only
                }
            }
            switch (node.shape, value) {
            case (_, .null), (.any, _):
                return nil
            case (.structure(let name, let fields), .object(let members)):
                return try decodeStruct(members, name: name, fields: fields)
            case (.map(let values), .object(let members)):
                var changed: JSONObject?
                for (offset, (key, member)) in members.enumerated() {
                    path.append(key)
                    defer { path.removeLast() }
                    let decoded: JSONValue?
                    if case .null = member {
                        decoded = zeroValue(of: values)
                    } else {
                        decoded = try decode(member, node: values)
                    }
                    if let decoded {
                        if changed == nil { changed = members }
                        changed?.values[offset] = decoded
                    }
                }
                return changed.map(JSONValue.object)
            case (.slice(let elements, let keys), .array(let items)):
                var changed: [JSONValue]?
                for (offset, item) in items.enumerated() {
                    path.append(asApplyConfiguration && !keys.isEmpty ? Self.keyed(item, keys) : "[\(offset)]")
                    defer { path.removeLast() }
                    let decoded: JSONValue?
                    if case .null = item {
                        decoded = zeroValue(of: elements)
                    } else {
                        decoded = try decode(item, node: elements)
                    }
                    if let decoded {
                        if changed == nil { changed = items }
                        changed?[offset] = decoded
                    }
                }
                return changed.map(JSONValue.array)
            case (.string, .string), (.bool, .bool), (.float, .int), (.float, .double):
                return nil
            case (.integer(let bits), .int(let number)):
                if bits == 32, number < Int64(Int32.min) || number > Int64(Int32.max) {
                    throw typeError("number \(number)", node)
                }
                return nil
            case (.integer, .double(let number)):
                throw typeError("number \(Self.goNumber(number))", node)
            case (.intOrString, .string):
                return nil
            case (.intOrString, .int(let number)) where number >= Int64(Int32.min) && number <= Int64(Int32.max):
                return nil
            case (.intOrString, _):
                // IntOrString.UnmarshalJSON decodes anything but a string as an int32.
                let described = switch value {
                case .int(let number): "number \(number)"
                case .double(let number): "number \(Self.goNumber(number))"
                default: Self.goKind(value)
                }
                throw typeError(described, Node(shape: .integer(bits: 32), goType: "int32"))
            case (.quantity, .string(let text)):
                if let problem = ResourceQuantity.problem(text) { throw BuiltinTypeError(message: problem) }
                return ResourceQuantity.canonical(text).flatMap { $0 == text ? nil : .string($0) }
            case (.quantity, .int(let number)):
                // Go keeps a quantity as a string: `100`, or `1k` for 1000.
                return ResourceQuantity.canonical("\(number)").map(JSONValue.string)
            case (.quantity, .double(let number)):
                return ResourceQuantity.canonical(Self.goNumber(number)).map(JSONValue.string)
            case (.quantity, _):
                throw BuiltinTypeError(message: ResourceQuantity.formatError)
            case (.time(let micro), .string(let text)):
                guard Self.isRFC3339(text), let (seconds, nanos) = ProtobufTimeFormats.parseRFC3339(text) else {
                    throw BuiltinTypeError(
                        message: "parsing time \"\(text)\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"\(text)\" as \"2006\"")
                }
                // Go writes times back in UTC: whole seconds (Time) or microseconds (MicroTime).
                let canonical = ProtobufTimeFormats.rfc3339(seconds: seconds, nanos: nanos, microseconds: micro)
                return canonical == text ? nil : .string(canonical)
            case (.time, _):
                throw BuiltinTypeError(message: "json: cannot unmarshal \(Self.goKind(value)) into Go value of type string")
            case (.bytes, .string(let text)):
                if let offset = Self.base64Problem(text) {
                    throw BuiltinTypeError(message: "illegal base64 data at input byte \(offset)")
                }
                return nil
            default:
                throw typeError(Self.goKind(value), node)
            }
        }

        private mutating func decodeStruct(_ members: JSONObject, name: String, fields: [String: Int])
            throws(BuiltinTypeError) -> JSONValue?
        {
            let outerStruct = structName
            structName = name
            defer { structName = outerStruct }
            var changed: JSONObject?
            var removed = 0
            for (offset, (key, member)) in members.enumerated() {
                guard let field = fields[key] else {
                    if asApplyConfiguration {
                        throw BuiltinTypeError(message: "\(Self.applyPath(path + [key])): field not declared in schema")
                    }
                    unknownFields.append(Self.joined(path + [key]))
                    if changed == nil { changed = members }
                    changed?.remove(at: offset - removed)
                    removed += 1
                    continue
                }
                if case .null = member {
                    if changed == nil { changed = members }
                    changed?.remove(at: offset - removed)
                    removed += 1
                    continue
                }
                fieldStack.append(key)
                path.append(key)
                defer {
                    fieldStack.removeLast()
                    path.removeLast()
                }
                if let decoded = try decode(member, node: field) {
                    if changed == nil { changed = members }
                    changed?.values[offset - removed] = decoded
                }
            }
            return changed.map(JSONValue.object)
        }

        /// `spec`, `containers`, `[0]`, `x` → `spec.containers[0].x`.
        static func joined(_ segments: [String]) -> String {
            var out = ""
            for segment in segments {
                if !out.isEmpty, !segment.hasPrefix("[") { out += "." }
                out += segment
            }
            return out
        }

        /// `.spec.containers[name="web"]`: structured-merge-diff's path.
        static func applyPath(_ segments: [String]) -> String {
            "." + joined(segments)
        }

        /// `[name="web"]`, `[containerPort=80,protocol="TCP"]`: an element of a list map.
        static func keyed(_ item: JSONValue, _ keys: [String]) -> String {
            let parts = keys.compactMap { key -> String? in
                guard let value = item[key] else { return nil }
                if case .string(let text) = value { return "\(key)=\"\(text)\"" }
                return "\(key)=\(goValue(value))"
            }
            return "[" + parts.joined(separator: ",") + "]"
        }

        /// What structured-merge-diff says of a value of the wrong kind, or `nil`.
        static func applyProblem(_ value: JSONValue, _ shape: Shape) -> String? {
            switch (shape, value) {
            case (_, .null), (.any, _), (.quantity, .string), (.quantity, .int), (.quantity, .double),
                 (.intOrString, .string), (.intOrString, .int), (.intOrString, .double):
                return nil
            case (.structure, .object), (.map, .object), (.slice, .array), (.bool, .bool),
                 (.string, .string), (.time, .string), (.bytes, .string),
                 (.integer, .int), (.integer, .double), (.float, .int), (.float, .double):
                return nil
            case (.structure, _), (.map, _):
                return "expected map, got &{\(goValue(value))}"
            case (.slice, _):
                return "expected list, got &{\(goValue(value))}"
            case (.bool, _):
                return "expected boolean, got &{\(goValue(value))}"
            case (.integer, _), (.float, _):
                let type = switch value {
                case .object: "map[string]interface {}"
                case .array: "[]interface {}"
                default: goKind(value)
                }
                return "expected numeric (int or float), got \(type)"
            default:
                return "expected string, got &value.valueUnstructured{Value:\(goValue(value))}"
            }
        }

        /// A JSON value as Go's `%v` prints its decoded form.
        static func goValue(_ value: JSONValue) -> String {
            switch value {
            case .null: "<nil>"
            case .bool(let flag): "\(flag)"
            case .int(let number): "\(number)"
            case .double(let number): goNumber(number)
            case .string(let text): text
            case .array(let items): "[" + items.map(goValue).joined(separator: " ") + "]"
            case .object(let members):
                "map[" + members.sorted { $0.key < $1.key }.map { "\($0.key):\(goValue($0.value))" }
                    .joined(separator: " ") + "]"
            }
        }

        /// What Go leaves in a map entry or list element decoded from `null`.
        private func zeroValue(of index: Int) -> JSONValue? {
            switch graph.nodes[index].shape {
            case .string, .bytes: ""
            case .bool: false
            case .integer, .float: 0
            case .structure, .map: [:]
            default: nil
            }
        }

        private func typeError(_ found: String, _ node: Node) -> BuiltinTypeError {
            if fieldStack.isEmpty {
                return BuiltinTypeError(message: "json: cannot unmarshal \(found) into Go value of type \(node.goType)")
            }
            return BuiltinTypeError(
                message: "json: cannot unmarshal \(found) into Go struct field \(structName).\(fieldStack.joined(separator: ".")) of type \(node.goType)")
        }

        /// Go's word for the JSON value it found.
        static func goKind(_ value: JSONValue) -> String {
            switch value {
            case .null: "null"
            case .bool: "bool"
            case .int, .double: "number"
            case .string: "string"
            case .array: "array"
            case .object: "object"
            }
        }

        static func goNumber(_ number: Double) -> String {
            number.rounded() == number && abs(number) < 1e15 ? "\(Int64(number))" : "\(number)"
        }

        /// RFC 3339 as Go's `time.Parse(time.RFC3339, …)` reads it (fractional seconds allowed).
        static func isRFC3339(_ text: String) -> Bool {
            let bytes = Array(text.utf8)
            func digits(_ range: Range<Int>) -> Bool {
                range.upperBound <= bytes.count && bytes[range].allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
            }
            func byte(_ index: Int, _ character: Character) -> Bool {
                index < bytes.count && bytes[index] == character.asciiValue
            }
            guard digits(0..<4), byte(4, "-"), digits(5..<7), byte(7, "-"), digits(8..<10),
                  byte(10, "T") || byte(10, "t"), digits(11..<13), byte(13, ":"), digits(14..<16), byte(16, ":"),
                  digits(17..<19)
            else { return false }
            var index = 19
            if byte(index, ".") {
                index += 1
                let start = index
                while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
                if index == start { return false }
            }
            if byte(index, "Z") || byte(index, "z") { return index + 1 == bytes.count }
            guard byte(index, "+") || byte(index, "-") else { return false }
            return digits(index + 1..<index + 3) && byte(index + 3, ":") && digits(index + 4..<index + 6)
                && index + 6 == bytes.count
        }

        /// The input byte Go's `base64.StdEncoding` stops at, or `nil` for valid base64.
        static func base64Problem(_ text: String) -> Int? {
            var quantum = 0
            var padding = 0
            var quantumStart = 0
            for (offset, byte) in text.utf8.enumerated() {
                if byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") { continue }
                if quantum == 0 { quantumStart = offset }
                let isAlphabet = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/")
                if byte == UInt8(ascii: "=") {
                    // Padding only in the last two places of the last quantum.
                    if quantum < 2 { return offset }
                    padding += 1
                } else if !isAlphabet || padding > 0 {
                    return offset
                }
                quantum = (quantum + 1) % 4
                if quantum == 0, padding > 0, offset + 1 < text.utf8.count { return offset + 1 }
            }
            return quantum == 0 ? nil : quantumStart
        }
    }
}
