import OrderedCollections
public import Resources

/// A field selector: requirements on fields of an object, with `=`, `==` and `!=`, separated by
/// commas. Which fields a kind may be selected on, and how each is read from an object, is the
/// kind's ``SelectableFields`` (Secrets on `type`, Events on `involvedObject.name`, …);
/// `metadata.name` and `metadata.namespace` are read from the store's keys.
///
/// ```swift
/// let selector = try FieldSelector(parsing: "type=Opaque,metadata.name!=web", fields: .forKind(group: "", kind: "Secret"))
/// selector.matches(namespace: "shop", name: "db")   // the metadata part
/// selector.matches(secret)                          // the rest, read from the object
/// ```
public struct FieldSelector: Sendable, Hashable, CustomStringConvertible {
    /// One condition.
    public struct Requirement: Sendable, Hashable {
        /// The field as selected on (`metadata.name`, `type`, `spec.nodeName`).
        public var field: String
        /// `true` for `!=`.
        public var negated: Bool
        public var value: String
        /// Where the value is read from the object (unused for `metadata.name|namespace`).
        public var source: SelectableFields.Source

        public init(field: String, negated: Bool = false, value: String, source: SelectableFields.Source? = nil) {
            self.field = field
            self.negated = negated
            self.value = value
            self.source = source ?? SelectableFields.Source(path: field)
        }

        /// Whether the requirement is on the object's name or namespace, which the store can
        /// match on its keys without reading the object.
        public var isOnKey: Bool { field == "metadata.name" || field == "metadata.namespace" }
    }

    public var requirements: [Requirement]

    public init(_ requirements: [Requirement] = []) {
        self.requirements = requirements
    }

    /// The selector that matches everything.
    public static let everything = FieldSelector()

    public var isEmpty: Bool { requirements.isEmpty }

    /// Whether some requirement needs the object itself (not only its name and namespace).
    public var selectsOnObject: Bool { requirements.contains { !$0.isOnKey } }

    /// Parses `field=value,field==value,field!=value` for a kind whose selectable fields are
    /// `fields` (by default `metadata.name` and `metadata.namespace` only).
    ///
    /// - Throws: ``APIError`` (400 BadRequest) for a malformed selector, or a field the kind
    ///   does not support, worded as kube-apiserver words it for that kind.
    public init(parsing text: String, fields: SelectableFields = .metadataOnly) throws(APIError) {
        // As apimachinery's fields.ParseSelector: terms split on unescaped commas and sorted,
        // each split at its first operator, values unescaped; only then are the fields checked.
        var terms: [(label: String, negated: Bool, value: String)] = []
        let parts = Self.splitTerms(text).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        for part in parts where !part.isEmpty {
            guard let (label, op, raw) = Self.splitTerm(part) else {
                throw APIError.badRequest("invalid selector: '\(text)'; can't understand '\(part)'")
            }
            terms.append((label, op == "!=", try Self.unescape(raw)))
        }
        var requirements: [Requirement] = []
        for term in terms {
            guard let (field, source) = fields.resolve(term.label) else {
                throw APIError.badRequest(fields.rejection(term.label))
            }
            requirements.append(Requirement(field: field, negated: term.negated, value: term.value, source: source))
        }
        self.init(requirements)
    }

    /// The terms between commas not escaped by a backslash (the backslashes stay).
    static func splitTerms(_ text: String) -> [String] {
        if text.isEmpty { return [] }
        var terms: [String] = []
        var current = String.UnicodeScalarView()
        var inSlash = false
        for scalar in text.unicodeScalars {
            if inSlash {
                inSlash = false
            } else if scalar == "\\" {
                inSlash = true
            } else if scalar == "," {
                terms.append(String(current))
                current = String.UnicodeScalarView()
                continue
            }
            current.append(scalar)
        }
        terms.append(String(current))
        return terms
    }

    /// A term split at the first `!=`, `==` or `=` from the left; `nil` without one.
    static func splitTerm(_ term: String) -> (String, String, String)? {
        let scalars = Array(term.unicodeScalars)
        for index in scalars.indices {
            for op in ["!=", "==", "="] where scalars[index...].starts(with: op.unicodeScalars) {
                let lhs = String(String.UnicodeScalarView(scalars[..<index]))
                let rhs = String(String.UnicodeScalarView(scalars[(index + op.unicodeScalars.count)...]))
                return (lhs, op, rhs)
            }
        }
        return nil
    }

