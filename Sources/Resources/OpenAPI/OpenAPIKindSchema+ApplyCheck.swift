import OrderedCollections

extension OpenAPIKindSchema {
    /// What structured-merge-diff finds wrong with a server-side apply configuration before
    /// merging it, as kube-apiserver checks it against the kind's schema (kube-openapi's
    /// conversion of the schema, then `TypedValue.Validate`): `.spec.foo: field not declared in
    /// schema`, `.spec.replicas: expected numeric (int or float), got string`,
    /// `.spec.ports: duplicate entries for key [name="http"]`. Empty when the configuration types.
    ///
    /// As there: `x-kubernetes-preserve-unknown-fields` lets unknown fields through at that object
    /// and everywhere in its inline schema below; an object declaring no `properties` (and no
    /// `additionalProperties: false`) takes any member; a named schema (`ObjectMeta`) starts
    /// afresh. The walk of an object stops at its first undeclared member (kube walks a Go map, so
    /// which one comes first varies there; here it is the first in the document).
    public func applyConfigurationErrors(_ object: JSONValue) -> [String] {
        var errors: [String] = []
        check(object, root, path: "", preserving: false, isRoot: true, errors: &errors)
        return errors
    }

    /// kube-apiserver's 500 message for an apply configuration that does not type:
    /// `failed to create typed patch object (<namespace>/<name>; <apiVersion>, Kind=<kind>): <errors>`,
    /// one error inline, several as `errors:` with one indented line each. The namespace and
    /// name are those of the configuration's `metadata` (empty when it has none).
    public static func typedPatchFailure(_ errors: [String], configuration: JSONValue, kind: GroupVersionKind) -> String {
        let namespace = configuration["metadata"]?["namespace"]?.stringValue ?? ""
        let name = configuration["metadata"]?["name"]?.stringValue ?? ""
        let detail = errors.count == 1 ? errors[0] : (["errors:"] + errors.map { "  " + $0 }).joined(separator: "\n")
        return "failed to create typed patch object (\(namespace)/\(name); \(kind.apiVersion), Kind=\(kind.kind)): \(detail)"
    }

    private func check(
        _ value: JSONValue, _ schema: JSONValue, path: String, preserving inherited: Bool, isRoot: Bool = false,
        errors: inout [String]
    ) {
        let (resolved, named) = resolve(schema)
        // A named schema is converted on its own, without what its user inherited.
        let preserving = (named ? false : inherited)
            || resolved["x-kubernetes-preserve-unknown-fields"]?.boolValue == true
        if value.isNull { return }
        let type = resolved["type"]?.stringValue ?? ""
        func fail(_ message: String) { errors.append("\(path): \(message)") }
        switch (type, value) {
        case ("", .object(let members)), ("object", .object(let members)):
            checkMembers(members, resolved, path: path, preserving: preserving, isRoot: isRoot, errors: &errors)
        case ("", .array(let elements)), ("array", .array(let elements)):
            checkElements(elements, resolved, path: path, preserving: preserving, errors: &errors)
        case ("", _):
            return
        case ("object", _):
            fail("expected map, got &{\(Self.goValue(value))}")
        case ("array", _):
            fail("expected list, got &{\(Self.goValue(value))}")
        case ("integer", .int), ("integer", .double), ("number", .int), ("number", .double):
            return
        case ("integer", _), ("number", _):
            fail("expected numeric (int or float), got \(Self.goType(value))")
        case ("boolean", .bool):
            return
        case ("boolean", _):
            fail("expected boolean, got &{\(Self.goValue(value))}")
        case ("string", _):
            let format = resolved["format"]?.stringValue ?? ""
            if format.isEmpty || format == "byte" {
                if case .string = value { return }
                fail("expected string, got &value.valueUnstructured{Value:\(Self.goSyntax(value))}")
            } else {
                // Any other format is an untyped scalar there.
                switch value {
                case .object, .array: fail("expected any scalar, got &{\(Self.goValue(value))}")
                default: return
                }
            }
        default:
            return
        }
    }

    private func checkMembers(
        _ members: JSONObject, _ schema: JSONValue, path: String, preserving: Bool, isRoot: Bool,
        errors: inout [String]
    ) {
        let additional = schema["additionalProperties"]
        let declaresMembers = !(schema["properties"]?.objectValue?.isEmpty ?? true)
        for (name, member) in members {
            let childPath = path + "." + name
            if let declared = property(name, of: schema, isRoot: isRoot) {
                check(member, declared, path: childPath, preserving: preserving, errors: &errors)
                continue
            }
            switch additional {
            case .object?:
                check(member, additional!, path: childPath, preserving: preserving, errors: &errors)
            case .bool(true)?:
                continue
            case nil where preserving || !declaresMembers:
                continue
            default:
                errors.append("\(childPath): field not declared in schema")
                return
            }
        }
    }

