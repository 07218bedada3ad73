/// A Kubernetes label selector: requirements on an object's labels, all of which must hold.
///
/// Parsed from the string syntax of `kubectl -l` or from the `{matchLabels, matchExpressions}`
/// object of the API; printed in the canonical string syntax (requirements sorted by key, values
/// sorted). The empty selector matches everything.
///
/// ```swift
/// let selector = try LabelSelector(parsing: "app=web,tier in (a,b),!legacy")
/// selector.matches(["app": "web", "tier": "a"])   // true
/// selector.description   // "app=web,!legacy,tier in (a,b)"
/// ```
public struct LabelSelector: Sendable, Hashable, CustomStringConvertible {
    /// The requirements, sorted by key.
    public private(set) var requirements: [Requirement]

    /// A selector made of `requirements`.
    public init(_ requirements: [Requirement]) {
        self.requirements = requirements.sorted { lhs, rhs in
            if lhs.key != rhs.key { return lhs.key < rhs.key }
            return lhs.description < rhs.description
        }
    }

    /// The selector that matches every object.
    public static let everything = LabelSelector([])

    /// Whether the selector has no requirements (and so matches everything).
    public var isEmpty: Bool { requirements.isEmpty }

    /// Whether `labels` satisfy every requirement.
    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { $0.matches(labels) }
    }

    /// The canonical string syntax; parsing it gives back an equal selector.
    public var description: String {
        requirements.map(\.description).joined(separator: ",")
    }

    /// Parses the string syntax: comma-separated `key=value`, `key==value`, `key!=value`,
    /// `key in (a,b)`, `key notin (a,b)`, `key` and `!key`. Spaces may surround tokens.
    ///
    /// `key>5` and `key<5` compare integers, as in apimachinery.
    ///
    /// - Throws: ``LabelSelectorError`` with apimachinery's message and the 0-based character
    ///   position of the problem.
    public init(parsing text: String) throws(LabelSelectorError) {
        var parser = LabelSelectorParser(text)
        self.init(try parser.parse())
    }
}

extension LabelSelector {
    /// One condition on one label.
    public struct Requirement: Sendable, Hashable, CustomStringConvertible {
        public enum Operator: String, Sendable, Hashable, CaseIterable {
            /// The label is set to the value (`=` or `==`).
            case equals
            /// The label is not set, or set to another value (`!=`).
            case notEquals
            /// The label is set to one of the values (`in`).
            case `in`
            /// The label is not set, or set to none of the values (`notin`).
            case notIn
            /// The label is set (`key`).
            case exists
            /// The label is not set (`!key`).
            case doesNotExist
            /// The label is an integer greater than the value (`key>5`; not in the object form).
            case greaterThan
            /// The label is an integer less than the value (`key<5`; not in the object form).
            case lessThan
        }

        /// The label key.
        public let key: String
        /// How the label is compared.
        public let `operator`: Operator
        /// The values, sorted and without duplicates: one for `equals`/`notEquals`, at least one for
        /// `in`/`notIn`, none for `exists`/`doesNotExist`.
        public let values: [String]

        /// A requirement, checked as the API server checks it: the key must be a qualified name,
        /// each value a label value, and the number of values must suit the operator.
        public init(key: String, operator: Operator, values: [String] = []) throws(LabelSelectorError) {
            let keyProblems = NameRules.qualifiedName(key)
            if let problem = keyProblems.first {
                throw LabelSelectorError(message: "invalid label key \(quoted(key)): \(problem)")
            }
            switch `operator` {
            case .equals, .notEquals:
                guard values.count == 1 else {
                    throw LabelSelectorError(message: "exact-match requirement on \(quoted(key)) needs exactly one value")
                }
            case .in, .notIn:
                guard !values.isEmpty else {
                    throw LabelSelectorError(message: "for 'in', 'notin' operators, values set can't be empty")
                }
            case .exists, .doesNotExist:
                guard values.isEmpty else {
                    throw LabelSelectorError(message: "values set must be empty for exists and does not exist")
                }
            case .greaterThan, .lessThan:
                guard values.count == 1, Int64(values[0]) != nil else {
                    throw LabelSelectorError(message: "for 'Gt', 'Lt' operators, exactly one integer value is required")
                }
            }
            for value in values {
                if let problem = NameRules.labelValue(value).first {
                    throw LabelSelectorError(message: "invalid label value \(quoted(value)): \(problem)")
                }
            }
            self.key = key
            self.operator = `operator`
            self.values = Array(Set(values)).sorted()
        }

        /// Whether `labels` satisfy this requirement.
        public func matches(_ labels: [String: String]) -> Bool {
            let label = labels[key]
            switch self.operator {
            case .equals, .in:
                guard let label else { return false }
                return values.contains(label)
            case .notEquals, .notIn:
                guard let label else { return true }
                return !values.contains(label)
            case .exists:
                return label != nil
            case .doesNotExist:
                return label == nil
            case .greaterThan, .lessThan:
                guard let label, let number = Int64(label), let bound = values.first.flatMap({ Int64($0) }) else {
                    return false
                }
                return self.operator == .greaterThan ? number > bound : number < bound
            }
        }

        public var description: String {
            switch self.operator {
            case .equals: "\(key)=\(values.first ?? "")"
            case .notEquals: "\(key)!=\(values.first ?? "")"
            case .in: "\(key) in (\(values.joined(separator: ",")))"
            case .notIn: "\(key) notin (\(values.joined(separator: ",")))"
            case .exists: key
            case .doesNotExist: "!\(key)"
            case .greaterThan: "\(key)>\(values.first ?? "")"
            case .lessThan: "\(key)<\(values.first ?? "")"
            }
        }
    }
}

/// Why a label selector is invalid, and where.
public struct LabelSelectorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The 0-based character position in the selector string, when parsing a string.
    public var position: Int?
    /// The field of a selector object (`matchExpressions[0].values`), when reading an object.
    public var field: String?
    /// What is wrong.
    public var message: String

    public init(position: Int? = nil, field: String? = nil, message: String) {
        self.position = position
        self.field = field
        self.message = message
    }

    /// `matchLabels.app: …` for the object form; the message alone for the string syntax,
    /// worded as kube-apiserver words it (`found 'b', expected: ...`), whatever the position.
    public var description: String {
        if let field { return "\(field): \(message)" }
        return message
    }
}