    /// A value with `\\`, `\,` and `\=` unescaped; a bare `,` or `=`, or another escape, is an error.
    static func unescape(_ raw: String) throws(APIError) -> String {
        var value = String.UnicodeScalarView()
        var inSlash = false
        for scalar in raw.unicodeScalars {
            if inSlash {
                guard scalar == "\\" || scalar == "," || scalar == "=" else {
                    throw APIError.badRequest("invalid field selector: invalid escape sequence: \\\(Character(scalar))")
                }
                value.append(scalar)
                inSlash = false
                continue
            }
            switch scalar {
            case "\\": inSlash = true
            case ",", "=":
                // Go prints the rune as its number.
                throw APIError.badRequest("invalid field selector: unescaped character in value: \(scalar.value)")
            default: value.append(scalar)
            }
        }
        if inSlash { throw APIError.badRequest("invalid field selector: invalid escape sequence: \\") }
        return String(value)
    }

    /// Whether an object with this namespace ("" when cluster-scoped) and name matches the
    /// requirements on `metadata.name` and `metadata.namespace`.
    public func matches(namespace: String, name: String) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement.field {
            case "metadata.name": (name == requirement.value) != requirement.negated
            case "metadata.namespace": (namespace == requirement.value) != requirement.negated
            default: true
            }
        }
    }

    /// Whether `object` matches the requirements on other fields (see ``selectsOnObject``).
    public func matches(_ object: Resource) -> Bool {
        requirements.allSatisfy { requirement in
            requirement.isOnKey || (requirement.source.value(in: object) == requirement.value) != requirement.negated
        }
    }

    /// The selector as a query parameter: values escaped (`\\`, `\,`, `\=`) as apimachinery's
    /// `fields.EscapeValue` does, so that it parses back to the same selector.
    public var description: String {
        requirements.map { "\($0.field)\($0.negated ? "!=" : "=")\(Self.escape($0.value))" }.joined(separator: ",")
    }

    /// `value` with `\`, `,` and `=` escaped, the inverse of ``unescape(_:)``.
    static func escape(_ value: String) -> String {
        var escaped = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            if scalar == "\\" || scalar == "," || scalar == "=" { escaped.append("\\") }
            escaped.append(scalar)
        }
        return String(escaped)
    }
}

/// The fields a field selector may name for one kind, as kube-apiserver registers them, and
/// how each is read from an object.
///
/// ```swift
/// SelectableFields.forKind(group: "", kind: "Secret").resolve("type")   // ("type", .path "type")
/// SelectableFields.forKind(group: "", kind: "Secret").rejection("foo")  // "field label not supported: foo"
/// ```
public struct SelectableFields: Sendable, Hashable {
    /// Where a selectable field's value comes from: the first of `paths` present in the object,
    /// printed as kube prints it (`true`, `3`), else `missing`.
    public struct Source: Sendable, Hashable {
        /// Each path is a list of member names and array indexes (`["status", "podIPs", "0", "ip"]`).
        public var paths: [[String]]
        public var missing: String

        public init(paths: [[String]], missing: String = "") {
            self.paths = paths
            self.missing = missing
        }

        /// The dotted field `path` itself.
        public init(path: String, missing: String = "") {
            self.init(paths: [path.split(separator: ".").map(String.init)], missing: missing)
        }

        public func value(in object: Resource) -> String {
            for path in paths {
                var current: JSONValue? = .object(object.object)
                for segment in path {
                    if let index = Int(segment), case .array(let elements)? = current {
                        current = index < elements.count ? elements[index] : nil
                    } else {
                        current = current?[segment]
                    }
                }
                switch current {
                case .string(let text)?: return text
                case .bool(let flag)?: return flag ? "true" : "false"
                case nil, .null?: continue
                case let other?: return other.jsonString()
                }
            }
            return missing
        }
    }

    /// How kube words a field it does not support for the kind.
    public enum Rejection: Sendable, Hashable {
        /// `"foo" is not a known field selector: only "metadata.name", "metadata.namespace"`
        /// (kinds without their own field conversion).
        case notKnown
        /// `field label not supported: foo` (core kinds with their own field conversion, custom resources).
        case notSupported
        /// `field label "foo" not supported for Job`.
        case notSupportedFor(kind: String)
    }

    /// Field → where its value comes from, `metadata.name` and `metadata.namespace` included
    /// when supported.
    public var fields: [String: Source]
    /// Labels kube accepts and rewrites to another field (`spec.host` → `spec.nodeName`).
    public var aliases: [String: String]
    public var rejection: Rejection

