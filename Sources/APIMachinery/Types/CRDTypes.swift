public import Resources
import OrderedCollections

/// What a CustomResourceDefinition serves, and whether it is a valid one.
///
/// ```swift
/// try CRDTypes.validate(crd)                        // 422 with a cause per problem
/// let served = try CRDTypes.servedResources(from: crd)
/// let storage = served.first(where: \.isStorageVersion)
/// ```
public enum CRDTypes {
    /// The resource types of the served versions of `crd`, in the order of `spec.versions`.
    /// ``servedResources(from:)`` says which is the storage version.
    ///
    /// - Throws: a 422 ``APIError`` when `crd` is not a valid CustomResourceDefinition.
    public static func resourceTypes(from crd: Resource) throws(APIError) -> [ResourceType] {
        try servedResources(from: crd).map(\.type)
    }

    /// One ``ServedResource`` per served version of `crd`, in the order of `spec.versions`, with
    /// its subresources (`status`, `scale` and its paths), schema, printer columns and selectable
    /// fields; `isStorageVersion` marks the version with `storage: true`.
    ///
    /// - Throws: a 422 ``APIError`` when `crd` is not a valid CustomResourceDefinition.
    public static func servedResources(from crd: Resource) throws(APIError) -> [ServedResource] {
        try validate(crd)
        let spec = crd.spec ?? [:]
        let names = spec["names"] ?? [:]
        let group = spec["group"]?.stringValue ?? ""
        let kind = names["kind"]?.stringValue ?? ""
        let categories = names["categories"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let shortNames = names["shortNames"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var served: [ServedResource] = []
        for version in spec["versions"]?.arrayValue ?? [] where version["served"]?.boolValue == true {
            let subresources = version["subresources"] ?? [:]
            let type = ResourceType(
                group: group, version: version["name"]?.stringValue ?? "",
                resource: names["plural"]?.stringValue ?? "", singular: names["singular"]?.stringValue,
                kind: kind, listKind: names["listKind"]?.stringValue,
                namespaced: spec["scope"]?.stringValue == "Namespaced",
                hasStatus: subresources["status"] != nil, shortNames: shortNames, categories: categories)
            var sub: [Subresource] = []
            if subresources["status"] != nil { sub.append(.status(of: type)) }
            if subresources["scale"] != nil { sub.append(.scale) }
            served.append(ServedResource(
                type: type, verbs: customResourceVerbs, subresources: sub, isStorageVersion: version["storage"]?.boolValue ?? false,
                openAPIV3Schema: version["schema"]?["openAPIV3Schema"],
                additionalPrinterColumns: version["additionalPrinterColumns"]?.arrayValue, isCustomResource: true,
                scalePaths: subresources["scale"].flatMap(ScalePaths.init(json:)),
                selectableFields: (version["selectableFields"]?.arrayValue ?? []).compactMap { $0["jsonPath"]?.stringValue }))
        }
        return served
    }

    /// The verbs of a custom resource in the order kube-apiextensions-server lists them, which
    /// is not the sorted order of built-in kinds (`kubectl api-resources -o wide` shows it).
    public static let customResourceVerbs = [
        "delete", "deletecollection", "get", "list", "patch", "create", "update", "watch",
    ]

    /// The `status` kube-apiserver gives a valid CustomResourceDefinition once it serves it:
    /// `acceptedNames`, `storedVersions` (kept, plus the storage version) and the conditions
    /// `NamesAccepted` and `Established`, both `True` — what
    /// `kubectl wait --for=condition=Established crd/<name>` waits for. A condition that was
    /// already `True` keeps its `lastTransitionTime`.
    public static func establishedStatus(of crd: Resource, now: String) -> JSONValue {
        let spec = crd.spec ?? [:]
        let names = spec["names"] ?? [:]
        let kind = names["kind"]?.stringValue ?? ""
        var accepted: JSONObject = [
            "plural": names["plural"] ?? "", "singular": .string(names["singular"]?.stringValue ?? kind.lowercased()),
            "kind": .string(kind), "listKind": .string(names["listKind"]?.stringValue ?? "\(kind)List"),
        ]
        if let shortNames = names["shortNames"] { accepted["shortNames"] = shortNames }
        if let categories = names["categories"] { accepted["categories"] = categories }

        var stored = (crd.status?["storedVersions"]?.arrayValue ?? []).compactMap(\.stringValue)
        let storage = (spec["versions"]?.arrayValue ?? []).first { $0["storage"]?.boolValue == true }
        if let name = storage?["name"]?.stringValue, !stored.contains(name) { stored.append(name) }

        let previous = crd.status?["conditions"]?.arrayValue ?? []
        func condition(_ type: String, reason: String, message: String) -> JSONValue {
            let old = previous.first { $0["type"]?.stringValue == type }
            let since = old?["status"] == "True" ? (old?["lastTransitionTime"] ?? .string(now)) : .string(now)
            return [
                "type": .string(type), "status": "True", "lastTransitionTime": since, "reason": .string(reason),
                "message": .string(message),
            ]
        }
        return [
            "conditions": [
                condition("NamesAccepted", reason: "NoConflicts", message: "no conflicts found"),
                condition("Established", reason: "InitialNamesAccepted", message: "the initial names have been accepted"),
            ],
            "acceptedNames": .object(accepted),
            "storedVersions": .array(stored.map(JSONValue.string)),
        ]
    }

    /// Checks `crd` as kube-apiserver checks an `apiextensions.k8s.io/v1` CustomResourceDefinition.
    ///
    /// - Throws: 422 `CustomResourceDefinition.apiextensions.k8s.io "<name>" is invalid: …` with
    ///   one cause per problem.
    public static func validate(_ crd: Resource) throws(APIError) {
        let causes = validationCauses(crd)
        guard causes.isEmpty else {
            throw APIError.invalid(
                kind: "CustomResourceDefinition", group: "apiextensions.k8s.io", name: crd.name, causes: causes)
        }
    }

    /// The problems with `crd`, each worded as kube words it:
    ///
    /// - `metadata.name: Invalid value: "x": must be spec.names.plural+"."+spec.group`
    /// - `spec.group: Required value`, `spec.names.plural: Required value`, `spec.names.kind: Required value`
    /// - `spec.scope: Unsupported value: "x": supported values: "Cluster", "Namespaced"`
    /// - `spec.versions: Invalid value: ["v1","v2"]: must have exactly one version marked as storage version`
    /// - `spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required`
    /// - `spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields`
    /// - `spec.subresources.scale.specReplicasPath: Invalid value: ".foo": should be a json path under .spec`
    /// - `spec.selectableFields[0].jsonPath: Invalid value: ".spec.x": is an invalid path: does not refer to a valid field`
    public static func validationCauses(_ crd: Resource) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        let spec = crd.spec ?? [:]
        let group = spec["group"]?.stringValue ?? ""
        let names = spec["names"] ?? [:]
        let plural = names["plural"]?.stringValue ?? ""

        if !group.isEmpty, !plural.isEmpty, crd.name != "\(plural).\(group)" {
            causes.append(FieldErrors.invalid(
                "metadata.name", value: .string(crd.name), "must be spec.names.plural+\".\"+spec.group"))
        }

        if group.isEmpty {
            causes.append(FieldErrors.required("spec.group"))
        } else {
            let problems = NameRules.dns1123Subdomain(group)
            if !problems.isEmpty {
                causes.append(FieldErrors.invalid("spec.group", value: .string(group), problems.joined(separator: ",")))
            } else if !group.contains(".") {
                causes.append(FieldErrors.invalid("spec.group", value: .string(group), "should be a domain with at least one dot"))
            }
        }

        switch spec["scope"]?.stringValue ?? "" {
        case "Cluster", "Namespaced": break
        case "": causes.append(FieldErrors.required("spec.scope"))
        case let other:
            causes.append(FieldErrors.notSupported("spec.scope", value: .string(other), supported: ["Cluster", "Namespaced"]))
        }

        causes += namesCauses(names)
        causes += versionsCauses(spec["versions"]?.arrayValue ?? [])
        return causes
    }

    private static func namesCauses(_ names: JSONValue) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        let plural = names["plural"]?.stringValue ?? ""
        if plural.isEmpty {
            causes.append(FieldErrors.required("spec.names.plural"))
        } else if let problem = dns1035LabelProblem(plural) {
            causes.append(FieldErrors.invalid("spec.names.plural", value: .string(plural), problem))
        }
        if let singular = names["singular"]?.stringValue, !singular.isEmpty, let problem = dns1035LabelProblem(singular) {
            causes.append(FieldErrors.invalid("spec.names.singular", value: .string(singular), problem))
        }
        let kind = names["kind"]?.stringValue ?? ""
        if kind.isEmpty {
            causes.append(FieldErrors.required("spec.names.kind"))
        } else if dns1035LabelProblem(kind.lowercased()) != nil {
            causes.append(FieldErrors.invalid(
                "spec.names.kind", value: .string(kind),
                "may have mixed case, but should otherwise match: [a-z]([-a-z0-9]*[a-z0-9])?"))
        }
        if let listKind = names["listKind"]?.stringValue, !listKind.isEmpty {
            if dns1035LabelProblem(listKind.lowercased()) != nil {
                causes.append(FieldErrors.invalid(
                    "spec.names.listKind", value: .string(listKind),
                    "may have mixed case, but should otherwise match: [a-z]([-a-z0-9]*[a-z0-9])?"))
            } else if listKind == kind {
                causes.append(FieldErrors.invalid(
                    "spec.names.listKind", value: .string(listKind), "kind and listKind may not be the same"))
            }
        }
        for (index, shortName) in (names["shortNames"]?.arrayValue ?? []).enumerated() {
            let text = shortName.stringValue ?? ""
            if let problem = dns1035LabelProblem(text) {
                causes.append(FieldErrors.invalid("spec.names.shortNames[\(index)]", value: shortName, problem))
            }
        }
        return causes
    }

