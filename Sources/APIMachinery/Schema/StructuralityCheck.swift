public import Resources
import OrderedCollections

/// Checks that an `openAPIV3Schema` is structural, as kube-apiserver requires of every
/// `apiextensions.k8s.io/v1` CustomResourceDefinition, with its wording:
///
/// ```
/// spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields
/// spec.versions[0].schema.openAPIV3Schema.type: Invalid value: "string": must be object at the root
/// spec.versions[0].schema.openAPIV3Schema.properties[list].items: Required value: must be specified
/// ```
///
/// Every node needs a `type` unless it says `x-kubernetes-preserve-unknown-fields: true` or
/// `x-kubernetes-int-or-string: true`; arrays need `items`; the root is an object without
/// `additionalProperties`; `additionalProperties` is never `false` nor beside `properties`; embedded resources are objects; `metadata` at the root may only
/// restrict `name` and `generateName`; patterns must compile.
public enum StructuralityCheck {
    /// The types a schema may name.
    public static let types = ["array", "boolean", "integer", "number", "object", "string"]

    /// The problems with `schema`, found at `path` (such as
    /// `spec.versions[0].schema.openAPIV3Schema`), sorted as kube sorts them.
    public static func causes(_ schema: JSONValue, at path: String) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        check(schema, level: .root, at: path, into: &causes)
        return causes.sorted { "\($0.field): \($0.message)" < "\($1.field): \($1.message)" }
    }

    private enum Level { case root, item, field }

    private static func check(_ schema: JSONValue, level: Level, at path: String, into causes: inout [APIError.Cause]) {
        guard let node = schema.objectValue else {
            causes.append(FieldErrors.invalid(path, value: schema, "must be an object"))
            return
        }
        let type = node["type"]?.stringValue ?? ""
        let preserve = node["x-kubernetes-preserve-unknown-fields"]?.boolValue ?? false
        let intOrString = node["x-kubernetes-int-or-string"]?.boolValue ?? false
        let embedded = node["x-kubernetes-embedded-resource"]?.boolValue ?? false

        if !type.isEmpty, !types.contains(type) {
            causes.append(FieldErrors.notSupported("\(path).type", value: .string(type), supported: types))
        }
        if type == "array", node["items"] == nil {
            causes.append(FieldErrors.required("\(path).items", "must be specified"))
        }
        if let items = node["items"] {
            check(items, level: .item, at: "\(path).items", into: &causes)
        }
        for (name, property) in node["properties"]?.objectValue ?? [:] {
            check(property, level: .field, at: "\(path).properties[\(name)]", into: &causes)
        }
        if let additional = node["additionalProperties"] {
            if additional == false {
                causes.append(FieldErrors.forbidden(
                    "\(path).additionalProperties", "additionalProperties cannot be set to false"))
            } else if !(node["properties"]?.objectValue ?? [:]).isEmpty {
                causes.append(FieldErrors.forbidden(
                    "\(path).properties", "additionalProperties and properties are mutual exclusive"))
            }
            if level == .root {
                causes.append(FieldErrors.forbidden("\(path).additionalProperties", "must not be used at the root"))
            }
            if additional.objectValue != nil {
                check(additional, level: .field, at: "\(path).additionalProperties", into: &causes)
            }
            if embedded {
                causes.append(FieldErrors.forbidden(
                    "\(path).additionalProperties", "must not be used if x-kubernetes-embedded-resource is set"))
            }
        }
        if intOrString, preserve {
            causes.append(FieldErrors.invalid(
                "\(path).x-kubernetes-preserve-unknown-fields", value: true,
                "must be false if x-kubernetes-int-or-string is true"))
        }
        if intOrString, embedded {
            causes.append(FieldErrors.invalid(
                "\(path).x-kubernetes-embedded-resource", value: true,
                "must be false if x-kubernetes-int-or-string is true"))
        }
        if let pattern = node["pattern"]?.stringValue, CompiledPattern(pattern) == nil {
            causes.append(FieldErrors.invalid(
                "\(path).pattern", value: .string(pattern), "must be a valid regular expression, but isn't"))
        }

        if embedded, type != "object" {
            if type.isEmpty {
                causes.append(FieldErrors.required("\(path).type", "must be object if x-kubernetes-embedded-resource is true"))
            } else {
                causes.append(FieldErrors.invalid(
                    "\(path).type", value: .string(type), "must be object if x-kubernetes-embedded-resource is true"))
            }
        } else if type.isEmpty, !intOrString, !preserve {
            let detail = switch level {
            case .root: "must not be empty at the root"
            case .item: "must not be empty for specified array items"
            case .field: "must not be empty for specified object fields"
            }
            causes.append(FieldErrors.required("\(path).type", detail))
        }
        if level == .root, !type.isEmpty, type != "object" {
            causes.append(FieldErrors.invalid("\(path).type", value: .string(type), "must be object at the root"))
        }

        let checksEnvelope = level == .root || embedded
        if checksEnvelope {
            for member in ["kind", "apiVersion"] {
                guard let property = node["properties"]?[member] else { continue }
                let memberType = property["type"]?.stringValue ?? ""
                if memberType != "string" {
                    causes.append(FieldErrors.invalid(
                        "\(path).properties[\(member)].type", value: .string(memberType), "must be string"))
                }
            }
        }
        if let metadata = node["properties"]?["metadata"] {
            checkMetadata(metadata, checksEnvelope: checksEnvelope, level: level, at: "\(path).properties[metadata]",
                          into: &causes)
        }
        if embedded, !preserve, (node["properties"]?.objectValue ?? [:]).isEmpty {
            causes.append(FieldErrors.required(
                "\(path).properties",
                "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"))
        }
    }

    private static func checkMetadata(
        _ metadata: JSONValue, checksEnvelope: Bool, level: Level, at path: String, into causes: inout [APIError.Cause]
    ) {
        let type = metadata["type"]?.stringValue ?? ""
        if checksEnvelope, type != "object" {
            causes.append(FieldErrors.invalid("\(path).type", value: .string(type), "must be object"))
        }
        guard level == .root else { return }
        // At the root, metadata may say it is an object and restrict name and generateName; anything
        // else would contradict the metadata every object has.
        let allowedKeys: Set<String> = ["type", "properties", "description"]
        let properties = Set((metadata["properties"]?.objectValue ?? [:]).keys)
        let extraKeys = (metadata.objectValue ?? [:]).keys.contains { !allowedKeys.contains($0) }
        if extraKeys || !properties.isSubset(of: ["name", "generateName"]) {
            causes.append(FieldErrors.forbidden(
                path, "must not specify anything other than name and generateName, but metadata is implicitly specified"))
        }
    }
}
