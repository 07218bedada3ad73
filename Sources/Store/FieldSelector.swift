import OrderedCollections
public import Resources

/// A field selector on the fields every object supports: `metadata.name` and
/// `metadata.namespace`, with `=`, `==` and `!=`, requirements separated by commas.
///
/// ```swift
/// let selector = try FieldSelector(parsing: "metadata.namespace!=kube-system,metadata.name=web")
/// selector.matches(namespace: "shop", name: "web")   // true
/// ```
public struct FieldSelector: Sendable, Hashable, CustomStringConvertible {
    /// A field the store can select on.
    public enum Field: String, Sendable, Hashable {
        case name = "metadata.name"
        case namespace = "metadata.namespace"
    }

    /// One condition.
    public struct Requirement: Sendable, Hashable {
        public var field: Field
        /// `true` for `!=`.
        public var negated: Bool
        public var value: String

        public init(field: Field, negated: Bool = false, value: String) {
            self.field = field
            self.negated = negated
            self.value = value
        }
    }

    public var requirements: [Requirement]

    public init(_ requirements: [Requirement] = []) {
        self.requirements = requirements
    }

    /// The selector that matches everything.
    public static let everything = FieldSelector()

    public var isEmpty: Bool { requirements.isEmpty }

    /// Parses `field=value,field!=value`.
    ///
    /// - Throws: ``APIError`` (400 BadRequest) for a malformed selector or an unsupported field.
    public init(parsing text: String) throws(APIError) {
        var requirements: [Requirement] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: true) {
            let term = part.trimmingSpaces()
            if term.isEmpty { continue }
            let key: Substring
            let value: Substring
            let negated: Bool
            if let range = term.firstRange(of: "!=") {
                key = term[..<range.lowerBound]
                value = term[range.upperBound...]
                negated = true
            } else if let range = term.firstRange(of: "==") {
                key = term[..<range.lowerBound]
                value = term[range.upperBound...]
                negated = false
            } else if let index = term.firstIndex(of: "=") {
                key = term[..<index]
                value = term[term.index(after: index)...]
                negated = false
            } else {
                throw APIError.badRequest("invalid field selector: invalid selector: '\(text)'; can't understand '\(term)'")
            }
            let fieldName = String(key.trimmingSpaces())
            guard let field = Field(rawValue: fieldName) else {
                throw APIError.badRequest(
                    "\"\(fieldName)\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"")
            }
            requirements.append(Requirement(field: field, negated: negated, value: String(value.trimmingSpaces())))
        }
        self.init(requirements)
    }

    /// Whether an object with this namespace ("" when cluster-scoped) and name matches.
    public func matches(namespace: String, name: String) -> Bool {
        requirements.allSatisfy { requirement in
            let actual = requirement.field == .name ? name : namespace
            return (actual == requirement.value) != requirement.negated
        }
    }

    public var description: String {
        requirements.map { "\($0.field.rawValue)\($0.negated ? "!=" : "=")\($0.value)" }.joined(separator: ",")
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var result = self
        while result.first == " " { result = result.dropFirst() }
        while result.last == " " { result = result.dropLast() }
        return result
    }
}