    private static func versionsCauses(_ versions: [JSONValue]) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        guard !versions.isEmpty else {
            return [FieldErrors.required("spec.versions", "must have exactly one version marked as storage version")]
        }
        // Go prints the whole versions slice here; the names say the same in a readable line.
        let versionNames = JSONValue.array(versions.map { .string($0["name"]?.stringValue ?? "") })
        var seen: Set<String> = []
        var unique = true
        for (index, version) in versions.enumerated() {
            let path = "spec.versions[\(index)]"
            let name = version["name"]?.stringValue ?? ""
            if !seen.insert(name).inserted { unique = false }
            if name.isEmpty {
                causes.append(FieldErrors.required("\(path).name"))
            } else if let problem = dns1035LabelProblem(name) {
                causes.append(FieldErrors.invalid("\(path).name", value: .string(name), problem))
            }
            let schemaPath = "\(path).schema.openAPIV3Schema"
            if let schema = version["schema"]?["openAPIV3Schema"] {
                causes += StructuralityCheck.causes(schema, at: schemaPath)
            } else {
                causes.append(FieldErrors.required(schemaPath, "schemas are required"))
            }
            if let selectable = version["selectableFields"]?.arrayValue, !selectable.isEmpty {
                let shared = versions.allSatisfy { $0["selectableFields"] == version["selectableFields"] }
                if !shared || index == 0 {
                    causes += selectableFieldCauses(
                        selectable, schema: version["schema"]?["openAPIV3Schema"],
                        at: shared ? "spec.selectableFields" : "\(path).selectableFields")
                }
            }
            if let scale = version["subresources"]?["scale"] {
                // kube names the subresources of the spec when every version has the same ones.
                let shared = versions.allSatisfy { $0["subresources"] == version["subresources"] }
                if !shared || index == 0 {
                    causes += scaleCauses(scale, at: shared ? "spec.subresources.scale" : "\(path).subresources.scale")
                }
            }
            for (columnIndex, column) in (version["additionalPrinterColumns"]?.arrayValue ?? []).enumerated() {
                let columnPath = "\(path).additionalPrinterColumns[\(columnIndex)]"
                if (column["name"]?.stringValue ?? "").isEmpty {
                    causes.append(FieldErrors.required("\(columnPath).name"))
                }
                if (column["jsonPath"]?.stringValue ?? "").isEmpty {
                    causes.append(FieldErrors.required("\(columnPath).jsonPath"))
                }
                let columnType = column["type"]?.stringValue ?? ""
                if !PrinterColumn.types.contains(columnType) {
                    causes.append(FieldErrors.notSupported(
                        "\(columnPath).type", value: .string(columnType), supported: PrinterColumn.types))
                }
            }
        }
        if !unique {
            causes.append(FieldErrors.invalid("spec.versions", value: versionNames, "must contain unique version names"))
        }
        if versions.count(where: { $0["storage"]?.boolValue == true }) != 1 {
            causes.append(FieldErrors.invalid(
                "spec.versions", value: versionNames, "must have exactly one version marked as storage version"))
        }
        return causes
    }

    /// The problems with `subresources.scale`: the replicas paths are required, simple JSON
    /// paths under `.spec.` and `.status.`; a label selector path is under either.
    private static func scaleCauses(_ scale: JSONValue, at path: String) -> [APIError.Cause] {
        var causes: [APIError.Cause] = []
        func check(_ name: String, prefixes: [String], message: String, required: Bool) {
            let field = "\(path).\(name)"
            guard let value = scale[name]?.stringValue, !value.isEmpty else {
                if required { causes.append(FieldErrors.required(field)) }
                return
            }
            if !value.hasPrefix(".") {
                causes.append(FieldErrors.invalid(field, value: .string(value), "must be a simple json path starting with ."))
            } else if !prefixes.contains(where: value.hasPrefix) {
                causes.append(FieldErrors.invalid(field, value: .string(value), message))
            }
        }
        check("specReplicasPath", prefixes: [".spec."], message: "should be a json path under .spec", required: true)
        check("statusReplicasPath", prefixes: [".status."], message: "should be a json path under .status", required: true)
        check("labelSelectorPath", prefixes: [".spec.", ".status."],
              message: "should be a json path under either .spec or .status", required: false)
        return causes
    }

    /// The problems with `selectableFields`: each a JSON path (`.spec.colour`) to a string,
    /// boolean or integer field of the schema, no two the same, at most 8.
    private static func selectableFieldCauses(_ fields: [JSONValue], schema: JSONValue?, at path: String)
        -> [APIError.Cause]
    {
        var causes: [APIError.Cause] = []
        var seen: Set<String> = []
        for (index, selectable) in fields.enumerated() {
            let field = "\(path)[\(index)].jsonPath"
            guard let jsonPath = selectable["jsonPath"]?.stringValue, !jsonPath.isEmpty else {
                causes.append(FieldErrors.required(field))
                continue
            }
            guard jsonPath.hasPrefix(".") else {
                let first = jsonPath.split(separator: ".", maxSplits: 1).first.map(String.init) ?? jsonPath
                causes.append(FieldErrors.invalid(
                    field, value: .string(jsonPath), "is an invalid path: expected [ or . but got: \(first)"))
                continue
            }
            var node = schema
            for name in jsonPath.dropFirst().split(separator: ".", omittingEmptySubsequences: false) {
                node = node?["properties"]?[String(name)]
            }
            guard let node else {
                causes.append(FieldErrors.invalid(
                    field, value: .string(jsonPath), "is an invalid path: does not refer to a valid field"))
                continue
            }
            if !["string", "boolean", "integer"].contains(node["type"]?.stringValue ?? "") {
                causes.append(FieldErrors.invalid(
                    field, value: .string(jsonPath),
                    "must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed."))
            }
            if !seen.insert(jsonPath).inserted {
                causes.append(APIError.Cause(
                    type: "FieldValueDuplicate", message: "Duplicate value: \"\(jsonPath)\"", field: field))
            }
        }
        if seen.count > 8 { causes.append(FieldErrors.tooMany(path, count: seen.count, max: 8)) }
        return causes
    }

    /// The message of apimachinery's `IsDNS1035Label`, or `nil` when `value` is one.
    static func dns1035LabelProblem(_ value: String) -> String? {
        if value.utf8.count > 63 { return "must be no more than 63 characters" }
        let bytes = Array(value.utf8)
        let lowerAlpha = { (b: UInt8) in b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z") }
        let alnum = { (b: UInt8) in lowerAlpha(b) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) }
        let valid = !bytes.isEmpty && lowerAlpha(bytes[0]) && alnum(bytes[bytes.count - 1])
            && bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") }
        if valid { return nil }
        return "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
            + "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
            + "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
    }
}