    public init(fields: [String: Source], aliases: [String: String] = [:], rejection: Rejection) {
        self.fields = fields
        self.aliases = aliases
        self.rejection = rejection
    }

    /// `metadata.name` and `metadata.namespace`: what every kind supports unless kube
    /// registers its own fields for it.
    public static let metadataOnly = SelectableFields(
        fields: ["metadata.name": Source(path: "metadata.name"), "metadata.namespace": Source(path: "metadata.namespace")],
        rejection: .notKnown)

    /// The field `label` selects, and where its value comes from; `nil` when unsupported.
    public func resolve(_ label: String) -> (String, Source)? {
        let field = aliases[label] ?? label
        return fields[field].map { (field, $0) }
    }

    /// The message of the 400 kube-apiserver answers a selector on `label` with.
    public func rejection(_ label: String) -> String {
        switch rejection {
        case .notKnown: "\"\(label)\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
        case .notSupported: "field label not supported: \(label)"
        case .notSupportedFor(let kind): "field label \"\(label)\" not supported for \(kind)"
        }
    }

    /// The selectable fields of a built-in kind (`pkg/apis/*/conversion.go` and the kinds'
    /// `GetAttrs` in kube-apiserver).
    public static func forKind(group: String, kind: String) -> SelectableFields {
        let name = ["metadata.name": Source(path: "metadata.name")]
        let namespaced = name.merging(["metadata.namespace": Source(path: "metadata.namespace")]) { $1 }
        func plain(_ names: String...) -> [String: Source] {
            Dictionary(uniqueKeysWithValues: names.map { ($0, Source(path: $0)) })
        }
        switch (group, kind) {
        case ("", "Secret"):
            return SelectableFields(fields: namespaced.merging(plain("type")) { $1 }, rejection: .notSupported)
        case ("", "Namespace"):
            return SelectableFields(fields: name.merging(plain("status.phase")) { $1 }, rejection: .notSupported)
        case ("", "Node"):
            return SelectableFields(
                fields: name.merging(["spec.unschedulable": Source(path: "spec.unschedulable", missing: "false")]) { $1 },
                rejection: .notSupported)
        case ("", "Service"):
            return SelectableFields(
                fields: namespaced.merging(plain("spec.clusterIP", "spec.type")) { $1 }, rejection: .notSupported)
        case ("", "ReplicationController"):
            return SelectableFields(
                fields: namespaced.merging(["status.replicas": Source(path: "status.replicas", missing: "0")]) { $1 },
                rejection: .notSupported)
        case ("", "Event"):
            var fields = namespaced.merging(plain(
                "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
                "reportingComponent", "type")) { $1 }
            // kube reads the source component, or else the reporting controller.
            fields["source"] = Source(paths: [["source", "component"], ["reportingComponent"]])
            return SelectableFields(fields: fields, rejection: .notSupported)
        case ("", "Pod"):
            var fields = namespaced.merging(plain(
                "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "status.phase",
                "status.nominatedNodeName")) { $1 }
            fields["spec.hostNetwork"] = Source(path: "spec.hostNetwork", missing: "false")
            fields["status.podIP"] = Source(paths: [["status", "podIPs", "0", "ip"], ["status", "podIP"]])
            // Accepted, but kube has no value for it: it reads as empty.
            fields["status.podIPs"] = Source(paths: [])
            return SelectableFields(fields: fields, aliases: ["spec.host": "spec.nodeName"], rejection: .notSupported)
        case ("batch", "Job"):
            return SelectableFields(
                fields: namespaced.merging(["status.successful": Source(path: "status.succeeded", missing: "0")]) { $1 },
                rejection: .notSupportedFor(kind: "Job"))
        default:
            return .metadataOnly
        }
    }

    /// The selectable fields of a custom resource: `metadata.name`, `metadata.namespace` when
    /// namespaced, and the CRD version's `selectableFields` (JSON paths such as `.spec.color`).
    public static func customResource(namespaced: Bool, jsonPaths: [String]) -> SelectableFields {
        var fields = ["metadata.name": Source(path: "metadata.name")]
        if namespaced { fields["metadata.namespace"] = Source(path: "metadata.namespace") }
        for jsonPath in jsonPaths {
            let field = jsonPath.hasPrefix(".") ? String(jsonPath.dropFirst()) : jsonPath
            fields[field] = Source(path: field)
        }
        return SelectableFields(fields: fields, rejection: .notSupported)
    }
}