    private func checkElements(_ elements: [JSONValue], _ schema: JSONValue, path: String, preserving: Bool,
                               errors: inout [String]) {
        let items = schema["items"].flatMap { $0.objectValue != nil ? $0 : nil }
        let listType = schema["x-kubernetes-list-type"]?.stringValue
        let keys = schema["x-kubernetes-list-map-keys"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var seen: Set<String> = []
        for (index, element) in elements.enumerated() {
            let identity: String
            switch listType {
            case "map"?, "set"?:
                switch associativeIdentity(element, keys: listType == "map" ? keys : [], items: items) {
                case .failure(let problem):
                    errors.append("\(path): element \(index): \(problem.message)")
                    return
                case .success(let found):
                    identity = found
                }
                if !seen.insert(identity).inserted {
                    errors.append("\(path): duplicate entries for key \(identity)")
                }
            default:
                identity = "[\(index)]"
            }
            if let items { check(element, items, path: path + identity, preserving: preserving, errors: &errors) }
        }
    }

    private struct ListElementProblem: Error {
        var message: String
    }

    /// `[name="web"]` (a list map's keys, sorted), `[="a"]` (a set's value).
    private func associativeIdentity(_ element: JSONValue, keys: [String], items: JSONValue?)
        -> Result<String, ListElementProblem>
    {
        if keys.isEmpty {
            switch element {
            case .object: return .failure(.init(message: "associative list without keys has an element that's a map type"))
            case .array: return .failure(.init(message: "not supported: associative list with lists as elements"))
            case .null:
                return .failure(.init(message: "associative list without keys has an element that's an explicit null"))
            default: return .success("[=\(element.jsonString())]")
            }
        }
        guard case .object(let members) = element else {
            return .failure(.init(message: element.isNull
                ? "associative list with keys may not have a null element"
                : "associative list with keys may not have non-map elements"))
        }
        let itemSchema = items.map { resolve($0).schema }
        var fields: [(String, JSONValue)] = []
        for key in keys {
            if let value = members[key] ?? itemSchema?["properties"]?[key]?["default"] { fields.append((key, value)) }
        }
        if fields.isEmpty {
            let quoted = keys.map { "\"\($0)\"" }.joined(separator: " ")
            return .failure(.init(message: "associative list with keys has an element that omits all key fields "
                + "[\(quoted)] (and doesn't have default values for any key fields)"))
        }
        let parts = fields.sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1.jsonString())" }
        return .success("[" + parts.joined(separator: ",") + "]")
    }

    // MARK: Go's printing of decoded JSON

    /// Go's `%v` of a decoded JSON value: `s`, `1.5`, `map[a:1 b:x]`, `[1 x]`.
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

    /// Go's `%#v` of a decoded JSON value: `"s"`, `map[string]interface {}{"a":1}`, `[]interface {}{1, "x"}`.
    static func goSyntax(_ value: JSONValue) -> String {
        switch value {
        case .null: "interface {}(nil)"
        case .bool(let flag): "\(flag)"
        case .int(let number): "\(number)"
        case .double(let number): goNumber(number)
        case .string: value.jsonString()
        case .array(let items): "[]interface {}{" + items.map(goSyntax).joined(separator: ", ") + "}"
        case .object(let members):
            "map[string]interface {}{" + members.sorted { $0.key < $1.key }
                .map { "\(JSONValue.string($0.key).jsonString()):\(goSyntax($0.value))" }
                .joined(separator: ", ") + "}"
        }
    }

    /// Go's `%T` of a decoded JSON value.
    static func goType(_ value: JSONValue) -> String {
        switch value {
        case .null: "<nil>"
        case .bool: "bool"
        case .int: "int64"
        case .double: "float64"
        case .string: "string"
        case .array: "[]interface {}"
        case .object: "map[string]interface {}"
        }
    }

    /// A float as Go's `%v` prints it: `1`, `1.5`, `1e+21`.
    static func goNumber(_ number: Double) -> String {
        if number.rounded() == number, abs(number) < 1e15 { return "\(Int64(number))" }
        let text = "\(number)"
        // Swift writes 1e+21 as "1e+21" already; Go pads the exponent to two digits.
        guard let e = text.firstIndex(of: "e") else { return text }
        var exponent = String(text[text.index(after: e)...])
        var sign = "+"
        if exponent.hasPrefix("-") || exponent.hasPrefix("+") { sign = String(exponent.removeFirst()) }
        if exponent.count < 2 { exponent = "0" + exponent }
        return String(text[..<e]) + "e" + sign + exponent
    }
}
