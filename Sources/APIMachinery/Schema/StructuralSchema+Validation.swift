public import Resources
import OrderedCollections

extension StructuralSchema {
    /// Checks `object` against the schema and returns one cause per problem, worded as
    /// kube-apiserver words custom resource validation errors:
    ///
    /// - `spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`
    /// - `spec.name: Required value`
    /// - `spec.mode: Unsupported value: "x": supported values: "a", "b"`
    /// - `spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1`
    /// - `spec.name: Invalid value: "ab": spec.name in body should be at least 3 chars long`
    /// - `spec.name: Too long: may not be longer than 5`
    /// - `spec.items: Too many: 4: must have at most 3 items`
    /// - `spec.name: Invalid value: "A": spec.name in body should match '^[a-z]+$'`
    ///
    /// `apiVersion`, `kind` and `metadata` at the root are always allowed and not checked here
    /// (object metadata has its own rules). Prune before validating, as kube does, or members the
    /// schema does not know are reported as forbidden where `additionalProperties: false`.
    public func validate(_ object: JSONValue) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        SchemaNode.validate(object, against: root, at: "", isRoot: true, into: &causes)
        return causes
    }
}

extension SchemaNode {
    /// Checks `value` at `path` (empty for the root), appending causes.
    static func validate(
        _ value: JSONValue, against schema: SchemaNode, at path: String, isRoot: Bool = false,
        into causes: inout [APIError.Cause]
    ) {
        if value.isNull {
            // `null` is a value of its own type: allowed only where `nullable`.
            if !schema.nullable, let expected = schema.expectedTypeName {
                causes.append(typeError(path, expected: expected, actual: "null"))
            }
            return
        }
        if let expected = schema.expectedTypeName, !schema.accepts(value) {
            causes.append(typeError(path, expected: expected, actual: value.typeName))
            return
        }
        switch value {
        case .object(let members):
            validateObject(members, against: schema, at: path, isRoot: isRoot, into: &causes)
        case .array(let elements):
            validateArray(elements, against: schema, at: path, into: &causes)
        case .string(let text):
            validateString(text, against: schema, at: path, into: &causes)
        case .int, .double:
            validateNumber(value, against: schema, at: path, into: &causes)
        case .bool, .null:
            break
        }
        if let allowed = schema.enumValues, !allowed.contains(value) {
            causes.append(FieldErrors.notSupported(
                path, value: value,
                supported: allowed.map { $0.stringValue ?? $0.jsonString() }))
        }
    }

    private static func validateObject(
        _ members: JSONObject, against schema: SchemaNode, at path: String, isRoot: Bool,
        into causes: inout [APIError.Cause]
    ) {
        if schema.embeddedResource {
            if (members["apiVersion"]?.stringValue ?? "").isEmpty {
                causes.append(FieldErrors.required(child(path, "apiVersion"), "must not be empty"))
            }
            if (members["kind"]?.stringValue ?? "").isEmpty {
                causes.append(FieldErrors.required(child(path, "kind"), "must not be empty"))
            }
        }
        for name in schema.required where members[name] == nil {
            if isRoot, rootMembers.contains(name) { continue }
            causes.append(FieldErrors.required(child(path, name)))
        }
        for (name, member) in members {
            if isRoot, rootMembers.contains(name) { continue }
            let memberPath = child(path, name)
            if let memberSchema = schema.member(name) {
                validate(member, against: memberSchema, at: memberPath, into: &causes)
            } else if case .allowed(false) = schema.additionalProperties {
                // Not reachable from a valid CRD (structural schemas never say `false`); worded as
                // kube-openapi words it for completeness.
                causes.append(FieldErrors.invalid(
                    path, value: .string(name), "\(memberPath) in body is a forbidden property"))
            }
        }
    }

    private static func validateArray(
        _ elements: [JSONValue], against schema: SchemaNode, at path: String, into causes: inout [APIError.Cause]
    ) {
        if let minItems = schema.minItems, elements.count < minItems {
            causes.append(FieldErrors.invalid(
                path, value: .array(elements), "\(path) in body should have at least \(minItems) items"))
        }
        if let maxItems = schema.maxItems, elements.count > maxItems {
            causes.append(FieldErrors.tooMany(path, count: elements.count, max: maxItems))
        }
        guard let items = schema.items else { return }
        for (index, element) in elements.enumerated() {
            validate(element, against: items, at: "\(path)[\(index)]", into: &causes)
        }
    }

    private static func validateString(
        _ text: String, against schema: SchemaNode, at path: String, into causes: inout [APIError.Cause]
    ) {
        // Lengths count characters (runes), as kube-openapi does.
        let length = text.unicodeScalars.count
        if let minLength = schema.minLength, length < minLength {
            causes.append(FieldErrors.invalid(
                path, value: .string(text), "\(path) in body should be at least \(minLength) chars long"))
        }
        if let maxLength = schema.maxLength, length > maxLength {
            causes.append(FieldErrors.tooLong(path, maxLength: maxLength))
        }
        if let pattern = schema.pattern, !pattern.matches(text) {
            causes.append(FieldErrors.invalid(
                path, value: .string(text), "\(path) in body should match '\(pattern.source)'"))
        }
    }

    private static func validateNumber(
        _ value: JSONValue, against schema: SchemaNode, at path: String, into causes: inout [APIError.Cause]
    ) {
        guard let number = value.doubleValue else { return }
        if let minimum = schema.minimum {
            let shown = FieldErrors.formatNumber(minimum)
            if schema.exclusiveMinimum, number <= minimum {
                causes.append(FieldErrors.invalid(path, value: value, "\(path) in body should be greater than \(shown)"))
            } else if number < minimum {
                causes.append(FieldErrors.invalid(
                    path, value: value, "\(path) in body should be greater than or equal to \(shown)"))
            }
        }
        if let maximum = schema.maximum {
            let shown = FieldErrors.formatNumber(maximum)
            if schema.exclusiveMaximum, number >= maximum {
                causes.append(FieldErrors.invalid(path, value: value, "\(path) in body should be less than \(shown)"))
            } else if number > maximum {
                causes.append(FieldErrors.invalid(
                    path, value: value, "\(path) in body should be less than or equal to \(shown)"))
            }
        }
    }

    private static func typeError(_ path: String, expected: String, actual: String) -> APIError.Cause {
        FieldErrors.typeInvalid(
            path, value: .string(actual), "\(path) in body must be of type \(expected): \(FieldErrors.goQuoted(actual))")
    }

    /// Members of the root object that every object has and the schema never restricts.
    static let rootMembers: Set<String> = ["apiVersion", "kind", "metadata"]

    /// `path.name`, or `name` at the root.
    static func child(_ path: String, _ name: String) -> String {
        path.isEmpty ? name : "\(path).\(name)"
    }

    /// The type named in messages, or `nil` when any type is allowed.
    var expectedTypeName: String? {
        if intOrString { return "integer,string" }
        guard let type, !type.isEmpty else { return nil }
        return type
    }

    /// Whether `value` (not `null`) has the type this node asks for.
    func accepts(_ value: JSONValue) -> Bool {
        if intOrString {
            switch value {
            case .string: return true
            case .int, .double: return value.intValue != nil
            default: return false
            }
        }
        switch (type ?? "", value) {
        case ("", _): return true
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool): return true
        case ("number", .int), ("number", .double): return true
        // An integer is any number without a fraction: 3 and 3.0, not 3.5.
        case ("integer", .int): return true
        case ("integer", .double): return value.intValue != nil
        default: return false
        }
    }
}
